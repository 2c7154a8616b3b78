package security

import (
	"encoding/binary"
	"errors"
)

// Classic BPF, as linux/filter.h and linux/bpf_common.h define it.
const (
	bpfLD   = 0x00
	bpfALU  = 0x04
	bpfJMP  = 0x05
	bpfRET  = 0x06
	bpfW    = 0x00
	bpfABS  = 0x20
	bpfAND  = 0x50
	bpfJA   = 0x00
	bpfJEQ  = 0x10
	bpfJGT  = 0x20
	bpfJGE  = 0x30
	bpfK    = 0x00
	maxInsn = 4096 // BPF_MAXINSNS
)

// label names a place in a program; 0 means "the next instruction".
type label int32

// insn is one instruction; jumps name labels until the program is laid
// out. A label's place is marked by an insn with code opMark, no
// instruction, its label in jt; an unconditional jump keeps its target in jt.
type insn struct {
	code   uint16
	k      uint32
	jt, jf label
}

const opMark = 0xffff

func (in insn) isMark() bool { return in.code == opMark }

// program is a BPF program under construction. Jumps go forward only, as
// the kernel requires.
type program struct {
	insns  []insn
	labels label
}

func (p *program) newLabel() label { p.labels++; return p.labels }
func (p *program) mark(l label)    { p.insns = append(p.insns, insn{code: opMark, jt: l}) }
func (p *program) ret(k uint32)    { p.insns = append(p.insns, insn{code: bpfRET | bpfK, k: k}) }
func (p *program) load(off uint32) {
	p.insns = append(p.insns, insn{code: bpfLD | bpfW | bpfABS, k: off})
}
func (p *program) and(k uint32) { p.insns = append(p.insns, insn{code: bpfALU | bpfAND | bpfK, k: k}) }

// jmp adds a conditional jump (op is bpfJEQ, bpfJGT or bpfJGE) on A
// against k, to jt when true and jf when false.
func (p *program) jmp(op uint16, k uint32, jt, jf label) {
	p.insns = append(p.insns, insn{code: bpfJMP | op | bpfK, k: k, jt: jt, jf: jf})
}

func isCondJump(in insn) bool {
	return !in.isMark() && in.code&0x07 == bpfJMP && in.code != bpfJMP|bpfJA
}

// assemble lays the program out and encodes it as struct sock_filter
// records in native byte order. A conditional jump reaches at most 255
// instructions ahead: a farther target is reached through an unconditional
// jump placed right after it, and the layout is redone until all fit
// (inserting only makes distances grow, so this ends).
func (p *program) assemble() ([]byte, int, error) {
	insns := p.insns
	for {
		pos := p.layout(insns)
		far := func(l label, pc int) bool { return l != 0 && pos[l]-(pc+1) > 255 }
		count, pc := 0, 0
		for _, in := range insns {
			if !in.isMark() {
				if isCondJump(in) && (far(in.jt, pc) || far(in.jf, pc)) {
					count++
				}
				pc++
			}
		}
		if count == 0 {
			return encode(insns, pos)
		}
		out := make([]insn, 0, len(insns)+4*count)
		pc = 0
		for _, in := range insns {
			if in.isMark() {
				out = append(out, in)
				continue
			}
			if !isCondJump(in) || !(far(in.jt, pc) || far(in.jf, pc)) {
				out = append(out, in)
				pc++
				continue
			}
			after := p.newLabel()
			var tramps [4]insn
			nt := 0
			redirect := func(l label) label {
				switch {
				case l == 0:
					return after
				case far(l, pc):
					t := p.newLabel()
					tramps[nt], tramps[nt+1] = insn{code: opMark, jt: t}, insn{code: bpfJMP | bpfJA, jt: l}
					nt += 2
					return t
				}
				return l
			}
			in.jt, in.jf = redirect(in.jt), redirect(in.jf)
			out = append(out, in)
			out = append(out, tramps[:nt]...)
			out = append(out, insn{code: opMark, jt: after})
			pc++ // addresses of this pass are those of the old layout
		}
		insns = out
	}
}

// layout returns the address of each label.
func (p *program) layout(insns []insn) []int {
	pos := make([]int, p.labels+1)
	n := 0
	for _, in := range insns {
		if in.isMark() {
			pos[in.jt] = n
			continue
		}
		n++
	}
	return pos
}

func encode(insns []insn, pos []int) ([]byte, int, error) {
	buf := make([]byte, 0, 8*len(insns))
	pc := 0
	for _, in := range insns {
		if in.isMark() {
			continue
		}
		var jt, jf uint8
		k := in.k
		switch {
		case in.code == bpfJMP|bpfJA:
			k = uint32(pos[in.jt] - (pc + 1))
		case in.code&0x07 == bpfJMP:
			jt, jf = uint8(offset(pos, in.jt, pc)), uint8(offset(pos, in.jf, pc))
		}
		buf = binary.NativeEndian.AppendUint16(buf, in.code)
		buf = append(buf, jt, jf)
		buf = binary.NativeEndian.AppendUint32(buf, k)
		pc++
	}
	if pc > maxInsn {
		return nil, 0, errors.New("filter longer than the kernel's 4096 instructions")
	}
	return buf, pc, nil
}

func offset(pos []int, l label, pc int) int {
	if l == 0 {
		return 0
	}
	return pos[l] - (pc + 1)
}
