package initproc

import (
	"nsexec/internal/mounts"
	"nsexec/internal/plan"
)

// encodeMounts sends the mount plan to mounts.c: each operation starts with
// a kMnt record naming its kind, followed by the records of its fields.
func encodeMounts(s *plan.Plan, e *Encoder) {
	for _, op := range mounts.Plan(s) {
		e.Str(kMnt, string(op.Kind))
		if op.Src != "" {
			e.Str(kMntSrc, op.Src)
		}
		if op.Dst != "" {
			e.Str(kMntDst, op.Dst)
		}
		if op.FSType != "" {
			e.Str(kMntFS, op.FSType)
		}
		for _, o := range op.Options {
			e.Str(kMntOpt, o)
		}
		if op.Attr != 0 {
			e.U64(kMntAttr, op.Attr)
		}
		if op.IfExists {
			e.Flag(kMntIfExists)
		}
		if op.Fallback != "" {
			e.Str(kMntFallback, op.Fallback)
		}
		if op.Base {
			e.Flag(kMntBase)
		}
		if op.In != "" {
			e.Str(kMntIn, op.In)
		}
	}
}
