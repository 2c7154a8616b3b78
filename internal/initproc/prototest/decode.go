// Package prototest runs the init's C decoder (initproc/proto.c) from Go,
// without root and without starting an init, so that tests and fuzz targets
// check it against the Go encoder and decoder (initproc/protocol.go).
package prototest

/*
#cgo CFLAGS: -Wall -Wextra -Werror
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The decoder's own source, under other names: the test binary also links
// the init's copy (package initproc).
#define nsx_u64 prototest_nsx_u64
#define nsx_count prototest_nsx_count
#define nsx_header prototest_nsx_header
#define nsx_decode prototest_nsx_decode
#include "../proto.c"

struct out {
	char *buf;
	size_t len, cap;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = 0;
}

// dump_rec writes a record as Records does: a line "name" or "name=value".
static const char *dump_rec(const struct nsx_rec *r, void *arg)
{
	struct out *o = arg;
	char num[32];
	const char *name = nsx_keys[r->key].name;
	put(o, name, strlen(name));
	switch (nsx_keys[r->key].kind) {
	case NSX_FLAG:
		break;
	case NSX_STR:
		put(o, "=", 1);
		put(o, r->str, strlen(r->str));
		break;
	case NSX_U64:
	case NSX_U64S:
		put(o, "=", 1);
		for (size_t i = 0; i < nsx_count(r); i++) {
			int n = snprintf(num, sizeof num, "%s%lld", i ? " " : "", (long long)nsx_u64(r, i));
			put(o, num, n);
		}
		break;
	case NSX_BYTES:
		put(o, "=", 1);
		for (uint32_t i = 0; i < r->len; i++) {
			snprintf(num, sizeof num, "%02x", r->val[i]);
			put(o, num, 2);
		}
		break;
	}
	put(o, "\n", 1);
	return NULL;
}

static const char *dump(const unsigned char *body, size_t n, char *buf, size_t cap, int *full)
{
	struct out o = {buf, 0, cap, 0};
	buf[0] = 0;
	const char *err = nsx_decode(body, n, dump_rec, &o);
	*full = o.full;
	return err;
}

static const char *header(const unsigned char *h, size_t n, uint32_t *type, uint32_t *len)
{
	return nsx_header(h, n, type, len);
}
*/
import "C"

import (
	"errors"
	"strings"
	"unsafe"
)

// Decode decodes a message body with the C decoder and returns a line per
// record, as initproc.Records does, with the end record last.
func Decode(body []byte) ([]string, error) {
	size := 4*len(body) + 64 // bytes print as two hex digits each; numbers take at most 20 for 8
	out := C.malloc(C.size_t(size))
	defer C.free(out)
	in := C.CBytes(body) // a copy: the decoder may read at any offset
	defer C.free(in)
	var full C.int
	if cerr := C.dump((*C.uchar)(in), C.size_t(len(body)), (*C.char)(out), C.size_t(size), &full); cerr != nil {
		return nil, errors.New(C.GoString(cerr))
	}
	if full != 0 {
		return nil, errors.New("prototest: output buffer too small")
	}
	text := C.GoString((*C.char)(out))
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if text == "" {
		lines = nil
	}
	return append(lines, "end"), nil
}

// Header reads a frame header with the C decoder.
func Header(h []byte) (typ, length uint32, err error) {
	p := C.CBytes(append([]byte{0}, h...))
	defer C.free(p)
	var t, l C.uint32_t
	if cerr := C.header((*C.uchar)(unsafe.Add(p, 1)), C.size_t(len(h)), &t, &l); cerr != nil {
		return 0, 0, errors.New(C.GoString(cerr))
	}
	return uint32(t), uint32(l), nil
}
