package spec

import (
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for name, ok := range map[string]bool{
		"web": true, "web-1.prod_2": true, "A9": true, "1a": true,
		"": false, "123": false, "-x": false, ".hidden": false, "a/b": false, "a b": false,
		strings.Repeat("x", 64): true, strings.Repeat("x", 65): false, "é": false,
	} {
		if err := ValidName(name); (err == nil) != ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestJoinChecks(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*Spec)
		want  string // "" means valid
	}{
		{"join net", func(s *Spec) { s.Join.From = map[Namespace]string{Net: "1"} }, ""},
		{"pod: new pid and mnt in a joined net", func(s *Spec) {
			s.New[PID] = true
			s.Join.From = map[Namespace]string{Net: "1"}
		}, ""},
		{"new and joined", func(s *Spec) {
			s.New[Net] = true
			s.Join.From = map[Namespace]string{Net: "1"}
		}, "net namespace: both new and joined"},
		{"new pid, joined mount", func(s *Spec) {
			s.New[PID] = true
			s.Join.From = map[Namespace]string{Mount: "1"}
		}, "needs a new mount namespace for its /proc"},
		{"offsets, joined time", func(s *Spec) {
			s.MonotonicOffset = 3
			s.Join.From = map[Namespace]string{Time: "1"}
		}, "clock offsets need a new time namespace"},
		{"new user and join", func(s *Spec) { s.New[User] = true; s.Join.Target = "web" }, "cannot be combined with joining"},
		{"bad name", func(s *Spec) { s.Join.Name = "a/b" }, "instance name"},
		{"same persist file", func(s *Spec) {
			s.New[Net], s.New[UTS] = true, true
			s.Join.Persist = map[Namespace]string{Net: "/run/x", UTS: "/run/x"}
		}, "both to /run/x"},
		{"list", func(s *Spec) { s.Args = nil; s.Join.List, s.Join.JSON = true, true }, ""},
		{"list with a command", func(s *Spec) { s.Join.List = true }, "take no command"},
		{"list with a namespace", func(s *Spec) { s.Args = nil; s.Join.List = true; s.New[Net] = true }, "take no command"},
		{"list and unpersist", func(s *Spec) { s.Args = nil; s.Join.List = true; s.Join.Unpersist = []string{"f"} }, "one at a time"},
		{"unpersist", func(s *Spec) { s.Args = nil; s.Join.Unpersist = []string{"f"} }, ""},
		{"json alone", func(s *Spec) { s.Join.JSON = true }, "join.json goes with join.list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			s.Args = []string{"true"}
			tt.setup(s)
			s.Normalize()
			err := s.Validate()
			if tt.want == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
