package spec

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Process is what CMD runs as: its cwd, environment, user and groups.
type Process struct {
	Dir      string   // working directory; empty: / with a rootfs, else nsexec's own
	Env      []string // "KEY=VALUE" set (or replaced) in CMD's environment, in order
	ClearEnv bool     // start CMD's environment empty, before Env

	UID, GID *uint32 // nil: unchanged
	Groups   []uint32
	// SetGroups is true when --groups was given (possibly empty, to drop
	// all supplementary groups).
	SetGroups bool
}

func init() {
	addCheck(func(s *Spec) error {
		p := &s.Process
		var errs []error
		if p.Dir != "" && !path.IsAbs(p.Dir) {
			errs = append(errs, fmt.Errorf("--chdir %s: must be an absolute path", p.Dir))
		}
		for _, kv := range p.Env {
			if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
				errs = append(errs, fmt.Errorf("--env %q: want KEY=VALUE", kv))
			}
		}
		return errors.Join(errs...)
	})
}
