// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "format.h"
#include "hmap.h"
#include "kinds.h"
#include "names.h"
#include "peertab.h"

struct peer_node {
	struct hnode node;	/* key: peer_key() */
	struct peer_stats st;
};

struct peertab {
	struct hmap peers;
};

/* The family and the address hashed; a clash is told apart by the row's
 * own address. 0 is the key of the folded row. */
static uint64_t peer_key(const uint8_t addr[16], uint8_t family)
{
	uint64_t h = hash_bytes(hash_bytes(HASH_SEED, &family, 1), addr, 16);

	return h ? h : 1;
}

struct peertab *peertab_new(void)
{
	return calloc(1, sizeof(struct peertab));
}

void peertab_free(struct peertab *t)
{
	if (!t)
		return;
	hmap_free_all(&t->peers);
	free(t);
}

static struct peer_stats *peer_get(struct peertab *t, const uint8_t addr[16], uint8_t family)
{
	uint64_t key = peer_key(addr, family);
	struct hnode *h = hmap_find(&t->peers, key);
	struct peer_node *p;

	if (h && (((struct peer_node *)h)->st.family != family ||
		  memcmp(((struct peer_node *)h)->st.addr, addr, 16)))
		h = NULL, key = 0;	/* a key clash: folded */
	if (!h && (key == 0 || t->peers.count >= PEERS_MAX)) {
		key = 0;
		h = hmap_find(&t->peers, 0);
	}
	if (h)
		return &((struct peer_node *)h)->st;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->node.key = key;
	if (key) {
		memcpy(p->st.addr, addr, 16);
		p->st.family = family;
	}
	if (hmap_add(&t->peers, &p->node)) {
		free(p);
		return NULL;
	}
	return &p->st;
}

/* The peer of an event's socket, or false when it has none (a listener,
 * an unconnected UDP socket). */
static bool peer_of(const struct event *e, uint8_t addr[16], uint8_t *family)
{
	static const uint8_t zero[16];
	const struct ends *n = &e->h.sock.ends;

	if (!n->dport && !memcmp(n->daddr, zero, sizeof(zero)))
		return false;
	memcpy(addr, n->daddr, 16);
	*family = dfamily(n);
	return true;
}

int peertab_event(struct peertab *t, const struct event *e)
{
	const struct event_head *h = &e->h;
	struct peer_stats *p;
	uint8_t addr[16], family;
	bool failed = h->kind == EV_CONNECT && e->connect.ret < 0 &&
		      (e->connect.ret != -EINPROGRESS || (h->flags & EVF_ASYNC));

	if ((h->kind != EV_CLOSE && !failed) || (h->kind == EV_CLOSE && close_is_probe(e)) ||
	    !peer_of(e, addr, &family))
		return 0;
	p = peer_get(t, addr, family);
	if (!p)
		return -1;
	if (failed) {
		p->failed++;
		return 0;
	}
	p->sockets++;
	totals_add(&p->totals, &e->close.totals);
	return 0;
}

const struct peer_stats *peertab_peer(const struct peertab *t, const uint8_t addr[16], uint8_t family)
{
	struct hnode *h = hmap_find(&t->peers, peer_key(addr, family));

	return h ? &((struct peer_node *)h)->st : NULL;
}

size_t peertab_npeers(const struct peertab *t)
{
	return t->peers.count;
}

/* The busiest first: bytes, then failed connects, then the address. */
static int by_bytes(const void *a, const void *b)
{
	const struct peer_stats *x = *(const struct peer_stats *const *)a;
	const struct peer_stats *y = *(const struct peer_stats *const *)b;

	if (totals_bytes(&x->totals) != totals_bytes(&y->totals))
		return totals_bytes(&x->totals) < totals_bytes(&y->totals) ? 1 : -1;
	if (x->failed != y->failed)
		return x->failed < y->failed ? 1 : -1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return memcmp(x->addr, y->addr, 16);
}

static void summary_row(FILE *f, const char *peer, const struct peer_stats *p)
{
	fprintf(f, "%-39s %7" PRIu64 " %6" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n", peer, p->sockets,
		p->failed, (uint64_t)p->totals.sent_bytes, (uint64_t)p->totals.recv_bytes);
}

/* The rows, the busiest first; NULL if memory ran out. Free the array. */
static const struct peer_stats **sorted(const struct peertab *t, size_t *n)
{
	return (const struct peer_stats **)hmap_sorted(&t->peers, offsetof(struct peer_node, st), by_bytes, n);
}

void peertab_json(const struct peertab *t, FILE *f)
{
	size_t n = 0;
	const struct peer_stats **v = sorted(t, &n);
	char name[INET6_ADDRSTRLEN];

	fputc('[', f);
	for (size_t i = 0; v && i < n; i++) {
		const struct peer_stats *p = v[i];

		if (p->family)
			addr_str(p->addr, p->family, name);
		fprintf(f, "%s{\"addr\":%s%s%s,\"sockets\":%" PRIu64 ",\"failed\":%" PRIu64
			",\"sent_bytes\":%" PRIu64 ",\"recv_bytes\":%" PRIu64 "}", i ? "," : "",
			p->family ? "\"" : "", p->family ? name : "null", p->family ? "\"" : "", p->sockets,
			p->failed, (uint64_t)p->totals.sent_bytes, (uint64_t)p->totals.recv_bytes);
	}
	fputc(']', f);
	free(v);
}

void peertab_summary(const struct peertab *t, FILE *f, size_t rows)
{
	struct peer_stats rest = { 0 };
	char name[INET6_ADDRSTRLEN + 16];
	size_t n = 0;
	const struct peer_stats **v = sorted(t, &n);

	if (!v)
		return;
	fprintf(f, "%-39s %7s %6s %12s %12s\n", "PEER", "SOCKETS", "FAILED", "SENT_BYTES", "RECV_BYTES");
	if (!rows || n <= rows + 1)
		rows = n;
	for (size_t i = 0; i < n; i++) {
		const struct peer_stats *p = v[i];

		if (i >= rows) {
			rest.sockets += p->sockets;
			rest.failed += p->failed;
			totals_add(&rest.totals, &p->totals);
			continue;
		}
		if (p->family)
			addr_str(p->addr, p->family, name);
		else
			snprintf(name, sizeof(name), "(others)");
		summary_row(f, name, p);
	}
	if (rows < n) {
		snprintf(name, sizeof(name), "(%zu others)", n - rows);
		summary_row(f, name, &rest);
	}
	free(v);
}
