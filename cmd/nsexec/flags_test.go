package main

import (
	"reflect"
	"strings"
	"testing"

	"nsexec/internal/spec"
)

func TestParse(t *testing.T) {
	type want struct {
		kinds    string
		args     []string
		hostname string
		pid1     bool
		verbose  bool
		prop     spec.Propagation
		mono     int64
	}
	tests := []struct {
		line string
		want want
	}{
		{"-npu myhost bash", want{kinds: "mnt uts pid net", args: []string{"bash"}, hostname: "myhost", prop: "private"}},
		{"-n ip a", want{kinds: "net", args: []string{"ip", "a"}, prop: "private"}},
		{"-n -- ip -v a", want{kinds: "net", args: []string{"ip", "-v", "a"}, prop: "private"}},
		{"--net --pid --uts=h sh -c -n", want{kinds: "mnt uts pid net", args: []string{"sh", "-c", "-n"}, hostname: "h", prop: "private"}},
		{"-v -m --propagation slave true", want{kinds: "mnt", args: []string{"true"}, verbose: true, prop: "slave"}},
		{"-U -i -C true", want{kinds: "user ipc cgroup", args: []string{"true"}, prop: "private"}},
		{"-a true", want{kinds: "user mnt uts ipc pid net cgroup time", args: []string{"true"}, prop: "private"}},
		{"--monotonic 5 date", want{kinds: "time", args: []string{"date"}, prop: "private", mono: 5}},
		{"-p --as-pid-1 sh", want{kinds: "mnt pid", args: []string{"sh"}, prop: "private", pid1: true}},
		{"true -n", want{kinds: "", args: []string{"true", "-n"}, prop: "private"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			s, err := parse(strings.Fields(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			got := want{
				kinds: spec.KindsString(s.Kinds()), args: s.Args, hostname: s.Hostname,
				pid1: s.AsPID1, verbose: s.Verbose, prop: s.Propagation, mono: s.MonotonicOffset,
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"", "no command given"},
		{"-n", "no command given"},
		{"-u", "option -u needs an argument"},
		{"-npu", "option -u needs an argument"},
		{"--uts", "option --uts needs an argument"},
		{"-x true", "unknown option -x"},
		{"-nx true", "unknown option -x"},
		{"--bogus true", "unknown option --bogus"},
		{"-m --propagation sideways true", `propagation "sideways"`},
		{"--as-pid-1 true", "--as-pid-1 needs a new PID namespace"},
		{"-u " + strings.Repeat("h", 65) + " true", "longer than 64 bytes"},
		{"--monotonic x true", "invalid argument"},
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

func TestHelp(t *testing.T) {
	for _, line := range []string{"-h", "--help", "-n -h true"} {
		s, err := parse(strings.Fields(line))
		if s != nil || err != nil {
			t.Errorf("%s: got %v, %v; want help", line, s, err)
		}
	}
}
