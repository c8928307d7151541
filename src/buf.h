/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* A bounded append buffer: formatting can never write past its end. */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
	bool overflow;	/* something did not fit and was cut */
};

void buf_init(struct buf *b, char *mem, size_t cap);
void buf_add(struct buf *b, const void *s, size_t n);
void buf_str(struct buf *b, const char *s);
void buf_char(struct buf *b, char c);
void buf_fmt(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pads with spaces up to column width, counted from mark. */
void buf_pad(struct buf *b, size_t mark, size_t width);

#endif
