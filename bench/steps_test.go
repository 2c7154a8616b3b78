package main

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseTrace(t *testing.T) {
	trace := `nsexec: [   0.207 ms] parse: 5 namespaces, command ["/bin/true"] (0.207 ms)
nsexec: [   0.552 ms] exeseal: init from a read-only overlay of /tmp (0.345 ms)
nsexec: [   1.794 ms] clone: pid 10193 in new namespaces: mnt uts ipc pid (0.466 ms)
nsexec: [   3.230 ms] init: started as pid 1 (0.001 ms)
nsexec: [   3.369 ms] mount: root /tmp/x (0.030 ms)
nsexec: [   4.411 ms] mount: fs /dev/shm (0.078 ms)
something else CMD printed
nsexec: [   4.620 ms] exec: true as pid 2 (0.005 ms)
`
	want := []phase{{"parse", 0.207}, {"exeseal", 0.552}, {"clone", 1.794}, {"init", 3.230}, {"mount", 4.411}, {"exec", 4.620}}
	if got := parseTrace(trace); !reflect.DeepEqual(got, want) {
		t.Errorf("parseTrace:\n got %v\nwant %v", got, want)
	}
	if got := phasesString(want[:2]); got != "parse 0.21 | exeseal 0.55" {
		t.Errorf("phasesString: %q", got)
	}
}

// tracePhases runs the command with -v after its binary and takes the
// medians of its phases, then the wall time.
func TestTracePhases(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "fake-nsexec")
	script := "#!/bin/sh\n[ \"$1\" = -v ] || exit 2\necho 'nsexec: [   1.000 ms] clone: pid 1 (1.0 ms)' >&2\necho 'nsexec: [   2.000 ms] exec: true as pid 2 (1.0 ms)' >&2\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	devnull, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	defer devnull.Close()
	ps := tracePhases(command{tool: "nsexec", argv: []string{fake, "true"}}, devnull)
	if len(ps) != 3 || ps[0] != (phase{"clone", 1}) || ps[1] != (phase{"exec", 2}) || ps[2].name != "end" || ps[2].at <= 0 {
		t.Errorf("tracePhases: %v", ps)
	}
}

// Throughput: rates for the commands that work, a failure for the others.
func TestMeasureThroughput(t *testing.T) {
	devnull, _ := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	defer devnull.Close()
	cmds := commandsOf(Case{Ours: []string{"true"}, Peers: map[string][]string{"false": {"false"}}}, "")
	res := measureThroughput(context.Background(), cmds, 20, devnull)
	if res[0].failed != "" || res[0].seq <= 0 || res[0].par <= 0 {
		t.Errorf("true: %+v", res[0])
	}
	if !strings.Contains(res[1].failed, "exit status 1") {
		t.Errorf("false: %+v", res[1])
	}
}
