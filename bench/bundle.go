package main

// Shared helpers for the cases that need a root filesystem or an OCI bundle
// (rootfs, limits...): a busybox rootfs, an OCI bundle around it for runc and
// crun, and the command lines that run it. Paths are fixed when a case is
// declared (its command lines name them) and made by its Setup.

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// benchDir is where a case named name keeps its files: under one directory
// per bench process, so two runs never share a rootfs or a container ID.
func benchDir(name string) string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("nsexec-bench-%d", os.Getpid()), name)
}

// removeBenchDir removes dir, and its parent when no other case uses it.
func removeBenchDir(dir string) {
	os.RemoveAll(dir)
	os.Remove(filepath.Dir(dir)) // fails while other cases' dirs remain
}

// rootfsDirs are made empty; proc, dev, sys are mount points for the runtime.
var rootfsDirs = []string{"bin", "sbin", "usr/bin", "usr/sbin", "etc", "root", "proc", "dev", "sys", "run", "tmp"}

var rootfsFiles = map[string]string{
	"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
	"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	"etc/hosts":  "127.0.0.1\tlocalhost\n",
}

// buildRootfs fills dir with a minimal root filesystem: a static busybox
// (Debian's busybox-static) as /bin/busybox, a symbolic link to it for each
// applet at the place `busybox --list-full` gives (what `busybox --install
// -s` makes), a passwd and group with root and nobody, and empty proc, dev,
// sys, run and tmp.
func buildRootfs(dir string) error {
	busybox, err := staticBusybox()
	if err != nil {
		return err
	}
	for _, d := range rootfsDirs {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(dir, "tmp"), os.ModeSticky|0o777); err != nil {
		return err
	}
	for name, text := range rootfsFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	if err := copyFile(busybox, filepath.Join(dir, "bin", "busybox"), 0o755); err != nil {
		return err
	}
	out, err := exec.Command(busybox, "--list-full").Output()
	if err != nil {
		return fmt.Errorf("busybox --list-full: %w", err)
	}
	for _, applet := range strings.Fields(string(out)) {
		if applet == "bin/busybox" || strings.Contains(applet, "..") {
			continue
		}
		link := filepath.Join(dir, applet)
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			return err
		}
		if err := os.Symlink("/bin/busybox", link); err != nil && !os.IsExist(err) {
			return err
		}
	}
	return nil
}

// staticBusybox finds busybox on PATH and makes sure it needs no shared
// library, since nothing else will be in the rootfs.
func staticBusybox() (string, error) {
	path, err := exec.LookPath("busybox")
	if err != nil {
		return "", fmt.Errorf("busybox is not installed (apt-get install busybox-static)")
	}
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s is dynamically linked: install busybox-static", path)
		}
	}
	return path, nil
}

func copyFile(from, to string, mode os.FileMode) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, data, mode)
}

// A bundle is an OCI bundle for runc and crun: config.json from `runc spec`
// (as root: not rootless) with Args as the process, no terminal, and Edit's
// changes, around a busybox rootfs in Dir/rootfs.
type bundle struct {
	Dir  string
	ID   string // container ID, unique to this bench process
	Args []string
	Edit func(*specs.Spec) // optional: what the case needs (limits, mounts...)
}

// newBundle declares a bundle for the case name; its Setup makes it.
func newBundle(name string, args ...string) *bundle {
	return &bundle{Dir: benchDir(name), ID: fmt.Sprintf("nsexec-bench-%d-%s", os.Getpid(), name), Args: args}
}

// Rootfs is the bundle's root filesystem, for nsexec's own command line.
func (b *bundle) Rootfs() string { return filepath.Join(b.Dir, "rootfs") }

// Runc runs the bundle with runc in the foreground.
func (b *bundle) Runc() []string {
	return []string{"runc", "run", "--bundle", b.Dir, b.ID}
}

// Crun runs the bundle with crun in the foreground. crun 1.8 refuses the
// hybrid cgroup layout (v1 controllers with a cgroup2 at
// /sys/fs/cgroup/unified): "cgroups in hybrid mode not supported, drop all
// controllers from cgroupv2". There it runs in a mount namespace of its own
// (private, so the host keeps its mounts) without the unified mount, and
// uses cgroup v1.
func (b *bundle) Crun() []string {
	crun := []string{"crun", "run", "--bundle", b.Dir, b.ID}
	if !hybridCgroups() {
		return crun
	}
	// sh -c SCRIPT crun ARGS: "crun" is $0, the rest "$@".
	wrap := []string{"unshare", "-m", "--propagation", "private", "sh", "-c",
		`umount /sys/fs/cgroup/unified && exec crun "$@"`}
	return append(wrap, crun...)
}

// hybridCgroups says whether /sys/fs/cgroup is cgroup v1 with a cgroup2
// mounted at /sys/fs/cgroup/unified.
func hybridCgroups() bool {
	var root, unified unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &root) != nil || unix.Statfs("/sys/fs/cgroup/unified", &unified) != nil {
		return false
	}
	return root.Type == unix.TMPFS_MAGIC && unified.Type == unix.CGROUP2_SUPER_MAGIC
}

// Setup builds the rootfs and config.json; the clean-up deletes any
// container left by an interrupted run and removes the bundle.
func (b *bundle) Setup() (func(), error) {
	cleanup := func() {
		for _, rt := range []string{"runc", "crun"} {
			if _, err := exec.LookPath(rt); err == nil {
				exec.Command(rt, "delete", "-f", b.ID).Run()
			}
		}
		removeBenchDir(b.Dir)
	}
	if err := b.build(); err != nil {
		cleanup()
		return nil, err
	}
	return cleanup, nil
}

func (b *bundle) build() error {
	if err := buildRootfs(b.Rootfs()); err != nil {
		return err
	}
	var stderr bytes.Buffer
	spec := exec.Command("runc", "spec")
	spec.Dir, spec.Stderr = b.Dir, &stderr
	if err := spec.Run(); err != nil {
		return fmt.Errorf("runc spec: %v: %s", err, firstLine(stderr.String()))
	}
	path := filepath.Join(b.Dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var s specs.Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return fmt.Errorf("runc spec's config.json: %w", err)
	}
	if s.Process == nil || s.Root == nil {
		return fmt.Errorf("runc spec's config.json has no process or root")
	}
	s.Process.Args = b.Args
	s.Process.Terminal = false
	s.Root.Path = "rootfs"
	if b.Edit != nil {
		b.Edit(&s)
	}
	if data, err = json.MarshalIndent(&s, "", "\t"); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
