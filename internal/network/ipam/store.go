package ipam

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"nsexec/internal/linux"
)

// Owner is the process a lease belongs to: its PID and its start time (in
// clock ticks since boot, field 22 of /proc/PID/stat), so that a reused PID
// does not keep a dead run's lease alive.
type Owner struct {
	PID   int
	Start uint64
}

// Lease is one address given to one run.
type Lease struct {
	Addr  netip.Addr
	Owner Owner
	Veth  string   // the host end of the run's veth pair
	Names []string // host names the run answers to on the bridge
}

// Store is the leases of one bridge, one file per address in Dir.
type Store struct {
	Dir  string
	lock *os.File
}

// Open opens (creating it) the store in dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create lease directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lease lock: %w", err)
	}
	return &Store{Dir: dir, lock: f}, nil
}

// Close releases the store (and its lock, if held).
func (s *Store) Close() error { return s.lock.Close() }

// Lock takes the store's exclusive lock: every change to the leases, and to
// what they stand for (links, rules), happens while it is held. A store
// removed while this process waited (--network-cleanup, or a failed first
// run) is made anew, so nobody writes into a deleted directory.
func (s *Store) Lock() error {
	for {
		if err := linux.LockExclusive(int(s.lock.Fd())); err != nil {
			return fmt.Errorf("lock %s: %w", s.lock.Name(), err)
		}
		if s.stillLinked() {
			return nil
		}
		fresh, err := Open(s.Dir)
		if err != nil {
			return err
		}
		s.lock.Close()
		s.lock = fresh.lock
	}
}

// stillLinked reports whether the lock file held is the one at its path.
func (s *Store) stillLinked() bool {
	var held, now unix.Stat_t
	if unix.Fstat(int(s.lock.Fd()), &held) != nil || unix.Stat(s.lock.Name(), &now) != nil {
		return false
	}
	return held.Ino == now.Ino && held.Dev == now.Dev
}

// Unlock releases the lock taken by Lock.
func (s *Store) Unlock() { _ = unix.Flock(int(s.lock.Fd()), unix.LOCK_UN) }

const leaseSuffix = ".lease"

// Leases returns every lease in the store, sorted by address.
func (s *Store) Leases() ([]Lease, error) {
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		return nil, fmt.Errorf("read leases: %w", err)
	}
	var out []Lease
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), leaseSuffix)
		if !ok {
			continue
		}
		addr, err := netip.ParseAddr(name)
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.Dir, e.Name()))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read lease %s: %w", addr, err)
		}
		out = append(out, decode(addr, string(data)))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr.Less(out[j].Addr) })
	return out, nil
}

// Put writes l, replacing any lease of the same address. The file is
// written whole and renamed into place, so a reader never sees half of it.
func (s *Store) Put(l Lease) error {
	tmp := filepath.Join(s.Dir, "."+l.Addr.String()+".tmp")
	if err := os.WriteFile(tmp, []byte(encode(l)), 0o600); err != nil {
		return fmt.Errorf("write lease %s: %w", l.Addr, err)
	}
	if err := os.Rename(tmp, s.path(l.Addr)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write lease %s: %w", l.Addr, err)
	}
	return nil
}

// Release deletes the lease of addr; releasing a free address is no error.
func (s *Store) Release(addr netip.Addr) error {
	if err := os.Remove(s.path(addr)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("release lease %s: %w", addr, err)
	}
	return nil
}

// Last is the address handed out most recently (zero if none yet).
func (s *Store) Last() netip.Addr {
	data, _ := os.ReadFile(filepath.Join(s.Dir, "last"))
	a, _ := netip.ParseAddr(strings.TrimSpace(string(data)))
	return a
}

// SetLast records the address handed out most recently.
func (s *Store) SetLast(a netip.Addr) error {
	return WriteInPlace(filepath.Join(s.Dir, "last"), []byte(a.String()+"\n"), 0o600)
}

// WriteInPlace makes the file at path hold data, keeping its inode (so a
// bind mount of it shows the new content) and writing nothing when it
// already holds data. It never truncates to zero first: on ext4 a file
// truncated to zero and rewritten is flushed to disk on close
// (auto_da_alloc), which costs a quarter of a millisecond per file when
// /run is not a tmpfs.
func WriteInPlace(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	old := make([]byte, len(data)+1)
	n, _ := f.ReadAt(old, 0)
	if n == len(data) && string(old[:n]) == string(data) {
		return nil
	}
	if _, err := f.WriteAt(data, 0); err != nil {
		return err
	}
	if n > len(data) {
		return f.Truncate(int64(len(data)))
	}
	return nil
}

// Remove deletes the whole store, lock included; call it with the lock
// held. Processes waiting for the lock notice and make a new store.
func (s *Store) Remove() error {
	err := os.RemoveAll(s.Dir)
	s.lock.Close()
	return err
}

func (s *Store) path(a netip.Addr) string {
	return filepath.Join(s.Dir, a.String()+leaseSuffix)
}

func encode(l Lease) string {
	return fmt.Sprintf("pid=%d\nstart=%d\nveth=%s\nnames=%s\n",
		l.Owner.PID, l.Owner.Start, l.Veth, strings.Join(l.Names, " "))
}

func decode(addr netip.Addr, data string) Lease {
	l := Lease{Addr: addr}
	for _, line := range strings.Split(data, "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch k {
		case "pid":
			l.Owner.PID, _ = strconv.Atoi(v)
		case "start":
			l.Owner.Start, _ = strconv.ParseUint(v, 10, 64)
		case "veth":
			l.Veth = v
		case "names":
			l.Names = strings.Fields(v)
		}
	}
	return l
}

// Taken is the set of leased addresses, for Next.
func Taken(leases []Lease) map[netip.Addr]bool {
	m := make(map[netip.Addr]bool, len(leases))
	for _, l := range leases {
		m[l.Addr] = true
	}
	return m
}
