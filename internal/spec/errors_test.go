package spec

import (
	"errors"
	"strings"
	"testing"
)

// Every error of Validate is a FieldError whose path names the field at
// fault, and a front end words the fields it names its own way.
func TestFieldErrors(t *testing.T) {
	s := New()
	s.Args = []string{"true"}
	s.Limits.MemorySwap = 1 << 30
	s.Process.Env = []string{"A=1", "B"}
	s.Rootfs.Mounts = []UserMount{{Kind: MountTmpfs, Dst: "tmp"}}
	s.New[Mount] = true
	err := s.Validate()
	var paths []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var fe *FieldError
		if !errors.As(e, &fe) {
			t.Fatalf("%v is no FieldError", e)
		}
		paths = append(paths, string(fe.Path))
	}
	if got := strings.Join(paths, " "); got != "rootfs.mounts[0].dst process.env[1] limits.memorySwap" {
		t.Errorf("paths %q", got)
	}
	want := "rootfs.mounts[0] tmp: destination must be an absolute path inside the root\n" +
		`process.env "B": want KEY=VALUE` + "\n" +
		"limits.memorySwap needs limits.memory"
	if err.Error() != want {
		t.Errorf("in the engine's words:\n%s\nwant\n%s", err, want)
	}
	upper := func(f Field) string { return strings.ToUpper(string(f)) }
	if got := Reword(err, upper); !strings.Contains(got, "LIMITS.MEMORYSWAP needs LIMITS.MEMORY") ||
		!strings.Contains(got, "ROOTFS.MOUNTS[0] tmp:") {
		t.Errorf("reworded:\n%s", got)
	}
}

func TestFieldElement(t *testing.T) {
	list, i, rest, ok := Field("rootfs.mounts[12].dst").Element()
	if list != "rootfs.mounts" || i != 12 || rest != "dst" || !ok {
		t.Errorf("got %q %d %q %v", list, i, rest, ok)
	}
	if _, _, _, ok := Field("limits.memory").Element(); ok {
		t.Error("limits.memory is an element of a list")
	}
}
