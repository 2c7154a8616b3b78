package main

import (
	"errors"
	"strings"
	"testing"

	"nsexec/internal/spec"
)

// The spec's errors name fields; nsexec words them as its options, so its
// messages read as they always did, and never show a field's path.
func TestParseWordsFieldsAsOptions(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{"--memory-swap 1g true", "--memory-swap needs --memory"},
		{"--tmpfs tmp true", "--tmpfs tmp: destination must be an absolute path inside the root"},
		{"--mkdir / true", "--mkdir /: destination is the root itself; use --rootfs"},
		{"--as-pid-1 true", "--as-pid-1 needs a new PID namespace (-p)"},
		{"--rootfs /r --share-mount true", "mnt namespace: both new and shared (--rootfs and mount options need a mount namespace of their own)"},
		{"-n --network host true", "--network host keeps the host's network namespace: drop -n"},
		{"--json true", "--json goes with --list"},
		{"--env X --cpu-shares 1 true", "--env \"X\": want KEY=VALUE\n--cpu-shares 1: want 2 to 262144"},
	} {
		_, err := parse(strings.Fields(tt.line))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: got %v, want %q", tt.line, err, tt.want)
			continue
		}
		var fe *spec.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v does not unwrap to the spec's FieldError", tt.line, err)
		}
	}
}

// Every option the table names exists.
func TestOptionOfNamesOptions(t *testing.T) {
	f, _ := newFlags()
	for field, opt := range optionOf {
		if !strings.HasPrefix(opt, "-") {
			continue // "mount options": several
		}
		name := strings.TrimLeft(opt, "-")
		if f.Lookup(name) == nil && f.ShorthandLookup(name) == nil {
			t.Errorf("%s: no option %s", field, opt)
		}
	}
}
