// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <stdlib.h>
#include <string.h>
#include "briefs.h"
#include "hmap.h"
#include "kinds.h"

/* The socket part of a descriptor's records, as of a version of its ends. */
struct held {
	struct hnode node;	/* key: the descriptor's id */
	uint32_t gen;		/* ev_io.gen */
	struct sockinfo sock;
};

/* Told apart by size: no full record is this short. */
_Static_assert(sizeof(struct io_brief) < sizeof(struct event_head), "brief records must be shorter");

struct briefs {
	struct hmap socks;
};

struct briefs *briefs_new(void)
{
	return calloc(1, sizeof(struct briefs));
}

void briefs_free(struct briefs *t)
{
	if (!t)
		return;
	hmap_free_all(&t->socks);
	free(t);
}

int briefs_note(struct briefs *t, const struct event *e)
{
	const struct event_head *h = &e->h;
	struct held *c;

	if (!h->sock.id)
		return 0;
	if (h->kind == EV_CLOSE) {
		free(hmap_del(&t->socks, h->sock.id));
		return 0;
	}
	/* A send naming its own destination shows that one, not the socket's. */
	if ((h->kind != EV_SEND && h->kind != EV_RECV) || (h->flags & EVF_DEST))
		return 0;
	c = (struct held *)hmap_find(&t->socks, h->sock.id);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -1;
		c->node.key = h->sock.id;
		if (hmap_add(&t->socks, &c->node)) {
			free(c);
			return -1;
		}
	} else if ((int32_t)(e->io.gen - c->gen) < 0) {
		return 0;	/* filled before a newer one that came first */
	}
	c->gen = e->io.gen;
	c->sock = h->sock;
	return 0;
}

bool briefs_expand(const struct briefs *t, const void *data, size_t size, struct event *e)
{
	struct io_brief b;
	const struct held *c;

	if (size != sizeof(b))
		return false;
	memcpy(&b, data, sizeof(b));
	if (b.kind != EV_SEND && b.kind != EV_RECV)
		return false;
	c = (const struct held *)hmap_find(&t->socks, b.sock);
	if (!c)
		return false;
	memset(e, 0, sizeof(*e));
	e->h.who = b.who;
	e->h.sock = c->sock;
	e->h.kind = b.kind;
	e->io.ret = b.ret;
	e->io.call = b.call;
	e->io.gen = c->gen;
	return true;
}

size_t briefs_count(const struct briefs *t)
{
	return t->socks.count;
}

enum record briefs_take(struct briefs *t, const void *data, size_t size, struct event *e)
{
	if (briefs_expand(t, data, size, e))
		return RECORD_BRIEF;
	if (!event_decode(data, size, e))
		return RECORD_BAD;
	/* Out of memory: the brief records that needed it are then not
	 * events (counted malformed, and said so). */
	briefs_note(t, e);
	return RECORD_FULL;
}
