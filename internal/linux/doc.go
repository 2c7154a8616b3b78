// Package linux holds the system-call wrappers the other packages share:
// the retries on EINTR and the error wording they would otherwise each
// write again.
package linux
