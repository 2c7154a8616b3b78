// The inside half of a run, in C so that no Go runtime starts in the new
// namespaces: a re-executed Go stage would cost about 1.4 ms and several MiB
// of resident memory for the PID 1 that stays for the whole run.
//
// It runs as a constructor, before the Go runtime of the re-executed nsexec
// binary, when _NSEXEC_INIT names the sync socket. It reads the setup the
// parent sent, applies it in order, then either execs CMD (no PID namespace,
// or --as-pid-1) or stays as PID 1: forks CMD, reaps every child, forwards
// signals, and exits with CMD's status.
//
// The protocol on the sync socket (SOCK_SEQPACKET, message boundaries kept;
// protocol.go has the encoding, proto.c decodes it):
//
//   parent                              init
//   [early message]            ---->    join cgroups and namespaces (join.c)
//                              <----    "J" when the early message asked
//   config message             ---->    read it whole, apply it step by step
//                              <----    with -t: "T", the new terminal's
//                                       master attached (SCM_RIGHTS)
//                              <----    "E<exit code>:<message>" on failure
//   (EOF: CMD was executed, or everything inside has exited)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "init.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct config {
	long long t0;      // parent's start, CLOCK_MONOTONIC ns, for the trace
	int verbose;
	const char *prop;  // propagation of / ("private", ...), NULL: leave it
	const char *host;  // hostname, NULL: keep
	int lo;            // bring lo up
	int proc;          // mount a fresh /proc
	int timens;        // create a time namespace with these offsets (s):
	long long mono, boot;
	int cgroupns;      // create the cgroup namespace
	int fork;          // stay as PID 1 and fork CMD
};

int sync_fd = -1;
int host_proc = -1;
static struct config cfg;
static long long step_start;

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

// trace prints one finished step in the same format as the Go side.
void trace(const char *fmt, ...)
{
	long long t = now_ns();
	if (cfg.verbose) {
		char msg[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		dprintf(2, "nsexec: [%8.3f ms] %s (%.3f ms)\n", (t - cfg.t0) / 1e6, msg,
			(t - step_start) / 1e6);
	}
	step_start = t;
}

// The gate holds CMD, forked by the PID 1 that stays, until PID 1 has
// confined itself: a word in a shared page that PID 1 sets, and that CMD
// spins on right before its confinement and execve. Spinning rather than
// blocking: a wake-up costs ~0.1 ms on this kind of VM, the wait a few µs.
enum { GATE_SHUT, GATE_OPEN, GATE_FAILED };
static int *gate;
static int gate_owner; // set in the PID 1 that opens it (getpid is filtered there)

static void gate_make(void)
{
	gate = mmap(NULL, sizeof *gate, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (gate == MAP_FAILED)
		fail(125, "init: mmap: %s", strerror(errno));
}

static void gate_set(int state)
{
	if (gate && gate_owner)
		__atomic_store_n(gate, state, __ATOMIC_RELEASE);
}

// gate_wait returns once PID 1 is confined; CMD ends if PID 1 failed or died.
static void gate_wait(void)
{
	if (!gate || gate_owner)
		return;
	pid_t parent = getppid();
	int state;
	while ((state = __atomic_load_n(gate, __ATOMIC_ACQUIRE)) == GATE_SHUT) {
		if (getppid() != parent)
			_exit(125);
		sched_yield();
	}
	if (state != GATE_OPEN)
		_exit(125); // PID 1 said why
}

// fail reports an error to the parent, which prints it once, and exits.
void fail(int code, const char *fmt, ...)
{
	gate_set(GATE_FAILED);
	char msg[1024];
	int n = snprintf(msg, sizeof msg, "E%d:", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - n, fmt, ap);
	va_end(ap);
	if (sync_fd < 0 || send(sync_fd, msg, strlen(msg), MSG_NOSIGNAL) < 0)
		dprintf(2, "nsexec: %s\n", msg + n);
	_exit(code);
}

// recv_msg reads one message of at most size bytes; a longer one is an
// error, never cut (MSG_TRUNC makes recv return its real length).
static size_t recv_msg(void *buf, size_t size)
{
	ssize_t n;
	do
		n = recv(sync_fd, buf, size, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		fail(125, "init: read config: %s", strerror(errno));
	if (n == 0)
		fail(125, "init: read config: the parent went away");
	if ((size_t)n > size)
		fail(125, "init: read config: a message of %zd bytes, %zu expected", n, size);
	return n;
}

// read_message reads one message whole (see frame.go): a header with its
// type and length, then chunks up to exactly that length. The body is never
// freed: the values of its records live as long as the init.
static unsigned char *read_message(uint32_t *type, size_t *len)
{
	unsigned char hdr[NSX_HEADER];
	uint32_t total;
	const char *err = nsx_header(hdr, recv_msg(hdr, sizeof hdr), type, &total);
	if (err)
		fail(125, "init: read config: %s", err);
	unsigned char *buf = malloc(total + 1);
	if (!buf)
		fail(125, "init: read config: out of memory for %u bytes", total);
	for (size_t got = 0; got < total;)
		got += recv_msg(buf + got, total - got);
	*len = total;
	return buf;
}

static const char *config_record(const struct nsx_rec *r, void *arg)
{
	(void)arg;
	switch (r->key) {
	case NSX_T0: cfg.t0 = (long long)nsx_u64(r, 0); break;
	case NSX_VERBOSE: cfg.verbose = 1; break;
	case NSX_PROP: cfg.prop = r->str; break;
	case NSX_HOST: cfg.host = r->str; break;
	case NSX_LO: cfg.lo = 1; break;
	case NSX_PROC: cfg.proc = 1; break;
	case NSX_TIMENS:
		cfg.timens = 1;
		cfg.mono = (long long)nsx_u64(r, 0);
		cfg.boot = (long long)nsx_u64(r, 1);
		break;
	case NSX_CGROUPNS: cfg.cgroupns = 1; break;
	case NSX_FORK: cfg.fork = 1; break;
	default:
		if (!(mounts_config(r) || process_config(r) || security_config(r) || network_config(r) ||
		      join_config(r) || tty_config(r)))
			return "a record that does not belong in the config";
	}
	return NULL;
}

// read_config hands each record of the config message to its part. The
// confinement records come last: a config without its end is not run.
static void read_config(unsigned char *buf, size_t n)
{
	const char *err = nsx_decode(buf, n, config_record, NULL);
	if (err)
		fail(125, "init: read config: %s", err);
}

static void set_propagation(void)
{
	unsigned long flag = !strcmp(cfg.prop, "private") ? MS_PRIVATE
			   : !strcmp(cfg.prop, "slave")   ? MS_SLAVE
							  : MS_SHARED;
	if (mount(NULL, "/", NULL, MS_REC | flag, NULL) < 0)
		fail(125, "init: make / %s: %s", cfg.prop, strerror(errno));
	trace("mount: / made r%s", cfg.prop);
}

static void set_hostname(void)
{
	if (sethostname(cfg.host, strlen(cfg.host)) < 0)
		fail(125, "init: set hostname %s: %s", cfg.host, strerror(errno));
	trace("uts: hostname %s", cfg.host);
}

static void loopback_up(void)
{
	struct ifreq ifr = {0};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail(125, "init: bring lo up: %s", strerror(errno));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		fail(125, "init: bring lo up: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		fail(125, "init: bring lo up: %s", strerror(errno));
	close(fd);
	trace("net: lo up");
}

// time_ns_create creates the time namespace here rather than in the clone:
// offsets (seconds) can be written only while no process is
// inside, and unshare(CLONE_NEWTIME) moves only our children (and our next
// execve) in. proc is nsexec's own procfs when the init has joined another
// mount namespace (-1: this one's /proc): a path there would resolve in the
// target's tree, which its owner controls (issue 9, hole 7).
void time_ns_create(long long mono, long long boot, int proc)
{
	char buf[128];
	if (unshare(CLONE_NEWTIME) < 0)
		fail(125, "init: create time namespace: %s", strerror(errno));
	int fd = openat(proc >= 0 ? proc : AT_FDCWD,
			proc >= 0 ? "self/timens_offsets" : "/proc/self/timens_offsets",
			O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	struct statfs st;
	if (fd < 0 || fstatfs(fd, &st) < 0)
		fail(125, "init: open timens_offsets: %s", strerror(errno));
	if (st.f_type != PROC_SUPER_MAGIC)
		fail(125, "init: timens_offsets is not on a procfs");
	int n = snprintf(buf, sizeof buf, "monotonic %lld 0\nboottime %lld 0\n", mono, boot);
	if (write(fd, buf, n) != n)
		fail(125, "init: set clock offsets (monotonic %lld s, boottime %lld s): %s", mono,
		     boot, strerror(errno));
	close(fd);
	trace("time: new namespace, monotonic %+lld s, boottime %+lld s", mono, boot);
}

static int cgroups_joined; // hierarchies, for the trace once -v is known

// cgroup_join writes the init into the cgroups of a list of descriptors
// (v1 "tasks" or v2 "cgroup.procs" files the parent opened in its own
// mount namespace), by writing "0" to each: a thread that moves itself
// (the init is one thread) skips the kernel's cgroup_threadgroup_rwsem,
// whose write side, taken when another process moves it (the parent
// writing its pid to cgroup.procs), often waits for an RCU grace period:
// 10 ms and more here. (A run's own cgroup v2 is born into instead.)
void cgroup_join(const struct nsx_rec *fds, const char *what)
{
	for (size_t i = 0; i < nsx_count(fds); i++) {
		int fd = (int)nsx_u64(fds, i);
		if (write(fd, "0", 1) != 1)
			fail(125, "cgroup: join %s: %s%s", what, strerror(errno),
			     errno == EACCES || errno == EPERM ? " (moving a process between cgroups needs root)" : "");
		close(fd);
		cgroups_joined++;
	}
}

// enter_cgroupns creates the cgroup namespace here rather than in the
// clone: its root is the cgroup its creator is in, and the init joins the
// run's own cgroup only after the clone (cgroup_join). So CMD sees its
// cgroup as "/".
static void enter_cgroupns(void)
{
	if (unshare(CLONE_NEWCGROUP) < 0)
		fail(125, "init: create cgroup namespace: %s", strerror(errno));
	trace("cgroup: new namespace");
}

static void mount_proc(void)
{
	// With shared or unchanged propagation a mount on /proc would show up on
	// the host's /proc too: cut /proc alone out of its peer group first.
	if (cfg.prop == NULL || strcmp(cfg.prop, "private"))
		mount(NULL, "/proc", NULL, MS_PRIVATE, NULL);
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		fail(125, "init: mount proc on /proc: %s", strerror(errno));
	trace("mount: proc on /proc");
}

// exec_cmd runs CMD; on failure it tells the parent why, with the exit code
// a shell would use: 127 not found, 126 found but not executable.
static void exec_cmd(char **argv)
{
	unsetenv("_NSEXEC_INIT");
	// Descriptors nsexec inherited without CLOEXEC must not reach CMD.
	syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
	tty_before_exec();
	join_before_exec();
	security_before_process();
	process_before_exec();
	gate_wait();
	security_before_exec();
	trace("exec: %s as pid %d", argv[0], getpid());
	execvp(argv[0], argv);
	int e = errno;
	if (e == ENOENT && !strchr(argv[0], '/'))
		fail(127, "exec %s: command not found", argv[0]);
	fail(e == ENOENT ? 127 : 126, "exec %s: %s", argv[0], strerror(e));
}

static int status_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// reaper is PID 1: it reaps every child, forwards signals to CMD, and exits
// with CMD's status once CMD is gone (the kernel then kills what is left).
// It needs nothing else, and keeps nothing else (security_confine_reaper).
void reaper(pid_t child)
{
	sigset_t all;
	sigfillset(&all);
	security_confine_reaper(); // may still report a failure on sync_fd
	gate_set(GATE_OPEN);
	close(sync_fd);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig == SIGCHLD) {
			int st;
			pid_t pid;
			while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
				if (pid == child)
					_exit(status_code(st));
			continue;
		}
		// A signal from the terminal went to the whole process group,
		// CMD included: forwarding it would deliver it twice. (A run in
		// a session of its own gets none: the parent forwards them.)
		if (si.si_code == SI_KERNEL)
			continue;
		kill(child, sig);
	}
}

__attribute__((constructor)) static void nsexec_init(int argc, char **argv, char **envp)
{
	(void)envp;
	const char *fd = getenv("_NSEXEC_INIT");
	if (!fd) {
		front(argc > 0 ? argv[0] : ""); // an nsexec start: the front stays in C
		return;                          // the planner: on to the Go runtime
	}
	sync_fd = atoi(fd);
	// Die with the front, nsexec's process the caller waits on, which is
	// the init's parent (the planner cloned it with CLONE_PARENT): if it is
	// gone already, nothing must start.
	const char *front_fd = getenv("_NSEXEC_FRONT");
	if (front_fd) {
		int pidfd = atoi(front_fd);
		struct pollfd p = {pidfd, POLLIN, 0};
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		if (poll(&p, 1, 0) != 0)
			_exit(125); // the front ended before the signal was set
		close(pidfd);
		unsetenv("_NSEXEC_FRONT");
	}
	// The descriptor the parent executed this binary from: not needed.
	const char *exe = getenv("_NSEXEC_EXE");
	if (exe) {
		close(atoi(exe));
		unsetenv("_NSEXEC_EXE");
	}
	if (argc < 2)
		fail(125, "init: no command");
	uint32_t type;
	size_t len;
	unsigned char *msg = read_message(&type, &len);
	if (type == NSX_MSG_EARLY) {
		join_enter(msg, len);
		msg = read_message(&type, &len);
	}
	if (type != NSX_MSG_CONFIG)
		fail(125, "init: read config: message of type %u, want the config", type);
	read_config(msg, len);
	tty_new_session();
	step_start = now_ns();
	trace("init: started as pid %d", getpid());
	join_after_config();

	if (cgroups_joined)
		trace("cgroup: joined %d hierarchies", cgroups_joined);
	if (cfg.cgroupns)
		enter_cgroupns();
	if (cfg.prop)
		set_propagation();
	if (cfg.host)
		set_hostname();
	if (cfg.lo)
		loopback_up();
	if (cfg.timens)
		time_ns_create(cfg.mono, cfg.boot, host_proc);
	if (cfg.proc)
		mount_proc();
	network_setup();
	mounts_setup();
	tty_open(AT_FDCWD, "/dev/ptmx"); // -t, when the mount plan has not opened it

	if (!cfg.fork && !join_forks())
		exec_cmd(argv + 1);

	// PID 1 stays resident for the whole run: make it not dumpable, so that
	// nothing inside can open its memory or, through /proc/1/exe, the nsexec
	// binary (CVE-2019-5736; the running binary itself is also ETXTBSY).
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_NAME, "nsexec-init", 0, 0, 0); // not "exe", in ps
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old); // before fork: no signal is lost
	gate_make();
	pid_t child = fork();
	if (child < 0)
		fail(125, "init: fork: %s%s", strerror(errno),
		     errno == ENOMEM && join_forks() ? " (the joined PID namespace has no PID 1 any more)" : "");
	if (child == 0) { // CMD; its trace line covers the fork
		sigprocmask(SIG_SETMASK, &old, NULL);
		exec_cmd(argv + 1);
	}
	tty_after_fork();
	gate_owner = 1;
	reaper(child);
}
