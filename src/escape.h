/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Strings that come from traced processes (their comm) are hostile bytes:
 * these write them so that no byte can break a JSON line or a terminal.
 */
#ifndef ESCAPE_H
#define ESCAPE_H

#include "buf.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
size_t utf8_len(const unsigned char *s, size_t n);

/* A quoted JSON string of s, up to NUL or n bytes. Invalid UTF-8 bytes
 * become U+FFFD; control characters are escaped. */
void json_string(struct buf *b, const char *s, size_t n);

/* s for a terminal: printable text as is, every other byte as \xNN. */
void text_string(struct buf *b, const char *s, size_t n);
/* The same within width terminal columns (0: no limit): cut, with a '~'
 * at the end, if longer. Returns the columns written. */
size_t text_field(struct buf *b, const char *s, size_t n, size_t width);
/* The columns text_field() would write of s, whole. */
size_t text_width(const char *s, size_t n);

#endif
