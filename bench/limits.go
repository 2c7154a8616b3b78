package main

// Issue 6's cases: what confinement costs. "limits-off" is a run without
// limits; "limits-on" the same run with a memory, pids and CPU limit,
// Docker's capability set, no_new_privs, the device allow-list and Docker's
// default seccomp profile. The cost of confinement is limits-on's median
// minus limits-off's, for nsexec and for crun, which runs an OCI bundle
// with the same limits in its config.json (its "off" bundle is `crun
// spec`'s default, which already has no_new_privs, a small capability set
// and the device allow-list).
//
// nsexec runs on the host's root here: --rootfs is a feature of its own,
// so crun does more per run (pivot_root, /dev, masked paths) in both cases;
// the two differences are what compare.

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"golang.org/x/sys/unix"

	"nsexec/internal/security"
)

// limitsFlags are the limits of limits-on, on nsexec's command line.
var limitsFlags = []string{"--memory", "64m", "--pids-limit", "64", "--cpus", "1",
	"--cap-drop", "ALL", "--cap-add", security.DockerDefaultCaps.String(), "--no-new-privs",
	"--devices", "default", "--seccomp", "default"}

func init() {
	ns := []string{"nsexec", "-p", "-m", "-i", "-n", "-u", "h"}
	for _, on := range []bool{false, true} {
		name := map[bool]string{false: "limits-off", true: "limits-on"}[on]
		b := limitsBundle{dir: filepath.Join(os.TempDir(), fmt.Sprintf("nsexec-bench-%d-%s", os.Getpid(), name)), on: on}
		ours := append([]string{}, ns...)
		if on {
			ours = append(ours, limitsFlags...)
		}
		addCase(Case{
			Name:  name,
			Ours:  append(ours, "true"),
			Peers: map[string][]string{"crun": b.crun(fmt.Sprintf("nsexec-bench-%d-%s", os.Getpid(), name))},
			Setup: b.setup,
		})
	}
}

// limitsBundle is an OCI bundle for crun: a rootfs with a static busybox
// as /bin/true, and `crun spec`'s config.json running it, with the limits
// when on.
type limitsBundle struct {
	dir string
	on  bool
}

func (b limitsBundle) setup() (func(), error) {
	cleanup := func() { os.RemoveAll(b.dir) }
	if err := b.build(); err != nil {
		cleanup()
		return nil, err
	}
	return cleanup, nil
}

func (b limitsBundle) build() error {
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		return fmt.Errorf("busybox is not installed (apt-get install busybox-static)")
	}
	bin := filepath.Join(b.dir, "rootfs", "bin")
	for _, d := range []string{bin, filepath.Join(b.dir, "rootfs", "proc"), filepath.Join(b.dir, "rootfs", "dev"), filepath.Join(b.dir, "rootfs", "sys")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(busybox)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(bin, "busybox"), data, 0o755); err != nil {
		return err
	}
	if err := os.Symlink("busybox", filepath.Join(bin, "true")); err != nil {
		return err
	}
	spec := exec.Command("crun", "spec")
	spec.Dir = b.dir
	if out, err := spec.CombinedOutput(); err != nil {
		return fmt.Errorf("crun spec: %v: %s", err, out)
	}
	path := filepath.Join(b.dir, "config.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var config map[string]any
	if err := json.Unmarshal(raw, &config); err != nil {
		return err
	}
	process := config["process"].(map[string]any)
	process["args"] = []string{"/bin/true"}
	process["terminal"] = false
	if b.on {
		if err := limitConfig(config); err != nil {
			return err
		}
	}
	out, err := json.MarshalIndent(config, "", "\t")
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// limitConfig gives a config.json limits-on's confinement.
func limitConfig(config map[string]any) error {
	linux := config["linux"].(map[string]any)
	res, _ := linux["resources"].(map[string]any)
	if res == nil {
		res = map[string]any{}
		linux["resources"] = res
	}
	res["memory"] = map[string]any{"limit": 64 << 20}
	res["pids"] = map[string]any{"limit": 64}
	res["cpu"] = map[string]any{"quota": 100000, "period": 100000}
	capNames := security.DockerDefaultCaps.Names()
	config["process"].(map[string]any)["capabilities"] = map[string]any{
		"bounding": capNames, "effective": capNames, "permitted": capNames,
	}
	profile, err := security.LoadProfile(security.SeccompDefault, security.DockerDefaultCaps)
	if err != nil {
		return err
	}
	linux["seccomp"] = profile
	return nil
}

// crun runs the bundle in the foreground. On a hybrid cgroup host crun
// 1.8 refuses the cgroup2 mount at /sys/fs/cgroup/unified: there it runs
// in a private mount namespace without it, on cgroup v1.
func (b limitsBundle) crun(id string) []string {
	run := []string{"crun", "run", "--bundle", b.dir, id}
	var root, unified unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &root) != nil || unix.Statfs("/sys/fs/cgroup/unified", &unified) != nil ||
		root.Type != unix.TMPFS_MAGIC || unified.Type != unix.CGROUP2_SUPER_MAGIC {
		return run
	}
	return append([]string{"unshare", "-m", "--propagation", "private", "sh", "-c",
		`umount /sys/fs/cgroup/unified && exec crun "$@"`}, run...)
}
