package initproc

import (
	"strconv"

	"nsexec/internal/mounts"
	"nsexec/internal/spec"
)

func init() { addEncoder(encodeMounts) }

// encodeMounts sends the mount plan to mounts.c: each operation starts with
// a "mnt" record naming its kind, followed by the records of its fields.
// One record per field keeps any byte but NUL usable in paths.
func encodeMounts(s *spec.Spec, kv func(key, val string)) {
	for _, op := range mounts.Plan(s) {
		kv("mnt", string(op.Kind))
		if op.Src != "" {
			kv("mnt.src", op.Src)
		}
		if op.Dst != "" {
			kv("mnt.dst", op.Dst)
		}
		if op.FSType != "" {
			kv("mnt.fs", op.FSType)
		}
		for _, o := range op.Options {
			kv("mnt.opt", o)
		}
		if op.Attr != 0 {
			kv("mnt.attr", strconv.FormatUint(op.Attr, 10))
		}
		if op.IfExists {
			kv("mnt.ifexists", "1")
		}
		if op.Fallback != "" {
			kv("mnt.fallback", op.Fallback)
		}
		if op.Base {
			kv("mnt.base", "1")
		}
		if op.In != "" {
			kv("mnt.in", op.In)
		}
	}
}
