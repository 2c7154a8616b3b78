// Package trace prints the step-by-step account of a run that -v asks for:
// each step, when it ended since nsexec started, and how long it took. The
// init (in C) prints its steps in the same format on the same time line.
package trace

import (
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Tracer times consecutive steps. A nil or disabled Tracer costs one branch.
type Tracer struct {
	on   bool
	t0   int64 // CLOCK_MONOTONIC ns
	last int64
}

// New starts the time line now.
func New(on bool) *Tracer {
	t := Now()
	return &Tracer{on: on, t0: t, last: t}
}

// Now is CLOCK_MONOTONIC in nanoseconds, the clock the C init reads too.
func Now() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

// Enable turns printing on, keeping the time line's origin.
func (t *Tracer) Enable() *Tracer { t.on = true; return t }

// Start is the time line's origin, to hand to the init.
func (t *Tracer) Start() int64 { return t.t0 }

// Enabled reports whether steps are printed.
func (t *Tracer) Enabled() bool { return t != nil && t.on }

// Step marks the end of a step and prints it.
func (t *Tracer) Step(format string, args ...any) {
	if !t.Enabled() {
		return
	}
	now := Now()
	fmt.Fprintf(os.Stderr, "nsexec: [%8.3f ms] %s (%.3f ms)\n",
		ms(now-t.t0), fmt.Sprintf(format, args...), ms(now-t.last))
	t.last = now
}

func ms(ns int64) float64 { return float64(ns) / float64(time.Millisecond) }
