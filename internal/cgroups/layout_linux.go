package cgroups

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
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
	if hs, ok := layoutV1Fast(root, own); ok {
		return false, hs, nil
	}
	hs, err = layoutV1(own)
	return false, hs, err
}

// layoutV1Fast finds the v1 hierarchies where they are mounted on nearly
// every host, root/<controllers as /proc/self/cgroup lists them>, with a
// statfs and a stat each: reading mountinfo costs ten times more. ok is
// false when a hierarchy is elsewhere, or mounted from below its root (a
// container without a cgroup namespace), and layoutV1 must look.
func layoutV1Fast(root string, own map[string]string) (hs []hierarchy, ok bool) {
	for list, path := range own {
		ctrls := managedIn(strings.Split(list, ","))
		if len(ctrls) == 0 {
			continue
		}
		mount := filepath.Join(root, list)
		var st unix.Statfs_t
		if unix.Statfs(mount, &st) != nil || st.Type != unix.CGROUP_SUPER_MAGIC {
			return nil, false
		}
		dir := filepath.Join(mount, path)
		if unix.Access(dir, unix.F_OK) != nil {
			return nil, false
		}
		hs = append(hs, hierarchy{mount: mount, controllers: ctrls, own: dir})
	}
	slices.SortFunc(hs, func(a, b hierarchy) int { return strings.Compare(a.mount, b.mount) })
	return hs, true
}

// layoutV1 finds the v1 hierarchies from /proc/self/mountinfo.
func layoutV1(own map[string]string) ([]hierarchy, error) {
	mounts, err := mountinfo.GetMounts(mountinfo.FSTypeFilter("cgroup"))
	if err != nil {
		return nil, fmt.Errorf("cgroup: read mountinfo: %w", err)
	}
	var hs []hierarchy
	seen := map[string]bool{}
	for _, m := range mounts {
		ctrls := managedIn(strings.Split(m.VFSOptions, ","))
		if len(ctrls) == 0 || seen[m.Mountpoint] {
			continue
		}
		seen[m.Mountpoint] = true
		// /proc/self/cgroup names the cgroup from the hierarchy's root; the
		// mount may show a subtree of it (a container without cgroupns).
		var path string
		for list, p := range own {
			if contains(strings.Split(list, ","), ctrls[0]) {
				path = p
			}
		}
		rel := path
		if m.Root != "/" {
			rel = strings.TrimPrefix(path, m.Root)
		}
		hs = append(hs, hierarchy{mount: m.Mountpoint, controllers: ctrls, own: filepath.Join(m.Mountpoint, rel)})
	}
	slices.SortFunc(hs, func(a, b hierarchy) int { return strings.Compare(a.mount, b.mount) })
	return hs, nil
}

// managedIn are the controllers of list nsexec manages.
func managedIn(list []string) []string {
	var out []string
	for _, c := range list {
		if contains(managed, c) {
			out = append(out, c)
		}
	}
	return out
}

// ownCgroups reads /proc/self/cgroup: controllers ("cpu,cpuacct"; "" for
// v2) to the cgroup path.
func ownCgroups() (map[string]string, error) { return cgroupsOf("/proc/self/cgroup") }

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
