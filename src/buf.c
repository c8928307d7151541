// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "buf.h"

void buf_init(struct buf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

void buf_fmt(struct buf *b, const char *fmt, ...)
{
	size_t room = b->cap - b->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* vsnprintf needs a byte for its NUL, which is not kept. */
	n = room ? vsnprintf(b->p + b->len, room, fmt, ap) : 0;
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= room) {
		b->overflow = true;
		n = room ? room - 1 : 0;
	}
	b->len += n;
}

/* "00" to "99": two digits per division, half the divisions of one at a
 * time, which an event line of some fifteen numbers notices (bench/README.md). */
static const char pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The digits of v into the n bytes that end at end, right to left. */
static void put_digits(char *end, uint64_t v, size_t n)
{
	char *p = end;

	while (v >= 100) {
		unsigned int d = (v % 100) * 2;

		v /= 100;
		*--p = pairs[d + 1];
		*--p = pairs[d];
	}
	if (v >= 10) {
		*--p = pairs[v * 2 + 1];
		*--p = pairs[v * 2];
	} else {
		*--p = '0' + v;
	}
	while (p > end - n)
		*--p = '0';
}

void buf_num(struct buf *b, uint64_t v, int width)
{
	char tmp[20];
	size_t n = 1;
	uint64_t p = 10;

	/* How many digits, so that they go straight to their place: a
	 * number built elsewhere and copied in is read back before its
	 * stores have landed, which stalls (bench/README.md). */
	while (n < 20 && v >= p) {
		n++;
		p *= 10;
	}
	if (width > 20)
		width = 20;
	if (n < (size_t)width)
		n = width;
	if (b->cap - b->len >= n) {
		put_digits(b->p + b->len + n, v, n);
		b->len += n;
		return;
	}
	put_digits(tmp + sizeof(tmp), v, n);
	buf_add(b, tmp + sizeof(tmp) - n, n);
}

void buf_u64(struct buf *b, uint64_t v)
{
	buf_num(b, v, 1);
}

void buf_i64(struct buf *b, int64_t v)
{
	if (v < 0)
		buf_char(b, '-');
	buf_num(b, v < 0 ? -(uint64_t)v : (uint64_t)v, 1);
}

void buf_pad(struct buf *b, size_t mark, size_t width)
{
	while (b->len - mark < width && b->len < b->cap)
		b->p[b->len++] = ' ';
}
