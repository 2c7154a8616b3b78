package main

// MERGE NOTE (for the lead): main's bench/bundle.go has the shared busybox
// rootfs and OCI bundle builder. At merge, replace rootfsCaseBundle in
// rootfs.go with newBundle (same methods: Rootfs, Runc, Crun, Setup) and
// delete this file. It is only the smallest stand-in this branch needs.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

type rootfsBundle struct {
	dir, id string
	args    []string
}

func rootfsCaseBundle(name string, args ...string) *rootfsBundle {
	return &rootfsBundle{
		dir:  filepath.Join(os.TempDir(), fmt.Sprintf("nsexec-bench-%d-%s", os.Getpid(), name)),
		id:   fmt.Sprintf("nsexec-bench-%d-%s", os.Getpid(), name),
		args: args,
	}
}

func (b *rootfsBundle) Rootfs() string { return filepath.Join(b.dir, "rootfs") }
func (b *rootfsBundle) Runc() []string { return []string{"runc", "run", "--bundle", b.dir, b.id} }

// Crun runs without the hybrid layout's cgroup2 mount, which crun 1.8
// refuses, in a private mount namespace of its own.
func (b *rootfsBundle) Crun() []string {
	return []string{"unshare", "-m", "--propagation", "private", "sh", "-c",
		`umount /sys/fs/cgroup/unified 2>/dev/null; exec crun "$@"`, "crun", "run", "--bundle", b.dir, b.id}
}

func (b *rootfsBundle) Setup() (func(), error) {
	cleanup := func() { os.RemoveAll(b.dir) }
	if err := b.build(); err != nil {
		cleanup()
		return nil, err
	}
	return cleanup, nil
}

func (b *rootfsBundle) build() error {
	bb, err := exec.LookPath("busybox")
	if err != nil {
		return fmt.Errorf("busybox is not installed (apt-get install busybox-static)")
	}
	r := b.Rootfs()
	for _, d := range []string{"bin", "dev", "etc", "proc", "sys", "tmp", "root"} {
		if err := os.MkdirAll(filepath.Join(r, d), 0o755); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(bb)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(r, "bin", "busybox"), data, 0o755); err != nil {
		return err
	}
	list, err := exec.Command(bb, "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list: %w", err)
	}
	for _, a := range strings.Fields(string(list)) {
		if a != "busybox" {
			os.Symlink("busybox", filepath.Join(r, "bin", a))
		}
	}
	spec := exec.Command("runc", "spec")
	spec.Dir = b.dir
	if out, err := spec.CombinedOutput(); err != nil {
		return fmt.Errorf("runc spec: %v: %s", err, out)
	}
	path := filepath.Join(b.dir, "config.json")
	var cfg map[string]any
	if data, err = os.ReadFile(path); err == nil {
		err = json.Unmarshal(data, &cfg)
	}
	if err != nil {
		return fmt.Errorf("runc spec's config.json: %w", err)
	}
	proc, _ := cfg["process"].(map[string]any)
	if proc == nil {
		return fmt.Errorf("runc spec's config.json has no process")
	}
	proc["args"], proc["terminal"] = b.args, false
	if data, err = json.MarshalIndent(cfg, "", "\t"); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
