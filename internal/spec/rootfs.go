package spec

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// Rootfs is the root filesystem and the mounts of a run.
type Rootfs struct {
	Dir      string // host directory that becomes / inside; empty: keep the host's root
	ReadOnly bool   // make the new root read-only

	// Mounts are the user's mounts, applied in the order given, after the
	// base filesystems (/proc, /dev, /sys) and before the masks.
	Mounts []UserMount

	NoMask       bool // leave the sensitive /proc and /sys paths as they are
	HostnameFile bool // bind a file holding the hostname onto /etc/hostname
}

// MountKind is what a UserMount does.
type MountKind string

const (
	MountBind    MountKind = "bind"    // Src (host path) onto Dst
	MountTmpfs   MountKind = "tmpfs"   // a fresh tmpfs on Dst, Options as given
	MountOverlay MountKind = "overlay" // Lower (host paths), Upper, Work onto Dst
	MountMkdir   MountKind = "mkdir"   // a directory at Dst
	MountSymlink MountKind = "symlink" // a symlink at Dst pointing to Src
	MountMask    MountKind = "mask"    // hide Dst, which must exist
)

// UserMount is one mount or one file the user asked for. Dst is a path inside
// the new root; host paths (Src of a bind, the overlay's layers) are
// absolute paths on the host.
type UserMount struct {
	Kind     MountKind
	Src      string
	Dst      string
	ReadOnly bool
	Options  []string // tmpfs options, "key=value" or "key"
	Lower    []string // overlay lower layers, uppermost first
	Upper    string   // overlay upper and work dirs; empty: a read-only overlay
	Work     string
}

// Uses reports whether the run sets up any mount of this feature.
func (r *Rootfs) Uses() bool { return r.Dir != "" || len(r.Mounts) > 0 }

func init() {
	addCheck(func(s *Spec) error {
		r := &s.Rootfs
		if !r.Uses() {
			if r.ReadOnly || r.HostnameFile || r.NoMask {
				return errors.New("--read-only, --hostname-file and --no-mask need --rootfs")
			}
			return nil
		}
		var errs []error
		if s.Propagation != PropPrivate && s.Propagation != PropSlave {
			// A mount made inside would travel back to the host through a
			// shared peer group.
			errs = append(errs, fmt.Errorf("--rootfs and mount options need --propagation private or slave, not %s", s.Propagation))
		}
		if r.HostnameFile && (r.Dir == "" || s.Hostname == "") {
			errs = append(errs, errors.New("--hostname-file needs --rootfs and a hostname (-u)"))
		}
		for _, m := range r.Mounts {
			if err := m.check(); err != nil {
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
}

func (m UserMount) check() error {
	what := fmt.Sprintf("--%s %s", m.Kind, m.Dst)
	if err := checkInside(m.Dst); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	hostPaths := []string{m.Src}
	switch m.Kind {
	case MountOverlay:
		if len(m.Lower) == 0 {
			return fmt.Errorf("%s: no lower directory", what)
		}
		if (m.Upper == "") != (m.Work == "") {
			return fmt.Errorf("%s: an upper directory needs a work directory", what)
		}
		hostPaths = append(append([]string{}, m.Lower...), m.Upper, m.Work)
	case MountTmpfs, MountMkdir, MountMask:
		hostPaths = nil
	case MountSymlink:
		if m.Src == "" {
			return fmt.Errorf("%s: empty symlink target", what)
		}
		hostPaths = nil
	}
	for _, p := range hostPaths {
		if p != "" && !path.IsAbs(p) {
			return fmt.Errorf("%s: %s: host path must be absolute", what, p)
		}
	}
	return nil
}

// checkInside refuses a destination that is not an absolute path inside the
// new root. ".." is refused rather than cleaned away: nobody means it.
func checkInside(p string) error {
	if !path.IsAbs(p) {
		return errors.New("destination must be an absolute path inside the root")
	}
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return errors.New(`destination must not leave the root through ".."`)
		}
	}
	if path.Clean(p) == "/" {
		return errors.New("destination is the root itself; use --rootfs")
	}
	return nil
}
