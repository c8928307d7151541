// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <stdlib.h>
#include <string.h>
#include "ctxtab.h"
#include "hmap.h"
#include "kinds.h"

/* The socket's part of a descriptor's records: all but who and when. */
struct sock_ctx {
	struct hnode node;	/* key: the descriptor's id (event_head.sock) */
	uint32_t gen;		/* the version of ends (ev_io.gen) */
	int32_t fd;
	uint64_t cgroup;
	uint32_t netns;
	uint8_t origin;
	uint8_t dir;
	struct ends ends;
};

/* Told apart by size: no full record is this short. */
_Static_assert(sizeof(struct io_brief) < sizeof(struct event_head), "brief records must be shorter");

struct ctxtab {
	struct hmap socks;
};

struct ctxtab *ctxtab_new(void)
{
	return calloc(1, sizeof(struct ctxtab));
}

void ctxtab_free(struct ctxtab *t)
{
	if (!t)
		return;
	hmap_free_all(&t->socks);
	free(t);
}

int ctxtab_note(struct ctxtab *t, const struct event *e)
{
	const struct event_head *h = &e->h;
	struct sock_ctx *c;

	if (!h->sock)
		return 0;
	if (h->kind == EV_CLOSE) {
		free(hmap_del(&t->socks, h->sock));
		return 0;
	}
	/* A send naming its own destination shows that one, not the socket's. */
	if ((h->kind != EV_SEND && h->kind != EV_RECV) || (h->flags & EVF_DEST))
		return 0;
	c = (struct sock_ctx *)hmap_find(&t->socks, h->sock);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return -1;
		c->node.key = h->sock;
		if (hmap_add(&t->socks, &c->node)) {
			free(c);
			return -1;
		}
	} else if ((int32_t)(e->io.gen - c->gen) < 0) {
		return 0;	/* filled before a newer one that came first */
	}
	c->gen = e->io.gen;
	c->fd = h->fd;
	c->cgroup = h->cgroup;
	c->netns = h->netns;
	c->origin = h->origin;
	c->dir = h->dir;
	c->ends = h->ends;
	return 0;
}

bool ctxtab_expand(const struct ctxtab *t, const void *data, size_t size, struct event *e)
{
	struct io_brief b;
	const struct sock_ctx *c;

	if (size != sizeof(b))
		return false;
	memcpy(&b, data, sizeof(b));
	if (b.kind != EV_SEND && b.kind != EV_RECV)
		return false;
	c = (const struct sock_ctx *)hmap_find(&t->socks, b.sock);
	if (!c)
		return false;
	memset(e, 0, sizeof(*e));
	e->h.ts_ns = b.ts_ns;
	e->h.sock = b.sock;
	e->h.pstart = b.pstart;
	e->h.cgroup = c->cgroup;
	e->h.pid = b.pid;
	e->h.tid = b.tid;
	e->h.uid = b.uid;
	e->h.nspid = b.nspid;
	e->h.netns = c->netns;
	e->h.fd = c->fd;
	e->h.kind = b.kind;
	e->h.origin = c->origin;
	e->h.dir = c->dir;
	memcpy(e->h.comm, b.comm, sizeof(e->h.comm));
	e->h.ends = c->ends;
	e->io.ret = b.ret;
	e->io.call = b.call;
	e->io.gen = c->gen;
	return true;
}

size_t ctxtab_count(const struct ctxtab *t)
{
	return t->socks.count;
}

enum record ctxtab_take(struct ctxtab *t, const void *data, size_t size, struct event *e)
{
	if (ctxtab_expand(t, data, size, e))
		return RECORD_BRIEF;
	if (!event_decode(data, size, e))
		return RECORD_BAD;
	/* Out of memory: the brief records that needed it are then not
	 * events (counted malformed, and said so). */
	ctxtab_note(t, e);
	return RECORD_FULL;
}
