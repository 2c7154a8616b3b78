package main

import (
	"errors"

	"github.com/spf13/pflag"

	"nsexec/internal/spec"
)

// securityFlags are the confinement of CMD: capabilities, no_new_privs,
// seccomp. A plain run keeps every capability nsexec holds and has neither
// no_new_privs nor seccomp unless asked; a container run (--rootfs) starts
// from Docker's capability set, no_new_privs and Docker's seccomp profile.
type securityFlags struct {
	capAdd, capDrop []string
	nnp             bool
	seccomp         string
}

func (o *securityFlags) register(f *pflag.FlagSet) {
	f.StringSliceVar(&o.capAdd, "cap-add", nil, "add capabilities `CAPS` (names as in capabilities(7), comma-separated, or ALL)")
	f.StringSliceVar(&o.capDrop, "cap-drop", nil, "drop capabilities `CAPS` (comma-separated, or ALL)")
	f.BoolVar(&o.nnp, "no-new-privs", false, "set no_new_privs: setuid and file capabilities grant nothing (default on with --rootfs; --no-new-privs=false turns it off)")
	f.StringVar(&o.seccomp, "seccomp", "", "seccomp `PROFILE`: default (Docker's), unconfined, or a JSON profile file (Docker or OCI format); default with --rootfs: default")
}

func (o *securityFlags) apply(f *pflag.FlagSet, s *spec.Spec) error {
	s.Security.CapAdd, s.Security.CapDrop = o.capAdd, o.capDrop
	s.Security.NoNewPrivs = o.nnp // with --rootfs, on unless given (containerDefaults)
	if f.Changed("seccomp") && o.seccomp == "" {
		return errors.New("--seccomp: want default, unconfined or a profile file")
	}
	s.Security.Seccomp = o.seccomp
	return nil
}
