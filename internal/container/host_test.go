package container

import (
	"fmt"
	"strings"
	"testing"

	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

// A run that needs every host part gets them in hostPartOrder's order,
// whatever order Go initialises the files in; a plain run gets none.
func TestHostPartOrder(t *testing.T) {
	if parts := hostParts(plan.New(spec.New())); len(parts) != 0 {
		t.Errorf("a plain run has host parts: %v", parts)
	}
	s := spec.New()
	s.Args = []string{"true"}
	s.Join.From = map[spec.Namespace]string{spec.UTS: "1"}
	s.Join.Name = "web"
	s.Join.Persist = map[spec.Namespace]string{spec.Net: "/run/netns/web"}
	s.Limits.Memory = 64 << 20
	s.Limits.Rlimits = []spec.Rlimit{{Name: "nofile", Soft: 64, Hard: 64}}
	s.Network.Mode = spec.NetBridge
	s.Security.NoNewPrivs = true
	var got []string
	for _, p := range hostParts(plan.New(s)) {
		got = append(got, strings.TrimPrefix(fmt.Sprintf("%T", p), "*"))
	}
	want := "container.joinPart container.cgroupPart container.instancePart container.bridgeNet " +
		"container.persistPart container.rlimitPart container.securityPart"
	if strings.Join(got, " ") != want {
		t.Errorf("parts %v\nwant %s", got, want)
	}
}
