/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The pieces of a text line that both text views lay out: the event
 * stream (text.c, one line per event) and the connection view
 * (connview.c, one line per connection). A line fits f->width columns
 * unless --wide: addresses give way first, then the end of the line.
 */
#ifndef TEXT_H
#define TEXT_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "format.h"

/* SGR colours, for a terminal only: what failed, and what was lost. */
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define PLAIN "\033[0m"

/* The time column as --time picks, into out; its width. */
void text_time(char out[32], int64_t real_ns, const struct fmt *f);
size_t text_time_width(const struct fmt *f);
/* Pads from column cols to width with spaces (one at least); returns width
 * or, past it, cols + 1. */
size_t text_pad(struct buf *b, size_t cols, size_t width);
/*
 * A socket's ends within width columns (0: no limit), as
 * "tcp 10.0.0.2:40000 > 93.184.216.34:80", "<" when the peer began it,
 * ", no peer" when it has none; its own end alone when local_only (a
 * listener). Narrowed, the own address gives way to its port
 * ("tcp :40000 > ..."), then the port ("tcp > ..."), then the middle of
 * an IPv6 address that is left to a '~'.
 * Returns the columns written.
 */
size_t text_ends(struct buf *b, const struct ends *n, uint8_t dir, bool local_only, size_t width);
/* " [NAME] [netns N]": where the socket is, when not where socktrace is
 * (a narrow line names a cgroup only by its name, with --containers);
 * nothing otherwise. */
void text_context(struct buf *b, const struct event *e, const struct fmt *f);
/* 83 us, 12 ms, 4 s */
void text_duration(struct buf *b, uint64_t ns);
/* Within 5 columns: <1us 83us 12ms 4.2s 17m 3h 2d; and 78B 1.2K 34M 5.6G. */
void text_short_duration(struct buf *b, uint64_t ns);
void text_short_bytes(struct buf *b, uint64_t bytes);
/* Whether e tells of a failure: a connect or a listen that failed. */
bool text_failed(const struct event *e);

#endif
