package mounts

import (
	"path"
	"strings"

	"golang.org/x/sys/unix"

	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

// Kind is what one operation does.
type Kind string

const (
	// Root binds the rootfs (Src, a host path) recursively onto itself:
	// that mount becomes the new root, and every later Dst is inside it.
	Root Kind = "root"
	// FS mounts a fresh filesystem of type FSType, source Src, configured
	// with Options, on Dst. When the kernel refuses it (EPERM) and Fallback
	// is set, the host path Fallback is bound there instead.
	FS Kind = "fs"
	// Bind binds the host path Src, with its submounts, onto Dst.
	Bind Kind = "bind"
	// Device makes the device node Dst like the host's Src: mknod where
	// allowed, else (in a user namespace) a bind of the host's node.
	Device Kind = "dev"
	// Console binds the terminal on stdin, stdout or stderr onto Dst when
	// there is one.
	Console Kind = "console"
	// Mkdir makes the directory Dst (mode 0755).
	Mkdir Kind = "mkdir"
	// Symlink makes Dst a symlink to Src.
	Symlink Kind = "symlink"
	// Mask hides Dst: /dev/null over a file, an empty read-only tmpfs over
	// a directory.
	Mask Kind = "mask"
	// ReadOnly binds Dst onto itself, read-only with its submounts.
	ReadOnly Kind = "ro"
	// File binds a file holding Src onto Dst (e.g. the hostname).
	File Kind = "file"
	// RootReadOnly makes the new root's own mount read-only.
	RootReadOnly Kind = "rootro"
	// Pivot makes the new root the root (pivot_root) and detaches the old.
	Pivot Kind = "pivot"
)

// Op is one step of a plan.
type Op struct {
	Kind     Kind
	Src      string
	Dst      string
	FSType   string
	Options  []string // "key=value" or "key", one fsconfig call each
	Attr     uint64   // MOUNT_ATTR_* flags of the new mount
	IfExists bool     // skip a Dst that does not exist where it is resolved (a default mask this kernel lacks), rather than fail
	Fallback string
	// Base marks a filesystem of the run's own (/proc, /dev, /sys): its
	// Dst must be a real directory (a symlink there is refused), and later
	// operations name it with In.
	Base bool
	// In is the Dst of an earlier Base: Dst is inside that mount, and is
	// resolved from the mount itself, never through a symlink, so that
	// whatever the rootfs's owner renames meanwhile, the masks, devices
	// and submounts land in the filesystem they are for.
	In string
}

const (
	nosuid = unix.MOUNT_ATTR_NOSUID
	nodev  = unix.MOUNT_ATTR_NODEV
	noexec = unix.MOUNT_ATTR_NOEXEC
	rdonly = unix.MOUNT_ATTR_RDONLY
)

// MaskedPaths are the paths OCI runtimes hide in a container by default:
// they show the host's kernel memory, keys, timers and hardware. A front
// end chooses them for a run (spec.Rootfs.MaskedPaths): nsexec for a
// --rootfs run, unless --no-mask.
var MaskedPaths = []string{
	"/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
	"/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
	"/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
	"/sys/fs/selinux", "/sys/dev/block",
}

// ReadOnlyPaths are the paths OCI runtimes make read-only in a container
// by default: writing there changes the host's kernel. A front end chooses
// them for a run (spec.Rootfs.ReadOnlyPaths), as MaskedPaths.
var ReadOnlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}

// devices are the nodes of the minimal /dev.
var devices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// devLinks are its symlinks, link and target.
var devLinks = [][2]string{
	{"/dev/fd", "/proc/self/fd"}, {"/dev/stdin", "/proc/self/fd/0"},
	{"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"},
	{"/dev/ptmx", "pts/ptmx"},
}

// Plan turns a spec into the operations that set up its filesystem, in
// order. It is empty when the run asks for no rootfs and no mounts.
func Plan(p *plan.Plan) []Op {
	s := p.Spec
	r := &s.Rootfs
	var ops []Op
	if r.Dir != "" {
		ops = append(ops, Op{Kind: Root, Src: r.Dir})
		ops = append(ops, base(s)...)
	}
	if r.Dir != "" && p.HostsFile != "" {
		// The bridge's names and nameservers (see internal/network).
		ops = append(ops,
			Op{Kind: Bind, Src: p.HostsFile, Dst: "/etc/hosts", Attr: rdonly | nosuid | nodev | noexec},
			Op{Kind: Bind, Src: p.ResolvFile, Dst: "/etc/resolv.conf", Attr: rdonly | nosuid | nodev | noexec})
	}
	for _, m := range r.Mounts {
		m.Dst = path.Clean(m.Dst)
		op := userOp(m)
		if r.Dir != "" {
			op.In = baseOf(op.Dst)
		}
		ops = append(ops, op)
	}
	if r.Dir == "" {
		return ops
	}
	if r.HostnameFile {
		ops = append(ops, Op{Kind: File, Src: s.Hostname + "\n", Dst: "/etc/hostname"})
	}
	if r.ReadOnly {
		ops = append(ops, Op{Kind: RootReadOnly})
	}
	return append(ops, Op{Kind: Pivot})
}

// bases are the filesystems every rootfs gets, each mounted by base and
// named by the later operations inside it (Op.In).
var bases = []string{"/proc", "/dev", "/sys"}

// baseOf is the base that p is in (or is), or "".
func baseOf(p string) string {
	for _, b := range bases {
		if p == b || strings.HasPrefix(p, b+"/") {
			return b
		}
	}
	return ""
}

// base is what every rootfs gets: /proc, a minimal /dev, a read-only /sys,
// each with its masks right after it, before the user's
// mounts: those are the user's explicit choice, and come on top.
func base(s *spec.Spec) []Op {
	ops := []Op{{Kind: FS, FSType: "proc", Src: "proc", Dst: "/proc", Attr: nosuid | nodev | noexec, Base: true}}
	ops = append(ops, masks(s, "/proc")...)
	// Not nodev: the device nodes below live here.
	ops = append(ops, Op{Kind: FS, FSType: "tmpfs", Src: "tmpfs", Dst: "/dev", Options: []string{"mode=755", "size=65536k"}, Attr: nosuid | noexec, Base: true})
	for _, d := range devices {
		ops = append(ops, Op{Kind: Device, Src: "/dev/" + d, Dst: "/dev/" + d, In: "/dev"})
	}
	for _, l := range devLinks {
		ops = append(ops, Op{Kind: Symlink, Src: l[1], Dst: l[0], In: "/dev"})
	}
	pts := []string{"newinstance", "ptmxmode=0666", "mode=0620"}
	if !s.Has(spec.User) {
		pts = append(pts, "gid=5") // tty; unmapped in a user namespace
	}
	ops = append(ops,
		Op{Kind: FS, FSType: "devpts", Src: "devpts", Dst: "/dev/pts", Options: pts, Attr: nosuid | noexec, In: "/dev"},
		Op{Kind: FS, FSType: "tmpfs", Src: "shm", Dst: "/dev/shm", Options: []string{"mode=1777", "size=65536k"}, Attr: nosuid | nodev | noexec, In: "/dev"},
	)
	// The queues are those of the IPC namespace that mounts them: without
	// a new one they would be the host's.
	if s.Has(spec.IPC) {
		ops = append(ops, Op{Kind: FS, FSType: "mqueue", Src: "mqueue", Dst: "/dev/mqueue", Attr: nosuid | nodev | noexec, In: "/dev"})
	}
	ops = append(ops,
		Op{Kind: Console, Dst: "/dev/console", In: "/dev"},
		// sysfs shows the network devices of the netns that mounts it, so a
		// user namespace may mount it only with a netns of its own;
		// otherwise the host's /sys is bound, read-only all the same.
		Op{Kind: FS, FSType: "sysfs", Src: "sysfs", Dst: "/sys", Attr: rdonly | nosuid | nodev | noexec, Fallback: "/sys", Base: true},
	)
	return append(ops, masks(s, "/sys")...)
}

// masks are the run's masked and read-only paths inside the base b. Each is
// skipped only where the kernel lacks it: the init looks it up in the
// filesystem it just mounted, nowhere else.
func masks(s *spec.Spec, b string) []Op {
	var ops []Op
	for _, p := range s.Rootfs.MaskedPaths {
		if baseOf(p) == b {
			ops = append(ops, Op{Kind: Mask, Dst: p, IfExists: true, In: b})
		}
	}
	for _, p := range s.Rootfs.ReadOnlyPaths {
		if baseOf(p) == b {
			ops = append(ops, Op{Kind: ReadOnly, Dst: p, IfExists: true, In: b})
		}
	}
	return ops
}

// userOp is one of the user's mount options.
func userOp(m spec.UserMount) Op {
	switch m.Kind {
	case spec.MountBind:
		op := Op{Kind: Bind, Src: m.Src, Dst: m.Dst}
		if m.ReadOnly {
			op.Attr = rdonly
		}
		return op
	case spec.MountTmpfs:
		return Op{Kind: FS, FSType: "tmpfs", Src: "tmpfs", Dst: m.Dst, Options: m.Options, Attr: nosuid | nodev}
	case spec.MountOverlay:
		var opts []string
		for _, l := range m.Lower {
			opts = append(opts, "lowerdir+="+l)
		}
		if m.Upper != "" {
			opts = append(opts, "upperdir="+m.Upper, "workdir="+m.Work)
		}
		return Op{Kind: FS, FSType: "overlay", Src: "overlay", Dst: m.Dst, Options: opts}
	case spec.MountMkdir:
		return Op{Kind: Mkdir, Dst: m.Dst}
	case spec.MountSymlink:
		return Op{Kind: Symlink, Src: m.Src, Dst: m.Dst}
	case spec.MountMask:
		return Op{Kind: Mask, Dst: m.Dst}
	}
	panic("mounts: unknown kind " + string(m.Kind))
}
