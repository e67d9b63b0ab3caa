/* rd.c - bounds-checked reader and writer; see rd.h */
#include "lib/rd.h"

#include <string.h>

void
rd_init(struct rd *r, const void *buf, size_t len)
{
	r->p = buf;
	r->len = buf ? len : 0;
	r->off = 0;
}

size_t
rd_left(const struct rd *r)
{
	return r->len - r->off;
}

int
rd_bytes(struct rd *r, void *dst, size_t n)
{
	if (rd_left(r) < n)
		return -1;
	if (n > 0)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return 0;
}

int
rd_u8(struct rd *r, uint8_t *v)
{
	return rd_bytes(r, v, 1);
}

int
rd_u16(struct rd *r, uint16_t *v)
{
	uint8_t b[2];

	if (rd_bytes(r, b, sizeof(b)) == -1)
		return -1;
	*v = (uint16_t)((unsigned)b[0] << 8 | b[1]);
	return 0;
}

int
rd_u32(struct rd *r, uint32_t *v)
{
	uint8_t b[4];

	if (rd_bytes(r, b, sizeof(b)) == -1)
		return -1;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
	return 0;
}

int
rd_skip(struct rd *r, size_t n)
{
	if (rd_left(r) < n)
		return -1;
	r->off += n;
	return 0;
}

int
rd_sub(struct rd *r, size_t n, struct rd *child)
{
	if (rd_left(r) < n)
		return -1;
	rd_init(child, r->p + r->off, n);
	r->off += n;
	return 0;
}

int
rd_peek8(const struct rd *r, uint8_t *v)
{
	if (rd_left(r) < 1)
		return -1;
	*v = r->p[r->off];
	return 0;
}

int
rd_since(const struct rd *r, size_t from, struct rd *view)
{
	if (from > r->off)
		return -1;
	rd_init(view, r->p + from, r->off - from);
	return 0;
}

size_t
rd_copy_rest(const struct rd *r, void *dst, size_t cap)
{
	size_t n = rd_left(r);

	if (n > cap)
		n = cap;
	if (n > 0)
		memcpy(dst, r->p + r->off, n);
	return n;
}

void
wr_init(struct wr *w, void *buf, size_t cap)
{
	w->p = buf;
	w->cap = cap;
	w->off = 0;
	w->err = false;
}

void
wr_bytes(struct wr *w, const void *src, size_t n)
{
	if (w->err || w->cap - w->off < n) {
		w->err = true;
		return;
	}
	if (n > 0)
		memcpy(w->p + w->off, src, n);
	w->off += n;
}

void
wr_fill(struct wr *w, uint8_t v, size_t n)
{
	if (w->err || w->cap - w->off < n) {
		w->err = true;
		return;
	}
	memset(w->p + w->off, v, n);
	w->off += n;
}

void
wr_u8(struct wr *w, uint8_t v)
{
	wr_bytes(w, &v, 1);
}

void
wr_u16(struct wr *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	wr_bytes(w, b, sizeof(b));
}

void
wr_u32(struct wr *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	wr_bytes(w, b, sizeof(b));
}

size_t
wr_mark(const struct wr *w)
{
	return w->off;
}

void
wr_patch_u8(struct wr *w, size_t at, uint8_t v)
{
	if (at + 1 > w->off) {
		w->err = true;
		return;
	}
	w->p[at] = v;
}

void
wr_patch_u16(struct wr *w, size_t at, uint16_t v)
{
	if (at + 2 > w->off) {
		w->err = true;
		return;
	}
	w->p[at] = (uint8_t)(v >> 8);
	w->p[at + 1] = (uint8_t)v;
}

size_t
wr_left(const struct wr *w)
{
	return w->err ? 0 : w->cap - w->off;
}

void
wr_truncate(struct wr *w, size_t at)
{
	if (at <= w->off)
		w->off = at;
}
