package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"nsexec/internal/spec"
)

// rootfsFlags are the root filesystem and the mounts. The mount options
// share one list, so that they apply in the order they were given.
type rootfsFlags struct {
	dir      string
	readOnly bool
	noMask   bool
	hostFile bool
	mounts   []spec.UserMount
}

func (o *rootfsFlags) register(f *pflag.FlagSet) {
	f.StringVar(&o.dir, "rootfs", "", "run CMD with `DIR` as its root (pivot_root), as a container: its own /proc, /dev, /sys and mount, PID, UTS, IPC, cgroup namespaces (--share-KIND keeps one)")
	f.BoolVar(&o.readOnly, "read-only", false, "make the root filesystem read-only")
	add := func(name, syntax string, kind spec.MountKind, parse func(string) (spec.UserMount, error), usage string) {
		f.Var(&mountList{o: o, kind: kind, syntax: syntax, parse: parse}, name, usage)
	}
	add("bind", "SRC:DST[:ro]", spec.MountBind, parseBind(false), "bind host path SRC on DST, read-only with :ro (mounts apply in the order given)")
	add("ro-bind", "SRC:DST", spec.MountBind, parseBind(true), "bind host path SRC on DST, read-only")
	add("tmpfs", "DST[:OPTS]", spec.MountTmpfs, parseTmpfs, "mount a tmpfs on DST, e.g. /tmp:size=64m,mode=1777")
	add("overlay", "LOWER[:LOWER...]:UPPER:WORK:DST", spec.MountOverlay, parseOverlay, "mount an overlay of host dirs on DST (empty UPPER and WORK: read-only)")
	add("mkdir", "DIR", spec.MountMkdir, parseMkdir, "create a directory inside")
	add("symlink", "TARGET:LINK", spec.MountSymlink, parseSymlink, "create a symlink inside")
	add("mask", "PATH", spec.MountMask, parseMkdir, "hide PATH inside (a file under /dev/null, a directory under an empty tmpfs); PATH must exist")
	f.BoolVar(&o.noMask, "no-mask", false, "leave the sensitive /proc and /sys paths unmasked and writable")
	f.BoolVar(&o.hostFile, "hostname-file", false, "show the -u hostname in /etc/hostname inside")
}

func (o *rootfsFlags) apply(f *pflag.FlagSet, s *spec.Spec) error {
	r := &s.Rootfs
	if o.dir != "" {
		abs, err := filepath.Abs(o.dir)
		if err != nil {
			return fmt.Errorf("--rootfs %s: %w", o.dir, err)
		}
		r.Dir = abs
	} else if f.Changed("rootfs") {
		return fmt.Errorf("--rootfs: empty directory name")
	}
	r.ReadOnly, r.HostnameFile, r.Mounts = o.readOnly, o.hostFile, o.mounts
	if !r.Uses() && (o.readOnly || o.hostFile || o.noMask) {
		return errors.New("--read-only, --hostname-file and --no-mask need --rootfs")
	}
	if r.Uses() {
		s.New[spec.Mount] = true
		if r.Dir != "" {
			s.MountProc = true // a rootfs always gets its own /proc
		}
	}
	return nil
}

// mountList is one mount option; every one appends to the shared list.
type mountList struct {
	o      *rootfsFlags
	kind   spec.MountKind
	syntax string
	parse  func(string) (spec.UserMount, error)
}

func (l *mountList) Set(v string) error {
	m, err := l.parse(v)
	if err != nil {
		return err
	}
	m.Kind = l.kind
	// Host paths are taken relative to nsexec's own directory.
	if m.Kind == spec.MountBind {
		m.Src = absPath(m.Src)
	}
	for i := range m.Lower {
		m.Lower[i] = absPath(m.Lower[i])
	}
	m.Upper, m.Work = absPath(m.Upper), absPath(m.Work)
	l.o.mounts = append(l.o.mounts, m)
	return nil
}

func (l *mountList) String() string { return "" }
func (l *mountList) Type() string   { return l.syntax } // the help shows it as the value's name

func parseBind(ro bool) func(string) (spec.UserMount, error) {
	return func(v string) (spec.UserMount, error) {
		parts := strings.Split(v, ":")
		if len(parts) == 3 && !ro && (parts[2] == "ro" || parts[2] == "rw") {
			return spec.UserMount{Src: parts[0], Dst: parts[1], ReadOnly: parts[2] == "ro"}, nil
		}
		if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
			return spec.UserMount{}, fmt.Errorf("%q: want SRC:DST%s", v, map[bool]string{false: "[:ro]"}[ro])
		}
		return spec.UserMount{Src: parts[0], Dst: parts[1], ReadOnly: ro}, nil
	}
}

func parseTmpfs(v string) (spec.UserMount, error) {
	dst, opts, _ := strings.Cut(v, ":")
	m := spec.UserMount{Dst: dst}
	if opts != "" {
		m.Options = strings.Split(opts, ",")
	}
	return m, nil
}

func parseOverlay(v string) (spec.UserMount, error) {
	parts := strings.Split(v, ":")
	if len(parts) < 4 {
		return spec.UserMount{}, fmt.Errorf("%q: want LOWER[:LOWER...]:UPPER:WORK:DST", v)
	}
	n := len(parts)
	return spec.UserMount{Lower: parts[:n-3], Upper: parts[n-3], Work: parts[n-2], Dst: parts[n-1]}, nil
}

func parseMkdir(v string) (spec.UserMount, error) { return spec.UserMount{Dst: v}, nil }

func parseSymlink(v string) (spec.UserMount, error) {
	target, link, ok := strings.Cut(v, ":")
	if !ok {
		return spec.UserMount{}, fmt.Errorf("%q: want TARGET:LINK", v)
	}
	return spec.UserMount{Src: target, Dst: link}, nil
}

func absPath(p string) string {
	if p == "" {
		return p
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
