// Package security computes the confinement of CMD: its capability sets,
// no_new_privs, and its seccomp filter, compiled here to classic BPF. The C
// init applies what this package computes (internal/initproc/security.c),
// in CMD's process, right before execve.
//
// The compiler is nsexec's own, in pure Go, for speed at every start:
// libseccomp-golang needs cgo and loads libseccomp at every start, and
// github.com/elastic/go-seccomp-bpf builds its syscall maps in init() (about
// 0.25 ms of every start, measured with GODEBUG=inittrace=1, runs without
// seccomp included) and compiles for the native architecture only. Here the
// syscall tables are arrays laid out by the linker (zsyscalls.go, generated
// from golang.org/x/sys), and the filter is a binary search over syscall
// numbers rather than libseccomp's default linear list.
//
// Profiles are Docker's or the OCI runtime-spec's JSON; Docker's default
// profile and the resolution of its conditions (capabilities, kernel
// version, architecture) come from github.com/moby/profiles/seccomp.
package security

//go:generate go run mksyscalls.go
