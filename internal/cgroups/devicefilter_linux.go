package cgroups

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// attachDeviceFilter loads the device program of devs and attaches it to
// the cgroup v2 directory dir. The cgroup keeps it until it is removed.
func attachDeviceFilter(dir string, devs []Device) error {
	prog := deviceFilter(devs)
	license := []byte("Apache-2.0\x00")
	log := make([]byte, 4096)
	load := struct {
		progType, insnCnt uint32
		insns, license    uint64
		logLevel, logSize uint32
		logBuf            uint64
		kernVersion       uint32
		progFlags         uint32
		progName          [16]byte
	}{
		progType: unix.BPF_PROG_TYPE_CGROUP_DEVICE, insnCnt: uint32(len(prog) / 8),
		insns:   uint64(uintptr(unsafe.Pointer(&prog[0]))),
		license: uint64(uintptr(unsafe.Pointer(&license[0]))),
		logSize: uint32(len(log)), logBuf: uint64(uintptr(unsafe.Pointer(&log[0]))), logLevel: 1,
	}
	copy(load.progName[:], "nsexec_devices")
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&load)), unsafe.Sizeof(load))
	runtime.KeepAlive(prog)
	runtime.KeepAlive(license)
	if errno != 0 {
		return fmt.Errorf("cgroup: load the device filter: %w (%s)", errno, unix.ByteSliceToString(log))
	}
	defer unix.Close(int(fd))
	cg, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cgroup: open %s: %w", dir, err)
	}
	defer unix.Close(cg)
	attach := struct{ targetFD, attachFD, attachType, attachFlags, replaceFD uint32 }{
		targetFD: uint32(cg), attachFD: uint32(fd), attachType: unix.BPF_CGROUP_DEVICE, attachFlags: unix.BPF_F_ALLOW_MULTI,
	}
	if _, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_ATTACH, uintptr(unsafe.Pointer(&attach)), unsafe.Sizeof(attach)); errno != 0 {
		return fmt.Errorf("cgroup: attach the device filter to %s: %w", dir, errno)
	}
	return nil
}
