// process.c: what CMD runs as. See init.h.
//
// In CMD's own process, right before execve: the environment, then the
// groups and IDs (groups first: they need the privilege the ID change
// drops), then the working directory, entered as the new user so that its
// permissions apply, and checked to be inside the root.
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

static const char *cwd;
static int have_uid, have_gid;
static uid_t uid;
static gid_t gid;
static const struct nsx_rec *groups; // NULL: not asked for
static struct nsx_rec groups_rec;
static int clear_env;
static const char **envs;
static int nenvs;

int process_config(const struct nsx_rec *r)
{
	switch (r->key) {
	case NSX_CWD: cwd = r->str; break;
	case NSX_UID: have_uid = 1; uid = (uid_t)nsx_u64(r, 0); break;
	case NSX_GID: have_gid = 1; gid = (gid_t)nsx_u64(r, 0); break;
	case NSX_GROUPS: groups_rec = *r; groups = &groups_rec; break;
	case NSX_CLEARENV: clear_env = 1; break;
	case NSX_ENV:
		envs = realloc(envs, (nenvs + 1) * sizeof *envs);
		if (!envs)
			fail(125, "init: out of memory");
		envs[nenvs++] = r->str;
		break;
	default: return 0;
	}
	return 1;
}

static void set_env(void)
{
	if (clear_env)
		clearenv();
	for (int i = 0; i < nenvs; i++) {
		char *kv = strdup(envs[i]);
		char *v = kv ? strchr(kv, '=') : NULL;
		if (!v)
			fail(125, "@process.env %s: want KEY=VALUE", envs[i]);
		*v++ = 0;
		if (setenv(kv, v, 1) < 0)
			fail(125, "@process.env %s: %s", envs[i], strerror(errno));
		free(kv);
	}
}

static const char *id_hint(int e)
{
	return e == EINVAL ? " (not mapped in the user namespace; map it with the ID map options)" : "";
}

// set_groups sets the supplementary groups of a list of IDs (also the
// host's, for join.c, before it joins a user namespace).
void set_groups(const struct nsx_rec *list)
{
	size_t n = nsx_count(list);
	gid_t *ids = calloc(n + 1, sizeof *ids);
	if (!ids)
		fail(125, "init: out of memory");
	for (size_t i = 0; i < n; i++)
		ids[i] = (gid_t)nsx_u64(list, i);
	if (setgroups(n, ids) < 0) {
		int e = errno;
		fail(125, "set groups: %s%s%s", strerror(e), id_hint(e),
		     e == EPERM ? "; setgroups is denied in a user namespace with only the caller mapped" : "");
	}
	free(ids);
}

// drop_groups clears the supplementary groups for a change of user that
// named none. With only the caller mapped, setgroups is denied in the user
// namespace: then there is nothing to drop.
static void drop_groups(void)
{
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		fail(125, "set groups (none): %s%s", strerror(errno), id_hint(errno));
}

static void set_ids(void)
{
	if (groups)
		set_groups(groups);
	else if (have_uid || have_gid)
		drop_groups();
	if (have_gid && setresgid(gid, gid, gid) < 0)
		fail(125, "set gid %u: %s%s", gid, strerror(errno), id_hint(errno));
	if (have_uid && setresuid(uid, uid, uid) < 0)
		fail(125, "set uid %u: %s%s", uid, strerror(errno), id_hint(errno));
}

// enter_cwd changes directory and checks, with the raw syscall (which says
// "(unreachable)" instead of a path), that the result is inside the root: a
// directory outside it would let CMD walk the host (CVE-2024-21626).
static void enter_cwd(void)
{
	if (chdir(cwd) < 0)
		fail(125, "@process.dir %s: %s", cwd, strerror(errno));
	char buf[PATH_MAX];
	long n = syscall(SYS_getcwd, buf, sizeof buf);
	if (n < 0)
		fail(125, "@process.dir %s: check it: %s", cwd, strerror(errno));
	if (buf[0] != '/')
		fail(125, "@process.dir %s: outside the root", cwd);
}

void process_before_exec(void)
{
	set_env();
	set_ids();
	if (cwd)
		enter_cwd();
}
