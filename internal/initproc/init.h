// What the init's parts share. init.c is the init itself; each feature that
// acts inside the namespaces has a file of its own with three hooks.
#ifndef NSEXEC_INIT_H
#define NSEXEC_INIT_H

extern int sync_fd; // the socket to the parent

// trace prints a finished step when -v is given; fail reports an error to
// the parent and exits with code.
void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

// Each *_config takes one "key=value" record of the parent's config and
// returns 1 if it is its own. The values stay valid for the whole run.

// mounts.c: the root filesystem and mounts, set up in PID 1 before CMD forks.
int mounts_config(const char *key, const char *val);
void mounts_setup(void);

// process.c: what CMD runs as (cwd, environment, IDs), in CMD's process.
int process_config(const char *key, const char *val);
void process_before_exec(void);

// security.c: capabilities, no_new_privs and seccomp, in CMD's process:
// security_before_process before process_before_exec (capabilities must be
// kept across its setuid), security_before_exec after it; seccomp last.
int security_config(const char *key, const char *val);
void security_before_process(void);
void security_before_exec(void);

#endif
