// join.c: joining namespaces that exist, and what CMD of a joined run takes
// over from its target (`docker exec`). See init.h.
//
// The setns calls happen here, at the very start of the init, before it
// reads its config: this process is single-threaded (no Go runtime runs in
// it), which is what joining a user namespace requires, and it shares no
// fs_struct, which is what joining a mount namespace requires. The parent
// opened and checked every namespace file and sends the descriptors in the
// early message (protocol.go: the kEarly* records), acted on in order:
// cgroups, groups (host IDs, before joining), nsexec's procfs, each
// namespace (user first, mnt last), the target's root and cwd, the
// namespaces to create after joining (a joined user ns owns them), a time
// namespace, and a "J" reply to the parent once all that is done.
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
#include <sys/socket.h>
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

static const char *kind_name(int flag)
{
	for (size_t i = 0; i < sizeof nsx_namespaces / sizeof nsx_namespaces[0]; i++)
		if (nsx_namespaces[i].flag == flag)
			return nsx_namespaces[i].name;
	fail(125, "init: join: unknown namespace kind %#x", flag);
}

static void join_one(int flag, int fd)
{
	const char *kind = kind_name(flag);
	if (setns(fd, flag) < 0)
		fail(125, "join %s namespace: %s", kind, strerror(errno));
	close(fd);
	size_t len = strlen(join.joined);
	snprintf(join.joined + len, sizeof join.joined - len, "%s%s", len ? " " : "", kind);
	if (flag == CLONE_NEWPID)
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

struct early {
	int root, cwd, flags, timens, ack;
	long long mono, boot;
};

static const char *early_record(const struct nsx_rec *r, void *arg)
{
	struct early *e = arg;
	switch (r->key) {
	case NSX_EARLY_CGROUP:
		cgroup_join(r, "its cgroups");
		break;
	case NSX_EARLY_GROUPS:
		set_groups(r); // before joining: the host's IDs, with the host's CAP_SETGID
		break;
	case NSX_EARLY_PROC:
		host_proc = (int)nsx_u64(r, 0);
		break;
	case NSX_EARLY_NS:
		join_one((int)nsx_u64(r, 0), (int)nsx_u64(r, 1));
		break;
	case NSX_EARLY_ROOT: e->root = (int)nsx_u64(r, 0); break;
	case NSX_EARLY_CWD: e->cwd = (int)nsx_u64(r, 0); break;
	case NSX_EARLY_UNSHARE: e->flags = (int)nsx_u64(r, 0); break;
	case NSX_EARLY_TIMENS:
		e->timens = 1;
		e->mono = (long long)nsx_u64(r, 0);
		e->boot = (long long)nsx_u64(r, 1);
		break;
	case NSX_EARLY_ACK: e->ack = 1; break;
	default:
		return "a record that does not belong in the early message";
	}
	return NULL;
}

void join_enter(const unsigned char *msg, size_t len)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	// Not dumpable from here to execve (CVE-2016-9962): once in a joined
	// user namespace, its owner would have the capabilities to ptrace this
	// process, which still has the host's root directory and, when nsexec
	// runs as root, the host's root user. mm->user_ns stays the host's, so
	// only the host's CAP_SYS_PTRACE gets past a non-dumpable process.
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct early e = {.root = -1, .cwd = -1};
	const char *err = nsx_decode(msg, len, early_record, &e);
	if (err)
		fail(125, "init: read the early message: %s", err);
	enter_root(e.root, e.cwd);
	// New namespaces made after a joined user namespace belong to it. A new
	// PID namespace takes only children: join_after_config forks its PID 1.
	if (e.flags && unshare(e.flags) < 0)
		fail(125, "create namespaces in the joined user namespace: %s", strerror(errno));
	join.relay = e.flags & CLONE_NEWPID;
	if (e.timens)
		time_ns_create(e.mono, e.boot, host_proc);
	if (e.ack && send(sync_fd, "J", 1, MSG_NOSIGNAL) != 1)
		fail(125, "init: join: tell the parent: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	join.join_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
}

int join_config(const struct nsx_rec *r)
{
	switch (r->key) {
	case NSX_JOIN_IDENT: join.ident = 1; break;
	case NSX_JOIN_ENV: {
		char **env = realloc(join.env, (join.nenv + 2) * sizeof *env);
		if (!env)
			fail(125, "init: join: out of memory");
		join.env = env;
		env[join.nenv++] = (char *)r->str; // lives as long as the init
		env[join.nenv] = NULL;
		break;
	}
	case NSX_JOIN_UID: join.have_uid = 1; join.uid = (uid_t)nsx_u64(r, 0); break;
	case NSX_JOIN_GID: join.have_gid = 1; join.gid = (gid_t)nsx_u64(r, 0); break;
	case NSX_JOIN_CAPS:
		join.have_caps = 1;
		join.inh = nsx_u64(r, 0);
		join.prm = nsx_u64(r, 1);
		join.eff = nsx_u64(r, 2);
		break;
	case NSX_JOIN_BND: join.have_bnd = 1; join.bnd = nsx_u64(r, 0); break;
	case NSX_JOIN_NNP: join.nnp = 1; break;
	default: return 0;
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
	unsigned long long eff, prm, inh;
	capget2(&eff, &prm, &inh);
	prm &= join.prm;
	if (capset3(join.eff & prm, prm, join.inh & inh) < 0)
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
