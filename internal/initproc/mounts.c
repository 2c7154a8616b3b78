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
// The rootfs may be shared with someone who renames its entries while the
// run starts (ROOT/proc swapped with a symlink). So the filesystems of the
// run's own, the bases (/proc, /dev, /sys), are mounted on a real directory
// (a symlink there fails the run), and everything inside one (the masks,
// read-only paths, device nodes, devpts) is resolved from the descriptor
// of that mount, with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, never from
// the rootfs's names: wherever the rootfs's owner moves the mount point,
// a mask lands in the procfs it is for, and a mask is skipped only where
// that procfs itself lacks the path. The base is attached before its masks
// (mounting onto a detached mount needs a recent kernel, 6.15); nothing
// else runs in this mount namespace meanwhile, and CMD starts only after.
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
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init.h"

struct op {
	const char *kind, *src, *dst, *fs, *fallback;
	const char *in; // the base dst is inside, or NULL: the root
	const char **opts;
	int nopts;
	unsigned long long attr;
	int ifexists, base;
};

static struct op *ops;
static int nops;
static int root_fd = -1; // the new root; every destination is inside it

// A base: a filesystem of the run's own, mounted on dst, and the descriptor
// of that mount, which the operations inside it are resolved from. fstype
// is its statfs type when it is a fresh filesystem, 0 for a bind (sysfs's
// fallback, the host's /sys).
struct base {
	const char *dst;
	int fd;
	long fstype;
};
static struct base bases[4];
static int nbases;

// Where an operation's destination is resolved: from the root, following
// symlinks as if it were /, or from a base mount, beneath it and through
// no symlink. path is the destination relative to it ("" for itself).
struct where {
	int fd;
	unsigned long long how;
	long fstype;
	const char *path;
};

int mounts_config(const struct nsx_rec *r)
{
	if (r->key == NSX_MNT) {
		ops = realloc(ops, (nops + 1) * sizeof *ops);
		if (!ops)
			fail(125, "init: out of memory");
		ops[nops++] = (struct op){.kind = r->str};
		return 1;
	}
	if (r->key < NSX_MNT_SRC || r->key > NSX_MNT_IN)
		return 0;
	if (nops == 0)
		fail(125, "init: read config: a mount field before its operation");
	struct op *op = &ops[nops - 1];
	switch (r->key) {
	case NSX_MNT_SRC: op->src = r->str; break;
	case NSX_MNT_DST: op->dst = r->str; break;
	case NSX_MNT_FS: op->fs = r->str; break;
	case NSX_MNT_FALLBACK: op->fallback = r->str; break;
	case NSX_MNT_ATTR: op->attr = nsx_u64(r, 0); break;
	case NSX_MNT_IFEXISTS: op->ifexists = 1; break;
	case NSX_MNT_IN: op->in = r->str; break;
	case NSX_MNT_BASE: op->base = 1; break;
	case NSX_MNT_OPT:
		op->opts = realloc(op->opts, (op->nopts + 1) * sizeof *op->opts);
		if (!op->opts)
			fail(125, "init: out of memory");
		op->opts[op->nopts++] = r->str;
		break;
	}
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

// where_of tells where op's destination is resolved.
static struct where where_of(const struct op *op)
{
	if (!op->in)
		return (struct where){root_fd, RESOLVE_IN_ROOT, 0, op->dst};
	size_t n = strlen(op->in);
	for (int i = 0; i < nbases; i++)
		if (!strcmp(bases[i].dst, op->in) && !strncmp(op->dst, op->in, n) &&
		    (op->dst[n] == 0 || op->dst[n] == '/'))
			return (struct where){bases[i].fd, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS,
					      bases[i].fstype, op->dst + n};
	fail(125, "init: %s: not inside a mounted %s", op->dst, op->in);
}

// lookup opens path ("/a/b", or "" for the place itself) where w says.
static int lookup(const struct where *w, const char *path)
{
	if (w->how & RESOLVE_IN_ROOT)
		return resolve(w->fd, *path ? path : "/", w->how);
	return resolve(w->fd, *path ? path + 1 : ".", w->how);
}

// on_base checks that fd, found inside a fresh base, is on that very
// filesystem: what a mask or a read-only bind covers is the procfs (or
// sysfs) the run mounted, whatever was renamed or mounted meanwhile.
static int on_base(const struct where *w, int fd)
{
	struct statfs st;
	if (fd < 0 || !w->fstype)
		return fd;
	if (fstatfs(fd, &st) == 0 && st.f_type == w->fstype)
		return fd;
	close(fd);
	errno = EXDEV;
	return -1;
}

// base_fd is the descriptor of the base mounted on dst.
static int base_fd(const char *dst)
{
	for (int i = 0; i < nbases; i++)
		if (!strcmp(bases[i].dst, dst))
			return bases[i].fd;
	fail(125, "init: no %s mounted", dst);
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

// ensure returns a descriptor of path (where w says), making it (and its
// missing parents: directories) when it does not exist: a directory when
// dir is set, else an empty file. With follow unset, the last component
// must not be a symlink (ELOOP).
static int ensure(const struct where *w, const char *path, int dir, int follow)
{
	int fd = -1;
	if (follow || !*path) {
		fd = lookup(w, path); // "" is the parent of "/a"
		if (fd >= 0 || errno != ENOENT)
			return fd;
	}
	char buf[4096];
	const char *name = split(path, buf, sizeof buf);
	int parent = ensure(w, buf, 1, 1);
	if (parent < 0)
		return -1;
	// What is there is ours, or the rootfs's: a symlink that just appeared
	// (or a dangling one, EEXIST below) is not followed.
	unsigned long long how = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
	fd = resolve(parent, name, how);
	if (fd < 0 && errno == ENOENT) {
		int r;
		if (dir)
			r = mkdirat(parent, name, 0755);
		else if ((r = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644)) >= 0)
			close(r);
		fd = r < 0 && errno != EEXIST ? -1 : resolve(parent, name, how);
	}
	int e = errno;
	close(parent);
	errno = e;
	return fd;
}

static int is_dir(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
}

// attach mounts the detached mount tree onto op's destination. The tree
// of a base stays open: it is the base's descriptor.
static void attach(int tree, const struct op *op, const char *what)
{
	int dir = is_dir(tree);
	struct where w = where_of(op);
	int dst = ensure(&w, w.path, dir, !op->base);
	if (dst < 0 && errno == ELOOP && op->base)
		fail(125, "%s on %s: is a symlink (the run's own filesystems go on real directories)", what, op->dst);
	if (dst < 0)
		fail(125, "%s on %s: %s", what, op->dst, strerror(errno));
	if (is_dir(dst) != dir)
		fail(125, "%s on %s: %s", what, op->dst, dir ? "not a directory" : "is a directory");
	if (move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail(125, "%s on %s: %s", what, op->dst, strerror(errno));
	close(dst);
	if (!op->base)
		close(tree);
}

// add_base records the mount tree attached for a base op; fresh tells a new
// filesystem from a bind.
static void add_base(const struct op *op, int tree, int fresh)
{
	struct statfs st;
	if ((size_t)nbases == sizeof bases / sizeof *bases)
		fail(125, "init: too many base filesystems");
	if (fresh && fstatfs(tree, &st) < 0)
		fail(125, "mount %s on %s: statfs: %s", op->fs, op->dst, strerror(errno));
	bases[nbases++] = (struct base){op->dst, tree, fresh ? (long)st.f_type : 0};
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
	int mnt = new_fs(op), fresh = mnt >= 0;
	if (mnt < 0 && op->fallback) {
		snprintf(what, sizeof what, "bind %s", op->fallback);
		mnt = clone_tree(AT_FDCWD, op->fallback, op->attr);
	}
	if (mnt < 0)
		fail(125, "%s on %s: %s%s", what, op->dst, strerror(errno),
		     errno == EPERM ? "; in a user namespace, add the namespace it belongs to (-p for proc, -i for mqueue, -n for sysfs)" : "");
	attach(mnt, op, what);
	if (op->base)
		add_base(op, mnt, fresh);
}

// do_device makes a device node like the host's; in a user namespace, where
// mknod is not allowed, it binds the host's node instead.
static void do_device(const struct op *op)
{
	struct stat st;
	if (stat(op->src, &st) < 0)
		fail(125, "device %s: %s", op->src, strerror(errno));
	char buf[4096];
	struct where w = where_of(op);
	const char *name = split(w.path, buf, sizeof buf);
	int parent = ensure(&w, buf, 1, 1);
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
			fail(125, "@process.tty: bind the terminal on %s: %s", op->dst, strerror(errno));
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
	struct where w = where_of(op);
	int fd = ensure(&w, w.path, 1, 1);
	if (fd < 0)
		fail(125, "mkdir %s: %s", op->dst, strerror(errno));
	if (!is_dir(fd))
		fail(125, "mkdir %s: %s", op->dst, strerror(ENOTDIR));
	close(fd);
}

static void do_symlink(const struct op *op)
{
	char buf[4096], target[4096];
	struct where w = where_of(op);
	const char *name = split(w.path, buf, sizeof buf);
	int parent = ensure(&w, buf, 1, 1);
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

// mask_error is why a mask or a read-only path cannot be applied.
static const char *mask_error(int e)
{
	return e == ELOOP ? "is a symlink" : e == EXDEV ? "not on the filesystem the run mounted there" : strerror(e);
}

// do_mask hides a file under /dev/null and a directory under an empty
// read-only tmpfs. A default mask is skipped only where the kernel lacks
// the path (ENOENT in the base itself); any other failure fails the run.
static void do_mask(const struct op *op)
{
	struct where w = where_of(op);
	int fd = on_base(&w, lookup(&w, w.path));
	if (fd < 0 && errno == ENOENT && op->ifexists)
		return;
	if (fd < 0)
		fail(125, "mask %s: %s", op->dst, mask_error(errno));
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
	struct where w = where_of(op);
	int fd = on_base(&w, lookup(&w, w.path));
	if (fd < 0 && errno == ENOENT && op->ifexists)
		return;
	int tree = fd < 0 ? -1 : clone_tree(fd, "", MOUNT_ATTR_RDONLY);
	if (tree < 0 || move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail(125, "make %s read-only: %s", op->dst, mask_error(errno));
	close(tree);
	close(fd);
}

// do_file binds a file holding op->src onto op->dst. The file is made in
// the new /dev (a tmpfs of ours) and unlinked once bound: nothing of it is
// left in the rootfs, and it needs no state directory on the host.
static void do_file(const struct op *op)
{
	const char *name = ".nsexec-file";
	int dev = base_fd("/dev");
	int fd = openat(dev, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
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
	nbases = 0; // their descriptors are closed: pivot is the last step
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
