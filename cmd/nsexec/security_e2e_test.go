package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"nsexec/internal/testutil"
)

// Nothing inside can write to the nsexec binary through /proc/1/exe (the
// resident init is that binary: CVE-2019-5736), whatever the run.
func TestInitBinaryNotWritable(t *testing.T) {
	testutil.RequireRoot(t)
	bin := testutil.Binary(t)
	before, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	root := testutil.BusyboxRootfs(t)
	for _, args := range [][]string{
		{"-p"},
		{"-U", "-p"},
		{"-p", "--rootfs", root},
		{"-U", "-p", "--rootfs", root},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			r := testutil.Run(t, append(args, "sh", "-c", "echo pwned >> /proc/1/exe && echo WROTE")...)
			if r.Code == 0 || strings.Contains(r.Stdout, "WROTE") {
				t.Errorf("wrote to /proc/1/exe: exit %d, %q", r.Code, r.Stdout)
			}
		})
	}
	after, _ := os.ReadFile(bin)
	if !bytes.Equal(before, after) {
		t.Fatal("the nsexec binary changed")
	}
	// In a container run PID 1 is not even readable: it is not dumpable and
	// CMD has no CAP_SYS_PTRACE.
	r := testutil.Run(t, "-p", "--rootfs", root, "sh", "-c", "cat /proc/1/exe >/dev/null && echo READ")
	if strings.Contains(r.Stdout, "READ") {
		t.Errorf("read /proc/1/exe in a rootfs run: %q", r.Stdout)
	}
}

// Descriptors nsexec inherits do not reach CMD.
func TestNoLeakedDescriptors(t *testing.T) {
	testutil.RequireRoot(t)
	f, err := os.Open("/etc/hostname")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, args := range [][]string{{"-p"}, {"-n"}, {"-p", "--rootfs", testutil.BusyboxRootfs(t)}} {
		// "; :" keeps the shell from exec'ing ls: it lists the shell's own.
		cmd := testutil.Command(t, append(args, "sh", "-c", "ls /proc/$$/fd; :")...)
		cmd.ExtraFiles = []*os.File{f, f, f} // fds 3, 4, 5, without CLOEXEC
		r := testutil.RunCmd(t, cmd).MustSucceed(t)
		for _, fd := range strings.Fields(r.Stdout) {
			if fd != "0" && fd != "1" && fd != "2" && fd != "10" { // dash keeps its script on 10
				t.Errorf("%v: CMD holds descriptor %s (all: %q)", args, fd, r.Stdout)
			}
		}
	}
}
