package container

import (
	"runtime"

	"nsexec/internal/plan"
	"nsexec/internal/security"
	"nsexec/internal/trace"
)

// securityPart computes CMD's confinement (capabilities, no_new_privs, the
// seccomp filter) before anything of the run exists, so that a bad profile
// leaves nothing behind; the init applies it (initproc/security.c).
type securityPart struct{}

func newSecurityPart(s *plan.Plan) hostPart {
	if !choices(s).Confines() {
		return nil
	}
	return securityPart{}
}

// choices are the spec's security fields, as internal/security takes them.
func choices(s *plan.Plan) security.Choices {
	sec := &s.Security
	return security.Choices{Caps: sec.Caps, CapAdd: sec.CapAdd, CapDrop: sec.CapDrop, NoNewPrivs: sec.NoNewPrivs, Seccomp: sec.Seccomp}
}

func (securityPart) Check(s *plan.Plan, tr *trace.Tracer) error {
	conf, err := security.Plan(choices(s), runtime.GOARCH)
	if err != nil {
		return &Error{Code: 125, Err: err}
	}
	s.Confinement = conf
	if conf.Filter != nil {
		tr.Step("security: seccomp profile %s compiled: %d instructions", s.Security.Seccomp, conf.Filter.Len)
	} else {
		tr.Step("security: planned")
	}
	return nil
}

func (securityPart) Prepare(*plan.Plan, *trace.Tracer) error { return nil }
func (securityPart) Attach(int, *trace.Tracer) error         { return nil }
func (securityPart) Undo()                                   {}
