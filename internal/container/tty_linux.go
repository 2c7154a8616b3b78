package container

import (
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"nsexec/internal/initproc"
	"nsexec/internal/linux"
)

// drainTime bounds how long nsexec reads CMD's last output once the run
// has ended: a process outside the run (no PID namespace) may still hold
// the terminal, and then its end never comes.
const drainTime = 200 * time.Millisecond

// terminal relays between nsexec's own terminal and CMD's new one (-t), as
// `docker run -t` and `script` do: nsexec's stdin goes to the master in raw
// mode (so ^C, ^Z and the rest reach the terminal inside, whose line
// discipline signals CMD's foreground job), what CMD writes goes to
// nsexec's stdout, and the window size follows nsexec's terminal.
type terminal struct {
	sizeFD  int         // nsexec's first terminal among stdin, stdout, stderr; -1: none
	saved   *term.State // stdin's mode before raw; nil: stdin is not a terminal
	master  *os.File
	outDone chan struct{}
	once    sync.Once
}

func newTerminal() *terminal {
	t := &terminal{sizeFD: -1}
	for fd := 0; fd <= 2; fd++ {
		if term.IsTerminal(fd) {
			t.sizeFD = fd
			break
		}
	}
	return t
}

// size is nsexec's window size (rows, columns, pixels), zero without a
// terminal: the init sets it on the new terminal before CMD can read it.
func (t *terminal) size() [4]uint16 {
	if t.sizeFD < 0 {
		return [4]uint16{}
	}
	ws, err := unix.IoctlGetWinsize(t.sizeFD, unix.TIOCGWINSZ)
	if err != nil {
		return [4]uint16{}
	}
	return [4]uint16{ws.Row, ws.Col, ws.Xpixel, ws.Ypixel}
}

// start takes the master from the init's "T" message and starts the relay.
// When the init ended before it sent one, there is nothing to relay, and
// an error the init reported is returned.
func (t *terminal) start(sock *os.File) error {
	master, msg, err := receiveTerminal(sock)
	if err != nil {
		return fieldError("process.tty", ": receive the terminal from init: %w", err)
	}
	if master == nil {
		if e := parseInitError(msg); e != nil {
			return e
		}
		return nil // the init ended: its status says how
	}
	t.master = master
	if term.IsTerminal(0) {
		if t.saved, err = term.MakeRaw(0); err != nil {
			master.Close()
			t.master = nil
			return fieldError("process.tty", ": put the terminal in raw mode: %w", err)
		}
	}
	t.outDone = make(chan struct{})
	go func() {
		io.Copy(os.Stdout, master)
		close(t.outDone)
	}()
	go func() {
		io.Copy(master, os.Stdin)
		if t.saved == nil {
			// The end of a file or pipe: end-of-file for CMD too (^D, as
			// a user types it; a terminal's end is a hangup instead).
			master.Write([]byte{4})
		}
	}()
	return nil
}

// resize gives the terminal inside nsexec's window size; the kernel then
// sends SIGWINCH to CMD's foreground job.
func (t *terminal) resize() {
	if t == nil || t.master == nil || t.sizeFD < 0 {
		return
	}
	ws, err := unix.IoctlGetWinsize(t.sizeFD, unix.TIOCGWINSZ)
	if err != nil {
		return
	}
	if c, err := t.master.SyscallConn(); err == nil {
		c.Control(func(fd uintptr) { unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, ws) })
	}
}

// finish copies what CMD wrote last, then gives nsexec's terminal its mode
// back. Run calls it once the init has ended, however it ended.
func (t *terminal) finish() {
	if t == nil || t.master == nil {
		return
	}
	t.master.SetReadDeadline(time.Now().Add(drainTime))
	select {
	case <-t.outDone:
	case <-time.After(2 * drainTime): // the master could not be polled
	}
	t.restore()
}

// restore puts nsexec's terminal back in the mode it had; safe to call more
// than once, and on every way out of Run.
func (t *terminal) restore() {
	if t == nil || t.saved == nil {
		return
	}
	t.once.Do(func() { term.Restore(0, t.saved) })
}

// receiveTerminal reads the init's next message: the master of CMD's
// terminal, or (master nil) what the init said instead: an error, or
// nothing when it ended.
func receiveTerminal(sock *os.File) (*os.File, []byte, error) {
	buf := make([]byte, 2048)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, err := linux.Recvmsg(int(sock.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return nil, nil, err
	}
	var fds []int
	if cmsgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
		for _, c := range cmsgs {
			if got, err := unix.ParseUnixRights(&c); err == nil {
				fds = append(fds, got...)
			}
		}
	}
	if n == 1 && buf[0] == initproc.TerminalMessage && len(fds) == 1 {
		// Non-blocking (the init opened it so): Go's poller reads it,
		// and finish can set a deadline.
		return os.NewFile(uintptr(fds[0]), "pty-master"), nil, nil
	}
	for _, fd := range fds {
		unix.Close(fd)
	}
	return nil, buf[:n], nil
}
