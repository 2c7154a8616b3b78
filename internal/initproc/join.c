// join.c: joining namespaces that exist, and what CMD of a joined run takes
// over from its target (`docker exec`). See init.h.
//
// The setns calls happen here, at the very start of the init, before it
// reads its config: this process is single-threaded (no Go runtime runs in
// it), which is what joining a user namespace requires, and it shares no
// fs_struct, which is what joining a mount namespace requires. The parent
// opened and checked every namespace file; _NSEXEC_JOIN names the
// descriptors:
//
//   ns=KIND:FD ...   join, in this order (user first, mnt last)
//   groups=G,G       supplementary groups (host IDs), set before joining
//   cgroup=FD,FD     the target's cgroups, joined before its namespaces
//                    (files the parent opened in nsexec's own mount ns)
//   proc=FD          nsexec's own procfs, for what the init writes about
//                    itself once it is in the target's mount namespace
//   root=FD cwd=FD   then enter the target's root and working directory
//                    (either may be absent)
//   unshare=FLAGS    then create these namespaces (a joined user ns owns them)
//   timens=MONO:BOOT then create a time namespace with these offsets
//   ready=FD         then write one byte there: the parent attaches now
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "init.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

extern char **environ;

static struct {
	char joined[64];   // the kinds joined, for the trace
	double join_ms;    // how long joining took
	int pid_joined;    // CMD must be forked to be in the joined PID ns
	int relay;         // a PID ns was created here: fork its PID 1, relay
	// What CMD takes over (config records j*).
	int ident;
	char **env;
	int nenv;
	int have_uid, have_gid;
	uid_t uid;
	gid_t gid;
	int have_caps, have_bnd;
	unsigned long long inh, prm, eff, bnd;
	int nnp;
} join;

static const struct {
	const char *kind;
	int flag;
} kinds[] = {
	{"user", CLONE_NEWUSER}, {"mnt", CLONE_NEWNS},     {"uts", CLONE_NEWUTS},
	{"ipc", CLONE_NEWIPC},   {"pid", CLONE_NEWPID},    {"net", CLONE_NEWNET},
	{"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

static int kind_flag(const char *kind)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (!strcmp(kinds[i].kind, kind))
			return kinds[i].flag;
	fail(125, "init: join: unknown namespace kind %s", kind);
}

static void set_groups(const char *list)
{
	gid_t groups[NGROUPS_MAX];
	size_t n = 0;
	for (const char *p = list; *p && n < NGROUPS_MAX; p = strchr(p, ',') ? strchr(p, ',') + 1 : "")
		groups[n++] = (gid_t)strtoul(p, NULL, 10);
	if (setgroups(n, groups) < 0)
		fail(125, "join: set supplementary groups %s: %s", list, strerror(errno));
}

static void join_one(const char *kind, int fd)
{
	if (setns(fd, kind_flag(kind)) < 0)
		fail(125, "join %s namespace: %s", kind, strerror(errno));
	close(fd);
	size_t len = strlen(join.joined);
	snprintf(join.joined + len, sizeof join.joined - len, "%s%s", len ? " " : "", kind);
	if (!strcmp(kind, "pid"))
		join.pid_joined = 1;
}

// enter_root makes the target's root ours and goes to its working
// directory, through descriptors opened by the parent (paths would now
// resolve in another tree). A cwd outside the root would let CMD walk out
// through ".." (CVE-2024-21626): the kernel's getcwd reports such a cwd as
// "(unreachable)...", and then CMD starts at / instead.
static void enter_root(int root, int cwd)
{
	if (root >= 0) {
		if (fchdir(root) < 0 || chroot(".") < 0)
			fail(125, "join: enter the target's root: %s", strerror(errno));
		close(root);
	}
	if (cwd >= 0) {
		char path[PATH_MAX];
		if (fchdir(cwd) < 0 || syscall(SYS_getcwd, path, sizeof path) < 0 || path[0] != '/')
			if (chdir("/") < 0)
				fail(125, "join: chdir /: %s", strerror(errno));
		close(cwd);
	}
}

void join_enter(void)
{
	const char *spec = getenv("_NSEXEC_JOIN");
	if (!spec)
		return;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	// Not dumpable from here to execve (CVE-2016-9962): once in a joined
	// user namespace, its owner would have the capabilities to ptrace this
	// process, which still has the host's root directory and, when nsexec
	// runs as root, the host's root user. mm->user_ns stays the host's, so
	// only the host's CAP_SYS_PTRACE gets past a non-dumpable process.
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	static char buf[1024];
	if (strlen(spec) >= sizeof buf)
		fail(125, "init: join: _NSEXEC_JOIN too long");
	strcpy(buf, spec);
	unsetenv("_NSEXEC_JOIN"); // CMD must not see it, nor a nested nsexec
	int root = -1, cwd = -1, ready = -1, flags = 0;
	char *timens = NULL, *save = NULL;
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *v = strchr(tok, '=');
		if (!v)
			continue;
		*v++ = 0;
		if (!strcmp(tok, "groups"))
			set_groups(v); // before joining: the host's IDs, with the host's CAP_SETGID
		else if (!strcmp(tok, "cgroup"))
			cgroup_join(v, "the target's cgroups");
		else if (!strcmp(tok, "proc"))
			host_proc = atoi(v);
		else if (!strcmp(tok, "ns")) {
			char *fd = strchr(v, ':');
			if (!fd)
				fail(125, "init: join: bad ns=%s", v);
			*fd++ = 0;
			join_one(v, atoi(fd));
		} else if (!strcmp(tok, "root")) root = atoi(v);
		else if (!strcmp(tok, "cwd")) cwd = atoi(v);
		else if (!strcmp(tok, "unshare")) flags = atoi(v);
		else if (!strcmp(tok, "timens")) timens = v;
		else if (!strcmp(tok, "ready")) ready = atoi(v);
	}
	enter_root(root, cwd);
	// New namespaces made after a joined user namespace belong to it. A new
	// PID namespace takes only children: join_after_config forks its PID 1.
	if (flags && unshare(flags) < 0)
		fail(125, "create namespaces in the joined user namespace: %s", strerror(errno));
	join.relay = flags & CLONE_NEWPID;
	if (timens) {
		char *c = strchr(timens, ':');
		if (c)
			*c = ' ';
		time_ns_create(timens, host_proc);
	}
	if (ready >= 0) {
		if (write(ready, "J", 1) != 1)
			fail(125, "init: join: tell the parent: %s", strerror(errno));
		close(ready);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	join.join_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

int join_config(const char *key, const char *val)
{
	if (!strcmp(key, "jident")) {
		join.ident = 1;
	} else if (!strcmp(key, "jenv")) {
		char **env = realloc(join.env, (join.nenv + 2) * sizeof *env);
		if (!env)
			fail(125, "init: join: out of memory");
		join.env = env;
		env[join.nenv++] = (char *)val; // val lives as long as the init
		env[join.nenv] = NULL;
	} else if (!strcmp(key, "juid")) {
		join.have_uid = sscanf(val, "%u", &join.uid) == 1;
	} else if (!strcmp(key, "jgid")) {
		join.have_gid = sscanf(val, "%u", &join.gid) == 1;
	} else if (!strcmp(key, "jcaps")) {
		join.have_caps = sscanf(val, "%llx:%llx:%llx", &join.inh, &join.prm, &join.eff) == 3;
	} else if (!strcmp(key, "jbnd")) {
		join.have_bnd = sscanf(val, "%llx", &join.bnd) == 1;
	} else if (!strcmp(key, "jnnp")) {
		join.nnp = 1;
	} else {
		return 0;
	}
	return 1;
}

void join_after_config(void)
{
	if (join.joined[0] || join.relay)
		trace("join: entered %s in %.3f ms", join.joined[0] ? join.joined : "nothing", join.join_ms);
	if (!join.relay)
		return;
	// This process is outside the PID namespace it made: its first child is
	// the namespace's PID 1 and goes on with the setup; this one stays as
	// that child's reaper, forwarding signals and its exit status.
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	// The child cannot see the relay (getppid is 0 across PID namespaces):
	// a pidfd tells it whether the relay died before PDEATHSIG was set.
	int relay = syscall(SYS_pidfd_open, getpid(), 0);
	if (relay < 0)
		fail(125, "init: pidfd_open: %s", strerror(errno));
	pid_t child = fork();
	if (child < 0)
		fail(125, "init: fork PID 1 of the new PID namespace: %s", strerror(errno));
	if (child == 0) {
		// Die with the relay, which dies with nsexec: nothing outlives the run.
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		struct pollfd p = {relay, POLLIN, 0};
		if (poll(&p, 1, 0) != 0)
			_exit(125);
		close(relay);
		sigprocmask(SIG_SETMASK, &old, NULL);
		return;
	}
	close(relay);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_NAME, "nsexec-init", 0, 0, 0); // --join PID finds the instance by it
	reaper(child); // CMD, in the new PID namespace, cannot see this one
}

int join_forks(void) { return join.pid_joined; }

// set_caps keeps of the target's capabilities those this process still has
// (a switch to a non-root user has cleared them, as it did for the target).
static void set_caps(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct cur[2], want[2];
	if (syscall(SYS_capget, &hdr, cur) < 0)
		fail(125, "join: read capabilities: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		want[i].permitted = (unsigned)(join.prm >> (32 * i)) & cur[i].permitted;
		want[i].effective = (unsigned)(join.eff >> (32 * i)) & want[i].permitted;
		want[i].inheritable = (unsigned)(join.inh >> (32 * i)) & cur[i].inheritable;
	}
	if (syscall(SYS_capset, &hdr, want) < 0)
		fail(125, "join: set capabilities: %s", strerror(errno));
}

void join_before_exec(void)
{
	if (join.ident) {
		static char *none[] = {NULL};
		environ = join.env ? join.env : none;
	}
	// The bounding set is what limits CMD after execve (root gets the
	// bounding set as its capabilities), so it is taken first of all.
	if (join.have_bnd)
		for (int c = 0; c < 64; c++)
			if (!(join.bnd >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
				fail(125, "join: drop capability %d from the bounding set: %s", c, strerror(errno));
	// The target's seccomp filter goes in while this process still holds
	// CAP_SYS_ADMIN, which the kernel asks for without no_new_privs.
	if (!join.nnp)
		security_filter_now();
	if (join.have_gid && setresgid(join.gid, join.gid, join.gid) < 0)
		fail(125, "join: set gid %u: %s", join.gid, strerror(errno));
	if (join.have_uid && setresuid(join.uid, join.uid, join.uid) < 0)
		fail(125, "join: set uid %u: %s", join.uid, strerror(errno));
	if (join.have_caps)
		set_caps();
	if (join.nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(125, "join: set no_new_privs: %s", strerror(errno));
}
