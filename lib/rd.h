/*
 * rd.h - the one bounds-checked reader and the matching writer.
 *
 * Every parser of wire bytes reads through struct rd; nothing else in
 * nomcast does pointer arithmetic on received bytes.  A read past the end
 * returns -1 and leaves the reader unchanged.  A view made by rd_sub()
 * borrows its parent's buffer and cannot reach past the n bytes it was
 * given, so a bad inner length cannot overrun its parent (OpenBGPD's ibuf).
 *
 * struct wr mirrors it for encoding into a caller-owned fixed buffer.  Its
 * error is sticky: write everything, then check wr.err once per message.
 */
#ifndef NOMCAST_RD_H
#define NOMCAST_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 off;
};

void	rd_init(struct rd *r, const void *buf, size_t len);
/* bytes not yet read */
size_t	rd_left(const struct rd *r);
/* 0, or -1 if fewer than the needed bytes are left (r unchanged) */
int	rd_u8(struct rd *r, uint8_t *v);
int	rd_u16(struct rd *r, uint16_t *v);	/* network to host order */
int	rd_u32(struct rd *r, uint32_t *v);
int	rd_bytes(struct rd *r, void *dst, size_t n);
int	rd_skip(struct rd *r, size_t n);
/* child view of the next n bytes; advances r past them */
int	rd_sub(struct rd *r, size_t n, struct rd *child);
/* peek the next byte without consuming it */
int	rd_peek8(const struct rd *r, uint8_t *v);
/* view of the bytes already read since offset `from` (for error data) */
int	rd_since(const struct rd *r, size_t from, struct rd *view);
/* copy up to cap remaining bytes into dst without consuming; returns count */
size_t	rd_copy_rest(const struct rd *r, void *dst, size_t cap);

struct wr {
	uint8_t	*p;
	size_t	 cap;
	size_t	 off;
	bool	 err;		/* sticky: set by any write that did not fit */
};

void	wr_init(struct wr *w, void *buf, size_t cap);
void	wr_u8(struct wr *w, uint8_t v);
void	wr_u16(struct wr *w, uint16_t v);	/* host to network order */
void	wr_u32(struct wr *w, uint32_t v);
void	wr_bytes(struct wr *w, const void *src, size_t n);
void	wr_fill(struct wr *w, uint8_t v, size_t n);
/* current offset, to patch a length written later */
size_t	wr_mark(const struct wr *w);
void	wr_patch_u8(struct wr *w, size_t at, uint8_t v);
void	wr_patch_u16(struct wr *w, size_t at, uint16_t v);
/* room left */
size_t	wr_left(const struct wr *w);
/* rewind to an earlier mark (drops what was written after it) */
void	wr_truncate(struct wr *w, size_t at);

#endif
