package initproc

import (
	"strings"
	"testing"

	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

func TestConfig(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*plan.Plan)
		has   []string
		lacks []string
	}{
		{"seed -npu", func(s *plan.Plan) { s.New[spec.Net], s.New[spec.PID], s.Hostname = true, true, "h" },
			[]string{"prop=private", "host=h", "lo", "proc", "fork"}, []string{"timens="}},
		{"as pid 1", func(s *plan.Plan) { s.New[spec.PID], s.AsPID1 = true, true },
			[]string{"proc"}, []string{"fork"}},
		{"unchanged propagation", func(s *plan.Plan) { s.New[spec.Mount], s.Propagation = true, spec.PropUnchanged },
			nil, []string{"prop="}},
		{"time offsets", func(s *plan.Plan) { s.MonotonicOffset, s.BoottimeOffset = -5, 7 },
			[]string{"timens=-5 7"}, []string{"proc"}},
		{"verbose", func(s *plan.Plan) { s.Verbose = true }, []string{"verbose"}, nil},
		// CMD stays in the caller's session on the host's filesystem, and
		// gets one of its own in a container, a joined run, and with -t.
		{"plain run", func(s *plan.Plan) { s.New[spec.PID] = true }, nil, []string{"setsid", "tty="}},
		{"container run", func(s *plan.Plan) { s.Rootfs.Dir = "/r" }, []string{"setsid"}, []string{"tty="}},
		{"joined run", func(s *plan.Plan) { s.Join.Target = "web" }, []string{"setsid"}, []string{"tty="}},
		{"tty", func(s *plan.Plan) { s.Process.Tty, s.TtySize = true, [4]uint16{24, 80, 0, 0} },
			[]string{"setsid", "tty=24 80 0 0"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := plan.New(spec.New())
			s.Args = []string{"true"}
			tt.setup(s)
			s.Normalize()
			records := records(t, Config(s, 42))
			if records[0] != "t0=42" {
				t.Errorf("first record %q, want t0=42", records[0])
			}
			set := map[string]bool{}
			for _, r := range records {
				set[r] = true
			}
			for _, want := range tt.has {
				if !set[want] {
					t.Errorf("no record %q in %q", want, records)
				}
			}
			for _, bad := range tt.lacks {
				for _, r := range records {
					if strings.HasPrefix(r, bad) {
						t.Errorf("record %q should not be there", r)
					}
				}
			}
		})
	}
}
