package cgroups

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// Root is where the cgroup file systems are mounted.
const Root = "/sys/fs/cgroup"

// hierarchy is one mounted cgroup hierarchy: v2's single one, or a v1
// hierarchy with its controllers.
type hierarchy struct {
	mount       string   // mount point
	controllers []string // v1 controllers; nil on v2
	own         string   // nsexec's cgroup in it, as a directory under mount
}

func (h hierarchy) has(ctrl string) bool {
	for _, c := range h.controllers {
		if c == ctrl {
			return true
		}
	}
	return false
}

// managed are the v1 controllers nsexec makes cgroups in.
var managed = []string{"cpu", "cpuacct", "cpuset", "devices", "memory", "pids"}

// IsV2 reports whether the host runs cgroup v2 alone (the unified mode).
// A hybrid host (v1 controllers, and a v2 tree without them) is v1 here.
func IsV2() (bool, error) { return isV2At(Root) }

func isV2At(root string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(root, &st); err != nil {
		return false, fmt.Errorf("cgroup: statfs %s: %w", root, err)
	}
	return st.Type == unix.CGROUP2_SUPER_MAGIC, nil
}

// layout finds the hierarchies under root (Root, but for tests of the v2
// code on a hybrid host) and nsexec's place in each.
func layout(root string) (v2 bool, hs []hierarchy, err error) {
	if v2, err = isV2At(root); err != nil {
		return false, nil, err
	}
	own, err := ownCgroups()
	if err != nil {
		return false, nil, err
	}
	if v2 {
		return true, []hierarchy{{mount: root, own: filepath.Join(root, own[""])}}, nil
	}
	mounts, err := mountinfo.GetMounts(mountinfo.FSTypeFilter("cgroup"))
	if err != nil {
		return false, nil, fmt.Errorf("cgroup: read mountinfo: %w", err)
	}
	seen := map[string]bool{}
	for _, m := range mounts {
		var ctrls []string
		for _, o := range strings.Split(m.VFSOptions, ",") {
			for _, c := range managed {
				if o == c {
					ctrls = append(ctrls, c)
				}
			}
		}
		if len(ctrls) == 0 || seen[m.Mountpoint] {
			continue
		}
		seen[m.Mountpoint] = true
		// /proc/self/cgroup names the cgroup from the hierarchy's root; the
		// mount may show a subtree of it (a container without cgroupns).
		path := own[strings.Join(ctrls, ",")]
		rel := strings.TrimPrefix(path, m.Root)
		if m.Root == "/" {
			rel = path
		}
		hs = append(hs, hierarchy{mount: m.Mountpoint, controllers: ctrls, own: filepath.Join(m.Mountpoint, rel)})
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].mount < hs[j].mount })
	return false, hs, nil
}

// ownCgroups reads /proc/self/cgroup: controllers ("cpu,cpuacct"; "" for
// v2) to the cgroup path.
func ownCgroups() (map[string]string, error) {
	f, err := os.Open("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	defer f.Close()
	own := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) == 3 {
			own[parts[1]] = parts[2]
		}
	}
	return own, sc.Err()
}

// parentDir is where a run's cgroup goes in h: an absolute parent is
// taken from the hierarchy's root; a relative one from nsexec's own cgroup
// on v1, and from the cgroup above it on v2, where nsexec's own cgroup
// holds processes and so cannot hand controllers down (as runc does).
func parentDir(h hierarchy, parent string) string {
	if filepath.IsAbs(parent) {
		return filepath.Join(h.mount, parent)
	}
	base := h.own
	if h.controllers == nil && base != h.mount {
		base = filepath.Dir(base)
	}
	return filepath.Join(base, parent)
}

// DefaultParent is the parent of runs that name none: "nsexec", under
// nsexec's own cgroup, so that the limits the caller is under still hold.
const DefaultParent = "nsexec"

// ParentDirs are the directories of parent in every hierarchy nsexec
// manages (existing or not): for tests and tools that look at what runs
// leave behind.
func ParentDirs(parent string) ([]string, error) {
	if parent == "" {
		parent = DefaultParent
	}
	_, hs, err := layout(Root)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = parentDir(h, parent)
	}
	return out, nil
}

// mkdirAll creates dir and the missing directories above it, and returns
// the ones it created, top first.
func mkdirAll(dir string) ([]string, error) {
	err := unix.Mkdir(dir, 0o755)
	switch {
	case err == nil:
		return []string{dir}, nil
	case errors.Is(err, unix.EEXIST):
		return nil, nil
	case errors.Is(err, unix.ENOENT) && filepath.Dir(dir) != dir:
		made, err := mkdirAll(filepath.Dir(dir))
		if err != nil {
			return nil, err
		}
		if err := unix.Mkdir(dir, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, fmt.Errorf("cgroup: create %s: %w", dir, err)
		}
		return append(made, dir), nil
	}
	return nil, fmt.Errorf("cgroup: create %s: %w", dir, err)
}
