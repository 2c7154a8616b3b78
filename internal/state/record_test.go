package state

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLive(t *testing.T) {
	alive := map[[2]uint64]bool{{10, 100}: true, {20, 200}: true}
	probe := func(pid int, start uint64) bool { return alive[[2]uint64{uint64(pid), start}] }
	tests := []struct {
		name string
		r    Record
		want bool
	}{
		{"both alive", Record{Parent: 10, ParentStart: 100, PID: 20, PIDStart: 200}, true},
		{"starting", Record{Parent: 10, ParentStart: 100}, true},
		// The init's life is the instance's; a supervised run's ends with
		// its nsexec too.
		{"unsupervised, nsexec gone, init alive", Record{Parent: 11, ParentStart: 100, PID: 20, PIDStart: 200}, true},
		{"supervised, nsexec gone, init alive", Record{Parent: 11, ParentStart: 100, PID: 20, PIDStart: 200, Supervised: true}, false},
		{"supervised, both alive", Record{Parent: 10, ParentStart: 100, PID: 20, PIDStart: 200, Supervised: true}, true},
		{"starting, nsexec killed", Record{Parent: 11, ParentStart: 100}, false},
		{"starting, nsexec PID reused", Record{Parent: 10, ParentStart: 99}, false},
		{"init gone", Record{Parent: 10, ParentStart: 100, PID: 21, PIDStart: 200}, false},
		{"init PID reused", Record{Parent: 10, ParentStart: 100, PID: 20, PIDStart: 201}, false},
	}
	for _, tt := range tests {
		if got := tt.r.Live(probe); got != tt.want {
			t.Errorf("%s: Live = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEntriesAndTable(t *testing.T) {
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.Local)
	recs := []Record{
		{Name: "web", PID: 300, Namespaces: []string{"mnt", "pid"}, Joined: []string{"net"}, Command: []string{"sh", "-c", "sleep 1"}, Started: t0.Add(time.Second)},
		{Name: "db", PID: 200, Command: []string{"postgres"}, Started: t0},
		{Name: "a", PID: 100, Namespaces: []string{"uts"}, Command: []string{"true"}, Started: t0},
	}
	e := Entries(recs)
	if got := []string{e[0].Name, e[1].Name, e[2].Name}; strings.Join(got, " ") != "a db web" {
		t.Errorf("order %v, want oldest first, then by name", got)
	}
	if e[1].Namespaces == nil {
		t.Error("namespaces must be [] rather than null in JSON")
	}
	var b bytes.Buffer
	if err := WriteTable(&b, e); err != nil {
		t.Fatal(err)
	}
	want := `NAME  PID  NAMESPACES    STARTED              COMMAND
a     100  uts           2025-03-01 12:00:00  true
db    200  -             2025-03-01 12:00:00  postgres
web   300  mnt,pid,+net  2025-03-01 12:00:01  sh -c "sleep 1"
`
	if b.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), want)
	}
}
