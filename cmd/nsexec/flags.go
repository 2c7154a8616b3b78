package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"nsexec/internal/spec"
)

const usageHead = `Create a child process that executes a shell command in new namespace(s).
Usage: nsexec [OPTIONS] <CMD> [ARGS...]

Options end at the first word of CMD, so "nsexec -n ip a" passes "a" to ip.

`

// usageError is bad input on the command line: exit 125 with the usage hint.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// A flagGroup is the options of one feature (in its flags_*.go file): it
// registers them, and once they are parsed writes what was given into the
// spec.
type flagGroup interface {
	register(f *pflag.FlagSet)
	apply(f *pflag.FlagSet, s *spec.Spec) error
}

// newFlagGroups makes every group, in the order the help lists their
// options and their apply runs. The order of apply matters: the core
// options set every namespace kind (-a all of them), so they come first;
// joining and sharing then take back the kinds that are joined or shared;
// the groups after them only add kinds (--network bridge a network
// namespace, --rootfs a mount namespace), and a kind both shared and added
// is an error of the spec's.
func newFlagGroups() []flagGroup {
	return []flagGroup{
		&coreFlags{},
		&joinFlags{},
		&limitsFlags{},
		&networkFlags{},
		&rootfsFlags{},
		&processFlags{},
		&securityFlags{},
	}
}

// newFlags makes the flag set and the groups that read it.
func newFlags() (*pflag.FlagSet, []flagGroup) {
	f := pflag.NewFlagSet("nsexec", pflag.ContinueOnError)
	f.SetInterspersed(false) // options end at the first word of CMD
	f.SortFlags = false
	f.SetOutput(io.Discard) // main prints errors once, in nsexec's style
	groups := newFlagGroups()
	for _, g := range groups {
		g.register(f)
	}
	return f, groups
}

// parse turns the command line into a spec. A nil spec with a nil error
// means help was asked for.
func parse(args []string) (*spec.Spec, error) {
	f, groups := newFlags()
	if err := f.Parse(args); err != nil {
		return nil, usageError{flagError(err)}
	}
	if help, _ := f.GetBool("help"); help {
		return nil, nil
	}
	s := spec.New()
	s.Args = f.Args()
	for _, g := range groups {
		if err := g.apply(f, s); err != nil {
			return nil, usageError{err}
		}
	}
	containerDefaults(f, s)
	s.Normalize()
	if err := s.Validate(); err != nil {
		return nil, usageError{inOptions(s, err)}
	}
	return s, nil
}

// coreFlags are the founding document's options and the namespace kinds.
type coreFlags struct {
	all  bool
	ns   map[spec.Namespace]*bool
	uts  string
	prop string
	mono int64
	boot int64
	pid1 bool
	verb bool
}

func (o *coreFlags) register(f *pflag.FlagSet) {
	o.ns = map[spec.Namespace]*bool{}
	f.BoolP("help", "h", false, "print this help")
	o.ns[spec.Net] = f.BoolP("net", "n", false, "new network namespace (lo is brought up)")
	o.ns[spec.PID] = f.BoolP("pid", "p", false, "new PID namespace, with its own /proc (implies -m)")
	f.StringVarP(&o.uts, "uts", "u", "", "new UTS namespace with hostname `HOSTNAME`")
	o.ns[spec.Mount] = f.BoolP("mount", "m", false, "new mount namespace")
	o.ns[spec.IPC] = f.BoolP("ipc", "i", false, "new IPC namespace (System V IPC, POSIX message queues)")
	o.ns[spec.User] = f.BoolP("user", "U", false, "new user namespace; the caller is root inside")
	o.ns[spec.Cgroup] = f.BoolP("cgroup", "C", false, "new cgroup namespace")
	o.ns[spec.Time] = f.BoolP("time", "T", false, "new time namespace")
	f.BoolVarP(&o.all, "all", "a", false, "all of the above (the hostname is kept unless -u is given)")
	f.StringVar(&o.prop, "propagation", "private", "mount propagation in a new mount namespace: `MODE` private|slave|shared|unchanged")
	f.Int64Var(&o.mono, "monotonic", 0, "offset of CLOCK_MONOTONIC in the time namespace, in `SECONDS` (implies -T)")
	f.Int64Var(&o.boot, "boottime", 0, "offset of CLOCK_BOOTTIME in the time namespace, in `SECONDS` (implies -T)")
	f.BoolVar(&o.pid1, "as-pid-1", false, "run CMD itself as PID 1 instead of under nsexec's init (needs -p)")
	f.BoolVarP(&o.verb, "verbose", "v", false, "trace each step, with timings, on stderr")
}

func (o *coreFlags) apply(f *pflag.FlagSet, s *spec.Spec) error {
	for ns, on := range o.ns {
		s.New[ns] = *on || o.all
	}
	s.New[spec.UTS] = o.all // with the host's name, unless -u gives one
	if f.Changed("uts") {
		if o.uts == "" {
			return errors.New("-u/--uts: empty hostname")
		}
		s.New[spec.UTS] = true
		s.Hostname = o.uts
	}
	s.Propagation = spec.Propagation(o.prop)
	s.MonotonicOffset, s.BoottimeOffset = o.mono, o.boot
	s.AsPID1 = o.pid1
	s.Verbose = o.verb
	return nil
}

// flagError rewords pflag's messages in nsexec's style.
func flagError(err error) error {
	msg := err.Error()
	for prefix, format := range map[string]string{
		"flag needs an argument: ": "option %s needs an argument",
		"unknown shorthand flag: ": "unknown option %s",
		"unknown flag: ":           "unknown option %s",
	} {
		if name, ok := strings.CutPrefix(msg, prefix); ok {
			return fmt.Errorf(format, optionName(name))
		}
	}
	return err
}

// optionName turns pflag's "'u' in -nu" into "-u"; "--uts" stays.
func optionName(s string) string {
	if short, _, ok := strings.Cut(strings.TrimPrefix(s, "'"), "'"); ok && strings.HasPrefix(s, "'") {
		return "-" + short
	}
	return s
}

func usage(w io.Writer) {
	fmt.Fprint(w, usageHead)
	f, _ := newFlags()
	fmt.Fprint(w, f.FlagUsages())
	fmt.Fprint(w, "  <CMD>                    command to be executed\n")
}
