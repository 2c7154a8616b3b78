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

// options are the command line before it becomes a spec.
type options struct {
	flags *pflag.FlagSet
	help  bool
	all   bool
	ns    map[spec.Namespace]*bool
	uts   string
	prop  string
	mono  int64
	boot  int64
	pid1  bool
	verb  bool
}

func newOptions() *options {
	o := &options{ns: map[spec.Namespace]*bool{}}
	f := pflag.NewFlagSet("nsexec", pflag.ContinueOnError)
	f.SetInterspersed(false) // options end at the first word of CMD
	f.SortFlags = false
	f.SetOutput(io.Discard) // main prints errors once, in nsexec's style
	f.BoolVarP(&o.help, "help", "h", false, "print this help")
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
	o.flags = f
	return o
}

// parse turns the command line into a spec. A nil spec with a nil error
// means help was asked for.
func parse(args []string) (*spec.Spec, error) {
	o := newOptions()
	if err := o.flags.Parse(args); err != nil {
		return nil, usageError{flagError(err)}
	}
	if o.help {
		return nil, nil
	}
	s := spec.New()
	for ns, on := range o.ns {
		s.New[ns] = *on || o.all
	}
	if o.flags.Changed("uts") {
		s.New[spec.UTS] = true
		s.Hostname = o.uts
		if s.Hostname == "" {
			return nil, usageError{errors.New("-u/--uts: empty hostname")}
		}
	}
	s.Propagation = spec.Propagation(o.prop)
	s.MonotonicOffset, s.BoottimeOffset = o.mono, o.boot
	s.AsPID1 = o.pid1
	s.Verbose = o.verb
	s.Args = o.flags.Args()
	s.Normalize()
	if err := s.Validate(); err != nil {
		return nil, usageError{err}
	}
	return s, nil
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
	fmt.Fprint(w, newOptions().flags.FlagUsages())
	fmt.Fprint(w, "  <CMD>                    command to be executed\n")
}
