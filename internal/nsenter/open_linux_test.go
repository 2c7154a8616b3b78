package nsenter

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsexec/internal/spec"
	"nsexec/internal/testutil"
)

// Opening checks the kind of what it opens; this needs no root: everyone
// may open their own namespaces.
func TestOpen(t *testing.T) {
	self := Ref{PID: os.Getpid()}
	for _, ns := range spec.AllNamespaces {
		if _, err := os.Stat("/proc/self/ns/" + string(ns)); err != nil {
			continue // a kernel without this kind
		}
		f, err := Open(ns, self)
		if err != nil {
			t.Fatalf("%s: %v", ns, err)
		}
		ours, err := Ours(f, ns)
		f.Close()
		if err != nil || !ours {
			t.Errorf("%s of our own process: ours=%v, %v", ns, ours, err)
		}
	}

	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ns   spec.Namespace
		ref  Ref
		want string
	}{
		{spec.Net, Ref{Path: "/proc/self/ns/uts"}, "/proc/self/ns/uts: a uts namespace, not a net namespace"},
		{spec.Mount, Ref{Path: "/proc/self/ns/user"}, "a user namespace, not a mnt namespace"},
		{spec.Net, Ref{Path: "/etc/hostname"}, "/etc/hostname: not a namespace file"},
		{spec.Net, Ref{Path: "/nonexistent/ns"}, "/nonexistent/ns: no such file"},
		{spec.Net, Ref{PID: gone.Process.Pid}, "no process " + strconv.Itoa(gone.Process.Pid)},
	}
	for _, tt := range tests {
		f, err := Open(tt.ns, tt.ref)
		if err == nil {
			f.Close()
			t.Errorf("Open(%s, %+v): no error, want %q", tt.ns, tt.ref, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%s, %+v) = %v, want %q", tt.ns, tt.ref, err, tt.want)
		}
	}
}

func TestProcess(t *testing.T) {
	st, err := ReadStat(os.Getpid())
	if err != nil || st.PPID != os.Getppid() || st.Start == 0 {
		t.Fatalf("ReadStat(self) = %+v, %v", st, err)
	}
	if !Alive(os.Getpid(), st.Start) || Alive(os.Getpid(), st.Start+1) {
		t.Error("Alive must hold for our own start time only")
	}
	env, err := ReadEnviron(os.Getpid())
	if err != nil || len(env) == 0 {
		t.Errorf("ReadEnviron(self) = %d variables, %v", len(env), err)
	}
	status, err := ReadStatus(os.Getpid())
	if err != nil || status.UID != uint32(os.Geteuid()) {
		t.Errorf("ReadStatus(self) = %+v, %v", status, err)
	}

	// Descend finds a child, waiting for it a moment (read is a builtin:
	// no child until a line comes), and then its child.
	sh := exec.Command("sh", "-c", `read x; sh -c "sleep 10; :" & wait`)
	in, _ := sh.StdinPipe()
	if err := sh.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sh.Process.Kill(); sh.Wait() })
	go func() { time.Sleep(50 * time.Millisecond); in.Write([]byte("go\n")) }()
	grandchild, err := Descend(sh.Process.Pid, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(grandchild, syscall.SIGKILL) })
	// Found right after its fork, it may not have executed sleep yet.
	var data []byte
	if !testutil.WaitFor(5*time.Second, func() bool {
		data, _ = os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", grandchild))
		return strings.HasPrefix(string(data), "sleep")
	}) {
		t.Errorf("grandchild %d is %q, want sleep", grandchild, data)
	}
	if _, err := Descend(grandchild, 1); err == nil || !strings.Contains(err.Error(), "has not started") {
		t.Errorf("Descend of a childless sleep: %v", err)
	}
}
