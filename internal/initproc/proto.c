// proto.c: the decoder of proto.h. Every check comes before the first
// record is handed on: a body is used whole or not at all.
#include <stdio.h>
#include <string.h>

#include "proto.h"

#define REC_HEADER 6 // key uint16, length uint32

static uint32_t le32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t nsx_u64(const struct nsx_rec *r, size_t i)
{
	const unsigned char *p = r->val + 8 * i;
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

size_t nsx_count(const struct nsx_rec *r) { return r->len / 8; }

const char *nsx_header(const unsigned char *h, size_t n, uint32_t *type, uint32_t *len)
{
	static char err[128];
	if (n != NSX_HEADER || memcmp(h, "NSX", 3))
		return "not a message header";
	if (h[3] != NSX_VERSION) {
		snprintf(err, sizeof err, "protocol version %d, this init speaks %d "
			 "(the nsexec binary changed during the run?)", h[3], NSX_VERSION);
		return err;
	}
	*type = le32(h + 4);
	*len = le32(h + 8);
	if (*type != NSX_MSG_EARLY && *type != NSX_MSG_CONFIG) {
		snprintf(err, sizeof err, "unknown message type %u", *type);
		return err;
	}
	if (*len > NSX_MAX_MESSAGE) {
		snprintf(err, sizeof err, "%u bytes announced, more than %d", *len, NSX_MAX_MESSAGE);
		return err;
	}
	return NULL;
}

// next reads the record at *off, checked against its key's kind.
static const char *next(const unsigned char *buf, size_t n, size_t *off, struct nsx_rec *r)
{
	static char err[160];
	if (n - *off < REC_HEADER)
		return "a record is cut";
	const unsigned char *p = buf + *off;
	r->key = p[0] | p[1] << 8;
	r->len = le32(p + 2);
	r->val = p + REC_HEADER;
	r->str = NULL;
	if (r->len > n - *off - REC_HEADER)
		return "a record's value is cut";
	if (r->key == 0 || r->key >= NSX_NUM_KEYS || !nsx_keys[r->key].name) {
		snprintf(err, sizeof err, "unknown record key %u", r->key);
		return err;
	}
	const char *name = nsx_keys[r->key].name;
	switch (nsx_keys[r->key].kind) {
	case NSX_FLAG:
		if (r->len)
			goto bad;
		break;
	case NSX_STR:
		if (r->len == 0 || r->val[r->len - 1] || memchr(r->val, 0, r->len - 1))
			goto bad;
		r->str = (const char *)r->val;
		break;
	case NSX_U64:
		if (r->len != 8)
			goto bad;
		break;
	case NSX_U64S:
		if (r->len % 8 || (nsx_keys[r->key].count && r->len != 8u * nsx_keys[r->key].count))
			goto bad;
		break;
	}
	*off += REC_HEADER + r->len;
	return NULL;
bad:
	snprintf(err, sizeof err, "record %s: a value of %u bytes is not of its kind", name, r->len);
	return err;
}

const char *nsx_decode(const unsigned char *buf, size_t n, nsx_fn fn, void *arg)
{
	struct nsx_rec r;
	size_t off = 0;
	int ended = 0;
	while (off < n) {
		if (ended)
			return "records after the end";
		const char *err = next(buf, n, &off, &r);
		if (err)
			return err;
		ended = r.key == NSX_END;
	}
	if (!ended)
		return "the body has no end record";
	for (off = 0;;) {
		next(buf, n, &off, &r);
		if (r.key == NSX_END)
			return NULL;
		const char *err = fn(&r, arg);
		if (err)
			return err;
	}
}
