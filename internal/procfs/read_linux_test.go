package procfs

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

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
	// (testutil.WaitFor's package imports this one: a loop of its own.)
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if data, _ = os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", grandchild)); strings.HasPrefix(string(data), "sleep") {
			break
		}
	}
	if !strings.HasPrefix(string(data), "sleep") {
		t.Errorf("grandchild %d is %q, want sleep", grandchild, data)
	}
	if _, err := Descend(grandchild, 1); err == nil || !strings.Contains(err.Error(), "has not started") {
		t.Errorf("Descend of a childless sleep: %v", err)
	}
}

func TestNoProcess(t *testing.T) {
	for _, pid := range []int{0, -1} {
		if _, err := ReadStat(pid); err == nil || !strings.Contains(err.Error(), "not a process") {
			t.Errorf("ReadStat(%d): %v", pid, err)
		}
		if Alive(pid, 0) {
			t.Errorf("Alive(%d)", pid)
		}
	}
	if _, err := ReadStat(1 << 30); err == nil || !strings.Contains(err.Error(), "no process") {
		t.Errorf("ReadStat of a PID above pid_max: %v", err)
	}
	f, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}
