package state

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"nsexec/internal/procfs"
)

// proc starts a real process to stand for an nsexec or an init, and
// returns its PID, start time, and how to end it.
func proc(t *testing.T) (int, uint64, func()) {
	t.Helper()
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	st, err := procfs.ReadStat(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	kill := func() { cmd.Process.Kill(); cmd.Wait() }
	t.Cleanup(kill)
	return cmd.Process.Pid, st.Start, kill
}

func TestStoreLifecycle(t *testing.T) {
	s := Open(t.TempDir())
	parent, pstart, killParent := proc(t)
	rec := Record{Name: "web", Parent: parent, ParentStart: pstart, Command: []string{"sleep"}, Started: time.Now()}
	if err := s.Reserve(rec); err != nil {
		t.Fatal(err)
	}
	// Starting: taken, but not listed.
	if recs, _ := s.List(); len(recs) != 0 {
		t.Errorf("a starting run is listed: %v", recs)
	}
	var taken *NameTakenError
	if err := s.Reserve(Record{Name: "web", Parent: os.Getpid()}); !errors.As(err, &taken) {
		t.Errorf("second Reserve: %v, want NameTakenError", err)
	}
	init, istart, killInit := proc(t)
	rec.PID, rec.PIDStart = init, istart
	if err := s.Update(rec); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get("web"); err != nil || got.PID != init {
		t.Errorf("Get = %+v, %v", got, err)
	}
	if got, ok := s.FindPID(init); !ok || got.Name != "web" {
		t.Errorf("FindPID = %+v, %v", got, ok)
	}
	// Remove takes only its own record.
	s.Remove("web", parent+1, pstart)
	if _, err := s.Get("web"); err != nil {
		t.Errorf("removed by another run: %v", err)
	}
	// The instance lives as long as its init, supervised or not.
	killParent()
	if _, err := s.Get("web"); err != nil {
		t.Errorf("Get after the supervising nsexec died: %v", err)
	}
	// The init dies: the record is stale, and cleaned.
	killInit()
	if _, err := s.Get("web"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after the init died: %v", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "web.json")); !os.IsNotExist(err) {
		t.Errorf("stale record left: %v", err)
	}
	// A stale name can be taken again.
	p2, p2start, _ := proc(t)
	if err := s.Reserve(Record{Name: "web", Parent: p2, ParentStart: p2start}); err != nil {
		t.Errorf("Reserve of a stale name: %v", err)
	}
	s.Remove("web", p2, p2start)
	if _, err := os.Stat(filepath.Join(s.Dir, "web.json")); !os.IsNotExist(err) {
		t.Errorf("record left after Remove: %v", err)
	}
}

// A PID that was reused by a new process does not keep a record alive:
// the start time differs.
func TestStoreReusedPID(t *testing.T) {
	s := Open(t.TempDir())
	parent, pstart, _ := proc(t)
	if err := s.Reserve(Record{Name: "old", Parent: parent, ParentStart: pstart, PID: parent, PIDStart: pstart - 1}); err != nil {
		t.Fatal(err)
	}
	if recs, _ := s.List(); len(recs) != 0 {
		t.Errorf("listed with a reused PID: %v", recs)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "old.json")); !os.IsNotExist(err) {
		t.Error("record with a reused PID left")
	}
}

// Many runs racing for one name: exactly one gets it.
func TestStoreReserveRace(t *testing.T) {
	s := Open(t.TempDir())
	parent, pstart, _ := proc(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Reserve(Record{Name: "race", Parent: parent, ParentStart: pstart})
			mu.Lock()
			defer mu.Unlock()
			var taken *NameTakenError
			switch {
			case err == nil:
				won++
			case !errors.As(err, &taken):
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Errorf("%d runs got the name, want 1", won)
	}
	left, _ := filepath.Glob(filepath.Join(s.Dir, ".*.tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Temporary files of an nsexec killed mid-write are cleaned; records that
// cannot be read are not listed.
func TestStoreLeftovers(t *testing.T) {
	s := Open(t.TempDir())
	dead := exec.Command("true")
	dead.Run()
	tmp := filepath.Join(s.Dir, ".x.y.json."+strconv.Itoa(dead.Process.Pid)+".tmp")
	os.WriteFile(tmp, []byte("{"), 0o600)
	os.WriteFile(filepath.Join(s.Dir, "broken.json"), []byte("{"), 0o600)
	os.WriteFile(filepath.Join(s.Dir, "notes.txt"), []byte("x"), 0o600)
	parent, pstart, kill := proc(t)
	s.Reserve(Record{Name: "gone", Parent: parent, ParentStart: pstart})
	kill()
	recs, err := s.List()
	if err != nil || len(recs) != 0 {
		t.Errorf("List = %v, %v", recs, err)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Error("temporary file of a dead nsexec left")
	}
	if recs, err := Open(filepath.Join(s.Dir, "none")).List(); err != nil || recs != nil {
		t.Errorf("List of a missing directory: %v, %v", recs, err)
	}
}

// Forged records are ignored (issue 9): root's --join must not be led into
// a process, or given a seccomp filter, by a record another user could have
// written, nor by one in a directory another user can write.
func TestStoreIgnoresForgedRecords(t *testing.T) {
	parent, pstart, _ := proc(t)
	init, istart, _ := proc(t)
	data, err := json.Marshal(Record{Name: "web", PID: init, PIDStart: istart, Parent: parent, ParentStart: pstart})
	if err != nil {
		t.Fatal(err)
	}
	root := os.Geteuid() == 0
	for _, tt := range []struct {
		name     string
		rootOnly bool
		forge    func(dir, file string) error
	}{
		{"genuine", false, func(string, string) error { return nil }},
		{"directory writable by others", false, func(dir, _ string) error { return os.Chmod(dir, 0o777) }},
		{"record writable by others", false, func(_, file string) error { return os.Chmod(file, 0o666) }},
		{"record is a symlink", false, func(dir, file string) error {
			other := filepath.Join(t.TempDir(), "web.json")
			if err := os.Rename(file, other); err != nil {
				return err
			}
			return os.Symlink(other, file)
		}},
		{"record of another user", true, func(_, file string) error { return os.Chown(file, 65534, 65534) }},
		{"directory of another user", true, func(dir, _ string) error { return os.Chown(dir, 65534, 65534) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rootOnly && !root {
				t.Skip("chown needs root")
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "web.json")
			if err := os.WriteFile(file, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := tt.forge(dir, file); err != nil {
				t.Fatal(err)
			}
			s := Open(dir)
			_, getErr := s.Get("web")
			_, found := s.FindPID(init)
			recs, _ := s.List()
			if tt.name == "genuine" {
				if getErr != nil || !found || len(recs) != 1 {
					t.Fatalf("a genuine record: Get %v, FindPID %v, List %v", getErr, found, recs)
				}
				return
			}
			if getErr == nil || found || len(recs) != 0 {
				t.Errorf("a forged record is used: Get %v, FindPID %v, List %v", getErr, found, recs)
			}
			if !errors.Is(getErr, ErrUntrusted) && !errors.Is(getErr, unix.ELOOP) {
				t.Errorf("Get: %v, want it untrusted", getErr)
			}
		})
	}
}
