/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The event kinds: one row each, from which come the names in JSON, text
 * and --events, the record sizes, the formatting and the help.
 */
#ifndef KINDS_H
#define KINDS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "socktrace.h"

struct kind_info {
	const char *name;	/* "connect": JSON, text and --events */
	size_t size;		/* bytes of its record */
	bool socket;		/* it carries a socket's fields */
	bool shown;		/* selected unless --events says otherwise */
	/* Its own fields, after the common ones: JSON members with their
	 * leading commas, and the text detail column. */
	void (*json)(struct buf *b, const struct event *e);
	void (*text)(struct buf *b, const struct event *e);
	const char *help;
};

/* A ring buffer record into e, zero-filled past its end: false unless it
 * is a known kind and whole. Records are untrusted and only 8-byte
 * aligned, sized by kind. */
bool event_decode(const void *data, size_t size, struct event *e);
/* The row of kind, NULL for none. */
const struct kind_info *kind_info(unsigned int kind);
/* The kinds shown when --events is not given. */
uint32_t kinds_default(void);
/* "connect,close" or "all" -> a mask of EV_BIT()s; 2 with a one-line
 * reason in err on a bad list. */
int kinds_parse(const char *list, uint32_t *mask, char *err, size_t errlen);
/* "connect, accept, ..." of every kind, for the help text. */
void kinds_names(struct buf *b, bool shown_only);

#endif
