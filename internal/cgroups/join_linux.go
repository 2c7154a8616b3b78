package cgroups

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// Member is one cgroup another process is in, opened for a single-threaded
// init to join by writing "0": "tasks" on v1, "cgroup.procs" on v2.
type Member struct {
	File *os.File
	Name string // "memory:/nsexec/nsexec-1-2", for the trace and errors
}

// OpenMembership opens, in nsexec's own mount namespace, the cgroups pid is
// in and nsexec is not, so that a joined CMD (nsexec --join) ends up under
// its target's limits and device rules, as `runc exec` does (issue 9, hole
// 6). Every path is resolved beneath its hierarchy's mount, without
// symlinks. Named v1 hierarchies (name=systemd) hold no controller and are
// left alone.
func OpenMembership(pid int) (out []Member, err error) {
	theirs, err := cgroupsOf("/proc/" + strconv.Itoa(pid) + "/cgroup")
	if err != nil {
		return nil, err
	}
	ours, err := ownCgroups()
	if err != nil {
		return nil, err
	}
	var mounts []*mountinfo.Info
	defer func() {
		if err != nil {
			for _, m := range out {
				m.File.Close()
			}
			out = nil
		}
	}()
	for ctrls, path := range theirs {
		if ours[ctrls] == path || strings.HasPrefix(ctrls, "name=") {
			continue
		}
		if mounts == nil {
			if mounts, err = mountinfo.GetMounts(mountinfo.FSTypeFilter("cgroup", "cgroup2")); err != nil {
				return nil, fmt.Errorf("cgroup: read mountinfo: %w", err)
			}
		}
		m, err := openMember(mounts, ctrls, path)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// cgroupsOf reads a /proc/PID/cgroup file: controllers ("" for v2) to path.
func cgroupsOf(file string) (map[string]string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if parts := strings.SplitN(line, ":", 3); len(parts) == 3 {
			out[parts[1]] = parts[2]
		}
	}
	return out, nil
}

func openMember(mounts []*mountinfo.Info, ctrls, path string) (Member, error) {
	name := ctrls + ":" + path
	if ctrls == "" {
		name = "v2:" + path
	}
	for _, m := range mounts {
		if (ctrls == "") != (m.FSType == "cgroup2") || !hasAll(m.VFSOptions, ctrls) {
			continue
		}
		rel, ok := strings.CutPrefix(path, m.Root)
		if !ok || (rel != "" && m.Root != "/" && rel[0] != '/') {
			continue // mounted from elsewhere in the hierarchy
		}
		file := "tasks"
		if ctrls == "" {
			file = "cgroup.procs"
		}
		f, err := openBeneath(m.Mountpoint, filepath.Join(strings.TrimPrefix(rel, "/"), file))
		if err != nil {
			return Member{}, fmt.Errorf("cgroup: the target's %s: %w", name, err)
		}
		return Member{File: f, Name: name}, nil
	}
	return Member{}, fmt.Errorf("cgroup: the target's %s: its hierarchy is not mounted here", name)
}

// hasAll reports whether a v1 mount's options name every controller of
// ctrls ("cpu,cpuacct").
func hasAll(opts, ctrls string) bool {
	if ctrls == "" {
		return true
	}
	list := strings.Split(opts, ",")
	for _, c := range strings.Split(ctrls, ",") {
		if !contains(list, c) {
			return false
		}
	}
	return true
}

// openBeneath opens rel under the cgroup file system mounted at mount for
// writing, never following a symlink or leaving the mount.
func openBeneath(mount, rel string) (*os.File, error) {
	dir, err := unix.Open(mount, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dir)
	var st unix.Statfs_t
	if err := unix.Fstatfs(dir, &st); err != nil {
		return nil, err
	}
	if st.Type != unix.CGROUP_SUPER_MAGIC && st.Type != unix.CGROUP2_SUPER_MAGIC {
		return nil, fmt.Errorf("%s is not a cgroup file system", mount)
	}
	fd, err := unix.Openat2(dir, rel, &unix.OpenHow{
		Flags:   unix.O_WRONLY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", filepath.Join(mount, rel), err)
	}
	return os.NewFile(uintptr(fd), filepath.Join(mount, rel)), nil
}
