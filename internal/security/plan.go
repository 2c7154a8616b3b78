package security

import (
	"fmt"

	"nsexec/internal/plan"
)

// Choices are what a run asks of its confinement, in the spec's terms
// (spec.Security), with no default of any kind of run: the front end chose
// them (nsexec gives a --rootfs run Docker's).
type Choices struct {
	// Caps is the capability set CMD starts from, by name; nil: every
	// capability nsexec holds, left as they are unless CapAdd or CapDrop
	// change them.
	Caps            []string
	CapAdd, CapDrop []string
	NoNewPrivs      bool
	Seccomp         string // SeccompDefault, a file; SeccompUnconfined or "": none
}

// Confines reports whether the choices ask for anything at all.
func (c Choices) Confines() bool {
	return c.Caps != nil || len(c.CapAdd) > 0 || len(c.CapDrop) > 0 || c.NoNewPrivs ||
		(c.Seccomp != "" && c.Seccomp != SeccompUnconfined)
}

// Confinement is what the init applies in CMD's process, after CMD's user
// and groups are set: capabilities, then no_new_privs, then seccomp, last
// before execve. The plan carries it to the init (plan.Confinement).
//
// The capability sets follow the user CMD runs as, so that each set is what
// capabilities(7) gives across execve:
//   - root: bounding = effective = permitted = Bounding; inheritable and
//     ambient empty (as Docker since 20.10.14: an inheritable set would let
//     file capabilities grant more);
//   - any other user: bounding = Bounding; effective = permitted =
//     inheritable = ambient = Ambient, the capabilities --cap-add named,
//     which only the ambient set carries across execve to a non-root
//     program. Others stay usable only through a setuid-root or file
//     capability program, and with no_new_privs not even that.
type Confinement = plan.Confinement

// Plan computes the confinement of c, compiling the seccomp profile for
// goarch. Errors are the user's: a bad capability name, a profile that
// cannot be read or compiled.
func Plan(c Choices, goarch string) (*Confinement, error) {
	conf := &Confinement{NoNewPrivs: c.NoNewPrivs}
	base := AllCaps
	if c.Caps != nil {
		var err error
		if base, _, err = ResolveCaps(0, c.Caps, nil); err != nil {
			return nil, err
		}
	}
	set, added, err := ResolveCaps(base, c.CapAdd, c.CapDrop)
	if err != nil {
		return nil, err
	}
	if c.Caps != nil || len(c.CapAdd) > 0 || len(c.CapDrop) > 0 {
		_, required, _ := ResolveCaps(0, named(c.CapAdd), nil)
		conf.SetCaps = true
		conf.Bounding, conf.Ambient, conf.Required = uint64(set), uint64(added&set), uint64(required)
	}
	if conf.Filter, err = ProfileFilter(c.Seccomp, set, goarch); err != nil {
		return nil, err
	}
	return conf, nil
}

// ProfileFilter compiles a seccomp profile (SeccompDefault or a file) for a
// process with the capabilities set: a profile may allow calls by
// capability, as Docker's does. Nil for SeccompUnconfined and "".
func ProfileFilter(profile string, set Caps, goarch string) (*Filter, error) {
	if profile == SeccompUnconfined || profile == "" {
		return nil, nil
	}
	if profile == SeccompDefault {
		if f := precompiledDefault(goarch, set); f != nil {
			return f, nil
		}
	}
	p, err := LoadProfile(profile, set)
	if err != nil {
		return nil, err
	}
	f, err := Compile(p, goarch)
	if err != nil {
		return nil, fmt.Errorf("%w (profile %s)", err, profile)
	}
	return f, nil
}

// named drops ALL from a list of names.
func named(names []string) []string {
	var out []string
	for _, n := range names {
		if !containsAll([]string{n}) {
			out = append(out, n)
		}
	}
	return out
}
