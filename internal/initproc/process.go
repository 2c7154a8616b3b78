package initproc

import (
	"strconv"
	"strings"

	"nsexec/internal/spec"
)

func init() { addEncoder(encodeProcess) }

// encodeProcess sends what CMD runs as to process.c.
func encodeProcess(s *spec.Spec, kv func(key, val string)) {
	p := &s.Process
	dir := p.Dir
	if dir == "" && s.Rootfs.Dir != "" {
		dir = "/"
	}
	if dir != "" {
		kv("cwd", dir)
	}
	if p.ClearEnv {
		kv("clearenv", "1")
	}
	for _, e := range p.Env {
		kv("env", e)
	}
	if p.GID != nil {
		kv("gid", strconv.FormatUint(uint64(*p.GID), 10))
	}
	if p.SetGroups {
		ids := make([]string, len(p.Groups))
		for i, g := range p.Groups {
			ids[i] = strconv.FormatUint(uint64(g), 10)
		}
		kv("groups", strings.Join(ids, ","))
	}
	if p.UID != nil {
		kv("uid", strconv.FormatUint(uint64(*p.UID), 10))
	}
}
