package testutil

import (
	"os/exec"
	"strconv"
	"testing"
)

// CommandAs prepares an nsexec run as an unprivileged uid/gid (through
// setpriv) without starting it, e.g. to give it extra descriptors.
func CommandAs(t testing.TB, uid int, args ...string) *exec.Cmd {
	t.Helper()
	Require(t, "setpriv")
	id := strconv.Itoa(uid)
	cmd := exec.Command("setpriv", append([]string{"--reuid", id, "--regid", id, "--clear-groups", "--", Binary(t)}, args...)...)
	cmd.Dir = "/"
	return cmd
}
