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

void buf_num(struct buf *b, uint64_t v, int width)
{
	char tmp[20];
	size_t i = sizeof(tmp);

	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (i > 0 && (v || sizeof(tmp) - i < (size_t)width));
	buf_add(b, tmp + i, sizeof(tmp) - i);
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
