package initproc

import (
	"nsexec/internal/plan"
)

// encodeProcess sends what CMD runs as to process.c.
func encodeProcess(s *plan.Plan, e *Encoder) {
	p := &s.Process
	dir := p.Dir
	if dir == "" && s.Rootfs.Dir != "" {
		dir = "/"
	}
	if dir != "" {
		e.Str(kCwd, dir)
	}
	if p.ClearEnv {
		e.Flag(kClearEnv)
	}
	for _, v := range p.Env {
		e.Str(kEnv, v)
	}
	if p.GID != nil {
		e.U64(kGID, uint64(*p.GID))
	}
	if p.SetGroups {
		ids := make([]uint64, len(p.Groups))
		for i, g := range p.Groups {
			ids[i] = uint64(g)
		}
		e.U64(kGroups, ids...)
	}
	if p.UID != nil {
		e.U64(kUID, uint64(*p.UID))
	}
}
