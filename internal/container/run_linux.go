package container

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"nsexec/internal/initproc"
	"nsexec/internal/spec"
	"nsexec/internal/trace"
)

// Run runs s and returns the exit status nsexec should exit with: CMD's own
// status, or 128+N when it was killed by signal N. An error means the run
// failed; its Code says which exit status reports it.
func Run(s *spec.Spec, tr *trace.Tracer) (int, error) {
	// Pdeathsig fires when the thread that started the init exits, not the
	// process: start and wait from one locked thread (runtime trap 3).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	parentEnd, childEnd, err := syncPair()
	if err != nil {
		return 0, err
	}
	defer parentEnd.Close()

	cmd := initCommand(s, childEnd)
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)

	err = cmd.Start()
	childEnd.Close()
	if err != nil {
		return 0, startError(s, err)
	}
	tr.Step("clone: pid %d in new namespaces: %s", cmd.Process.Pid, spec.KindsString(s.Kinds()))

	if _, err := parentEnd.Write(initproc.Config(s, tr.Start())); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return 0, &Error{Code: 125, Err: fmt.Errorf("send config to init: %w", err)}
	}

	done := make(chan struct{})
	go forwardSignals(sigs, cmd.Process, done)
	err = cmd.Wait()
	close(done)

	if msg := initError(parentEnd); msg != nil {
		return 0, msg
	}
	return exitStatus(err)
}

// initCommand re-executes nsexec as the init, in the new namespaces. The
// constructor in internal/initproc takes over before the Go runtime starts.
func initCommand(s *spec.Spec, sync *os.File) *exec.Cmd {
	cmd := &exec.Cmd{
		Path:       "/proc/self/exe",
		Args:       append([]string{initproc.Argv0}, s.Args...),
		Env:        append(os.Environ(), initproc.EnvSyncFD+"=3"),
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		ExtraFiles: []*os.File{sync},
	}
	attr := &syscall.SysProcAttr{
		Cloneflags: cloneFlags(s),
		Pdeathsig:  syscall.SIGKILL,
	}
	if s.Has(spec.User) {
		attr.UidMappings = idMaps(s.UIDMap, os.Getuid())
		attr.GidMappings = idMaps(s.GIDMap, os.Getgid())
		attr.GidMappingsEnableSetgroups = false
	}
	cmd.SysProcAttr = attr
	return cmd
}

// cloneFlags are the namespaces made in the clone itself. The time namespace
// is not among them: its offsets can only be set before a process is in it,
// so the init creates it for CMD (see init.c).
func cloneFlags(s *spec.Spec) uintptr {
	var flags uintptr
	for _, ns := range s.Kinds() {
		if ns != spec.Time {
			flags |= cloneFlag[ns]
		}
	}
	return flags
}

var cloneFlag = map[spec.Namespace]uintptr{
	spec.User:   unix.CLONE_NEWUSER,
	spec.Mount:  unix.CLONE_NEWNS,
	spec.UTS:    unix.CLONE_NEWUTS,
	spec.IPC:    unix.CLONE_NEWIPC,
	spec.PID:    unix.CLONE_NEWPID,
	spec.Net:    unix.CLONE_NEWNET,
	spec.Cgroup: unix.CLONE_NEWCGROUP,
	spec.Time:   unix.CLONE_NEWTIME,
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
func startError(s *spec.Spec, err error) error {
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
	if err != nil || n < 2 || buf[0] != 'E' {
		return nil
	}
	code, msg, ok := strings.Cut(string(buf[1:n]), ":")
	c, cerr := strconv.Atoi(code)
	if !ok || cerr != nil {
		return &Error{Code: 125, Err: errors.New(string(buf[:n]))}
	}
	return &Error{Code: c, Err: errors.New(msg)}
}

// exitStatus is the init's status as a shell would report it.
func exitStatus(err error) (int, error) {
	if err == nil {
		return 0, nil
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return 0, &Error{Code: 125, Err: fmt.Errorf("wait for init: %w", err)}
	}
	ws := ee.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}
