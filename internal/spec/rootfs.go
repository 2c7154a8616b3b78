package spec

import (
	"errors"
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

	// MaskedPaths are hidden, and ReadOnlyPaths made read-only, in the
	// run's own /proc and /sys, right after each is mounted: the front end
	// chooses them (nsexec: the paths OCI runtimes protect by default,
	// unless --no-mask). A path the kernel lacks is skipped.
	MaskedPaths, ReadOnlyPaths []string

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

// checkRootfs: what needs a root filesystem has one; mounts that stay
// inside the new root and cannot travel back to the host.
func checkRootfs(s *Spec) error {
	r := &s.Rootfs
	var errs []error
	if !r.Uses() {
		for _, f := range []struct {
			f   Field
			set bool
		}{
			{"rootfs.readOnly", r.ReadOnly}, {"rootfs.hostnameFile", r.HostnameFile},
			{"rootfs.maskedPaths", len(r.MaskedPaths) > 0}, {"rootfs.readOnlyPaths", len(r.ReadOnlyPaths) > 0},
		} {
			if f.set {
				errs = append(errs, errorf(f.f, "%s needs %s", f.f, Field("rootfs.dir")))
			}
		}
		return errors.Join(errs...)
	}
	if s.Propagation != PropPrivate && s.Propagation != PropSlave {
		// A mount made inside would travel back to the host through a
		// shared peer group.
		errs = append(errs, errorf("propagation", "%s and %s need %s private or slave, not %s", Field("rootfs.dir"), Field("rootfs.mounts"), Field("propagation"), s.Propagation))
	}
	if r.HostnameFile && (r.Dir == "" || s.Hostname == "") {
		errs = append(errs, errorf("rootfs.hostnameFile", "%s needs %s and a hostname (%s)", Field("rootfs.hostnameFile"), Field("rootfs.dir"), Field("hostname")))
	}
	for i, m := range r.Mounts {
		if err := m.check(Field("rootfs.mounts").Index(i)); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, checkProtected("rootfs.maskedPaths", r.MaskedPaths)...)
	errs = append(errs, checkProtected("rootfs.readOnlyPaths", r.ReadOnlyPaths)...)
	return errors.Join(errs...)
}

// check is the rules of the mount at field f ("rootfs.mounts[3]"). Its
// messages start with the field and the destination: "--tmpfs /tmp: ..."
// in nsexec's words.
func (m UserMount) check(f Field) error {
	if why, ok := checkInside(m.Dst); !ok {
		return errorf(f+".dst", "%s %s: %s", f, m.Dst, why)
	}
	hostPaths := []string{m.Src}
	switch m.Kind {
	case MountOverlay:
		if len(m.Lower) == 0 {
			return errorf(f+".lower", "%s %s: no lower directory", f, m.Dst)
		}
		if (m.Upper == "") != (m.Work == "") {
			return errorf(f+".work", "%s %s: an upper directory needs a work directory", f, m.Dst)
		}
		hostPaths = append(append([]string{}, m.Lower...), m.Upper, m.Work)
	case MountTmpfs, MountMkdir, MountMask:
		hostPaths = nil
	case MountSymlink:
		if m.Src == "" {
			return errorf(f+".src", "%s %s: empty symlink target", f, m.Dst)
		}
		hostPaths = nil
	}
	for _, p := range hostPaths {
		if p != "" && !path.IsAbs(p) {
			return errorf(f+".src", "%s %s: %s: host path must be absolute", f, m.Dst, p)
		}
	}
	return nil
}

// checkProtected checks masked or read-only paths: the mount plan applies
// them inside the run's own /proc and /sys (internal/mounts), so a path
// elsewhere would be left as it is.
func checkProtected(list Field, paths []string) []error {
	var errs []error
	for i, p := range paths {
		if why, ok := checkInside(p); !ok {
			errs = append(errs, errorf(list.Index(i), "%s %s: %s", list, p, why))
		} else if !strings.HasPrefix(p, "/proc/") && !strings.HasPrefix(p, "/sys/") {
			errs = append(errs, errorf(list.Index(i), "%s %s: only paths in /proc and /sys are protected", list, p))
		}
	}
	return errs
}

// checkInside refuses a destination that is not an absolute path inside the
// new root. ".." is refused rather than cleaned away: nobody means it.
func checkInside(p string) (why phrase, ok bool) {
	if !path.IsAbs(p) {
		return phrasef("destination must be an absolute path inside the root"), false
	}
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return phrasef(`destination must not leave the root through ".."`), false
		}
	}
	if path.Clean(p) == "/" {
		return phrasef("destination is the root itself; use %s", Field("rootfs.dir")), false
	}
	return phrase{}, true
}
