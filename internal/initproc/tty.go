package initproc

import (
	"nsexec/internal/plan"
)

// encodeTty sends CMD's session and terminal to tty.c: a session of its
// own, and with -t a new terminal of the given window size.
func encodeTty(s *plan.Plan, e *Encoder) {
	if s.NewSession() {
		e.Flag(kSetsid)
	}
	if s.Process.Tty {
		z := s.TtySize
		e.U64(kTty, uint64(z[0]), uint64(z[1]), uint64(z[2]), uint64(z[3]))
	}
}

// TerminalMessage is the first byte of the init's message that carries
// the master of CMD's new terminal (see init.c).
const TerminalMessage = 'T'
