// Package initproc is the inside of a run: the code that executes in the new
// namespaces, applies the setup the parent sends, and runs CMD, staying as
// PID 1 when the run has its own PID namespace.
//
// It is written in C (init.c) and runs as a constructor of the re-executed
// nsexec binary, before any Go code, so that the new namespaces never pay for
// a second Go runtime start and PID 1 stays small. Importing this package is
// what links the constructor into a binary; Config is the message that
// tells it what to do.
package initproc
