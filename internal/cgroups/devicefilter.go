package cgroups

import "encoding/binary"

// On cgroup v2 the devices a cgroup may create and open are decided by an
// eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to it. It gets
// struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; },
// access_type being access << 16 | type, and returns 1 to allow.

// eBPF opcodes (linux/bpf.h, linux/bpf_common.h).
const (
	ebpfLdxW    = 0x61 // BPF_LDX | BPF_W | BPF_MEM
	ebpfMovX    = 0xbf // BPF_ALU64 | BPF_MOV | BPF_X
	ebpfMovK    = 0xb7 // BPF_ALU64 | BPF_MOV | BPF_K
	ebpfAndK    = 0x57 // BPF_ALU64 | BPF_AND | BPF_K
	ebpfRshK    = 0x77 // BPF_ALU64 | BPF_RSH | BPF_K
	ebpfJneK    = 0x55 // BPF_JMP | BPF_JNE | BPF_K
	ebpfExit    = 0x95 // BPF_JMP | BPF_EXIT
	devBlock    = 1    // BPF_DEVCG_DEV_BLOCK
	devChar     = 2    // BPF_DEVCG_DEV_CHAR
	accMknod    = 1    // BPF_DEVCG_ACC_MKNOD
	accRead     = 2    // BPF_DEVCG_ACC_READ
	accWrite    = 4    // BPF_DEVCG_ACC_WRITE
	regCtx      = 1
	regType     = 3
	regAccess   = 4
	regMajor    = 5
	regMinor    = 6
	regScratch  = 7
	regAccType  = 2
	regReturned = 0
)

type ebpfInsn struct {
	code     uint8
	dst, src uint8
	off      int16
	imm      int32
}

// deviceFilter assembles the program that allows devs and nothing else.
func deviceFilter(devs []Device) []byte {
	prog := []ebpfInsn{
		{code: ebpfLdxW, dst: regAccType, src: regCtx, off: 0},
		{code: ebpfMovX, dst: regType, src: regAccType},
		{code: ebpfAndK, dst: regType, imm: 0xffff},
		{code: ebpfMovX, dst: regAccess, src: regAccType},
		{code: ebpfRshK, dst: regAccess, imm: 16},
		{code: ebpfLdxW, dst: regMajor, src: regCtx, off: 4},
		{code: ebpfLdxW, dst: regMinor, src: regCtx, off: 8},
	}
	for _, d := range devs {
		var rule []ebpfInsn
		typ := int32(devChar)
		if d.Type == 'b' {
			typ = devBlock
		}
		rule = append(rule, ebpfInsn{code: ebpfJneK, dst: regType, imm: typ})
		if d.Major >= 0 {
			rule = append(rule, ebpfInsn{code: ebpfJneK, dst: regMajor, imm: int32(d.Major)})
		}
		if d.Minor >= 0 {
			rule = append(rule, ebpfInsn{code: ebpfJneK, dst: regMinor, imm: int32(d.Minor)})
		}
		var allowed int32
		for _, a := range d.Access {
			allowed |= map[rune]int32{'m': accMknod, 'r': accRead, 'w': accWrite}[a]
		}
		// Every access asked for must be allowed: access & ^allowed == 0.
		rule = append(rule,
			ebpfInsn{code: ebpfMovX, dst: regScratch, src: regAccess},
			ebpfInsn{code: ebpfAndK, dst: regScratch, imm: ^allowed & 7},
			ebpfInsn{code: ebpfJneK, dst: regScratch, imm: 0},
			ebpfInsn{code: ebpfMovK, dst: regReturned, imm: 1},
			ebpfInsn{code: ebpfExit},
		)
		// Each failed test jumps past the rule.
		for i := range rule {
			if rule[i].code == ebpfJneK {
				rule[i].off = int16(len(rule) - i - 1)
			}
		}
		prog = append(prog, rule...)
	}
	prog = append(prog, ebpfInsn{code: ebpfMovK, dst: regReturned, imm: 0}, ebpfInsn{code: ebpfExit})
	out := make([]byte, 0, 8*len(prog))
	for _, in := range prog {
		out = append(out, in.code, in.dst|in.src<<4)
		out = binary.LittleEndian.AppendUint16(out, uint16(in.off))
		out = binary.LittleEndian.AppendUint32(out, uint32(in.imm))
	}
	return out
}
