package container

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwarded are the signals a user sends to nsexec that CMD should get.
// Not SIGCHLD (ours), SIGURG (the Go scheduler's), nor the job-control stops
// SIGTSTP/SIGTTIN/SIGTTOU, which must stop nsexec itself as they would any
// foreground command.
var forwarded = []os.Signal{
	unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGTERM, unix.SIGUSR1, unix.SIGUSR2,
	unix.SIGWINCH, unix.SIGALRM, unix.SIGCONT, unix.SIGPWR, unix.SIGVTALRM, unix.SIGPROF,
	unix.SIGXCPU, unix.SIGXFSZ, unix.SIGIO,
}

// fromTerminal are the signals a terminal sends to its whole foreground
// process group. When nsexec is in that group, CMD got its own copy.
var fromTerminal = map[os.Signal]bool{unix.SIGINT: true, unix.SIGQUIT: true, unix.SIGWINCH: true}

// forwardSignals passes signals on to the init (which passes them to CMD).
// sameSession says whether CMD is in nsexec's session (a run on the host's
// filesystem without -t), and so got the terminal's own signals already.
// With -t, a window change is passed on as the new size of CMD's terminal,
// whose kernel side signals CMD's foreground job.
func forwardSignals(sigs <-chan os.Signal, pid int, sameSession bool, tty *terminal) {
	for sig := range sigs {
		switch {
		case sig == unix.SIGWINCH && tty != nil:
			tty.resize()
			continue
		case fromTerminal[sig] && sameSession && inForeground():
			continue
		}
		_ = unix.Kill(pid, sig.(syscall.Signal))
	}
}

// inForeground reports whether nsexec is in the foreground process group of
// the terminal on stdin.
func inForeground() bool {
	pgrp, err := unix.IoctlGetInt(0, unix.TIOCGPGRP)
	return err == nil && pgrp == syscall.Getpgrp()
}
