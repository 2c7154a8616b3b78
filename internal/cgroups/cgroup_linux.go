package cgroups

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"nsexec/internal/linux"
	"nsexec/internal/procfs"
)

// Cgroup is the cgroup of one run: a directory in each hierarchy it uses.
type Cgroup struct {
	Name   string   // the directory name, the same in every hierarchy
	Dirs   []string // one per hierarchy
	v2     bool
	locks  []int             // flocked directory fds: the run is alive
	byCtrl map[string]string // v1 controller -> the run's directory in its hierarchy
	memDir string            // the directory with the memory files, "" without a memory limit

	// hs and parent let Destroy remove nsexec's default parent once it is
	// empty, so that nothing of nsexec stays in the hierarchies.
	hs     []hierarchy
	parent string
}

// runPrefix starts the name of every run's cgroup; Cleanup touches only
// those, whatever else the parent holds.
const runPrefix = "nsexec-"

// Create makes a run's cgroup under parent ("" is DefaultParent) with the
// limits r, and first removes the cgroups of dead runs there. On error
// nothing of it is left.
// ErrNotMounted is a controller a run needs that this mount namespace does
// not show (e.g. under `ip netns exec`, which mounts a /sys of its own).
var ErrNotMounted = errors.New("is not mounted")

func Create(parent string, r Resources) (*Cgroup, error) { return createAt(Root, parent, r) }

func createAt(root, parent string, r Resources) (*Cgroup, error) {
	if parent == "" {
		parent = DefaultParent
	}
	v2, hs, err := layout(root)
	if err != nil {
		return nil, err
	}
	targets, err := pick(root, v2, hs, r)
	if err != nil {
		return nil, err
	}
	unlock, err := lockParent(hs, parent)
	if err != nil {
		return nil, err
	}
	defer unlock()
	removeStale(hs, parent)

	name := runPrefix + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(time.Now().UnixNano()&0xffffffff, 16)
	cg := &Cgroup{v2: v2, Name: name, byCtrl: map[string]string{}}
	for _, h := range targets {
		pdir := parentDir(h, parent)
		made, err := mkdirAll(pdir)
		if err != nil {
			cg.Destroy()
			return nil, permissionHint(err)
		}
		if v2 {
			err = enableControllers(h.mount, pdir, v2Controllers(r))
		} else if h.has("cpuset") {
			err = initCpusets(made)
		}
		if err != nil {
			cg.Destroy()
			return nil, err
		}
		dir := filepath.Join(pdir, cg.Name)
		if err := unix.Mkdir(dir, 0o755); err != nil {
			cg.Destroy()
			return nil, permissionHint(fmt.Errorf("cgroup: create %s: %w", dir, err))
		}
		cg.Dirs = append(cg.Dirs, dir)
		fd, err := lockDir(dir)
		if err != nil {
			cg.Destroy()
			return nil, err
		}
		cg.locks = append(cg.locks, fd)
		if !v2 && h.has("cpuset") {
			if err := initCpusets([]string{dir}); err != nil {
				cg.Destroy()
				return nil, err
			}
		}
		for _, c := range h.controllers {
			cg.byCtrl[c] = dir
		}
		if v2 || h.has("memory") {
			cg.memDir = dir
		}
	}
	if r.Memory == 0 {
		cg.memDir = ""
	}
	if err := cg.set(r); err != nil {
		cg.Destroy()
		return nil, err
	}
	if v2 && r.Devices != nil {
		if err := attachDeviceFilter(cg.Dirs[0], r.Devices); err != nil {
			cg.Destroy()
			return nil, err
		}
	}
	if parent == DefaultParent {
		cg.hs, cg.parent = hs, parent // set last: Destroy above runs under our lock
	}
	return cg, nil
}

// pick chooses the hierarchies a run needs. On v1 a run with no limit
// (only --cgroup-parent) still gets one, the pids hierarchy, so that all
// its processes can be found and killed.
func pick(root string, v2 bool, hs []hierarchy, r Resources) ([]hierarchy, error) {
	if v2 {
		avail, err := os.ReadFile(filepath.Join(root, "cgroup.controllers"))
		if err != nil {
			return nil, fmt.Errorf("cgroup: %w", err)
		}
		have := strings.Fields(string(avail))
		for _, c := range v2Controllers(r) {
			if !contains(have, c) {
				return nil, fmt.Errorf("cgroup v2: controller %s not available (the root's cgroup.controllers lists %q)", c, strings.Join(have, " "))
			}
		}
		return hs, nil
	}
	need := r.controllers()
	if len(need) == 0 {
		need = []string{"pids"}
	}
	var out []hierarchy
	for _, c := range need {
		found := false
		for _, h := range hs {
			if h.has(c) {
				found = true
				if !containsH(out, h) {
					out = append(out, h)
				}
			}
		}
		if !found && c != "cpuacct" {
			return nil, fmt.Errorf("cgroup v1: controller %s %w under %s", c, ErrNotMounted, root)
		}
	}
	return out, nil
}

// v2Controllers are the controllers r needs enabled on cgroup v2.
func v2Controllers(r Resources) []string {
	var out []string
	for _, c := range r.controllers() {
		if c != "cpuacct" && c != "devices" {
			out = append(out, c)
		}
	}
	return out
}

// enableControllers hands ctrls down from the root to pdir, the parent of
// the run's cgroup, through each cgroup.subtree_control on the way.
func enableControllers(root, pdir string, ctrls []string) error {
	if len(ctrls) == 0 {
		return nil
	}
	rel, err := filepath.Rel(root, pdir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("cgroup: %s is not under %s", pdir, root)
	}
	dir := root
	steps := append([]string{""}, strings.Split(rel, "/")...)
	for _, step := range steps {
		if step == "." {
			continue
		}
		dir = filepath.Join(dir, step)
		cur, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
		if err != nil {
			return fmt.Errorf("cgroup: %w", err)
		}
		var add []string
		for _, c := range ctrls {
			if !contains(strings.Fields(string(cur)), c) {
				add = append(add, "+"+c)
			}
		}
		if len(add) == 0 {
			continue
		}
		if err := writeFile(dir, "cgroup.subtree_control", strings.Join(add, " ")); err != nil {
			if errors.Is(err, unix.EBUSY) {
				err = fmt.Errorf("%w: %s holds processes, so it cannot hand controllers down; give --cgroup-parent a cgroup without processes", err, dir)
			}
			return err
		}
	}
	return nil
}

// initCpusets gives new v1 cpuset cgroups their parent's CPUs and memory
// nodes: a v1 cpuset starts empty, and a task cannot join an empty one.
func initCpusets(dirs []string) error {
	for _, d := range dirs {
		for _, f := range []string{"cpuset.cpus", "cpuset.mems"} {
			cur, err := os.ReadFile(filepath.Join(d, f))
			if err != nil {
				return fmt.Errorf("cgroup: %w", err)
			}
			if len(bytes.TrimSpace(cur)) > 0 {
				continue
			}
			up, err := os.ReadFile(filepath.Join(filepath.Dir(d), f))
			if err != nil {
				return fmt.Errorf("cgroup: %w", err)
			}
			if err := writeFile(d, f, string(bytes.TrimSpace(up))); err != nil {
				return err
			}
		}
	}
	return nil
}

// set writes r's limits.
func (cg *Cgroup) set(r Resources) error {
	settings := r.settings(cg.v2)
	for i := 0; i < len(settings); {
		s := settings[i]
		// Rules for one file (devices.allow) go through one open file:
		// each write is one rule.
		values := []string{s.value}
		for i++; i < len(settings) && settings[i].file == s.file && settings[i].controller == s.controller; i++ {
			values = append(values, settings[i].value)
		}
		dir := cg.dirOf(s.controller)
		if dir == "" {
			continue // cpuacct, where it is not mounted
		}
		err := writeFile(dir, s.file, values...)
		switch {
		case err == nil:
		case s.optional && errors.Is(err, unix.ENOENT):
		case errors.Is(err, unix.ENOENT) && strings.Contains(s.file, "swap"):
			return fmt.Errorf("%w: this kernel does not account swap (boot it with swapaccount=1), so --memory-swap cannot be set", err)
		case s.file == "cpuset.cpus" && (errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ERANGE)):
			have, _ := os.ReadFile(filepath.Join(filepath.Dir(dir), cpusetEffective(cg.v2)))
			return fmt.Errorf("--cpuset-cpus %s: the CPUs available here are %s", s.value, strings.TrimSpace(string(have)))
		default:
			return err
		}
	}
	return nil
}

func cpusetEffective(v2 bool) string {
	if v2 {
		return "cpuset.cpus.effective"
	}
	return "cpuset.effective_cpus"
}

// dirOf is the run's directory in the hierarchy of a v1 controller.
func (cg *Cgroup) dirOf(ctrl string) string {
	if cg.v2 {
		return cg.Dirs[0]
	}
	return cg.byCtrl[ctrl]
}

// FD is the cgroup's directory on v2, for clone3's CLONE_INTO_CGROUP: a
// process born in the cgroup needs no Attach. -1 on v1.
func (cg *Cgroup) FD() int {
	if !cg.v2 || len(cg.locks) == 0 {
		return -1
	}
	return cg.locks[0]
}

// OpenTasks opens the v1 "tasks" files of the cgroup, one per hierarchy,
// for a single-threaded init to join by writing "0" to each: a thread that
// moves itself does not take the kernel's cgroup_threadgroup_rwsem, which
// moving another process takes for writing, often waiting for an RCU grace
// period (10 ms and more). They are opened here, in nsexec's own mount
// namespace: the init may have joined another by the time it writes, where
// the same path leads elsewhere (issue 9, hole 7). None on v2.
func (cg *Cgroup) OpenTasks() ([]*os.File, error) {
	if cg.v2 {
		return nil, nil
	}
	var out []*os.File
	for _, d := range cg.Dirs {
		f, err := os.OpenFile(filepath.Join(d, "tasks"), os.O_WRONLY, 0)
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("cgroup: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// Attach moves pid, with its threads, into the cgroup, unless it is there
// already (born there); moved says whether it had to.
func (cg *Cgroup) Attach(pid int) (moved bool, err error) {
	if cg.v2 {
		if in, err := cg.holds(pid); err != nil || in {
			return false, err
		}
	}
	for _, d := range cg.Dirs {
		if err := writeFile(d, "cgroup.procs", strconv.Itoa(pid)); err != nil {
			return false, err
		}
	}
	return true, nil
}

// holds reports whether pid is in the cgroup (v2), from /proc/PID/cgroup.
func (cg *Cgroup) holds(pid int) (bool, error) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return false, fmt.Errorf("cgroup: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if path, ok := strings.CutPrefix(line, "0::"); ok {
			return strings.HasSuffix(cg.Dirs[0], path) && strings.HasSuffix(path, "/"+cg.Name), nil
		}
	}
	return false, nil
}

// OOMKills is how many processes the memory limit killed so far.
func (cg *Cgroup) OOMKills() (uint64, error) {
	if cg.memDir == "" {
		return 0, nil
	}
	file := "memory.oom_control"
	if cg.v2 {
		file = "memory.events"
	}
	data, err := os.ReadFile(filepath.Join(cg.memDir, file))
	if err != nil {
		return 0, fmt.Errorf("cgroup: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, nil
}

// Destroy kills what is left in the cgroup and removes it.
func (cg *Cgroup) Destroy() error {
	var errs []error
	if len(cg.Dirs) > 0 {
		if err := removeRun(cg.Dirs, cg.v2); err != nil {
			errs = append(errs, err)
		}
	}
	for _, fd := range cg.locks {
		unix.Close(fd)
	}
	cg.locks, cg.Dirs = nil, nil
	if cg.parent != "" {
		removeEmptyParent(cg.hs, cg.parent)
	}
	return errors.Join(errs...)
}

// removeEmptyParent removes the parent directories when no run is left in
// them, under the parent's lock so that no run is being made there.
func removeEmptyParent(hs []hierarchy, parent string) {
	unlock, err := lockParent(hs, parent)
	if err != nil {
		return
	}
	defer unlock()
	for _, h := range hs {
		unix.Rmdir(parentDir(h, parent)) // EBUSY: other runs are there
	}
}

// removeRun removes the directories of one run. The common case, nothing
// left inside, costs one rmdir each; otherwise what is left is killed
// first (all the run's processes are in each of its directories).
func removeRun(dirs []string, v2 bool) error {
	var errs []error
	for _, d := range dirs {
		err := unix.Rmdir(d)
		if errors.Is(err, unix.EBUSY) {
			if err = killAll(d, v2); err == nil {
				err = rmdirWait(d)
			}
		}
		if err != nil && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("cgroup: remove %s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}

// killAll kills every process in dir: at once through cgroup.kill (v2,
// Linux 5.14), else by rounds of SIGKILL until no process is left, which
// ends even against a fork bomb, since a killed process forks no more.
func killAll(dir string, v2 bool) error {
	if v2 && writeFile(dir, "cgroup.kill", "1") == nil {
		return nil
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		pids, err := procs(dir)
		if err != nil || len(pids) == 0 {
			return err
		}
		for _, p := range pids {
			unix.Kill(p, unix.SIGKILL)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("processes left after 5s of SIGKILL: %v", pids)
		}
		time.Sleep(time.Millisecond)
	}
}

// rmdirWait removes dir once its killed processes are gone.
func rmdirWait(dir string) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := unix.Rmdir(dir)
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(time.Millisecond)
	}
}

func procs(dir string) ([]int, error) {
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(data)) {
		if p, err := strconv.Atoi(f); err == nil {
			pids = append(pids, p)
		}
	}
	return pids, nil
}

// Cleanup removes, under parent, the cgroups of runs whose nsexec is gone,
// killing what is left in them, and returns how many it removed.
func Cleanup(parent string) (int, error) { return cleanupAt(Root, parent) }

func cleanupAt(root, parent string) (int, error) {
	if parent == "" {
		parent = DefaultParent
	}
	_, hs, err := layout(root)
	if err != nil {
		return 0, err
	}
	unlock, err := lockParent(hs, parent)
	if err != nil {
		return 0, err
	}
	defer unlock()
	return removeStale(hs, parent)
}

// removeStale removes the run cgroups under parent that no live run
// holds locked, in every hierarchy, and returns how many runs it removed.
func removeStale(hs []hierarchy, parent string) (int, error) {
	v2 := len(hs) == 1 && hs[0].controllers == nil
	names := map[string]bool{}
	var errs []error
	for _, h := range hs {
		pdir := parentDir(h, parent)
		// A cgroup directory's link count is 2 plus its subdirectories:
		// most parents have none, and a stat is cheaper than a read.
		var st unix.Stat_t
		if unix.Stat(pdir, &st) != nil || st.Nlink <= 2 {
			continue // no parent there, or no cgroup in it
		}
		entries, err := os.ReadDir(pdir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() || !strings.HasPrefix(e.Name(), runPrefix) {
				continue
			}
			dir := filepath.Join(pdir, e.Name())
			fd, err := lockDir(dir)
			if err != nil {
				continue // alive, or gone meanwhile
			}
			if ownerAlive(dir) {
				unix.Close(fd) // unsupervised, but its init lives
				continue
			}
			if err := removeRun([]string{dir}, v2); err != nil {
				errs = append(errs, err)
			} else {
				names[e.Name()] = true
			}
			unix.Close(fd)
		}
	}
	return len(names), errors.Join(errs...)
}

// lockDir opens dir and takes its lock without waiting: a live run holds
// the lock of each of its directories.
func lockDir(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("cgroup: open %s: %w", dir, err)
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("cgroup: lock %s: %w", dir, err)
	}
	return fd, nil
}

// lockParent serializes, between nsexec processes, the making of run
// cgroups under parent and the search for stale ones, so that a cgroup
// just made, not yet locked, is never taken for a stale one. The lock is
// on the parent in the first hierarchy, the same for every run.
func lockParent(hs []hierarchy, parent string) (func(), error) {
	return lockParentRetry(hs, parent, 10)
}

func lockParentRetry(hs []hierarchy, parent string, retries int) (func(), error) {
	if len(hs) == 0 {
		return nil, fmt.Errorf("cgroup: no cgroup hierarchy with %s is mounted", strings.Join(managed, ", "))
	}
	pdir := parentDir(hs[0], parent)
	if _, err := mkdirAll(pdir); err != nil {
		return nil, permissionHint(err)
	}
	fd, err := unix.Open(pdir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT && retries > 0 { // just removed by the last run leaving
		return lockParentRetry(hs, parent, retries-1)
	}
	if err != nil {
		return nil, fmt.Errorf("cgroup: open %s: %w", pdir, err)
	}
	if err := linux.LockExclusive(fd); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("cgroup: lock %s: %w", pdir, err)
	}
	// The last run may have removed the directory before we held the lock:
	// then lock the one that is there now.
	var locked, now unix.Stat_t
	if unix.Fstat(fd, &locked) == nil && (unix.Stat(pdir, &now) != nil || now.Ino != locked.Ino) && retries > 0 {
		unix.Close(fd)
		return lockParentRetry(hs, parent, retries-1)
	}
	return func() { unix.Close(fd) }, nil
}

// writeFile writes values to one cgroup file, one write each, with an
// error that names it.
func writeFile(dir, file string, values ...string) error {
	path := filepath.Join(dir, file)
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("cgroup: write %s: %w", path, err)
	}
	defer unix.Close(fd)
	for _, v := range values {
		if _, err := linux.Write(fd, []byte(v)); err != nil {
			return fmt.Errorf("cgroup: write %q to %s: %w", v, path, err)
		}
	}
	return nil
}

func permissionHint(err error) error {
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EROFS) {
		return fmt.Errorf("%w; limits need root (or a cgroup v2 subtree delegated to you, given with --cgroup-parent)", err)
	}
	return err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsH(list []hierarchy, h hierarchy) bool {
	for _, x := range list {
		if x.mount == h.mount {
			return true
		}
	}
	return false
}

func closeFD(fd int) { unix.Close(fd) }

// Record is what removing a run's cgroup takes, for a process other than
// the one that made it (a later delete).
type Record struct {
	Dirs []string `json:"dirs"`
	V2   bool     `json:"v2,omitempty"`
}

// Record describes the cgroup for Remove.
func (cg *Cgroup) Record() Record { return Record{Dirs: cg.Dirs, V2: cg.v2} }

// Remove kills what is left in a recorded cgroup and removes it. Only a
// run's directory on a cgroup file system is touched: the record is read
// back from a file.
func Remove(r Record) error {
	for _, d := range r.Dirs {
		var st unix.Statfs_t
		if !filepath.IsAbs(d) || !strings.HasPrefix(filepath.Base(d), runPrefix) {
			return fmt.Errorf("cgroup: %s is not a run's cgroup", d)
		}
		if err := unix.Statfs(d, &st); errors.Is(err, unix.ENOENT) {
			continue
		} else if err != nil || (st.Type != unix.CGROUP_SUPER_MAGIC && st.Type != unix.CGROUP2_SUPER_MAGIC) {
			return fmt.Errorf("cgroup: %s is not on a cgroup file system", d)
		}
	}
	return removeRun(r.Dirs, r.V2)
}

// ownerXattr names, on each directory of a run's cgroup, the process whose
// life is the run's: its init, PID and start time.
const ownerXattr = "trusted.nsexec.owner"

// Own records pid, started at start, as the run's owner: a cgroup whose
// lock is free (no nsexec supervises it any more) is stale only once its
// owner is gone too, as an OCI container's is after create.
func (cg *Cgroup) Own(pid int, start uint64) error {
	v := []byte(strconv.Itoa(pid) + " " + strconv.FormatUint(start, 10))
	for _, d := range cg.Dirs {
		if err := unix.Setxattr(d, ownerXattr, v, 0); err != nil {
			return fmt.Errorf("cgroup: record the owner of %s: %w", d, err)
		}
	}
	return nil
}

// ownerAlive reports whether the owner recorded on dir still runs.
func ownerAlive(dir string) bool {
	buf := make([]byte, 64)
	n, err := unix.Getxattr(dir, ownerXattr, buf)
	if err != nil {
		return false
	}
	var pid int
	var start uint64
	if _, err := fmt.Sscan(string(buf[:n]), &pid, &start); err != nil {
		return false
	}
	return procfs.Alive(pid, start)
}
