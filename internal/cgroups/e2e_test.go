package cgroups_test

// End-to-end tests of the resource limits (issue 6): the built binary, run
// as root, with limits the kernel enforces.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"nsexec/internal/cgroups"
	"nsexec/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// readInt reads a number from a cgroup file; -1 if it cannot.
func readInt(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// pidsDir finds the run's directory with pids.current.
func pidsDir(t *testing.T, parent string) string {
	for _, d := range testutil.RunCgroups(t, parent) {
		if _, err := os.Stat(filepath.Join(d, "pids.current")); err == nil {
			return d
		}
	}
	return ""
}

// A fork bomb under --pids-limit 64 stays within 64 processes (threads:
// each copy of the probe is a Go program), the host keeps forking, and once
// CMD ends nsexec kills the rest and removes the cgroup. Without a PID
// namespace the kernel does not kill the bomb for us: nsexec's cleanup does.
func TestForkBombContained(t *testing.T) {
	testutil.RequireRoot(t)
	for _, pidns := range []bool{false, true} {
		t.Run(fmt.Sprintf("pidns=%v", pidns), func(t *testing.T) {
			parent := testutil.CgroupParent(t)
			marker := fmt.Sprintf("forkbomb-%d-%v", os.Getpid(), pidns)
			// --cpus keeps the host responsive while the bomb spins.
			args := []string{"--pids-limit", "64", "--cpus", "1", "--cgroup-parent", parent}
			if pidns {
				args = append(args, "-p")
			}
			// Forked copies of sh keep its command line, marker included.
			// sh becomes sleep, which SIGTERM ends; the bomb lives on.
			cmd := testutil.Command(t, append(args, "sh", "-c", testutil.Probe(t)+" forkbomb "+marker+" & exec sleep 1000")...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			defer cmd.Process.Kill()

			var dir string
			full := testutil.WaitFor(10*time.Second, func() bool {
				if dir == "" {
					dir = pidsDir(t, parent)
				}
				return dir != "" && readInt(filepath.Join(dir, "pids.current")) >= 60
			})
			if !full {
				t.Fatalf("the bomb never reached the limit (cgroup %q)", dir)
			}
			time.Sleep(300 * time.Millisecond) // let it push against the limit
			if peak := readInt(filepath.Join(dir, "pids.peak")); peak > 64 {
				t.Errorf("pids.peak %d above the limit of 64", peak)
			}
			if n := readInt(filepath.Join(dir, "pids.current")); n > 64 {
				t.Errorf("pids.current %d above the limit of 64", n)
			}
			if out, err := exec.Command("sh", "-c", "echo host-ok").Output(); err != nil || string(out) != "host-ok\n" {
				t.Errorf("the host cannot fork during the bomb: %v", err)
			}

			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("nsexec did not exit within 20s of SIGTERM")
			}
			if code := cmd.ProcessState.ExitCode(); code != 128+int(syscall.SIGTERM) {
				t.Errorf("exit %d, want %d (sh killed by SIGTERM)", code, 128+int(syscall.SIGTERM))
			}
			if left := testutil.ProcessesWith(marker); len(left) > 0 {
				t.Errorf("bomb processes left: %v", left)
			}
			if left := testutil.RunCgroups(t, parent); len(left) > 0 {
				t.Errorf("cgroups left: %v", left)
			}
		})
	}
}

func TestOOMKill(t *testing.T) {
	testutil.RequireRoot(t)
	probe := testutil.Probe(t)
	for _, pidns := range []bool{false, true} {
		t.Run(fmt.Sprintf("pidns=%v", pidns), func(t *testing.T) {
			parent := testutil.CgroupParent(t)
			args := []string{"--memory", "64m", "--cgroup-parent", parent}
			if pidns {
				args = append(args, "-p")
			}
			r := testutil.Run(t, append(args, probe, "alloc", "256")...)
			want := fmt.Sprintf("nsexec: %s was killed: out of memory (limit 64MiB)\n", probe)
			if r.Code != 137 || r.Stderr != want {
				t.Errorf("exit %d, stderr %q; want 137 and %q", r.Code, r.Stderr, want)
			}
			// Within the limit: no kill, no message.
			r = testutil.Run(t, append(args, probe, "alloc", "16")...).MustSucceed(t)
			if r.Stdout != "allocated\n" || r.Stderr != "" {
				t.Errorf("16 MiB under a 64 MiB limit: %q %q", r.Stdout, r.Stderr)
			}
		})
	}
	// A SIGKILL that is not the memory limit's is not reported as one.
	parent := testutil.CgroupParent(t)
	r := testutil.Run(t, "--memory", "64m", "--cgroup-parent", parent, "sh", "-c", "kill -9 $$")
	if r.Code != 137 || r.Stderr != "" {
		t.Errorf("sh killing itself: exit %d, stderr %q; want 137 and nothing said", r.Code, r.Stderr)
	}
}

// --cpus 0.5: a busy loop gets about half a CPU, by its cgroup's own count.
func TestCPUQuota(t *testing.T) {
	testutil.RequireRoot(t)
	probe := testutil.Probe(t)
	parent := testutil.CgroupParent(t)
	r := testutil.Run(t, "--cpus", "0.5", "--cgroup-parent", parent, probe, "spin", "1500ms").MustSucceed(t)
	var usage, wall float64
	if _, err := fmt.Sscan(r.Stdout, &usage, &wall); err != nil || wall == 0 {
		t.Fatalf("probe said %q: %v", r.Stdout, err)
	}
	if share := usage / wall; share < 0.1 || share > 0.65 { // wide below: the test may share the CPUs
		t.Errorf("a busy loop under --cpus 0.5 used %.2f of a CPU (%.0f µs in %.0f µs)", share, usage, wall)
	}
}

// The limits reach the kernel's files, with -C the run sees its cgroup as
// "/", and the init (C, one thread) counts as one process.
func TestLimitsInCgroupFiles(t *testing.T) {
	testutil.RequireRoot(t)
	v2, err := cgroups.IsV2()
	if err != nil {
		t.Fatal(err)
	}
	parent := testutil.CgroupParent(t)
	// p CONTROLLER: the run's directory in that hierarchy, from inside.
	script := `p(){ echo /sys/fs/cgroup/$1$(sed -n "s/^[0-9]*:\([^:]*,\)*$1\(,[^:]*\)*://p" /proc/self/cgroup); }
cat $(p memory)/memory.limit_in_bytes $(p memory)/memory.memsw.limit_in_bytes $(p cpu)/cpu.cfs_quota_us $(p cpu)/cpu.shares $(p cpuset)/cpuset.cpus $(p pids)/pids.max $(p pids)/pids.current`
	want := "67108864\n100663296\n25000\n512\n0\n50\n2\n" // pids: sh and cat
	if v2 {
		script = `d=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup); cat $d/memory.max $d/memory.swap.max $d/cpu.max $d/cpu.weight $d/cpuset.cpus $d/pids.max $d/pids.current`
		want = "67108864\n33554432\n25000 100000\n20\n0\n50\n2\n"
	}
	r := testutil.Run(t, "--memory", "64m", "--memory-swap", "96m", "--cpus", "0.25", "--cpu-shares", "512",
		"--cpuset-cpus", "0", "--pids-limit", "50", "--cgroup-parent", parent, "sh", "-c", script).MustSucceed(t)
	if r.Stdout != want {
		t.Errorf("cgroup files read\n%s\nwant\n%s", r.Stdout, want)
	}

	r = testutil.Run(t, "-C", "--pids-limit", "50", "--cgroup-parent", parent, "cat", "/proc/self/cgroup").MustSucceed(t)
	for _, line := range r.Lines() {
		if !strings.HasSuffix(line, ":/") {
			t.Errorf("with -C the run sees %q, want its cgroup as /", line)
		}
	}
	r = testutil.Run(t, "--pids-limit", "50", "--cgroup-parent", parent, "cat", "/proc/self/cgroup").MustSucceed(t)
	if !strings.Contains(r.Stdout, "/"+parent+"/nsexec-") {
		t.Errorf("without -C the run's cgroup is not under the parent:\n%s", r.Stdout)
	}
}

func TestRlimits(t *testing.T) {
	testutil.RequireRoot(t)
	r := testutil.Run(t, "--rlimit", "nofile=100:200", "--rlimit", "core=0", "--rlimit", "NPROC=1000",
		"sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c; grep 'Max processes' /proc/self/limits | tr -s ' ' | cut -d' ' -f3,4").MustSucceed(t)
	if got := strings.Join(r.Lines(), " "); got != "100 200 0 1000 1000" {
		t.Errorf("limits inside: %s", got)
	}
	// Raising a hard limit takes CAP_SYS_RESOURCE.
	var hard syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &hard)
	r = testutil.Run(t, "--rlimit", fmt.Sprintf("nofile=10:%d", hard.Max+1), "true")
	if hasCap(t, 24) {
		if r.Code != 0 {
			t.Errorf("raising nofile's hard limit with CAP_SYS_RESOURCE: exit %d, %s", r.Code, r.Stderr)
		}
	} else if r.Code != 125 || !strings.Contains(r.Stderr, "cannot raise the hard limit") || !strings.Contains(r.Stderr, "CAP_SYS_RESOURCE") {
		t.Errorf("raising nofile's hard limit without CAP_SYS_RESOURCE: exit %d, %q", r.Code, r.Stderr)
	}
}

// hasCap reports whether the test holds capability n.
func hasCap(t *testing.T, n uint) bool {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			mask, _ := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return mask&(1<<n) != 0
		}
	}
	return false
}

// --devices default: only the standard devices can be created.
func TestDevices(t *testing.T) {
	testutil.RequireRoot(t)
	probe := testutil.Probe(t)
	parent := testutil.CgroupParent(t)
	dir := t.TempDir()
	r := testutil.Run(t, "-p", "--devices", "default", "--cgroup-parent", parent, "sh", "-c",
		probe+" mknod "+dir+" && echo x >/dev/null && head -c1 /dev/zero | wc -c").MustSucceed(t)
	if got := strings.Join(r.Lines(), ","); got != "mknod_block EPERM,mknod_char EPERM,mknod_null allowed,1" {
		t.Errorf("--devices default: %s", got)
	}
	r = testutil.Run(t, "--devices", "all", probe, "mknod", dir).MustSucceed(t)
	if got := strings.Join(r.Lines(), ","); got != "mknod_block allowed,mknod_char allowed,mknod_null allowed" {
		t.Errorf("--devices all: %s", got)
	}
}

// However a run ends, its cgroup is gone, and so is every process of it.
func TestNoCgroupLeft(t *testing.T) {
	testutil.RequireRoot(t)
	parent := testutil.CgroupParent(t)
	marker := fmt.Sprintf("left-%d", os.Getpid())
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"true"}, 0},
		{[]string{"sh", "-c", "exit 3"}, 3},
		{[]string{"no-such-command-" + marker}, 127},
		{[]string{"sh", "-c", "kill -9 $$"}, 137},
		{[]string{"sh", "-c", "sleep 60 & : " + marker}, 0}, // a child left behind
		{[]string{"-p", "sh", "-c", "sleep 60 & : " + marker}, 0},
		{[]string{"-C", "-p", "-U", "sh", "-c", "sleep 60 & exit 5"}, 5},
	} {
		args := append([]string{"--pids-limit", "100", "--memory", "64m", "--cgroup-parent", parent}, c.args...)
		r := testutil.Run(t, args...)
		if r.Code != c.code {
			t.Errorf("%v: exit %d, want %d (%s)", c.args, r.Code, c.code, r.Stderr)
		}
		if left := testutil.RunCgroups(t, parent); len(left) > 0 {
			t.Errorf("%v: cgroups left: %v", c.args, left)
		}
		if left := testutil.ProcessesWith(marker); len(left) > 0 {
			t.Errorf("%v: processes left: %v", c.args, left)
		}
	}
}

// The cgroup of a run whose nsexec was SIGKILLed is stale: the next run
// under the same parent removes it, killing what was left in it; so does
// --cgroup-cleanup.
func TestStaleCgroupRemoved(t *testing.T) {
	testutil.RequireRoot(t)
	for _, next := range [][]string{{"true"}, {"--cgroup-cleanup"}} {
		t.Run(next[0], func(t *testing.T) {
			parent := testutil.CgroupParent(t)
			marker := fmt.Sprintf("stale-%d-%s", os.Getpid(), next[0])
			// The inner sh, a child of the init, keeps the marker.
			cmd := testutil.Command(t, "--pids-limit", "100", "--cgroup-parent", parent, "sh", "-c",
				"sh -c 'sleep 60; : "+marker+"' & wait")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// nsexec (its front and its planner), the init and the inner
			// sh carry the marker.
			if !testutil.WaitFor(10*time.Second, func() bool { return len(testutil.ProcessesWith(marker)) >= 4 }) {
				cmd.Process.Kill()
				t.Fatal("the run did not start")
			}
			testutil.KillNsexec(cmd)
			// The init died with nsexec (Pdeathsig); its child did not.
			if !testutil.WaitFor(5*time.Second, func() bool { return len(testutil.ProcessesWith(marker)) == 1 }) {
				t.Fatalf("after SIGKILL of nsexec: %v", testutil.ProcessesWith(marker))
			}
			if len(testutil.RunCgroups(t, parent)) == 0 {
				t.Fatal("no stale cgroup to remove: the test proves nothing")
			}
			r := testutil.Run(t, append([]string{"--pids-limit", "10", "--cgroup-parent", parent}, next...)...).MustSucceed(t)
			if next[0] == "--cgroup-cleanup" && r.Stdout != "nsexec: removed 1 cgroup of dead runs\n" {
				t.Errorf("--cgroup-cleanup said %q", r.Stdout)
			}
			if left := testutil.RunCgroups(t, parent); len(left) > 0 {
				t.Errorf("stale cgroups left: %v", left)
			}
			if !testutil.WaitFor(5*time.Second, func() bool { return len(testutil.ProcessesWith(marker)) == 0 }) {
				t.Errorf("processes of the dead run left: %v", testutil.ProcessesWith(marker))
			}
		})
	}
}

// Bad limits: a clear error, exit 125, and no cgroup made.
func TestBadLimits(t *testing.T) {
	testutil.RequireRoot(t)
	parent := testutil.CgroupParent(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--memory", "64q"}, `nsexec: --memory "64q": want a size such as 64m`},
		{[]string{"--cpus", "0"}, `nsexec: --cpus "0": want a positive number of CPUs`},
		{[]string{"--pids-limit", "-5"}, "--pids-limit: want a positive number"},
		{[]string{"--memory-swap", "1g"}, "--memory-swap needs --memory"},
		{[]string{"--rlimit", "nofile=10:5"}, "soft limit above the hard limit"},
		{[]string{"--rlimit", "fds=10"}, `unknown limit "fds"`},
		{[]string{"--cpuset-cpus", "999"}, "--cpuset-cpus 999: the CPUs available here are"},
		{[]string{"--devices", "none"}, `--devices "none": want default or all`},
		{[]string{"--cgroup-parent", "../x"}, "no . or .. allowed"},
	} {
		r := testutil.Run(t, append(append([]string{"--cgroup-parent", parent}, c.args...), "true")...)
		if r.Code != 125 || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%v: exit %d, %q; want 125 and %q", c.args, r.Code, r.Stderr, c.want)
		}
		if left := testutil.RunCgroups(t, parent); len(left) > 0 {
			t.Errorf("%v: cgroups left: %v", c.args, left)
		}
	}
}

// Where no devices controller is mounted (under `ip netns exec`, say), a
// container run still starts: CMD loses CAP_MKNOD instead of getting the
// device cgroup. A limit the user asked for is not given up that way.
func TestNoDevicesControllerFallback(t *testing.T) {
	testutil.RequireRoot(t)
	testutil.Require(t, "unshare")
	root := testutil.BusyboxRootfs(t)
	hide := func(args ...string) testutil.Result {
		// A mount namespace of the test's own, where the cgroup
		// hierarchies are gone, as `ip netns exec` leaves them.
		cmd := exec.Command("unshare", append([]string{"-m", "--propagation", "private", "sh", "-c",
			`umount -l /sys/fs/cgroup && exec "$@"`, "sh", testutil.Binary(t)}, args...)...)
		return testutil.RunCmd(t, cmd)
	}
	r := hide("-p", "--rootfs", root, "grep", "CapBnd", "/proc/self/status").MustSucceed(t)
	f := strings.Fields(r.Stdout)
	bnd, err := strconv.ParseUint(f[len(f)-1], 16, 64)
	if err != nil || bnd == 0 || bnd&(1<<27) != 0 {
		t.Errorf("bounding set %q: want Docker's, without CAP_MKNOD", r.Stdout)
	}
	if r := hide("-p", "--rootfs", root, "--pids-limit", "64", "true"); r.Code != 125 || !strings.Contains(r.Stderr, "not mounted") {
		t.Errorf("a pids limit without a pids controller: exit %d, %q; want a clear error", r.Code, r.Stderr)
	}
}

// Runs under the default parent start and end in parallel: the last one out
// removes the parent, and none of those coming in trips over that.
func TestDefaultParentConcurrent(t *testing.T) {
	testutil.RequireRoot(t)
	errs := make(chan string, 30)
	for i := 0; i < 30; i++ {
		go func() {
			r := testutil.Run(t, "--memory", "64m", "--pids-limit", "50", "true")
			if r.Code != 0 {
				errs <- fmt.Sprintf("exit %d: %s", r.Code, r.Stderr)
				return
			}
			errs <- ""
		}()
	}
	for i := 0; i < 30; i++ {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// Issue 10: a run's cgroup lives as long as its owner (its init), not only
// while its nsexec holds the lock: with the lock free and the owner alive,
// clean-up leaves it; once the owner is gone, it removes it.
func TestCgroupLivesWithItsOwner(t *testing.T) {
	testutil.RequireRoot(t)
	parent := testutil.CgroupParent(t)
	owner := exec.Command("sleep", "60")
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { owner.Process.Kill(); owner.Wait() })
	cg, err := cgroups.Create(parent, cgroups.Resources{PidsMax: 10})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", owner.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(data)[strings.LastIndexByte(string(data), ')')+1:])
	start, _ := strconv.ParseUint(f[19], 10, 64)
	if err := cg.Own(owner.Process.Pid, start); err != nil {
		t.Fatal(err)
	}
	dirs := cg.Dirs
	cg.DropLocks() // nothing supervises it any more
	if n, err := cgroups.Cleanup(parent); err != nil || n != 0 {
		t.Fatalf("Cleanup with its owner alive: removed %d, %v", n, err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("the cgroup of a live owner went: %v", err)
		}
	}
	owner.Process.Kill()
	owner.Wait()
	if n, err := cgroups.Cleanup(parent); err != nil || n != 1 {
		t.Fatalf("Cleanup once its owner is gone: removed %d, %v", n, err)
	}
	if left := testutil.RunCgroups(t, parent); len(left) > 0 {
		t.Errorf("left: %v", left)
	}
}
