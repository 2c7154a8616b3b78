package linux

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestReadFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	want := bytes.Repeat([]byte("0123456789"), 1000) // grows the buffer past its first 1 KiB
	if err := os.WriteFile(p, want, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(p); err != nil || !bytes.Equal(got, want) {
		t.Errorf("ReadFile = %d bytes, %v; want %d", len(got), err, len(want))
	}
	// /proc files have no size: read to the end.
	if got, err := ReadFile("/proc/self/status"); err != nil || !bytes.Contains(got, []byte("\nPid:")) {
		t.Errorf("ReadFile(/proc/self/status) = %q, %v", got, err)
	}
	var pe *os.PathError
	if _, err := ReadFile(p + ".missing"); !errors.Is(err, os.ErrNotExist) || !errors.As(err, &pe) || pe.Op != "open" {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := ReadFile(filepath.Dir(p)); !errors.As(err, &pe) || pe.Op != "read" {
		t.Errorf("a directory: %v", err)
	}
}
