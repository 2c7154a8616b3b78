package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsexec/internal/linux"
	"nsexec/internal/procfs"
)

// DefaultDir is where instance records live: /run/nsexec for root, and
// $XDG_RUNTIME_DIR/nsexec for other users (who cannot write /run).
func DefaultDir() (string, error) {
	if os.Geteuid() == 0 {
		return "/run/nsexec", nil
	}
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" {
		return filepath.Join(x, "nsexec"), nil
	}
	return "", errors.New("no place for instance records: not root, and XDG_RUNTIME_DIR is not set")
}

// Store is the directory of instance records.
type Store struct {
	Dir string
	// Alive says whether a process (PID, start time) still runs;
	// procfs.Alive unless a test says otherwise.
	Alive func(pid int, start uint64) bool
}

// Open returns the store in dir.
func Open(dir string) *Store { return &Store{Dir: dir, Alive: procfs.Alive} }

// ErrNotFound means no running instance has the name.
var ErrNotFound = errors.New("no running instance of that name")

// NameTakenError is returned by Reserve when a live instance has the name.
type NameTakenError struct{ Record }

func (e *NameTakenError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("instance name %s: taken by a run that is starting (nsexec PID %d)", e.Name, e.Parent)
	}
	return fmt.Sprintf("instance name %s: taken by a running instance (PID %d)", e.Name, e.PID)
}

func (s *Store) path(name string) string { return filepath.Join(s.Dir, name+".json") }

// Reserve takes r.Name for a run that is starting, atomically: the record
// appears whole, or not at all when a live instance has the name. A stale
// record of the name is replaced.
func (s *Store) Reserve(r Record) error {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", s.Dir, err)
	}
	dir, err := s.openDir()
	if err != nil {
		return err
	}
	unix.Close(dir)
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	old, err := s.read(r.Name)
	if err == nil && old.Live(s.Alive) {
		return &NameTakenError{old}
	}
	if !errors.Is(err, os.ErrNotExist) { // stale or unreadable: records are written whole, so it is no run's
		os.Remove(s.path(r.Name))
	}
	tmp, err := s.writeTemp(r)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// link fails if the name exists: the record is never overwritten.
	if err := os.Link(tmp, s.path(r.Name)); err != nil {
		return fmt.Errorf("record instance %s: %w", r.Name, err)
	}
	return nil
}

// Update replaces the record of a run that holds the name (once its init
// exists): readers see the old record or the new one, never a part.
func (s *Store) Update(r Record) error {
	tmp, err := s.writeTemp(r)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, s.path(r.Name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("record instance %s: %w", r.Name, err)
	}
	return nil
}

// Remove deletes the record of name if it is still the one of the nsexec
// process (parent, parentStart).
func (s *Store) Remove(name string, parent int, parentStart uint64) {
	unlock, err := s.lock()
	if err != nil {
		return
	}
	defer unlock()
	if r, err := s.read(name); err == nil && r.Parent == parent && r.ParentStart == parentStart {
		os.Remove(s.path(name))
	}
}

// Get returns the running instance called name; a stale record of it is
// deleted.
func (s *Store) Get(name string) (Record, error) {
	r, err := s.read(name)
	if errors.Is(err, os.ErrNotExist) {
		return Record{}, ErrNotFound
	}
	if err != nil {
		return Record{}, err
	}
	if !r.Live(s.Alive) {
		s.clean([]Record{r})
		return Record{}, ErrNotFound
	}
	return r, nil
}

// List returns the running instances (not those still starting) and
// deletes the records of the dead.
func (s *Store) List() ([]Record, error) {
	names, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.Dir, err)
	}
	var live, stale []Record
	for _, de := range names {
		name, ok := strings.CutSuffix(de.Name(), ".json")
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		r, err := s.read(name)
		switch {
		case err != nil: // deleted meanwhile, or not ours to judge
		case !r.Live(s.Alive):
			stale = append(stale, r)
		case r.PID != 0:
			live = append(live, r)
		}
	}
	s.clean(stale)
	return live, nil
}

// FindPID returns the running instance whose init has this PID.
func (s *Store) FindPID(pid int) (Record, bool) {
	recs, _ := s.List()
	for _, r := range recs {
		if r.PID == pid {
			return r, true
		}
	}
	return Record{}, false
}

// clean deletes stale records, each only if, under the lock, it is still
// the same stale record (a new run may have taken the name meanwhile).
func (s *Store) clean(stale []Record) {
	if len(stale) == 0 {
		return
	}
	unlock, err := s.lock()
	if err != nil {
		return
	}
	defer unlock()
	for _, old := range stale {
		r, err := s.read(old.Name)
		if err == nil && r.Parent == old.Parent && r.ParentStart == old.ParentStart && !r.Live(s.Alive) {
			os.Remove(s.path(old.Name))
		}
	}
	s.cleanTemps()
}

// cleanTemps deletes temporary files that an nsexec killed mid-write left.
func (s *Store) cleanTemps() {
	names, _ := os.ReadDir(s.Dir)
	for _, de := range names {
		n := de.Name()
		if !strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".tmp") {
			continue
		}
		f := strings.Split(n, ".") // .NAME.json.PID.tmp; NAME may hold dots
		pid, err := strconv.Atoi(f[len(f)-2])
		if err == nil && unix.Kill(pid, 0) == unix.ESRCH {
			os.Remove(filepath.Join(s.Dir, n))
		}
	}
}

// ErrUntrusted is a store or record another user could have written.
var ErrUntrusted = errors.New("not trusted")

// openDir opens the store's directory, refusing one another user could
// write: a record names a process that --join then enters, with the
// seccomp filter it puts the joined command under, so a forged one would
// lead root's nsexec into an attacker's process unconfined.
func (s *Store) openDir() (int, error) {
	fd, err := unix.Open(s.Dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: s.Dir, Err: err}
	}
	if err := owned(fd, s.Dir); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// owned checks that fd is owned by nsexec's user and not writable by others.
func owned(fd int, path string) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if int(st.Uid) != os.Geteuid() || st.Mode&0o022 != 0 {
		return fmt.Errorf("%s: %w: owned by uid %d, mode %o (want uid %d, not writable by others)",
			path, ErrUntrusted, st.Uid, st.Mode&0o7777, os.Geteuid())
	}
	return nil
}

// read reads the record of name, through the directory's descriptor and
// without following a symlink, if it is nsexec's user's own.
func (s *Store) read(name string) (Record, error) {
	dir, err := s.openDir()
	if err != nil {
		return Record{}, err
	}
	defer unix.Close(dir)
	// O_NONBLOCK: a FIFO put in its place must not hang the open.
	fd, err := unix.Openat(dir, name+".json", unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return Record{}, &os.PathError{Op: "open", Path: s.path(name), Err: err}
	}
	defer unix.Close(fd)
	if err := owned(fd, s.path(name)); err != nil {
		return Record{}, err
	}
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size > 1<<20 {
		return Record{}, fmt.Errorf("%s: %w: not a regular file of at most 1 MiB", s.path(name), ErrUntrusted)
	}
	data := make([]byte, st.Size)
	if n, err := unix.Pread(fd, data, 0); err != nil || n != len(data) {
		return Record{}, fmt.Errorf("read %s: %v", s.path(name), err)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return Record{}, fmt.Errorf("read %s: %w", s.path(name), err)
	}
	return r, nil
}

// writeTemp writes r to a temporary file beside its final name.
func (s *Store) writeTemp(r Record) (string, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return "", err
	}
	tmp := filepath.Join(s.Dir, fmt.Sprintf(".%s.json.%d.tmp", r.Name, os.Getpid()))
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("record instance %s: %w", r.Name, err)
	}
	return tmp, nil
}

// lock takes the store's lock (an flock held until unlock, or until the
// process dies).
func (s *Store) lock() (unlock func(), err error) {
	p := filepath.Join(s.Dir, ".lock")
	fd, err := unix.Open(p, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	if err := linux.LockExclusive(fd); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	return func() { unix.Close(fd) }, nil
}
