// What the init's parts share. init.c is the init itself; each feature that
// acts inside the namespaces has a file of its own with three hooks.
#ifndef NSEXEC_INIT_H
#define NSEXEC_INIT_H

#include <sys/types.h>

#include "proto.h"

extern int sync_fd;   // the socket to the parent
extern int host_proc; // nsexec's own procfs (O_PATH), after joining a mount ns; else -1

// trace prints a finished step when -v is given; fail reports an error to
// the parent and exits with code.
void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

// Each *_config takes one record of the parent's config (proto.h) and
// returns 1 if it is its own. The values stay valid for the whole run.

// mounts.c: the root filesystem and mounts, set up in PID 1 before CMD forks.
int mounts_config(const struct nsx_rec *r);
void mounts_setup(void);

// process.c: what CMD runs as (cwd, environment, IDs), in CMD's process.
int process_config(const struct nsx_rec *r);
void process_before_exec(void);

// security.c: capabilities, no_new_privs and seccomp, in CMD's process:
// security_before_process before process_before_exec (capabilities must be
// kept across its setuid), security_before_exec after it; seccomp last.
int security_config(const struct nsx_rec *r);
void security_before_process(void);
void security_before_exec(void);
// security_filter_now installs the filter ahead of time (a joined CMD,
// before it takes its target's lower capabilities).
void security_filter_now(void);
// The capability sets of this process (capget/capset, version 3).
void capget2(unsigned long long *eff, unsigned long long *perm, unsigned long long *inh);
int capset3(unsigned long long eff, unsigned long long perm, unsigned long long inh);
// security_confine_reaper: the init that stays resident keeps CAP_KILL only,
// no_new_privs and an allow-list filter, before CMD exists.
void security_confine_reaper(void);

// network.c: the bridge's /etc/hosts and /etc/resolv.conf, bound in PID 1
// before mounts_setup (the veth and addresses are set up by the parent).
int network_config(const struct nsx_rec *r);
void network_setup(void);

// join.c: joining existing namespaces, first thing (join_enter, before the
// config is read), and what CMD of a joined run takes over from its target,
// in CMD's process, before process_before_exec.
void join_enter(const unsigned char *msg, size_t len); // the early message
int join_config(const struct nsx_rec *r);
void join_after_config(void); // may fork PID 1 of a new PID ns, and stay as its reaper
int join_forks(void);         // CMD must be forked: a PID ns was joined
void join_before_exec(void);

// tty.c: the run's own session and, with -t, CMD's new terminal.
// tty_new_session leaves the caller's session, right after the config is
// read (a container, joined or -t run). tty_open opens
// the terminal once (mounts.c, with the new root's descriptor; else init.c
// after the mounts), sends the master to the parent and returns the slave;
// without -t it does nothing and returns -1, as tty_fd does before. PID 1
// calls tty_after_fork once CMD is forked; CMD calls tty_before_exec first
// of its steps before execve.
int tty_config(const struct nsx_rec *r);
void tty_new_session(void);
int tty_open(int dirfd, const char *ptmx);
int tty_fd(void);
void tty_after_fork(void);
void tty_before_exec(void);

// front.c: the process the caller waits on; returns in the planner (and
// when nsexec is not the program), never in the front.
void front(const char *argv0);
int nsexec_planner_ctl(void); // the planner's control socket, or -1

// init.c, shared with join.c.
void time_ns_create(long long mono, long long boot, int proc);
void cgroup_join(const struct nsx_rec *fds, const char *what);
// process.c, shared with join.c: setgroups of a list of IDs.
void set_groups(const struct nsx_rec *groups);
// reaper confines itself, then opens the gate (gate_open): CMD, forked
// before, waits at it so that it never exists beside an unconfined PID 1.
void reaper(pid_t child) __attribute__((noreturn));

#endif
