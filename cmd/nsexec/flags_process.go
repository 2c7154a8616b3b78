package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"nsexec/internal/spec"
)

// processFlags are what CMD runs as.
type processFlags struct {
	dir      string
	env      []string
	clearEnv bool
	uid, gid string
	groups   string
	tty      bool
}

func (o *processFlags) register(f *pflag.FlagSet) {
	f.StringVar(&o.dir, "chdir", "", "run CMD in `DIR` (default: / with --rootfs)")
	f.StringArrayVar(&o.env, "env", nil, "set `KEY=VALUE` in CMD's environment (repeatable)")
	f.BoolVar(&o.clearEnv, "clear-env", false, "start CMD with an empty environment (then --env)")
	f.StringVar(&o.uid, "uid", "", "run CMD as numeric user `UID`")
	f.StringVar(&o.gid, "gid", "", "run CMD as numeric group `GID`")
	f.StringVar(&o.groups, "groups", "", "set CMD's supplementary groups to `GID,GID...` (empty: none)")
	f.BoolVarP(&o.tty, "tty", "t", false, "give CMD a new pseudo-terminal, relayed to nsexec's own (raw mode)")
}

func (o *processFlags) apply(f *pflag.FlagSet, s *spec.Spec) error {
	p := &s.Process
	p.Dir, p.Env, p.ClearEnv, p.Tty = o.dir, o.env, o.clearEnv, o.tty
	var err error
	if f.Changed("uid") {
		if p.UID, err = parseID("--uid", o.uid); err != nil {
			return err
		}
	}
	if f.Changed("gid") {
		if p.GID, err = parseID("--gid", o.gid); err != nil {
			return err
		}
	}
	if f.Changed("groups") {
		p.SetGroups = true
		for _, g := range strings.Split(o.groups, ",") {
			if g == "" {
				continue
			}
			id, err := parseID("--groups", g)
			if err != nil {
				return err
			}
			p.Groups = append(p.Groups, *id)
		}
	}
	return nil
}

func parseID(opt, v string) (*uint32, error) {
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil || n == 1<<32-1 {
		return nil, fmt.Errorf("%s %q: want a numeric ID", opt, v)
	}
	id := uint32(n)
	return &id, nil
}
