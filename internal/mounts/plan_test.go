package mounts

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"nsexec/internal/plan"
	"nsexec/internal/spec"
)

// kinds abbreviates a plan to "kind dst" lines, for compact expectations.
func kinds(ops []Op) []string {
	var out []string
	for _, op := range ops {
		out = append(out, strings.TrimSpace(string(op.Kind)+" "+op.Dst))
	}
	return out
}

func TestPlanEmptyWithoutRootfsOrMounts(t *testing.T) {
	if ops := Plan(plan.New(spec.New())); len(ops) != 0 {
		t.Fatalf("plan for a run without a rootfs: %v", kinds(ops))
	}
}

func TestPlanRootfsOrder(t *testing.T) {
	s := spec.New()
	s.New[spec.PID] = true
	s.Rootfs.Dir = "/r"
	s.Rootfs.MaskedPaths, s.Rootfs.ReadOnlyPaths = MaskedPaths, ReadOnlyPaths
	s.Rootfs.Mounts = []spec.UserMount{
		{Kind: spec.MountTmpfs, Dst: "/tmp/"},
		{Kind: spec.MountBind, Src: "/h", Dst: "/tmp/h", ReadOnly: true},
		{Kind: spec.MountSymlink, Src: "h", Dst: "/tmp/l"},
	}
	ops := Plan(plan.New(s))
	got := kinds(ops)
	want := []string{"root", "fs /proc", "mask /proc/acpi"}
	if !reflect.DeepEqual(got[:3], want) {
		t.Fatalf("plan starts %v, want %v", got[:3], want)
	}
	// Each base comes with its masks right after it; the user's mounts
	// come after the bases, in the order given; pivot is last.
	idx := func(line string) int {
		for i, l := range got {
			if l == line {
				return i
			}
		}
		t.Fatalf("%q not in plan %v", line, got)
		return -1
	}
	order := []string{"fs /proc", "mask /proc/kcore", "ro /proc/sys", "fs /dev", "dev /dev/null", "fs /dev/pts",
		"fs /sys", "mask /sys/firmware", "fs /tmp", "bind /tmp/h", "symlink /tmp/l", "pivot"}
	for i := 1; i < len(order); i++ {
		if idx(order[i-1]) >= idx(order[i]) {
			t.Errorf("%q should come before %q in %v", order[i-1], order[i], got)
		}
	}
	if got[len(got)-1] != "pivot" {
		t.Errorf("last step %q, want pivot", got[len(got)-1])
	}
	if ro := ops[idx("bind /tmp/h")]; ro.Attr&rdonly == 0 || ro.Src != "/h" {
		t.Errorf("read-only bind: %+v", ro)
	}
	if idx("fs /dev/pts") < 0 || !slices.Contains(ops[idx("fs /dev/pts")].Options, "gid=5") {
		t.Errorf("devpts without a user namespace should own its ptys by group tty")
	}
}

func TestPlanOptions(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(s *spec.Spec)
		has     []string
		hasNot  []string
		checkOp func(t *testing.T, ops []Op)
	}{
		{
			name:   "no mask",
			edit:   func(s *spec.Spec) { s.Rootfs.MaskedPaths, s.Rootfs.ReadOnlyPaths = nil, nil },
			hasNot: []string{"mask /proc/kcore", "ro /proc/sys", "mask /sys/firmware"},
		},
		{
			name: "the run's own masks",
			edit: func(s *spec.Spec) {
				s.Rootfs.MaskedPaths, s.Rootfs.ReadOnlyPaths = []string{"/sys/kernel"}, []string{"/proc/sys/net"}
			},
			has:    []string{"mask /sys/kernel", "ro /proc/sys/net"},
			hasNot: []string{"mask /proc/kcore", "ro /proc/sys"},
		},
		{
			name:   "read-only root",
			edit:   func(s *spec.Spec) { s.Rootfs.ReadOnly = true },
			has:    []string{"rootro"},
			hasNot: nil,
		},
		{
			name:   "mqueue only with an IPC namespace",
			edit:   func(s *spec.Spec) { s.New[spec.IPC] = true },
			has:    []string{"fs /dev/mqueue"},
			hasNot: nil,
		},
		{
			name:   "no mqueue without one",
			edit:   func(s *spec.Spec) {},
			hasNot: []string{"fs /dev/mqueue", "file /etc/hostname", "rootro"},
		},
		{
			name: "hostname file",
			edit: func(s *spec.Spec) { s.Hostname = "box"; s.Rootfs.HostnameFile = true },
			has:  []string{"file /etc/hostname"},
			checkOp: func(t *testing.T, ops []Op) {
				for _, op := range ops {
					if op.Kind == File && op.Src != "box\n" {
						t.Errorf("hostname file holds %q", op.Src)
					}
				}
			},
		},
		{
			name: "user namespace: no tty group on devpts",
			edit: func(s *spec.Spec) { s.New[spec.User] = true },
			checkOp: func(t *testing.T, ops []Op) {
				for _, op := range ops {
					if op.FSType == "devpts" && slices.Contains(op.Options, "gid=5") {
						t.Errorf("devpts in a user namespace asks for gid 5: %v", op.Options)
					}
				}
			},
		},
		{
			name: "sysfs falls back to the host's, read-only",
			edit: func(s *spec.Spec) {},
			checkOp: func(t *testing.T, ops []Op) {
				for _, op := range ops {
					if op.FSType == "sysfs" && (op.Fallback != "/sys" || op.Attr&rdonly == 0) {
						t.Errorf("sysfs: %+v", op)
					}
				}
			},
		},
		{
			name: "overlay layers",
			edit: func(s *spec.Spec) {
				s.Rootfs.Mounts = []spec.UserMount{{Kind: spec.MountOverlay, Lower: []string{"/l1", "/l2"}, Upper: "/u", Work: "/w", Dst: "/o"}}
			},
			has: []string{"fs /o"},
			checkOp: func(t *testing.T, ops []Op) {
				for _, op := range ops {
					if op.FSType == "overlay" {
						want := []string{"lowerdir+=/l1", "lowerdir+=/l2", "upperdir=/u", "workdir=/w"}
						if !reflect.DeepEqual(op.Options, want) {
							t.Errorf("overlay options %v, want %v", op.Options, want)
						}
					}
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := spec.New()
			s.Rootfs.Dir = "/r"
			s.Rootfs.MaskedPaths, s.Rootfs.ReadOnlyPaths = MaskedPaths, ReadOnlyPaths
			tt.edit(s)
			ops := Plan(plan.New(s))
			got := kinds(ops)
			for _, h := range tt.has {
				if !slices.Contains(got, h) {
					t.Errorf("plan lacks %q: %v", h, got)
				}
			}
			for _, h := range tt.hasNot {
				if slices.Contains(got, h) {
					t.Errorf("plan has %q: %v", h, got)
				}
			}
			if tt.checkOp != nil {
				tt.checkOp(t, ops)
			}
		})
	}
}

// Everything inside /proc, /dev and /sys of a rootfs is resolved from the
// mount the run made there (In), the user's mounts too; only those three
// are bases; without a rootfs nothing is.
func TestPlanBases(t *testing.T) {
	s := spec.New()
	s.Rootfs.Dir = "/r"
	s.Rootfs.MaskedPaths, s.Rootfs.ReadOnlyPaths = MaskedPaths, ReadOnlyPaths
	s.New[spec.IPC] = true
	s.Rootfs.Mounts = []spec.UserMount{
		{Kind: spec.MountBind, Src: "/dev/fuse", Dst: "/dev/fuse"},
		{Kind: spec.MountMask, Dst: "/proc/cpuinfo"},
		{Kind: spec.MountTmpfs, Dst: "/devices"},
		{Kind: spec.MountMask, Dst: "/etc/shadow"},
	}
	var bases []string
	for _, op := range Plan(plan.New(s)) {
		if op.Base {
			bases = append(bases, op.Dst)
		}
		want := ""
		for _, b := range []string{"/proc", "/dev", "/sys"} {
			if strings.HasPrefix(op.Dst, b+"/") {
				want = b
			}
		}
		if op.In != want {
			t.Errorf("%s %s: in %q, want %q", op.Kind, op.Dst, op.In, want)
		}
		if op.Kind == Mask && op.In == "" && op.Dst != "/etc/shadow" {
			t.Errorf("mask %s resolved from the root", op.Dst)
		}
	}
	if want := []string{"/proc", "/dev", "/sys"}; !reflect.DeepEqual(bases, want) {
		t.Errorf("bases %v, want %v", bases, want)
	}
	s.Rootfs.Dir = ""
	for _, op := range Plan(plan.New(s)) {
		if op.Base || op.In != "" {
			t.Errorf("without a rootfs: %+v", op)
		}
	}
}

func TestPlanMountsWithoutRootfs(t *testing.T) {
	s := spec.New()
	s.Rootfs.Mounts = []spec.UserMount{
		{Kind: spec.MountMkdir, Dst: "/run/x//y/"},
		{Kind: spec.MountTmpfs, Dst: "/run/x/y", Options: []string{"size=1m"}},
	}
	got := kinds(Plan(plan.New(s)))
	want := []string{"mkdir /run/x/y", "fs /run/x/y"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan %v, want %v (no root, no base, no pivot)", got, want)
	}
}
