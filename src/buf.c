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

void buf_add(struct buf *b, const void *s, size_t n)
{
	size_t room = b->cap - b->len;

	if (n > room) {
		n = room;
		b->overflow = true;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_char(struct buf *b, char c)
{
	buf_add(b, &c, 1);
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

void buf_pad(struct buf *b, size_t mark, size_t width)
{
	while (b->len - mark < width && b->len < b->cap)
		b->p[b->len++] = ' ';
}
