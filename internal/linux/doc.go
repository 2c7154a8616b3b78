// Package linux holds the system-call wrappers the other packages share:
// the retries on EINTR (read, write, sendfile, recvmsg, wait4, flock) and
// the error wording they would otherwise each write again, and ReadFile,
// which reads a small file without Go's network poller.
package linux
