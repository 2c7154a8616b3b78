package plan

import (
	"reflect"
	"testing"

	"nsexec/internal/spec"
)

// How the init is set up follows from what is joined: after a joined user
// namespace everything new is made by the init itself, a new PID namespace
// through a relay; a joined PID namespace needs a fork.
func TestJoinPlanConsequences(t *testing.T) {
	tests := []struct {
		name  string
		setup func(*Plan)
		early []spec.Namespace
		depth int
		forks bool
	}{
		{"plain -p", func(s *Plan) { s.New[spec.PID] = true }, nil, 1, true},
		{"-n", func(s *Plan) { s.New[spec.Net] = true }, nil, 0, false},
		{"joined pid", func(s *Plan) { s.Joined = &Joined{Kinds: []spec.Namespace{spec.PID, spec.Mount}} }, nil, 1, true},
		{"joined user, new pid+mnt", func(s *Plan) {
			s.New[spec.PID] = true
			s.Joined = &Joined{Kinds: []spec.Namespace{spec.User, spec.Net}}
		}, []spec.Namespace{spec.Mount, spec.PID}, 2, true},
		{"joined user, new pid as pid 1", func(s *Plan) {
			s.New[spec.PID], s.AsPID1 = true, true
			s.Joined = &Joined{Kinds: []spec.Namespace{spec.User}}
		}, []spec.Namespace{spec.Mount, spec.PID}, 1, false},
		{"persisted time", func(s *Plan) {
			s.New[spec.Time], s.New[spec.Net] = true, true
			s.Join.Persist = map[spec.Namespace]string{spec.Time: "/t"}
		}, []spec.Namespace{spec.Time}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(spec.New())
			s.Args = []string{"true"}
			tt.setup(s)
			s.Normalize()
			if got := s.EarlyNew(); !reflect.DeepEqual(got, tt.early) {
				t.Errorf("EarlyNew = %v, want %v", got, tt.early)
			}
			if got := s.CMDDepth(); got != tt.depth {
				t.Errorf("CMDDepth = %d, want %d", got, tt.depth)
			}
			if got := s.Forks(); got != tt.forks {
				t.Errorf("Forks = %v, want %v", got, tt.forks)
			}
		})
	}
}
