package container

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"nsexec/internal/exeseal"
	"nsexec/internal/initproc"
	"nsexec/internal/linux"
	"nsexec/internal/nsenter"
	"nsexec/internal/plan"
	"nsexec/internal/spec"
	"nsexec/internal/trace"
)

// Run runs s and returns the exit status nsexec should exit with: CMD's own
// status, or 128+N when it was killed by signal N. An error means the run
// failed; its Code says which exit status reports it.
//
// The parent is on the hot path of every run, so it stays lean: no os/exec
// (its pidfd probe forks a throwaway child), one goroutine for signals, and
// the wait on the main goroutine.
func Run(sp *spec.Spec, tr *trace.Tracer) (int, error) {
	s := plan.New(sp) // what the host parts work out goes here
	if s.Join.Manages() {
		return manage(sp)
	}
	// What the init runs must never be the host's file (CVE-2019-5736).
	exe, err := exeseal.Open("/proc/self/exe")
	if err != nil {
		return 0, &Error{Code: 125, Err: fmt.Errorf("open the init's binary: %w", err)}
	}
	defer exe.Close()
	if tr.Enabled() {
		tr.Step("exeseal: init %s", exe.How)
	}
	parentEnd, childEnd, err := syncPair()
	if err != nil {
		return 0, err
	}
	defer parentEnd.Close()

	// Go's signal machinery starts a thread or two (about 1 ms here): start
	// it beside the clone rather than before it.
	sigs := make(chan os.Signal, 16)
	notified := make(chan struct{})
	go func() { signal.Notify(sigs, forwarded...); close(notified) }()

	host := hostParts(s)
	defer func() { host.undo() }() // the parts prepare keeps, not those made

	var tty *terminal
	if s.Process.Tty {
		tty = newTerminal()
		s.TtySize = tty.size()
		defer tty.restore() // on every way out, before main prints an error
	}

	if err := host.prepare(s, tr); err != nil {
		return 0, err
	}

	pid, early, err := startInit(s, childEnd, exe.File, host)
	childEnd.Close()
	exe.Close()
	if err != nil {
		return 0, startError(s, err)
	}
	if tr.Enabled() {
		tr.Step("clone: pid %d in new namespaces: %s", pid, spec.KindsString(clonedKinds(s)))
	}

	// The init waits for its config: everything the host side does to it
	// happens before, so CMD never starts half set up, and no signal meant
	// for CMD can come before nsexec is ready to forward it.
	<-notified
	err = sendEarly(parentEnd, early, pid, tr)
	if err == nil {
		err = host.attach(pid, tr)
	}
	if err == nil {
		if err = initproc.SendConfig(parentEnd, initproc.Config(s, tr.Start())); err != nil {
			err = &Error{Code: 125, Err: fmt.Errorf("send config to init: %w", err)}
		}
	}
	if err != nil {
		unix.Kill(pid, unix.SIGKILL)
		waitGone(pid)
		if msg := initError(parentEnd); msg != nil {
			return 0, msg // why the init ended, rather than what it broke here
		}
		return 0, err
	}
	if tty != nil {
		if err := tty.start(parentEnd); err != nil {
			unix.Kill(pid, unix.SIGKILL)
			waitGone(pid)
			return 0, err
		}
	}
	fr := initproc.TheFront()
	if fr == nil {
		go forwardSignals(sigs, pid, !s.NewSession(), tty)
	} else {
		// The front forwards them; here they must only not end the planner.
		go plannerSignals(sigs, tty)
		keep := tty != nil || host.lasting()
		if err := tellFront(fr, pid, !s.NewSession(), tty != nil, keep, parentEnd); err != nil {
			unix.Kill(pid, unix.SIGKILL)
			return 0, &Error{Code: 125, Err: err}
		}
		if !keep {
			return 0, nil // the front reaps the init and reports how it ended
		}
	}

	ws, err := waitInit(fr, pid)
	tty.finish()
	if msg := initError(parentEnd); msg != nil {
		return 0, msg
	}
	if err != nil {
		return 0, &Error{Code: 125, Err: fmt.Errorf("wait for init: %w", err)}
	}
	host.commit()
	status := ws.ExitStatus()
	if ws.Signaled() {
		status = 128 + int(ws.Signal())
	}
	if err := host.explain(status); err != nil {
		return 0, err
	}
	return status, nil
}

// startInit re-executes nsexec as the init, in the new namespaces; the
// constructor in internal/initproc takes over before the Go runtime starts.
// It execs exe, nsexec's binary opened by exeseal, passed as the last of
// its descriptors (a descriptor ForkExec is not told about could be
// overwritten while it arranges the others) and named in _NSEXEC_EXE for
// the init to close.
//
// Pdeathsig fires when the thread that forked the init exits. The parent
// never locks a goroutine to a thread, and Go only ends threads of locked
// goroutines, so that thread lives as long as nsexec does.
//
// On cgroup v2 the init is born in the run's cgroup (clone3 with
// CLONE_INTO_CGROUP) rather than moved there after the clone.
func startInit(s *plan.Plan, sync *os.File, exe *os.File, host hostSide) (int, *initproc.Early, error) {
	cgroupFD := host.cgroupFD()
	attr := &syscall.SysProcAttr{
		Cloneflags:  cloneFlags(s),
		Pdeathsig:   syscall.SIGKILL,
		UseCgroupFD: cgroupFD >= 0,
		CgroupFD:    cgroupFD,
	}
	env := append(os.Environ(), initproc.EnvSyncFD+"=3")
	var frontFD int = -1
	if fr := initproc.TheFront(); fr != nil {
		// The init is the front's child: the front reaps it, and the init
		// dies with the front. It sets that itself, and checks through a
		// pidfd of the front that the front is still there (Go's Pdeathsig
		// would take the planner for the parent, and getppid is 0 across
		// PID namespaces).
		fd, err := unix.PidfdOpen(fr.PID, 0)
		if err != nil {
			return 0, nil, fmt.Errorf("pidfd of nsexec's front: %w", err)
		}
		defer unix.Close(fd)
		attr.Cloneflags |= unix.CLONE_PARENT
		attr.Pdeathsig = 0
		frontFD = fd
	}
	if s.Has(spec.User) {
		attr.UidMappings = idMaps(s.UIDMap, os.Getuid())
		attr.GidMappings = idMaps(s.GIDMap, os.Getgid())
		attr.GidMappingsEnableSetgroups = false
	}
	// Host parts may hand the init more descriptors, after the sync socket,
	// named in the early message.
	files := []uintptr{0, 1, 2, sync.Fd()}
	early := initproc.NewEarly()
	for _, f := range host.initInputs(len(files), early) {
		files = append(files, f.Fd())
	}
	if frontFD >= 0 {
		env = append(env, initproc.EnvFront+"="+strconv.Itoa(len(files)))
		files = append(files, uintptr(frontFD))
	}
	exeFD := strconv.Itoa(len(files))
	files = append(files, exe.Fd())
	pid, err := syscall.ForkExec("/proc/self/fd/"+exeFD, append([]string{initproc.Argv0}, s.Args...), &syscall.ProcAttr{
		Env:   append(env, initproc.EnvExeFD+"="+exeFD),
		Files: files,
		Sys:   attr,
	})
	return pid, early, err
}

// sendEarly sends the init its early message, if it has one, and waits for
// its reply when the message asks for one: the host parts that attach next
// act on the namespaces the init creates after joining.
func sendEarly(sock *os.File, early *initproc.Early, pid int, tr *trace.Tracer) error {
	if early.Empty() {
		return nil
	}
	if err := initproc.SendEarly(sock, early.Body()); err != nil {
		return &Error{Code: 125, Err: fmt.Errorf("send the early message to init: %w", err)}
	}
	if !early.Ack {
		return nil
	}
	// Peek: an error message instead stays for initError to read.
	var b [1]byte
	n, _, _, err := linux.Recvmsg(int(sock.Fd()), b[:], nil, unix.MSG_PEEK)
	if err != nil || n != 1 || b[0] != initproc.JoinedMessage {
		return &Error{Code: 125, Err: errors.New("init: ended before it joined its namespaces")}
	}
	linux.Recvmsg(int(sock.Fd()), b[:], nil, 0)
	tr.Step("join: init %d joined and created its namespaces", pid)
	return nil
}

// wait reaps the init, retrying when a signal interrupts the wait.
func wait(pid int) (unix.WaitStatus, error) {
	var ws unix.WaitStatus
	_, err := linux.Wait4(pid, &ws, 0)
	return ws, err
}

// cloneFlags are the namespaces made in the clone itself. Two are made by
// the init instead (see init.c): time, whose offsets can only be set before
// a process is in it, and cgroup, whose root is the cgroup of the process
// that makes it, which must be the run's own cgroup, joined after the clone.
//
// When a user namespace is joined, the init creates every new namespace
// itself, after joining, so that the joined one owns them (see join.c).
// clonedKinds are the namespaces cloneFlags makes, for the trace; the init
// traces the others as it makes them.
func clonedKinds(s *plan.Plan) []spec.Namespace {
	flags := cloneFlags(s)
	var out []spec.Namespace
	for _, ns := range s.Kinds() {
		if flags&uintptr(nsenter.CloneFlag[ns]) != 0 {
			out = append(out, ns)
		}
	}
	return out
}

func cloneFlags(s *plan.Plan) uintptr {
	if s.Joins(spec.User) {
		return 0
	}
	var flags uintptr
	for _, ns := range s.Kinds() {
		if ns != spec.Time && ns != spec.Cgroup {
			flags |= uintptr(nsenter.CloneFlag[ns])
		}
	}
	return flags
}

// idMaps turns the spec's maps into os/exec's, defaulting to "the caller is
// root inside", as `unshare -r` does.
func idMaps(m []spec.IDMap, caller int) []syscall.SysProcIDMap {
	if len(m) == 0 {
		return []syscall.SysProcIDMap{{ContainerID: 0, HostID: caller, Size: 1}}
	}
	out := make([]syscall.SysProcIDMap, len(m))
	for i, e := range m {
		out[i] = syscall.SysProcIDMap{ContainerID: int(e.Inside), HostID: int(e.Outside), Size: int(e.Count)}
	}
	return out
}

// syncPair makes the socket the parent and the init talk over: datagrams
// with boundaries, so a config or an error is always read whole.
func syncPair() (parent, child *os.File, err error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, &Error{Code: 125, Err: fmt.Errorf("create sync socket: %w", err)}
	}
	return os.NewFile(uintptr(fds[0]), "sync"), os.NewFile(uintptr(fds[1]), "sync-init"), nil
}

// startError explains why the clone failed, with what the user can do.
func startError(s *plan.Plan, err error) error {
	what := fmt.Sprintf("create namespaces (%s)", spec.KindsString(s.Kinds()))
	switch {
	case errors.Is(err, unix.EPERM) && !s.Has(spec.User):
		err = fmt.Errorf("%w; run as root, or add -U to create a user namespace first", err)
	case errors.Is(err, unix.EPERM) || errors.Is(err, unix.ENOSPC):
		err = fmt.Errorf("%w; check that user namespaces are allowed (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone)", err)
	case errors.Is(err, unix.EINVAL):
		err = fmt.Errorf("%w; this kernel may lack one of these namespace kinds", err)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &Error{Code: 125, Err: fmt.Errorf("%s: %w", what, err)}
}

// initError reads what the init reported before it ended, if anything. Every
// process that held the init's end is gone by now, so this never blocks.
func initError(sock *os.File) *Error {
	buf := make([]byte, 2048)
	n, _, err := unix.Recvfrom(int(sock.Fd()), buf, unix.MSG_DONTWAIT)
	if err == unix.ECONNRESET {
		// The init ended with config unread (it failed before reading it):
		// the first read reports that, the next one gets its message.
		n, _, err = unix.Recvfrom(int(sock.Fd()), buf, unix.MSG_DONTWAIT)
	}
	if err != nil {
		return nil
	}
	return parseInitError(buf[:n])
}

// parseInitError reads an "E<code>:<message>" record; nil if buf is none.
func parseInitError(buf []byte) *Error {
	n := len(buf)
	if n < 2 || buf[0] != 'E' {
		return nil
	}
	code, msg, ok := strings.Cut(string(buf[1:n]), ":")
	c, cerr := strconv.Atoi(code)
	if !ok || cerr != nil {
		return &Error{Code: 125, Err: errors.New(string(buf[:n]))}
	}
	return initFailure(c, msg)
}
