// Command probe is the payload of the confinement tests: a static program
// (CGO_ENABLED=0) that makes exact system calls, so that a test sees what
// the kernel answered rather than what a shell or busybox made of it.
//
//	probe alloc MIB          allocate and touch MIB MiB, then print "allocated"
//	probe spin DURATION      keep one CPU busy for DURATION of wall time, then
//	                         print "usage_us wall_us": the CPU time its cgroup used
//	probe forbidden DIR      try what a confined root must not do; print
//	                         "name errno-name" per attempt (DIR: scratch space)
//	probe mknod DIR          try to create the null device (a default one),
//	                         loop0 and tty1 in DIR; print "name result"
//	probe nosys              call a syscall number no kernel has (1000) and
//	                         clone3; print "name result"
//	probe forkbomb [MARK]    start copies of itself, which do the same,
//	                         forever: retrying when fork fails, so that the
//	                         bomb never dies out (a shell's can)
//	probe euid               print the effective uid
//	probe ptrace-inject PID HANDLE|unshare-user
//	                         attach to PID and make it call open_by_handle_at
//	                         with HANDLE (hex: type, bytes), or
//	                         unshare(CLONE_NEWUSER); print the outcome
//	probe tiocsti TEXT [PATH...]
//	                         push TEXT into the input of the terminal on
//	                         descriptors 0, 1 and 2, then on each PATH
//	                         opened (CVE-2017-5226); print "what result"
//	probe exe-attack FIFO    CVE-2019-5736: write the binary of a process
//	                         blocked reading FIFO, through /proc/PID/exe, once
//	                         it ended; print "exe RESULT" and "write RESULT"
//
// Every attempt in "forbidden" is harmless if it were allowed: invalid
// arguments make the kernel fail after its permission checks.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fail("usage: probe alloc|spin|forbidden|euid ...")
	}
	switch os.Args[1] {
	case "alloc":
		mib, _ := strconv.Atoi(os.Args[2])
		buf := make([][]byte, 0, mib)
		for i := 0; i < mib; i++ {
			b := make([]byte, 1<<20)
			for j := 0; j < len(b); j += 4096 {
				b[j] = 1
			}
			buf = append(buf, b)
		}
		runtime.KeepAlive(buf)
		fmt.Println("allocated")
	case "spin":
		d, err := time.ParseDuration(os.Args[2])
		if err != nil {
			fail(err.Error())
		}
		start := time.Now()
		before := cgroupCPU()
		for time.Since(start) < d {
		}
		wall := time.Since(start)
		fmt.Println(cgroupCPU()-before, wall.Microseconds())
	case "forbidden":
		forbidden(os.Args[2])
	case "mknod":
		mknods(os.Args[2], true)
	case "nosys":
		_, _, e := syscall.Syscall(1000, 0, 0, 0)
		fmt.Println("sys1000", errnoName(e))
		_, _, e = syscall.Syscall(unix.SYS_CLONE3, 0, 0, 0)
		fmt.Println("clone3", errnoName(e))
	case "forkbomb":
		self, _ := os.Executable()
		devnull, _ := os.Open(os.DevNull)
		attr := &syscall.ProcAttr{Files: []uintptr{devnull.Fd(), devnull.Fd(), devnull.Fd()}}
		for {
			if _, err := syscall.ForkExec(self, os.Args, attr); err != nil {
				time.Sleep(time.Millisecond)
			}
		}
	case "ptrace-inject":
		pid, _ := strconv.Atoi(os.Args[2])
		ptraceInject(pid, os.Args[3])
	case "euid":
		fmt.Println(os.Geteuid())
	case "tiocsti":
		tiocsti(os.Args[2], os.Args[3:])
	case "exe-attack":
		exeAttack(os.Args[2])
	default:
		fail("unknown command " + os.Args[1])
	}
}

// cgroupCPU is the CPU time used by the probe's cgroup, in µs: cpu.stat's
// usage_usec on cgroup v2, cpuacct.usage (ns) on v1.
func cgroupCPU() int64 {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		fail(err.Error())
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		if f[0] == "0" && f[1] == "" {
			if stat, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", f[2], "cpu.stat")); err == nil && strings.HasPrefix(string(stat), "usage_usec") {
				v, _ := strconv.ParseInt(strings.Fields(string(stat))[1], 10, 64)
				return v
			}
		}
		for _, c := range strings.Split(f[1], ",") {
			if c == "cpuacct" {
				for _, mnt := range []string{"cpuacct", "cpu,cpuacct"} {
					if v, err := os.ReadFile(filepath.Join("/sys/fs/cgroup", mnt, f[2], "cpuacct.usage")); err == nil {
						n, _ := strconv.ParseInt(strings.TrimSpace(string(v)), 10, 64)
						return n / 1000
					}
				}
			}
		}
	}
	fail("no cpu accounting in " + string(data))
	return 0
}

// forbidden tries each thing a confined root must not do and prints what
// the kernel said.
func forbidden(dir string) {
	try := func(name string, r1 uintptr, errno syscall.Errno) {
		if errno == 0 {
			fmt.Println(name, "allowed")
			return
		}
		fmt.Println(name, errnoName(errno))
	}
	str := func(s string) uintptr { p, _ := syscall.BytePtrFromString(s); return uintptr(unsafe.Pointer(p)) }

	// mount: a tmpfs on a path that does not exist.
	r, _, e := syscall.Syscall6(syscall.SYS_MOUNT, str("none"), str(filepath.Join(dir, "no-such-dir")), str("tmpfs"), 0, 0, 0)
	try("mount", r, e)
	// Load a kernel module: an empty image.
	r, _, e = syscall.Syscall(syscall.SYS_INIT_MODULE, 0, 0, str(""))
	try("init_module", r, e)
	r, _, e = syscall.Syscall(unix.SYS_FINIT_MODULE, ^uintptr(0), str(""), 0)
	try("finit_module", r, e)
	// Set the time: an invalid one, refused after the permission check.
	ts := syscall.Timespec{Sec: 1, Nsec: -1}
	r, _, e = syscall.Syscall(syscall.SYS_CLOCK_SETTIME, 0, uintptr(unsafe.Pointer(&ts)), 0)
	try("clock_settime", r, e)
	tv := syscall.Timeval{Sec: 1, Usec: -1}
	r, _, e = syscall.Syscall(syscall.SYS_SETTIMEOFDAY, uintptr(unsafe.Pointer(&tv)), 0, 0)
	try("settimeofday", r, e)
	// ptrace another process: PID 1, the init. PTRACE_SEIZE makes the
	// same checks as PTRACE_ATTACH without stopping it, and the tracer's
	// exit lets it go.
	r, _, e = syscall.Syscall6(syscall.SYS_PTRACE, unix.PTRACE_SEIZE, 1, 0, 0, 0, 0)
	try("ptrace", r, e)
	mknods(dir, false)
	// reboot: "disable Ctrl-Alt-Del", which a PID namespace refuses anyway.
	r, _, e = syscall.Syscall6(syscall.SYS_REBOOT, syscall.LINUX_REBOOT_MAGIC1, syscall.LINUX_REBOOT_MAGIC2,
		syscall.LINUX_REBOOT_CMD_CAD_OFF, 0, 0, 0)
	try("reboot", r, e)
	// keyctl: join a new session keyring.
	r, _, e = syscall.Syscall6(unix.SYS_KEYCTL, unix.KEYCTL_JOIN_SESSION_KEYRING, 0, 0, 0, 0, 0)
	try("keyctl", r, e)
	r, _, e = syscall.Syscall(syscall.SYS_UNSHARE, syscall.CLONE_NEWUSER, 0, 0)
	try("unshare_user", r, e)
	// kexec_load with flags no kernel knows.
	r, _, e = syscall.Syscall6(unix.SYS_KEXEC_LOAD, 0, 0, 0, 0xdead0000, 0, 0)
	try("kexec_load", r, e)
}

// mknods creates device nodes other than the defaults: a block device
// (loop0) and a character device (tty1); and null, a default one, if asked.
func mknods(dir string, withNull bool) {
	devs := []struct {
		name string
		mode uint32
		dev  int
	}{{"mknod_block", syscall.S_IFBLK, 7 << 8}, {"mknod_char", syscall.S_IFCHR, 4<<8 | 1}}
	if withNull {
		devs = append(devs, struct {
			name string
			mode uint32
			dev  int
		}{"mknod_null", syscall.S_IFCHR, 1<<8 | 3})
	}
	for _, d := range devs {
		path := filepath.Join(dir, d.name)
		err := syscall.Mknod(path, d.mode|0o600, d.dev)
		os.Remove(path)
		if err == nil {
			fmt.Println(d.name, "allowed")
		} else {
			fmt.Println(d.name, errnoName(errnoOf(err)))
		}
	}
}

// tiocsti types text into each terminal it can reach, as an attacker
// inside would: a character at a time with TIOCSTI.
func tiocsti(text string, paths []string) {
	inject := func(fd int) string {
		for i := 0; i < len(text); i++ {
			c := text[i]
			_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.TIOCSTI, uintptr(unsafe.Pointer(&c)))
			if e != 0 {
				return errnoName(e)
			}
		}
		return "ok"
	}
	for fd := 0; fd <= 2; fd++ {
		fmt.Printf("fd%d %s\n", fd, inject(fd))
	}
	for _, p := range paths {
		fd, err := syscall.Open(p, syscall.O_RDWR|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
		if err != nil {
			fmt.Println(p, "open-"+errnoName(errnoOf(err)))
			continue
		}
		fmt.Println(p, inject(fd))
		syscall.Close(fd)
	}
}

func errnoOf(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(syscall.Errno); ok {
		return e
	}
	return syscall.EINVAL
}

func errnoName(e syscall.Errno) string {
	names := map[syscall.Errno]string{
		syscall.EPERM: "EPERM", syscall.EACCES: "EACCES", syscall.ENOENT: "ENOENT", syscall.EINVAL: "EINVAL",
		syscall.EFAULT: "EFAULT", syscall.ENOSYS: "ENOSYS", syscall.EBADF: "EBADF", syscall.ESRCH: "ESRCH",
		syscall.ENOEXEC: "ENOEXEC", syscall.EEXIST: "EEXIST", syscall.EIO: "EIO", syscall.ENXIO: "ENXIO",
		syscall.ENOTTY: "ENOTTY", syscall.EROFS: "EROFS", syscall.ETXTBSY: "ETXTBSY",
	}
	if n, ok := names[e]; ok {
		return n
	}
	return fmt.Sprintf("errno%d", int(e))
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "probe:", msg)
	os.Exit(2)
}
