/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* A bounded append buffer: formatting can never write past its end. */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;	/* something did not fit and was cut */
};

void buf_init(struct buf *b, char *mem, size_t cap);
/* Inline: an event line is some sixty of these. */
static inline void buf_add(struct buf *b, const void *s, size_t n)
{
	size_t room = b->cap - b->len;

	if (n > room) {
		n = room;
		b->overflow = true;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static inline void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void buf_char(struct buf *b, char c)
{
	if (b->len < b->cap)
		b->p[b->len++] = c;
	else
		b->overflow = true;
}
void buf_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* v in decimal, zero-padded to width digits (at most 20): what an event
 * line is mostly made of, without printf's cost (README, Performance). */
void buf_num(struct buf *b, uint64_t v, int width);
void buf_u64(struct buf *b, uint64_t v);
void buf_i64(struct buf *b, int64_t v);
/* Pads with spaces up to column width, counted from mark. */
void buf_pad(struct buf *b, size_t mark, size_t width);

#endif
