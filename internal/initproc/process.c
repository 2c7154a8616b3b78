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

static const char *cwd, *uid, *gid, *groups;
static int clear_env;
static const char **envs;
static int nenvs;

int process_config(const char *key, const char *val)
{
	if (!strcmp(key, "cwd")) cwd = val;
	else if (!strcmp(key, "uid")) uid = val;
	else if (!strcmp(key, "gid")) gid = val;
	else if (!strcmp(key, "groups")) groups = val;
	else if (!strcmp(key, "clearenv")) clear_env = 1;
	else if (!strcmp(key, "env")) {
		envs = realloc(envs, (nenvs + 1) * sizeof *envs);
		if (!envs)
			fail(125, "init: out of memory");
		envs[nenvs++] = val;
	} else
		return 0;
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
			fail(125, "--env %s: want KEY=VALUE", envs[i]);
		*v++ = 0;
		if (setenv(kv, v, 1) < 0)
			fail(125, "--env %s: %s", envs[i], strerror(errno));
		free(kv);
	}
}

static const char *id_hint(int e)
{
	return e == EINVAL ? " (not mapped in the user namespace; map it with the ID map options)" : "";
}

static void set_groups(void)
{
	gid_t *list = NULL;
	int n = 0;
	if (groups) {
		list = calloc(strlen(groups) / 2 + 1, sizeof *list); // one per "N,"
		if (!list)
			fail(125, "init: out of memory");
		for (const char *p = groups; *p;) {
			char *end;
			list[n++] = strtoul(p, &end, 10);
			p = *end ? end + 1 : end;
		}
	} else if (!uid && !gid)
		return;
	if (setgroups(n, list) == 0)
		return;
	// With only the caller mapped, setgroups is denied in the user
	// namespace: there is nothing to drop unless groups were asked for.
	if (!groups && errno == EPERM)
		return;
	int e = errno;
	fail(125, "set groups %s: %s%s%s", groups ? groups : "(none)", strerror(e), id_hint(e),
	     e == EPERM ? "; setgroups is denied in a user namespace with only the caller mapped" : "");
}

static void set_ids(void)
{
	set_groups();
	if (gid) {
		gid_t g = strtoul(gid, NULL, 10);
		if (setresgid(g, g, g) < 0)
			fail(125, "set gid %s: %s%s", gid, strerror(errno), id_hint(errno));
	}
	if (uid) {
		uid_t u = strtoul(uid, NULL, 10);
		if (setresuid(u, u, u) < 0)
			fail(125, "set uid %s: %s%s", uid, strerror(errno), id_hint(errno));
	}
}

// enter_cwd changes directory and checks, with the raw syscall (which says
// "(unreachable)" instead of a path), that the result is inside the root: a
// directory outside it would let CMD walk the host (CVE-2024-21626).
static void enter_cwd(void)
{
	if (chdir(cwd) < 0)
		fail(125, "--chdir %s: %s", cwd, strerror(errno));
	char buf[PATH_MAX];
	long n = syscall(SYS_getcwd, buf, sizeof buf);
	if (n < 0)
		fail(125, "--chdir %s: check it: %s", cwd, strerror(errno));
	if (buf[0] != '/')
		fail(125, "--chdir %s: outside the root", cwd);
}

void process_before_exec(void)
{
	set_env();
	set_ids();
	if (cwd)
		enter_cwd();
}
