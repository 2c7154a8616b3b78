// front.c: the process the caller waits on (issue 11). See init.h.
//
// When nsexec starts, its C constructor forks before the Go runtime exists:
// the child (the planner) goes on into Go and does what the command line
// asks: it parses, plans, prepares the host parts and clones the init with
// CLONE_PARENT, so that the init is a child of this process, the front. The
// front stays in C and never starts a Go runtime: it queues the signals the
// user sends until the planner names the init, then forwards them, reaps
// the init and exits with its status at once. The planner either leaves
// right after the init has its config (nothing of the run needs it any
// more: the front then prints the init's error, if any), or stays for what
// comes after the run (undo its host parts, relay a terminal): the front
// tells it how the init ended and exits as the planner does.
//
// The protocol on the control socket (SOCK_SEQPACKET):
//
//   planner                                    front
//   "R" PID SAME_SESSION TTY KEEP, NUL, ---->  the init exists
//   then "FIELD=WORD" NUL...; without KEEP
//   the sync socket attached (SCM_RIGHTS)
//                                       <----  with KEEP: "S" STATUS once the
//                                              init ended (a wait status)
//   (the planner exits: the front exits with its code, with KEEP or before R)
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"

// Defined by the nsexec command (cmd/nsexec/front.go); absent from other
// binaries that link the init (tests), which stay ordinary Go programs.
extern int nsexec_front __attribute__((weak));

// The signals forwarded to the run (as the Go side forwarded them): not
// SIGCHLD (ours), nor the job-control stops, which stop nsexec itself.
static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM,
	SIGCONT, SIGPWR, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO,
};

static struct {
	pid_t planner, init;
	int ctl, sync;
	int same_session, tty, keep;
	char words[2048]; // "FIELD=WORD\0..." for the init's errors
	size_t nwords;
	int pending[64]; // signals before the init existed
	int npending;
	// Children reaped before the planner named the init (it may end
	// before the planner's message is read): their PIDs and statuses.
	pid_t early_pid[8];
	int early_st[8], nearly;
} fr = {.sync = -1};

static int status_code(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int in_foreground(void)
{
	pid_t pgrp;
	return ioctl(0, TIOCGPGRP, &pgrp) == 0 && pgrp == getpgrp();
}

// forward passes sig on to the init. A terminal's INT, QUIT and WINCH
// reached CMD already when it shares nsexec's session and nsexec is in the
// foreground; with -t, the planner turns WINCH into the new size.
static void forward(int sig)
{
	if (sig == SIGWINCH && fr.tty)
		return;
	if ((sig == SIGINT || sig == SIGQUIT || sig == SIGWINCH) && fr.same_session && in_foreground())
		return;
	kill(fr.init, sig);
}

// read_ready takes the planner's "R" message.
static void read_ready(void)
{
	char buf[sizeof fr.words + 64];
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {buf, sizeof buf - 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	ssize_t n;
	do
		n = recvmsg(fr.ctl, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		fr.ctl = -1; // the planner is gone: its exit says the rest
		return;
	}
	buf[n] = 0;
	if (buf[0] != 'R' || sscanf(buf + 1, "%d %d %d %d", &fr.init, &fr.same_session, &fr.tty, &fr.keep) != 4)
		return;
	size_t head = strlen(buf) + 1;
	if ((size_t)n > head && (size_t)n - head <= sizeof fr.words) {
		fr.nwords = n - head;
		memcpy(fr.words, buf + head, fr.nwords);
	}
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fr.sync, CMSG_DATA(c), sizeof(int));
	for (int i = 0; i < fr.npending; i++)
		forward(fr.pending[i]);
	fr.npending = 0;
}

// word is how the command line names field, from the planner's words.
static const char *word(const char *field, size_t len)
{
	for (size_t i = 0; i < fr.nwords; i += strlen(fr.words + i) + 1) {
		const char *w = fr.words + i;
		if (!strncmp(w, field, len) && w[len] == '=')
			return w + len + 1;
	}
	return NULL;
}

// report prints what the init said before it ended, once, and returns the
// exit code to report; -1 when it said nothing.
static int report(void)
{
	char buf[2048];
	ssize_t n = recv(fr.sync, buf, sizeof buf - 1, MSG_DONTWAIT);
	if (n < 0 && errno == ECONNRESET) // it ended with its config unread
		n = recv(fr.sync, buf, sizeof buf - 1, MSG_DONTWAIT);
	if (n < 2 || buf[0] != 'E')
		return -1;
	buf[n] = 0;
	char *msg = strchr(buf, ':');
	if (!msg)
		return -1;
	int code = atoi(buf + 1);
	msg++;
	if (*msg == '@') { // "@FIELD rest": the field as the command line names it
		size_t len = strcspn(msg + 1, " :");
		const char *w = word(msg + 1, len);
		if (w) {
			dprintf(2, "nsexec: %s%s\n", w, msg + 1 + len);
			return code;
		}
		msg++;
	}
	dprintf(2, "nsexec: %s\n", msg);
	return code;
}

static void __attribute__((noreturn)) front_loop(void)
{
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded / sizeof *forwarded; i++)
		sigaddset(&mask, forwarded[i]);
	// Only these wait for the signalfd; the job-control stops (Ctrl-Z)
	// stop the front as they would any foreground command.
	sigprocmask(SIG_SETMASK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("nsexec: signalfd");
		_exit(125);
	}
	int planner_st = -1, init_st = -1;
	for (;;) {
		if (planner_st >= 0 && (fr.init == 0 || fr.keep)) {
			if (fr.init > 0 && init_st < 0) { // the planner failed, or was killed
				kill(fr.init, SIGKILL);
				continue;
			}
			_exit(status_code(planner_st));
		}
		if (init_st >= 0 && !fr.keep) {
			int code = report();
			_exit(code >= 0 ? code : status_code(init_st));
		}
		struct pollfd p[2] = {{sfd, POLLIN, 0}, {fr.ctl, POLLIN, 0}};
		if (poll(p, fr.ctl >= 0 ? 2 : 1, -1) < 0)
			continue;
		if (fr.ctl >= 0 && p[1].revents) {
			int was = fr.init;
			read_ready();
			int found = 0;
			for (int i = 0; was == 0 && i < fr.nearly && fr.init > 0; i++)
				if (fr.early_pid[i] == fr.init)
					init_st = fr.early_st[i], found = 1;
			if (found && fr.keep) {
				char msg[32];
				int n = snprintf(msg, sizeof msg, "S%d", init_st);
				send(fr.ctl, msg, n, MSG_NOSIGNAL);
			}
		}
		if (!p[0].revents)
			continue;
		struct signalfd_siginfo si;
		if (read(sfd, &si, sizeof si) != sizeof si)
			continue;
		if (si.ssi_signo != SIGCHLD) {
			if (fr.init > 0)
				forward(si.ssi_signo);
			else if (fr.npending < (int)(sizeof fr.pending / sizeof *fr.pending))
				fr.pending[fr.npending++] = si.ssi_signo;
			continue;
		}
		int st;
		pid_t pid;
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
			if (pid == fr.planner)
				planner_st = st;
			else if (fr.init == 0 && fr.nearly < 8) {
				fr.early_pid[fr.nearly] = pid;
				fr.early_st[fr.nearly++] = st;
			} else if (pid == fr.init) {
				init_st = st;
				if (fr.keep) {
					char msg[32];
					int n = snprintf(msg, sizeof msg, "S%d", st);
					send(fr.ctl, msg, n, MSG_NOSIGNAL);
				}
			}
		}
	}
}

// planner_ctl is the planner's end of the control socket, for the Go side
// (front.go): Go reads the environment from the process's start, so a
// setenv here would not reach it.
static int planner_ctl = -1;
int nsexec_planner_ctl(void) { return planner_ctl; }

void front(const char *argv0)
{
	size_t n = strlen(argv0);
	if (!&nsexec_front || (n > 5 && !strcmp(argv0 + n - 5, ".test")))
		return; // not the nsexec command (its tests link it too)
	// A caller that ignores SIGCHLD would have the run reaped unseen.
	signal(SIGCHLD, SIG_DFL);
	int pair[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return; // no front: the Go side runs alone, as it can
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old); // nothing is lost before the loop
	pid_t planner = fork();
	if (planner < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(pair[0]);
		close(pair[1]);
		return;
	}
	if (planner == 0) {
		close(pair[0]);
		planner_ctl = pair[1];
		sigprocmask(SIG_SETMASK, &old, NULL); // the Go runtime takes the signals it wants
		return;
	}
	close(pair[1]);
	fr.planner = planner;
	fr.ctl = pair[0];
	front_loop();
}
