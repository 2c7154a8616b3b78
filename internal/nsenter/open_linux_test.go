package nsenter

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"nsexec/internal/spec"
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
