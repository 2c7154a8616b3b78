package nsenter

import (
	"strings"

	"nsexec/internal/procfs"
)

// EnvPrefix marks variables of nsexec's own protocol, never handed on.
const EnvPrefix = "_NSEXEC_"

// ReadEnviron reads the environment a process started with, without
// nsexec's own variables: what a joined CMD takes over.
func ReadEnviron(pid int) ([]string, error) {
	env, err := procfs.ReadEnviron(pid)
	return withoutOwn(env), err
}

func withoutOwn(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, EnvPrefix) {
			out = append(out, kv)
		}
	}
	return out
}
