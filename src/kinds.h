/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The event kinds, one row each of EVENT_KINDS (socktrace.h): their
 * names in JSON, text and --events, record sizes, default selection and
 * help. The formats dispatch on them (json.c, text.c).
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
	const char *help;	/* what one is, for --help */
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
/* "connect,accept,..." of every kind (or the default ones). */
void kinds_names(struct buf *b, bool shown_only);
/* "  connect     connect() results..." a line each, for --help. */
void kinds_help(struct buf *b);

/* A UDP socket connected and closed without a send or a receive: how
 * glibc probes the routes to a name's addresses to sort them. */
bool close_is_probe(const struct event *e);

/* Totals added up, as the summary's rows and its "others" row keep them. */
static inline void totals_add(struct totals *to, const struct totals *from)
{
	to->sent_bytes += from->sent_bytes;
	to->sends += from->sends;
	to->recv_bytes += from->recv_bytes;
	to->recvs += from->recvs;
}

/* Bytes both ways: what the summary sorts by. */
static inline uint64_t totals_bytes(const struct totals *t)
{
	return t->sent_bytes + t->recv_bytes;
}

#endif
