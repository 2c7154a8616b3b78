package main

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"nsexec/internal/spec"
)

// flagOrder is the order the kinds appear in the help, as -n -p -u -m -i
// -U -C -T do.
var flagOrder = []spec.Namespace{spec.Net, spec.PID, spec.UTS, spec.Mount, spec.IPC, spec.User, spec.Cgroup, spec.Time}

// joinFlags are joining, persisting, sharing and naming (issue 4). Every
// kind is spelled the same way: -n/--net creates, --join-net=PID|FILE
// joins, --persist-net=FILE keeps, --share-net stays in nsexec's own (as
// bwrap's --share-net); the mount namespace is "mount" throughout.
type joinFlags struct {
	target    string
	from      [8]string // by flagOrder
	persist   [8]string
	share     [8]bool
	name      string
	list      bool
	json      bool
	unpersist []string
}

// register adds 29 options to every start of nsexec: plain fields and
// concatenated help keep that to a few allocations each.
func (o *joinFlags) register(f *pflag.FlagSet) {
	f.StringVar(&o.target, "join", "", "join all namespaces of `TARGET` (an instance name or a PID) but those other options create, with its root, cwd, user and environment, as docker exec does")
	for i, ns := range flagOrder {
		f.StringVar(&o.from[i], "join-"+spec.FlagName(ns), "",
			"join the "+spec.FlagName(ns)+" namespace of a process or of a namespace file (`PID|FILE`)")
	}
	for i, ns := range flagOrder {
		f.StringVar(&o.persist[i], "persist-"+spec.FlagName(ns), "",
			"bind the "+spec.FlagName(ns)+" namespace (new unless joined) to `FILE`, so it outlives the run")
	}
	for i, ns := range flagOrder {
		f.BoolVar(&o.share[i], "share-"+spec.FlagName(ns), false,
			"keep nsexec's own "+spec.FlagName(ns)+" namespace: -a and a --rootfs run do not create one")
	}
	f.StringArrayVar(&o.unpersist, "unpersist", nil, "unmount and delete a persisted namespace `FILE`, as ip netns delete does (no CMD)")
	f.StringVar(&o.name, "name", "", "name the run `NAME`: --list shows it and --join NAME enters it while it runs")
	f.BoolVar(&o.list, "list", false, "list the running named instances (no CMD)")
	f.BoolVar(&o.json, "json", false, "with --list: print JSON")
}

func (o *joinFlags) apply(f *pflag.FlagSet, s *spec.Spec) error {
	j := &s.Join
	j.Target, j.Name, j.List, j.JSON, j.Unpersist = o.target, o.name, o.list, o.json, o.unpersist
	if f.Changed("join") {
		if o.target == "" {
			return errors.New("--join: empty target: want an instance name or a PID")
		}
		if f.Changed("all") {
			return errors.New("--join and -a/--all: -a creates every kind, so nothing would be joined; name the kinds to create instead")
		}
	}
	if f.Changed("name") && o.name == "" {
		return errors.New("--name: empty name")
	}
	for i, ns := range flagOrder {
		name := spec.FlagName(ns)
		if !f.Changed("join-" + name) {
			continue
		}
		if o.from[i] == "" {
			return fmt.Errorf("--join-%s: empty: want a PID or a namespace file", name)
		}
		if f.Changed(name) {
			return fmt.Errorf("--%s and --join-%s: a namespace is either new or joined", name, name)
		}
		if j.From == nil {
			j.From = map[spec.Namespace]string{}
		}
		j.From[ns] = o.from[i]
		s.New[ns] = false // -a creates the kinds that are not joined
	}
	for i, ns := range flagOrder {
		name := spec.FlagName(ns)
		if !o.share[i] {
			continue
		}
		if f.Changed(name) {
			return fmt.Errorf("--%s and --share-%s: a namespace is either new or shared", name, name)
		}
		if j.From[ns] != "" {
			return fmt.Errorf("--join-%s and --share-%s: a namespace is either joined or shared", name, name)
		}
		s.Share[ns] = true
		s.New[ns] = false // -a creates the kinds that are not shared
	}
	for i, ns := range flagOrder {
		name := spec.FlagName(ns)
		if !f.Changed("persist-" + name) {
			continue
		}
		if o.persist[i] == "" {
			return fmt.Errorf("--persist-%s: empty file name", name)
		}
		if j.Persist == nil {
			j.Persist = map[spec.Namespace]string{}
		}
		j.Persist[ns] = o.persist[i]
		// What is persisted is new, unless it is joined (then the joined
		// one gets a name, as ip netns attach does).
		if j.From[ns] == "" && j.Target == "" && !s.Share[ns] {
			s.New[ns] = true
		}
	}
	return nil
}
