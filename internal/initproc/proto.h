// proto.h: decoding the messages nsexec sends its init (protocol.go). No
// dependency on the rest of the init, so that a test builds it alone
// (internal/initproc/prototest) and checks it against the Go encoder.
#ifndef NSEXEC_PROTO_H
#define NSEXEC_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "zprotocol.h"

// One record of a body. str is set for NSX_STR (NUL-terminated, no NUL
// inside); val points at the value's len bytes, which stay valid as long
// as the body does.
struct nsx_rec {
	unsigned key;
	uint32_t len;
	const char *str;
	const unsigned char *val;
};

// nsx_u64 is the i-th number of an NSX_U64 or NSX_U64S record.
uint64_t nsx_u64(const struct nsx_rec *r, size_t i);
// nsx_count is how many numbers an NSX_U64 or NSX_U64S record holds.
size_t nsx_count(const struct nsx_rec *r);

// nsx_header reads a frame header of n bytes: the message's type and the
// length of its body. It returns NULL, or what is wrong.
const char *nsx_header(const unsigned char *h, size_t n, uint32_t *type, uint32_t *len);

// nsx_decode checks a whole body (every record's key known and its length
// right for its kind, the end record last and only there), then calls fn
// for each record but the end, in order, until fn returns an error. It
// returns NULL, or what is wrong (in a static buffer).
typedef const char *(*nsx_fn)(const struct nsx_rec *r, void *arg);
const char *nsx_decode(const unsigned char *buf, size_t n, nsx_fn fn, void *arg);

#endif
