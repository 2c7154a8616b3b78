// security.c: the confinement of CMD. See init.h.
//
// Go computes (internal/security): the capability sets, no_new_privs, and
// the seccomp filter compiled to BPF. This file applies them in CMD's
// process, in the order the kernel needs:
//
//   security_before_process  keep capabilities across process.c's setuid
//   (process.c)              user and groups of CMD
//   security_before_exec     bounding set, then effective/permitted/
//                            inheritable, then ambient; no_new_privs;
//                            seccomp last, right before execve
//
// Without no_new_privs the kernel lets only a holder of CAP_SYS_ADMIN
// install a filter, so then the filter goes in before the capabilities are
// lowered, and the profile must allow capset and prctl (Docker's does).
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"
#include "zprecompiled_seccomp.h"

#if defined(__x86_64__) || defined(__aarch64__)
#define PRECOMPILED (sizeof precompiled_filters / sizeof *precompiled_filters)
#else
#define PRECOMPILED 0
static const struct sock_fprog precompiled_filters[1];
#endif

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

static struct {
	int set_caps;
	unsigned long long bounding, ambient, required;
	int nnp;
	const struct sock_filter *filter;
	unsigned short filter_len;
	unsigned int filter_flags;
	int installed;
} sec;

int security_config(const struct nsx_rec *r)
{
	switch (r->key) {
	case NSX_CAPS:
		sec.set_caps = 1;
		sec.bounding = nsx_u64(r, 0);
		sec.ambient = nsx_u64(r, 1);
		sec.required = nsx_u64(r, 2);
		break;
	case NSX_NNP: sec.nnp = 1; break;
	case NSX_SECCOMP_FLAGS: sec.filter_flags = (unsigned)nsx_u64(r, 0); break;
	case NSX_SECCOMP_BUILTIN: {
		uint64_t n = nsx_u64(r, 0);
		if (n < 1 || n > PRECOMPILED)
			fail(125, "init: no precompiled seccomp filter %llu", (unsigned long long)n);
		sec.filter = precompiled_filters[n - 1].filter;
		sec.filter_len = precompiled_filters[n - 1].len;
		break;
	}
	case NSX_SECCOMP: {
		if (r->len % sizeof(struct sock_filter) || r->len / sizeof(struct sock_filter) > 0xffff)
			fail(125, "init: read config: a seccomp program of %u bytes", r->len);
		// The records may sit at any offset of the message: copy them to
		// a properly aligned home.
		struct sock_filter *copy = malloc(r->len);
		if (!copy)
			fail(125, "init: seccomp filter: out of memory");
		memcpy(copy, r->val, r->len);
		sec.filter = copy;
		sec.filter_len = r->len / sizeof(struct sock_filter);
		break;
	}
	default: return 0;
	}
	return 1;
}

void security_before_process(void)
{
	// setuid from root to another user clears the permitted set unless
	// SECBIT_KEEP_CAPS is on; execve turns it off again.
	if (sec.set_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		fail(125, "capabilities: keep across setuid: %s", strerror(errno));
}

static const char *cap_name(int c)
{
	return c < (int)(sizeof nsx_cap_names / sizeof *nsx_cap_names) ? nsx_cap_names[c] : "?";
}

void capget2(unsigned long long *eff, unsigned long long *perm, unsigned long long *inh)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		fail(125, "capabilities: capget: %s", strerror(errno));
	*eff = d[0].effective | (unsigned long long)d[1].effective << 32;
	*perm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
	*inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
}

int capset3(unsigned long long eff, unsigned long long perm, unsigned long long inh)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {
		{(unsigned)eff, (unsigned)perm, (unsigned)inh},
		{(unsigned)(eff >> 32), (unsigned)(perm >> 32), (unsigned)(inh >> 32)},
	};
	return syscall(SYS_capset, &h, d);
}

static int last_cap(void)
{
	// Capabilities this kernel lacks cannot be set: probe the bounding set.
	int c = 63;
	while (c > 0 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) < 0)
		c--;
	return c;
}

static void install_filter(void)
{
	if (sec.installed)
		return;
	sec.installed = 1;
	struct sock_fprog prog = {sec.filter_len, (struct sock_filter *)sec.filter};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, sec.filter_flags, &prog) < 0) {
		int e = errno;
		if (e == EACCES)
			fail(125, "seccomp: install filter: %s; without no_new_privs it needs "
				  "CAP_SYS_ADMIN: ask for no_new_privs", strerror(e));
		fail(125, "seccomp: install filter: %s", strerror(e));
	}
	trace("security: seccomp filter of %u instructions", sec.filter_len);
}

static void set_caps(void)
{
	unsigned long long eff, perm, inh;
	capget2(&eff, &perm, &inh);
	unsigned long long lack = sec.required & ~perm;
	if (lack) {
		int c = __builtin_ctzll(lack);
		fail(125, "@security.capAdd CAP_%s: nsexec does not hold it, so it cannot "
			  "give it (its own bounding set lacks it)", cap_name(c));
	}
	int root = geteuid() == 0;
	unsigned long long keep = (root ? sec.bounding : sec.ambient) & perm;
	// Dropping from the bounding set takes CAP_SETPCAP in the effective
	// set, which a setuid to non-root has just emptied.
	if (capset3(perm, perm, inh) < 0)
		fail(125, "capabilities: raise effective set: %s", strerror(errno));
	int last = last_cap();
	for (int c = 0; c <= last; c++)
		if (!(sec.bounding >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			fail(125, "capabilities: drop CAP_%s from the bounding set: %s%s", cap_name(c),
			     strerror(errno),
			     perm >> CAP_SETPCAP & 1 ? ""
						     : "; that takes CAP_SETPCAP: run nsexec as root, or in a user namespace of its own");
	if (sec.filter && !sec.nnp)
		install_filter(); // needs CAP_SYS_ADMIN, about to go
	if (capset3(keep, keep, root ? 0 : keep) < 0)
		fail(125, "capabilities: set: %s", strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail(125, "capabilities: clear ambient set: %s", strerror(errno));
	if (!root)
		for (int c = 0; c <= last; c++)
			if (keep >> c & 1 && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
				fail(125, "capabilities: raise CAP_%s in the ambient set: %s", cap_name(c),
				     strerror(errno));
	trace("security: capabilities set (bounding %llx, %s %llx)", sec.bounding,
	      root ? "root keeps" : "ambient", keep);
}

void security_filter_now(void)
{
	if (sec.filter)
		install_filter();
}

void security_before_exec(void)
{
	if (sec.set_caps)
		set_caps();
	else if (sec.filter && !sec.nnp)
		install_filter();
	if (sec.nnp) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			fail(125, "no_new_privs: %s", strerror(errno));
		trace("security: no_new_privs");
		if (sec.filter)
			install_filter();
	}
}

// The reaper's filter: an allow-list of what it does (wait, forward a
// signal, exit), every other call fails with EPERM, another ABI kills it.
#if defined(__x86_64__) || defined(__aarch64__)
#define ALLOW_NR(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
		     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
static const struct sock_filter reaper_filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
#if defined(__x86_64__)
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
#else
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_AARCH64, 1, 0),
#endif
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	ALLOW_NR(SYS_rt_sigtimedwait),
	ALLOW_NR(SYS_wait4),
	ALLOW_NR(SYS_waitid),
	ALLOW_NR(SYS_kill),
	ALLOW_NR(SYS_exit_group),
	ALLOW_NR(SYS_exit),
	ALLOW_NR(SYS_rt_sigreturn),
	ALLOW_NR(SYS_restart_syscall),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
};
#endif

// security_confine_reaper confines the init that stays resident (PID 1, or
// the reaper outside a joined PID namespace) before CMD exists: it keeps
// CAP_KILL alone (to forward signals to a CMD of any user), sets
// no_new_privs and an allow-list filter. A CMD that may ptrace it (with
// CAP_SYS_PTRACE) thus gains nothing it does not have (issue 9, hole 2:
// a ptraced PID 1 with every capability called open_by_handle_at).
void security_confine_reaper(void)
{
	unsigned long long eff, perm, inh, kill = 1ULL << CAP_KILL;
	capget2(&eff, &perm, &inh);
	if (eff >> CAP_SETPCAP & 1) {
		int last = last_cap();
		for (int c = 0; c <= last; c++)
			if (c != CAP_KILL && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
				fail(125, "init: confine PID 1: drop CAP_%s from the bounding set: %s",
				     cap_name(c), strerror(errno));
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		fail(125, "init: confine PID 1: clear ambient set: %s", strerror(errno));
	if (capset3(perm & kill, perm & kill, 0) < 0)
		fail(125, "init: confine PID 1: set capabilities: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		fail(125, "init: confine PID 1: no_new_privs: %s", strerror(errno));
#ifdef ALLOW_NR
	trace("security: pid %d confined: CAP_KILL only, no_new_privs, seccomp allow-list of %zu",
	      getpid(), sizeof reaper_filter / sizeof *reaper_filter);
	struct sock_fprog prog = {sizeof reaper_filter / sizeof *reaper_filter,
				  (struct sock_filter *)reaper_filter};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		fail(125, "init: confine PID 1: seccomp: %s", strerror(errno));
#else
	trace("security: pid %d confined: CAP_KILL only, no_new_privs", getpid());
#endif
}
