package main

import (
	"errors"
	"regexp"
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
		if !strings.HasPrefix(opt, "-") || strings.HasSuffix(opt, "-KIND") {
			continue // "mount options", --persist-KIND: several
		}
		name := strings.TrimLeft(opt, "-")
		if f.Lookup(name) == nil && f.ShorthandLookup(name) == nil {
			t.Errorf("%s: no option %s", field, opt)
		}
	}
}

// fieldPath is how a field of the spec reads when no option words it.
var fieldPath = regexp.MustCompile(`\b((new|share|rootfs|process|network|limits|security|join)\.[a-zA-Z.]+|asPID1|monotonicOffset|boottimeOffset|uidMap|gidMap)\b`)

// Every rule of the spec a command line can break is worded in options:
// no message shows a field's path.
func TestParseErrorsNameNoField(t *testing.T) {
	for _, line := range []string{
		"--as-pid-1 true", "--monotonic 5 --join-time 5 true", "--boottime 5 --join-time 5 true",
		"--rootfs /r --share-mount true", "--share-mount -p true", "--join web --memory 64m true", "-U --join web true", "--persist-net=/x --persist-uts=/x true",
		"--json true", "--list --unpersist /x", "--list true", "--name 123 true",
		"--cap-add NOPE --cap-drop FOO true", "--rootfs /r -m --propagation shared true",
		"--hostname-file --rootfs /r true", "--tmpfs tmp true", "--mkdir / true",
		"--overlay /a:/u::/o true", "--symlink :/l true", "--chdir rel true", "--env X --env =y true",
		"--memory 1k true", "--memory-swap 1g true", "--memory-swap -1 true", "--memory 64m --memory-swap 32m true",
		"--cpu-shares 1 true", "--cpu-weight 10001 true", "--cpu-shares 100 --cpu-weight 100 true",
		"--cpuset-cpus 1-0 true", "--pids-limit -2 true", "--devices some true", "--cgroup-parent a/../b true",
		"-n --network host true", "--network wifi true", "--ip 10.0.0.2 --bridge b true",
		"--network bridge --bridge a-very-long-bridge-name true", "--network bridge --subnet 10.0.0.0/31 true",
		"--network bridge --subnet6 fd00::/126 true", "--network bridge --ip fd00::1 true",
		"--network bridge --subnet 10.5.0.0/24 --ip 10.6.0.1 true", "--network bridge --publish 80:80 --publish 80:81 true",
		"--join-net 5 -U true", "-p --join-mount 5 true", "--rootfs /r --join-mount 5 true", "",
	} {
		_, err := parse(strings.Fields(line))
		var fe *spec.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%q: %v, want an error of the spec", line, err)
			continue
		}
		if m := fieldPath.FindString(err.Error()); m != "" {
			t.Errorf("%q: %q names the field %s", line, err, m)
		}
	}
}
