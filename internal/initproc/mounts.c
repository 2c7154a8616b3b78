// mounts.c: the root filesystem and mounts of a run. See init.h.
//
// The parent sends a plan (internal/mounts): an ordered list of operations
// whose destinations are paths inside the new root. Every destination is
// resolved with openat2(RESOLVE_IN_ROOT) from a descriptor of the new root,
// and every mount is attached to the descriptor that resolution returned
// (the new mount API: fsopen/fsmount, open_tree, move_mount,
// mount_setattr), never to a path string. A symlink in the rootfs, however
// hostile ("/", "../../etc"), is thus followed as if the rootfs were /, and
// no mount can land outside it (CVE-2021-30465). Missing destinations are
// made with mkdirat/openat relative to a parent resolved the same way.
//
// Needs Linux 5.12 (mount_setattr); overlay layers use "lowerdir+" (6.5).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

struct op {
	const char *kind, *src, *dst, *fs, *fallback;
	const char **opts;
	int nopts;
	unsigned long long attr;
	int ifexists;
};

static struct op *ops;
static int nops;
static int root_fd = -1; // the new root; every destination is inside it

int mounts_config(const char *key, const char *val)
{
	if (!strcmp(key, "mnt")) {
		ops = realloc(ops, (nops + 1) * sizeof *ops);
		if (!ops)
			fail(125, "init: out of memory");
		ops[nops++] = (struct op){.kind = val};
		return 1;
	}
	if (strncmp(key, "mnt.", 4) || nops == 0)
		return 0;
	struct op *op = &ops[nops - 1];
	key += 4;
	if (!strcmp(key, "src")) op->src = val;
	else if (!strcmp(key, "dst")) op->dst = val;
	else if (!strcmp(key, "fs")) op->fs = val;
	else if (!strcmp(key, "fallback")) op->fallback = val;
	else if (!strcmp(key, "attr")) op->attr = strtoull(val, NULL, 10);
	else if (!strcmp(key, "ifexists")) op->ifexists = 1;
	else if (!strcmp(key, "opt")) {
		op->opts = realloc(op->opts, (op->nopts + 1) * sizeof *op->opts);
		if (!op->opts)
			fail(125, "init: out of memory");
		op->opts[op->nopts++] = val;
	} else
		return 0;
	return 1;
}

// resolve opens path inside the new root, following symlinks as if the
// root were /, and never through /proc's magic links.
static int resolve(int dirfd, const char *path, unsigned long long how)
{
	struct open_how oh = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = how | RESOLVE_NO_MAGICLINKS,
	};
	int fd;
	do
		fd = syscall(SYS_openat2, dirfd, path, &oh, sizeof oh);
	while (fd < 0 && errno == EAGAIN); // a rename raced the lookup
	return fd;
}

static int in_root(const char *path)
{
	return resolve(root_fd, path, RESOLVE_IN_ROOT);
}

// split cuts "/a/b/c" into a parent "/a/b" and a name "c" (buf holds both).
static const char *split(const char *path, char *buf, size_t size)
{
	if (snprintf(buf, size, "%s", path) >= (int)size)
		fail(125, "init: path too long: %.64s...", path);
	char *slash = strrchr(buf, '/');
	if (!slash)
		fail(125, "init: %s: not an absolute path", path);
	*slash = 0;
	return slash + 1;
}

// ensure returns a descriptor of path inside the new root, making it (and
// its missing parents: directories) when it does not exist: a directory
// when dir is set, else an empty file.
static int ensure(const char *path, int dir)
{
	int fd = in_root(*path ? path : "/"); // "" is the parent of "/a"
	if (fd >= 0 || errno != ENOENT)
		return fd;
	char buf[4096];
	const char *name = split(path, buf, sizeof buf);
	int parent = ensure(buf, 1);
	if (parent < 0)
		return -1;
	int r;
	if (dir)
		r = mkdirat(parent, name, 0755);
	else if ((r = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644)) >= 0)
		close(r);
	if (r < 0 && errno != EEXIST) {
		close(parent);
		return -1;
	}
	// What is there now is ours, or the rootfs's: a symlink that just
	// appeared (or a dangling one, EEXIST above) is not followed.
	fd = resolve(parent, name, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	close(parent);
	return fd;
}

static int is_dir(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

// attach mounts the detached mount tree onto dst inside the new root.
static void attach(int tree, const struct op *op, const char *what)
{
	int dir = is_dir(tree);
	int dst = ensure(op->dst, dir);
	if (dst < 0)
		fail(125, "%s on %s: %s", what, op->dst, strerror(errno));
	if (is_dir(dst) != dir)
		fail(125, "%s on %s: %s", what, op->dst, dir ? "not a directory" : "is a directory");
	if (move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail(125, "%s on %s: %s", what, op->dst, strerror(errno));
	close(dst);
	close(tree);
}

// set_attr applies mount flags (read-only...) to a whole mount tree.
static int set_attr(int tree, unsigned long long attr)
{
	struct mount_attr a = {.attr_set = attr};
	if (!attr)
		return 0;
	return mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a);
}

// clone_tree makes a detached copy of the mount at path (dirfd-relative),
// with its submounts, with attr set.
static int clone_tree(int dirfd, const char *path, unsigned long long attr)
{
	int tree = open_tree(dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | (*path ? 0 : AT_EMPTY_PATH));
	if (tree >= 0 && set_attr(tree, attr) < 0) {
		int e = errno;
		close(tree);
		errno = e;
		return -1;
	}
	return tree;
}

static void do_bind(const struct op *op)
{
	char what[4200];
	snprintf(what, sizeof what, "bind %s", op->src);
	int tree = clone_tree(AT_FDCWD, op->src, op->attr);
	if (tree < 0)
		fail(125, "%s: %s", what, strerror(errno));
	attach(tree, op, what);
}

// fs_error says why a filesystem refused its configuration, with the
// message the kernel logged on the context, if any ("e tmpfs: Bad value...").
static void fs_error(int fs, const struct op *op, const char *step, int e)
{
	char log[512] = "";
	ssize_t n = fs >= 0 ? read(fs, log, sizeof log - 1) : -1;
	if (n > 2) {
		log[n] = 0;
		log[strcspn(log, "\n")] = 0;
		fail(125, "mount %s on %s: %s: %s (%s)", op->fs, op->dst, step, strerror(e), log + 2);
	}
	fail(125, "mount %s on %s: %s: %s", op->fs, op->dst, step, strerror(e));
}

// new_fs makes a fresh, detached filesystem mount, or returns -1 with errno
// EPERM when the kernel does not let this namespace mount one.
static int new_fs(const struct op *op)
{
	int fs = fsopen(op->fs, FSOPEN_CLOEXEC);
	if (fs < 0) {
		if (errno == EPERM)
			return -1;
		fs_error(-1, op, "open", errno);
	}
	if (fsconfig(fs, FSCONFIG_SET_STRING, "source", op->src, 0) < 0)
		fs_error(fs, op, "source", errno);
	for (int i = 0; i < op->nopts; i++) {
		char opt[4200];
		snprintf(opt, sizeof opt, "%s", op->opts[i]);
		char *val = strchr(opt, '=');
		if (val)
			*val++ = 0;
		int r = val ? fsconfig(fs, FSCONFIG_SET_STRING, opt, val, 0)
			    : fsconfig(fs, FSCONFIG_SET_FLAG, opt, NULL, 0);
		if (r < 0)
			fs_error(fs, op, op->opts[i], errno);
	}
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		if (errno == EPERM) {
			close(fs);
			errno = EPERM;
			return -1;
		}
		fs_error(fs, op, "create", errno);
	}
	int mnt = fsmount(fs, FSMOUNT_CLOEXEC, op->attr);
	if (mnt < 0)
		fs_error(fs, op, "mount", errno);
	close(fs);
	return mnt;
}

static void do_fs(const struct op *op)
{
	char what[256];
	snprintf(what, sizeof what, "mount %s", op->fs);
	int mnt = new_fs(op);
	if (mnt < 0 && op->fallback) {
		snprintf(what, sizeof what, "bind %s", op->fallback);
		mnt = clone_tree(AT_FDCWD, op->fallback, op->attr);
	}
	if (mnt < 0)
		fail(125, "%s on %s: %s%s", what, op->dst, strerror(errno),
		     errno == EPERM ? "; in a user namespace, add the namespace it belongs to (-p for proc, -i for mqueue, -n for sysfs)" : "");
	attach(mnt, op, what);
}

// do_device makes a device node like the host's; in a user namespace, where
// mknod is not allowed, it binds the host's node instead.
static void do_device(const struct op *op)
{
	struct stat st;
	if (stat(op->src, &st) < 0)
		fail(125, "device %s: %s", op->src, strerror(errno));
	char buf[4096];
	const char *name = split(op->dst, buf, sizeof buf);
	int parent = ensure(buf, 1);
	if (parent < 0)
		fail(125, "device %s: %s", op->dst, strerror(errno));
	int r = mknodat(parent, name, (st.st_mode & S_IFMT) | 0666, st.st_rdev);
	close(parent);
	if (r == 0)
		return;
	if (errno != EPERM)
		fail(125, "device %s: %s", op->dst, strerror(errno));
	int tree = clone_tree(AT_FDCWD, op->src, 0);
	if (tree < 0)
		fail(125, "bind %s: %s", op->src, strerror(errno));
	attach(tree, op, "bind device");
}

// do_console binds CMD's new terminal (-t, from the run's own devpts) as
// /dev/console; without -t, the terminal nsexec runs on, if any.
// The descriptor itself belongs to the host's mount namespace, which
// open_tree refuses: the terminal is bound by its name in this namespace's
// copy of the host's tree, checked to be the same device.
static void do_console(const struct op *op)
{
	int pts = tty_open(root_fd, "/dev/pts/ptmx");
	if (pts >= 0) {
		int tree = open_tree(pts, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0)
			fail(125, "--tty: bind the terminal on %s: %s", op->dst, strerror(errno));
		attach(tree, op, "bind terminal");
		return;
	}
	for (int fd = 0; fd <= 2; fd++) {
		char name[256];
		struct stat want, got;
		if (!isatty(fd) || ttyname_r(fd, name, sizeof name) != 0 || fstat(fd, &want) < 0)
			continue;
		int tree = open_tree(AT_FDCWD, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (tree < 0 || fstat(tree, &got) < 0 || got.st_rdev != want.st_rdev) {
			trace("mount: no console: %s is not reachable here", name);
			if (tree >= 0)
				close(tree);
			return;
		}
		attach(tree, op, "bind terminal");
		return;
	}
}

static void do_mkdir(const struct op *op)
{
	int fd = ensure(op->dst, 1);
	if (fd < 0)
		fail(125, "mkdir %s: %s", op->dst, strerror(errno));
	if (!is_dir(fd))
		fail(125, "mkdir %s: %s", op->dst, strerror(ENOTDIR));
	close(fd);
}

static void do_symlink(const struct op *op)
{
	char buf[4096], target[4096];
	const char *name = split(op->dst, buf, sizeof buf);
	int parent = ensure(buf, 1);
	if (parent < 0)
		fail(125, "symlink %s: %s", op->dst, strerror(errno));
	if (symlinkat(op->src, parent, name) < 0) {
		int e = errno;
		ssize_t n = readlinkat(parent, name, target, sizeof target - 1);
		// Already there and the same: nothing to do.
		if (e != EEXIST || n < 0 || (target[n] = 0, strcmp(target, op->src)))
			fail(125, "symlink %s -> %s: %s", op->dst, op->src, strerror(e));
	}
	close(parent);
}

// do_mask hides a file under /dev/null and a directory under an empty
// read-only tmpfs.
static void do_mask(const struct op *op)
{
	int fd = in_root(op->dst);
	if (fd < 0 && errno == ENOENT && op->ifexists)
		return;
	if (fd < 0)
		fail(125, "mask %s: %s", op->dst, strerror(errno));
	// One empty tmpfs and one /dev/null serve as templates for every mask:
	// a clone of a mount costs less than a new filesystem, and leaves one
	// superblock to tear down at the end instead of one per mask.
	static int empty_dir = -1, null_file = -1;
	int *tmpl = is_dir(fd) ? &empty_dir : &null_file;
	if (*tmpl < 0 && tmpl == &empty_dir) {
		struct op empty = {.fs = "tmpfs", .src = "tmpfs", .dst = op->dst,
				   .opts = (const char *[]){"size=0", "mode=0555"}, .nopts = 2,
				   .attr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
		*tmpl = new_fs(&empty);
	} else if (*tmpl < 0)
		*tmpl = clone_tree(AT_FDCWD, "/dev/null", MOUNT_ATTR_RDONLY);
	if (*tmpl < 0)
		fail(125, "mask %s: %s", op->dst, strerror(errno));
	// An older kernel cannot clone a detached mount (EINVAL): then the template
	// itself is used, and the next mask makes a new one.
	int tree = open_tree(*tmpl, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0 && errno == EINVAL) {
		tree = *tmpl;
		*tmpl = -1;
	}
	if (tree < 0)
		fail(125, "mask %s: %s", op->dst, strerror(errno));
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail(125, "mask %s: %s", op->dst, strerror(errno));
	close(tree);
	close(fd);
}

// do_readonly binds a path onto itself, read-only with its submounts.
static void do_readonly(const struct op *op)
{
	int fd = in_root(op->dst);
	if (fd < 0 && errno == ENOENT && op->ifexists)
		return;
	int tree = fd < 0 ? -1 : clone_tree(fd, "", MOUNT_ATTR_RDONLY);
	if (tree < 0 || move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail(125, "make %s read-only: %s", op->dst, strerror(errno));
	close(tree);
	close(fd);
}

// do_file binds a file holding op->src onto op->dst. The file is made in
// the new /dev (a tmpfs of ours) and unlinked once bound: nothing of it is
// left in the rootfs, and it needs no state directory on the host.
static void do_file(const struct op *op)
{
	const char *name = ".nsexec-file";
	int dev = in_root("/dev");
	int fd = dev < 0 ? -1 : openat(dev, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		fail(125, "write %s: %s", op->dst, strerror(errno));
	size_t len = strlen(op->src);
	if (write(fd, op->src, len) != (ssize_t)len)
		fail(125, "write %s: %s", op->dst, strerror(errno));
	close(fd);
	int tree = open_tree(dev, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		fail(125, "bind %s: %s", op->dst, strerror(errno));
	attach(tree, op, "bind file");
	unlinkat(dev, name, 0); // only once bound: the kernel refuses an unlinked source
	close(dev);
}

static void do_root(const struct op *op)
{
	int tree = clone_tree(AT_FDCWD, op->src, 0);
	if (tree < 0)
		fail(125, "rootfs %s: %s", op->src, strerror(errno));
	if (!is_dir(tree))
		fail(125, "rootfs %s: %s", op->src, strerror(ENOTDIR));
	// Attached where it was, so that pivot_root can take it: the parent is
	// private or slave (the spec requires it), so nothing propagates out.
	if (move_mount(tree, "", AT_FDCWD, op->src, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		fail(125, "rootfs %s: %s", op->src, strerror(errno));
	root_fd = tree;
}

static void do_root_readonly(void)
{
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
	if (mount_setattr(root_fd, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
		fail(125, "make the root read-only: %s", strerror(errno));
}

// close_inherited closes every descriptor but stdio, the sync socket, the
// new root's and CMD's new terminal. PID 1 stays for the whole run, and a process inside with
// CAP_SYS_PTRACE could open a host file or directory it inherited through
// /proc/1/fd.
static void close_inherited(void)
{
	int keep[3] = {sync_fd, root_fd, tty_fd()}; // tty_fd: -1 without -t
	for (int i = 0; i < 3; i++) // sort the three
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int k = keep[i];
				keep[i] = keep[j];
				keep[j] = k;
			}
	unsigned int from = 3;
	for (int i = 0; i < 3; i++) {
		if (keep[i] > (int)from)
			syscall(SYS_close_range, from, keep[i] - 1, 0);
		if (keep[i] >= (int)from)
			from = keep[i] + 1;
	}
	syscall(SYS_close_range, from, ~0U, 0);
}

// do_pivot makes the new root the root and detaches the old one, so that
// nothing of the host's tree is left reachable. Where pivot_root cannot
// work (the host's root is the initramfs: EINVAL), the new root is moved
// onto / and chrooted into, as switch_root does; that fallback leaves the
// old root under the mount, reachable to a process with CAP_SYS_CHROOT that
// escapes a chroot, so drop that capability there.
static void do_pivot(void)
{
	close_inherited();
	if (fchdir(root_fd) < 0)
		fail(125, "enter the new root: %s", strerror(errno));
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		// The old root is stacked under the new one at "/": detach it. It
		// is already private or slave (init.c, the spec requires it), so
		// the unmount reaches no peer.
		if (umount2(".", MNT_DETACH) < 0)
			fail(125, "detach the old root: %s", strerror(errno));
	} else if (errno == EINVAL) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0 || chroot(".") < 0)
			fail(125, "enter the new root (chroot fallback): %s", strerror(errno));
		trace("mount: pivot_root impossible here, chroot instead");
	} else
		fail(125, "pivot_root: %s", strerror(errno));
	if (chdir("/") < 0)
		fail(125, "chdir /: %s", strerror(errno));
}

void mounts_setup(void)
{
	if (nops == 0)
		return;
	mode_t mask = umask(0); // device modes as asked; CMD gets the caller's back
	if (strcmp(ops[0].kind, "root")) {
		// Mounts without a rootfs land in the current root.
		root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root_fd < 0)
			fail(125, "open /: %s", strerror(errno));
	}
	for (int i = 0; i < nops; i++) {
		const struct op *op = &ops[i];
		const char *k = op->kind;
		if (!strcmp(k, "root")) do_root(op);
		else if (!strcmp(k, "fs")) do_fs(op);
		else if (!strcmp(k, "bind")) do_bind(op);
		else if (!strcmp(k, "dev")) do_device(op);
		else if (!strcmp(k, "console")) do_console(op);
		else if (!strcmp(k, "mkdir")) do_mkdir(op);
		else if (!strcmp(k, "symlink")) do_symlink(op);
		else if (!strcmp(k, "mask")) do_mask(op);
		else if (!strcmp(k, "ro")) do_readonly(op);
		else if (!strcmp(k, "file")) do_file(op);
		else if (!strcmp(k, "rootro")) do_root_readonly();
		else if (!strcmp(k, "pivot")) do_pivot();
		else fail(125, "init: unknown mount step %s", k);
		if (op->dst)
			trace("mount: %s %s", k, op->dst);
		else
			trace("mount: %s %s", k, op->src ? op->src : "");
	}
	close(root_fd);
	umask(mask);
}
