package linux

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestLockExclusiveWaits(t *testing.T) {
	p := filepath.Join(t.TempDir(), "lock")
	a, _ := os.Create(p)
	b, _ := os.Open(p)
	defer a.Close()
	defer b.Close()
	if err := LockExclusive(int(a.Fd())); err != nil {
		t.Fatal(err)
	}
	got := make(chan error)
	go func() { got <- LockExclusive(int(b.Fd())) }()
	select {
	case <-got:
		t.Fatal("a second lock was taken while the first was held")
	case <-time.After(50 * time.Millisecond):
	}
	unix.Flock(int(a.Fd()), unix.LOCK_UN)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if err := LockExclusive(-1); err == nil {
		t.Error("no error for a bad descriptor")
	}
}
