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
	fd, err := loadDeviceFilter(prog, nil)
	if err != nil {
		// Again, with the verifier's account of why.
		log := make([]byte, 64<<10)
		_, err2 := loadDeviceFilter(prog, log)
		return fmt.Errorf("cgroup: load the device filter: %w (%v: %s)", err, err2, unix.ByteSliceToString(log))
	}
	defer unix.Close(fd)
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

// loadDeviceFilter loads prog as a BPF_PROG_TYPE_CGROUP_DEVICE program; log,
// when given, receives the verifier's messages.
func loadDeviceFilter(prog, log []byte) (int, error) {
	license := []byte("Apache-2.0\x00")
	attr := struct {
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
	}
	if len(log) > 0 {
		attr.logLevel, attr.logSize, attr.logBuf = 1, uint32(len(log)), uint64(uintptr(unsafe.Pointer(&log[0])))
	}
	copy(attr.progName[:], "nsexec_devices")
	fd, _, errno := unix.Syscall(unix.SYS_BPF, unix.BPF_PROG_LOAD, uintptr(unsafe.Pointer(&attr)), unsafe.Sizeof(attr))
	runtime.KeepAlive(prog)
	runtime.KeepAlive(license)
	runtime.KeepAlive(log)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}
