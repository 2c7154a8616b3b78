// tty.c: CMD's session and, with -t, its own terminal. See init.h.
//
// A container run (--rootfs), a joined run and a -t run leave the caller's
// session: the init calls setsid as soon as it has its config, so that
// neither it nor anything it starts (CMD, a relay, PID 1) has a
// controlling terminal. TIOCSTI on the caller's terminal, which CMD may
// still hold as stdin, then fails with EPERM (the kernel lets only the
// terminal's own session, or CAP_SYS_ADMIN in the host's user namespace,
// push input into it): nothing inside can type commands into the caller's
// shell (CVE-2017-5226). Being out of the terminal's process group, the
// init gets no signal from it either: nsexec forwards each one once (two
// copies of a pending signal would be merged into one by the kernel).
//
// With -t the init opens a new pseudo-terminal: from the run's own devpts
// when it has a rootfs (mounts.c calls tty_open during the mount plan and
// binds the slave as /dev/console), else through /dev/ptmx of the root the
// init is in (the host's, or a joined target's). The master goes to the
// parent, which relays it to its own terminal, as one "T" message with the
// descriptor (SCM_RIGHTS) on the sync socket; the slave becomes CMD's
// controlling terminal (TIOCSCTTY) and its stdin, stdout and stderr, so CMD
// never holds the caller's terminal at all.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "init.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static int new_session, want_tty, slave = -1;
static struct winsize size;

int tty_config(const struct nsx_rec *r)
{
	if (r->key == NSX_SETSID)
		new_session = 1;
	else if (r->key == NSX_TTY) {
		want_tty = 1;
		size.ws_row = (unsigned short)nsx_u64(r, 0);
		size.ws_col = (unsigned short)nsx_u64(r, 1);
		size.ws_xpixel = (unsigned short)nsx_u64(r, 2);
		size.ws_ypixel = (unsigned short)nsx_u64(r, 3);
	} else
		return 0;
	return 1;
}

// send_master hands the master to the parent: one "T" byte carrying it.
static void send_master(int master)
{
	char t = 'T';
	struct iovec iov = {&t, 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof master);
	if (sendmsg(sync_fd, &msg, MSG_NOSIGNAL) != 1)
		fail(125, "@process.tty: send the terminal to nsexec: %s", strerror(errno));
}

int tty_open(int dirfd, const char *ptmx)
{
	if (!want_tty || slave >= 0)
		return slave;
	// Not through /proc's magic links, and inside the root when dirfd is
	// one (RESOLVE_IN_ROOT); non-blocking, as the parent polls the master.
	struct open_how how = {
		.flags = O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK,
		.resolve = RESOLVE_NO_MAGICLINKS | (dirfd == AT_FDCWD ? 0 : RESOLVE_IN_ROOT),
	};
	int master = syscall(SYS_openat2, dirfd, ptmx, &how, sizeof how);
	if (master < 0)
		fail(125, "@process.tty: open %s: %s", ptmx, strerror(errno));
	// A joined target's /dev/ptmx is the target's to choose: only the
	// multiplexer (5:2) makes a new pair, and only a master has a peer.
	struct stat st;
	int unlock = 0, n = -1;
	if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(5, 2))
		fail(125, "@process.tty: %s is not the pseudo-terminal multiplexer", ptmx);
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0 ||
	    (slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		fail(125, "@process.tty: new pseudo-terminal from %s: %s", ptmx, strerror(errno));
	// The size before CMD can ask for it; the parent passes changes on.
	if ((size.ws_row || size.ws_col) && ioctl(master, TIOCSWINSZ, &size) < 0)
		fail(125, "@process.tty: set the window size: %s", strerror(errno));
	send_master(master);
	close(master);
	trace("tty: pseudo-terminal %d from %s", n, ptmx);
	return slave;
}

int tty_fd(void) { return slave; }

void tty_after_fork(void)
{
	if (slave >= 0)
		close(slave); // CMD has it: PID 1 keeps no end of the terminal
	slave = -1;
}

void tty_new_session(void)
{
	if ((new_session || want_tty) && setsid() < 0)
		fail(125, "init: start a new session: %s", strerror(errno));
}

void tty_before_exec(void)
{
	if (slave < 0)
		return;
	// CMD leads its own session, the one its terminal belongs to (the
	// init itself, when CMD is the init, already does).
	if (setsid() < 0 && getsid(0) != getpid())
		fail(125, "@process.tty: start CMD's session: %s", strerror(errno));
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		fail(125, "@process.tty: make the terminal CMD's controlling terminal: %s", strerror(errno));
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(slave, fd) < 0)
			fail(125, "@process.tty: connect CMD to the terminal: %s", strerror(errno));
	if (slave > 2)
		close(slave);
	slave = -1;
}
