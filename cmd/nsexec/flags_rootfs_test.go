package main

import (
	"reflect"
	"strings"
	"testing"

	"nsexec/internal/mounts"
	"nsexec/internal/security"
	"nsexec/internal/spec"
)

func TestRootfsFlags(t *testing.T) {
	s, err := parse([]string{"--rootfs", "/r", "--read-only", "--tmpfs", "/tmp:size=1m,mode=1777",
		"--bind", "/a:/x", "--ro-bind", "/b:/y", "--bind", "/c:/z:ro", "--mkdir", "/d",
		"--symlink", "t:/l", "--overlay", "/l1:/l2:/u:/w:/o", "--overlay", "/l1:/l2:::/o2", "true"})
	if err != nil {
		t.Fatal(err)
	}
	want := []spec.UserMount{
		{Kind: spec.MountTmpfs, Dst: "/tmp", Options: []string{"size=1m", "mode=1777"}},
		{Kind: spec.MountBind, Src: "/a", Dst: "/x"},
		{Kind: spec.MountBind, Src: "/b", Dst: "/y", ReadOnly: true},
		{Kind: spec.MountBind, Src: "/c", Dst: "/z", ReadOnly: true},
		{Kind: spec.MountMkdir, Dst: "/d"},
		{Kind: spec.MountSymlink, Src: "t", Dst: "/l"},
		{Kind: spec.MountOverlay, Lower: []string{"/l1", "/l2"}, Upper: "/u", Work: "/w", Dst: "/o"},
		{Kind: spec.MountOverlay, Lower: []string{"/l1", "/l2"}, Dst: "/o2"},
	}
	if !reflect.DeepEqual(s.Rootfs.Mounts, want) {
		t.Errorf("mounts, in the order given:\n got %+v\nwant %+v", s.Rootfs.Mounts, want)
	}
	if s.Rootfs.Dir != "/r" || !s.Rootfs.ReadOnly || !s.Has(spec.Mount) || !s.MountProc {
		t.Errorf("rootfs %+v, mount ns %v, proc %v", s.Rootfs, s.Has(spec.Mount), s.MountProc)
	}
}

func TestRootfsFlagsRelativeHostPaths(t *testing.T) {
	s, err := parse([]string{"--rootfs", "r", "--bind", "a:/x", "true"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s.Rootfs.Dir, "/") || !strings.HasPrefix(s.Rootfs.Mounts[0].Src, "/") {
		t.Errorf("host paths not made absolute: %q %q", s.Rootfs.Dir, s.Rootfs.Mounts[0].Src)
	}
}

func TestRootfsFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--bind", "/a", "true"}, `"/a": want SRC:DST[:ro]`},
		{[]string{"--bind", "/a:/b:rx", "true"}, `want SRC:DST[:ro]`},
		{[]string{"--ro-bind", "/a:/b:ro", "true"}, `"/a:/b:ro": want SRC:DST`},
		{[]string{"--overlay", "/a:/b", "true"}, "want LOWER[:LOWER...]:UPPER:WORK:DST"},
		{[]string{"--overlay", "/a:/u::/o", "true"}, "an upper directory needs a work directory"},
		{[]string{"--symlink", "/a", "true"}, "want TARGET:LINK"},
		{[]string{"--rootfs", "", "true"}, "--rootfs: empty directory name"},
		{[]string{"--tmpfs", "tmp", "true"}, "--tmpfs tmp: destination must be an absolute path"},
		{[]string{"--mkdir", "/", "true"}, "destination is the root itself"},
		{[]string{"--hostname-file", "--rootfs", "/r", "true"}, "--hostname-file needs --rootfs and a hostname (-u)"},
		{[]string{"--uid", "-1", "true"}, `--uid "-1": want a numeric ID`},
		{[]string{"--groups", "1,x", "true"}, `--groups "x": want a numeric ID`},
	}
	for _, tt := range tests {
		_, err := parse(tt.args)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestProcessFlags(t *testing.T) {
	s, err := parse([]string{"--chdir", "/w", "--clear-env", "--env", "A=1", "--env", "B=2", "--uid", "1", "--gid", "2", "--groups", "", "true"})
	if err != nil {
		t.Fatal(err)
	}
	p := s.Process
	if p.Dir != "/w" || !p.ClearEnv || !reflect.DeepEqual(p.Env, []string{"A=1", "B=2"}) ||
		*p.UID != 1 || *p.GID != 2 || !p.SetGroups || len(p.Groups) != 0 {
		t.Errorf("process %+v", p)
	}
}

// A --rootfs run is a container: its own PID, mount, UTS, IPC and cgroup
// namespaces unless --share-KIND (or joining) says otherwise; the network
// stays as asked.
func TestRootfsContainerNamespaces(t *testing.T) {
	tests := []struct{ line, kinds string }{
		{"--rootfs /r true", "mnt uts ipc pid cgroup"},
		{"--rootfs /r -n true", "mnt uts ipc pid net cgroup"},
		{"--rootfs /r --network none true", "mnt uts ipc pid net cgroup"},
		{"--rootfs /r --share-pid --share-ipc true", "mnt uts cgroup"},
		{"--rootfs /r --share-uts --share-cgroup --share-net true", "mnt ipc pid"},
		{"--rootfs /r --join-pid 7 --join-uts /run/x true", "mnt ipc cgroup"},
		{"--rootfs /r --join web true", "mnt"},
		{"--rootfs /r -U true", "user mnt uts ipc pid cgroup"},
		{"-a --share-net --share-time true", "user mnt uts ipc pid cgroup"},
		{"--share-pid true", ""},
		{"-m --tmpfs /x true", "mnt"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			s, err := parse(strings.Fields(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			if got := spec.KindsString(s.Kinds()); got != tt.kinds {
				t.Errorf("kinds %q, want %q", got, tt.kinds)
			}
		})
	}
	for _, tt := range []struct{ line, want string }{
		{"--rootfs /r --share-mount true", "mnt namespace: both new and shared (--rootfs and mount options need a mount namespace of their own)"},
		{"--rootfs /r -p --share-pid true", "--pid and --share-pid: a namespace is either new or shared"},
		{"--share-mount -p true", "mnt namespace: both new and shared (a new PID namespace needs a new mount namespace"},
		{"-u h --share-uts true", "--uts and --share-uts"},
		{"--join-net 5 --share-net true", "--join-net and --share-net: a namespace is either joined or shared"},
	} {
		if _, err := parse(strings.Fields(tt.line)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.line, err, tt.want)
		}
	}
}

// A --rootfs run gets Docker's defaults, filled in by nsexec (the spec has
// none of its own), each unless the command line says otherwise.
func TestRootfsContainerDefaults(t *testing.T) {
	docker := security.DockerDefaultCaps.Names()
	tests := []struct {
		line     string
		caps     []string
		nnp      bool
		seccomp  string
		devices  string
		fallback bool
		masks    bool
	}{
		{"true", nil, false, "", "", false, false},
		{"--rootfs /r true", docker, true, "default", "default", true, true},
		{"--rootfs /r --no-new-privs=false --seccomp unconfined --devices all --no-mask true", docker, false, "unconfined", "all", false, false},
		{"--rootfs /r --devices default true", docker, true, "default", "default", false, true},
		{"--rootfs /r -U true", docker, true, "default", "", false, true},
		{"--rootfs /r --join web true", docker, true, "", "", false, true},
		{"--no-new-privs --seccomp default --devices default true", nil, true, "default", "default", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			s, err := parse(strings.Fields(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			sec, l, r := s.Security, s.Limits, s.Rootfs
			if !reflect.DeepEqual(sec.Caps, tt.caps) || sec.NoNewPrivs != tt.nnp || sec.Seccomp != tt.seccomp {
				t.Errorf("security %+v", sec)
			}
			if l.Devices != tt.devices || l.DevicesFallback != tt.fallback {
				t.Errorf("devices %q, fallback %v", l.Devices, l.DevicesFallback)
			}
			masked := reflect.DeepEqual(r.MaskedPaths, mounts.MaskedPaths) && reflect.DeepEqual(r.ReadOnlyPaths, mounts.ReadOnlyPaths)
			if masked != tt.masks || (!tt.masks && len(r.MaskedPaths)+len(r.ReadOnlyPaths) > 0) {
				t.Errorf("masked %v, read-only %v", r.MaskedPaths, r.ReadOnlyPaths)
			}
		})
	}
	for _, line := range []string{"--no-mask true", "--read-only true", "--hostname-file -u h true"} {
		if _, err := parse(strings.Fields(line)); err == nil || err.Error() != "--read-only, --hostname-file and --no-mask need --rootfs" {
			t.Errorf("%s: %v", line, err)
		}
	}
}
