package main

import (
	"reflect"
	"strings"
	"testing"

	"nsexec/internal/spec"
)

// One spelling for all eight kinds: --join-KIND=PID|FILE and
// --persist-KIND=FILE, KIND being the long name of the option that creates
// it; -n/--net stays a plain boolean.
func TestParseJoin(t *testing.T) {
	type want struct {
		kinds   string
		target  string
		from    map[spec.Namespace]string
		persist map[spec.Namespace]string
		name    string
		args    []string
	}
	tests := []struct {
		line string
		want want
	}{
		{"--join web sh", want{target: "web", args: []string{"sh"}}},
		{"--join=1234 sh", want{target: "1234", args: []string{"sh"}}},
		{"--join-net 42 ip a", want{from: map[spec.Namespace]string{spec.Net: "42"}, args: []string{"ip", "a"}}},
		{"--join-net=/run/netns/blue --join-pid=7 --join-uts=7 --join-mount=7 --join-ipc=7 --join-user=7 --join-cgroup=7 --join-time=7 sh",
			want{from: map[spec.Namespace]string{spec.Net: "/run/netns/blue", spec.PID: "7", spec.UTS: "7", spec.Mount: "7",
				spec.IPC: "7", spec.User: "7", spec.Cgroup: "7", spec.Time: "7"}, args: []string{"sh"}}},
		// The Kubernetes pod: new PID and mount namespaces in a joined network namespace.
		{"-p --join-net /run/netns/pod sh", want{kinds: "mnt pid", from: map[spec.Namespace]string{spec.Net: "/run/netns/pod"}, args: []string{"sh"}}},
		// -a creates every kind but the joined ones (in the joined user namespace).
		{"-a --join-user 9 sh", want{kinds: "mnt uts ipc pid net cgroup time", from: map[spec.Namespace]string{spec.User: "9"}, args: []string{"sh"}}},
		// A persisted kind is new unless it is joined.
		{"--persist-net /run/netns/x true", want{kinds: "net", persist: map[spec.Namespace]string{spec.Net: "/run/netns/x"}, args: []string{"true"}}},
		{"--persist-mount=/p/m --persist-time=/p/t --persist-user /p/u true", want{kinds: "user mnt time",
			persist: map[spec.Namespace]string{spec.Mount: "/p/m", spec.Time: "/p/t", spec.User: "/p/u"}, args: []string{"true"}}},
		{"--join-net 5 --persist-net /run/netns/five true", want{from: map[spec.Namespace]string{spec.Net: "5"},
			persist: map[spec.Namespace]string{spec.Net: "/run/netns/five"}, args: []string{"true"}}},
		{"--join web --persist-uts /p/u true", want{target: "web", persist: map[spec.Namespace]string{spec.UTS: "/p/u"}, args: []string{"true"}}},
		{"--name web -n sleep 9", want{kinds: "net", name: "web", args: []string{"sleep", "9"}}},
		// Options end at CMD: --join after it belongs to CMD.
		{"-n nsexec --join x", want{kinds: "net", args: []string{"nsexec", "--join", "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			s, err := parse(strings.Fields(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			got := want{kinds: spec.KindsString(s.Kinds()), target: s.Join.Target, from: s.Join.From,
				persist: s.Join.Persist, name: s.Join.Name, args: s.Args}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseManagement(t *testing.T) {
	s, err := parse([]string{"--list", "--json"})
	if err != nil || !s.Join.List || !s.Join.JSON {
		t.Fatalf("--list --json: %+v, %v", s, err)
	}
	s, err = parse([]string{"--unpersist", "/run/netns/a", "--unpersist=/run/netns/b"})
	if err != nil || !reflect.DeepEqual(s.Join.Unpersist, []string{"/run/netns/a", "/run/netns/b"}) {
		t.Fatalf("--unpersist twice: %+v, %v", s, err)
	}
}

func TestParseJoinErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"--join", "option --join needs an argument"},
		{"--join= true", "--join: empty target"},
		{"-a --join web sh", "--join and -a/--all"},
		{"-n --join-net 5 sh", "--net and --join-net: a namespace is either new or joined"},
		{"-u h --join-uts 5 sh", "--uts and --join-uts"},
		{"-m --join-mount=5 sh", "--mount and --join-mount"},
		{"-p --join-mount 5 sh", "a new PID namespace needs a new mount namespace"},
		{"--monotonic 5 --join-time 5 sh", "clock offsets need a new time namespace"},
		{"-U --join-net 5 sh", "cannot be combined with joining"},
		{"-U --join web sh", "cannot be combined with joining"},
		{"-a --join-net 9 sh", "cannot be combined with joining"},
		{"--join-net= sh", "--join-net: empty"},
		{"--persist-net= sh", "--persist-net: empty"},
		{"--persist-net=/x --persist-uts=/x sh", "both to /x"},
		{"--name= sh", "--name: empty"},
		{"--name 123 sh", "all digits would read as a PID"},
		{"--name a/b sh", "instance name"},
		{"--list sh", "take no command"},
		{"--list -n", "take no command"},
		{"--list --unpersist /x", "one at a time"},
		{"--json true", "--json goes with --list"},
		{"--join-bogus 5 sh", "unknown option --join-bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, err := parse(strings.Fields(tt.line))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
			if _, ok := err.(usageError); !ok {
				t.Errorf("%v is not a usage error", err)
			}
		})
	}
}

func TestHelpDocumentsJoin(t *testing.T) {
	var b strings.Builder
	usage(&b)
	for _, opt := range []string{"--join TARGET", "--join-net PID|FILE", "--join-mount PID|FILE", "--join-time PID|FILE",
		"--persist-net FILE", "--persist-cgroup FILE", "--unpersist FILE", "--name NAME", "--list", "--json"} {
		if !strings.Contains(b.String(), opt) {
			t.Errorf("help lacks %q", opt)
		}
	}
}
