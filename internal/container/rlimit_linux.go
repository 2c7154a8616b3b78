package container

import (
	"errors"
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"

	"nsexec/internal/plan"
	"nsexec/internal/spec"
	"nsexec/internal/trace"
)

// rlimitPart sets --rlimit on the init from outside (prlimit(2)), before
// it runs anything, so CMD inherits them and a refusal is reported here.
type rlimitPart struct{ limits []spec.Rlimit }

func newRlimitPart(s *plan.Plan) hostPart {
	if len(s.Limits.Rlimits) == 0 {
		return nil
	}
	return rlimitPart{s.Limits.Rlimits}
}

// rlimitNumbers are the resources of asm-generic/resource.h, by number
// (an array, not a map: a map would be built at every start).
var rlimitNumbers = [...]string{"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
	"memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime"}

func rlimitResource(name string) (int, bool) {
	for i, n := range rlimitNumbers {
		if n == name {
			return i, true
		}
	}
	return 0, false
}

func (rlimitPart) Prepare(*plan.Plan, *trace.Tracer) error { return nil }
func (rlimitPart) Undo()                                   {}

func (p rlimitPart) Attach(pid int, tr *trace.Tracer) error {
	for _, l := range p.limits {
		res, ok := rlimitResource(l.Name)
		if !ok {
			return fieldError("limits.rlimits", "%s: unknown limit", l.Name)
		}
		want := unix.Rlimit{Cur: l.Soft, Max: l.Hard}
		if err := unix.Prlimit(pid, res, &want, nil); err != nil {
			return &Error{Code: 125, Err: rlimitError(pid, res, l, err)}
		}
	}
	tr.Step("rlimit: %d limits set", len(p.limits))
	return nil
}

// rlimitError explains a refusal: raising a hard limit takes
// CAP_SYS_RESOURCE, which nsexec may not hold (root in a container often
// does not).
func rlimitError(pid, res int, l spec.Rlimit, err error) error {
	var cur unix.Rlimit
	what := fmt.Sprintf("--rlimit %s=%s:%s", l.Name, rlimitString(l.Soft), rlimitString(l.Hard))
	if errors.Is(err, unix.EPERM) && unix.Prlimit(pid, res, nil, &cur) == nil && l.Hard > cur.Max {
		return fmt.Errorf("%s: cannot raise the hard limit above %s: %w; raising a hard limit takes CAP_SYS_RESOURCE, which nsexec does not hold here: ask for at most %s",
			what, rlimitString(cur.Max), err, rlimitString(cur.Max))
	}
	return fmt.Errorf("%s: %w", what, err)
}

func rlimitString(v uint64) string {
	if v == spec.RlimInfinity {
		return "unlimited"
	}
	return strconv.FormatUint(v, 10)
}
