package initproc

import (
	"fmt"

	"nsexec/internal/spec"
)

func init() { addEncoder(encodeTty) }

// encodeTty sends CMD's session and terminal to tty.c: a session of its
// own, and with -t a new terminal of the given window size.
func encodeTty(s *spec.Spec, kv func(key, val string)) {
	if s.NewSession() {
		kv("setsid", "1")
	}
	if s.Process.Tty {
		z := s.Process.TtySize
		kv("tty", fmt.Sprintf("%d %d %d %d", z[0], z[1], z[2], z[3]))
	}
}

// TerminalMessage is the first byte of the init's message that carries
// the master of CMD's new terminal (see init.c).
const TerminalMessage = 'T'
