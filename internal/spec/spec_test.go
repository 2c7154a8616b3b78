package spec

import (
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*Spec)
		kinds string
		proc  bool
	}{
		{"pid implies mount and proc", func(s *Spec) { s.New[PID] = true }, "mnt pid", true},
		{"hostname implies uts", func(s *Spec) { s.Hostname = "h" }, "uts", false},
		{"offset implies time", func(s *Spec) { s.BoottimeOffset = 3 }, "time", false},
		{"net alone", func(s *Spec) { s.New[Net] = true }, "net", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			s.Args = []string{"true"}
			tt.setup(s)
			s.Normalize()
			if got := KindsString(s.Kinds()); got != tt.kinds {
				t.Errorf("kinds %q, want %q", got, tt.kinds)
			}
			if s.MountProc != tt.proc {
				t.Errorf("MountProc %v, want %v", s.MountProc, tt.proc)
			}
			if err := s.Validate(); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*Spec)
		want  string
	}{
		{"no command", func(s *Spec) { s.Args = nil }, "no command"},
		{"long hostname", func(s *Spec) { s.Hostname = strings.Repeat("x", 65) }, "longer than 64"},
		{"bad propagation", func(s *Spec) { s.Propagation = "loose" }, "propagation"},
		{"offset without time ns", func(s *Spec) { s.MonotonicOffset = 1; s.New[Time] = false }, "time namespace"},
		{"as-pid-1 without pid ns", func(s *Spec) { s.AsPID1 = true }, "PID namespace"},
		{"maps without user ns", func(s *Spec) { s.UIDMap = []IDMap{{0, 1000, 1}} }, "user namespace"},
		{"new and shared", func(s *Spec) { s.New[Net] = true; s.Share[Net] = true }, "net namespace: both new and shared"},
		{"joined and shared", func(s *Spec) { s.Join.From = map[Namespace]string{Net: "1"}; s.Share[Net] = true }, "net namespace: both joined and shared"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New()
			s.Args = []string{"true"}
			tt.setup(s)
			err := s.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}
