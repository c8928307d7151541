/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * --top: the busiest processes and peers of the last interval, by bytes
 * each way, like tcptop and iftop: a frame per interval, drawn in place
 * on a terminal, one after another in a pipe, a JSON line each with
 * --output json. It counts the sends and receives themselves (the kernel
 * side delivers them, as with --events all): a socket's totals come only
 * with its close, and a busy connection may never close.
 */
#ifndef TOP_H
#define TOP_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "socktrace.h"

/* What a frame is sorted by: X(ID, name). */
#define TOP_SORTS(X) X(TOTAL, "total") X(OUT, "out") X(IN, "in") X(CONNECTIONS, "connections")

enum top_sort {
#define SORT_ENUM(ID, name) TOP_##ID,
	TOP_SORTS(SORT_ENUM)
#undef SORT_ENUM
	TOP_SORTS_N
};

extern const char *const top_sort_names[TOP_SORTS_N];

struct top_view {
	bool json;
	bool redraw;		/* a terminal: each frame replaces the last */
	enum top_sort sort;
	unsigned int rows;	/* of each table */
	unsigned int interval;	/* seconds */
};

struct top;

struct top *top_new(void);
void top_free(struct top *t);
/* Counts one event into the interval; -1 only when memory ran out. */
int top_event(struct top *t, const struct event *e);
/* The interval's frame into f, stamped now (wall clock, ns); then the
 * next interval begins. */
void top_frame(struct top *t, FILE *f, const struct top_view *v, int64_t now_ns);

#endif
