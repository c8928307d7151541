// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* --top: the last interval's busiest processes and peers. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "escape.h"
#include "format.h"
#include "hmap.h"
#include "names.h"
#include "text.h"
#include "top.h"

/* Rows an interval keeps per table at most; the rest adds up in one. */
#define TOP_KEYS_MAX (1u << 16)

/* Who a row is: a process (pid, pstart) or a peer (addr, family). */
struct top_key {
	uint8_t addr[16];
	uint64_t pstart;
	uint32_t pid;
	uint8_t family;
	uint8_t pad[3];
};

struct top_row {
	struct hnode node;	/* keyed by key_hash() */
	struct top_key key;	/* all zero: the row of the rest */
	char comm[COMM_LEN];
	uint64_t connections;	/* connects made and connections accepted */
	uint64_t failed;	/* connects that failed */
	uint64_t out, in;	/* bytes sent and received */
};

struct top {
	struct hmap procs, peers;
};

struct top *top_new(void)
{
	return calloc(1, sizeof(struct top));
}

void top_free(struct top *t)
{
	if (!t)
		return;
	hmap_free_all(&t->procs);
	hmap_free_all(&t->peers);
	free(t);
}

/* A clash is told apart by the row's own key. */
static uint64_t key_hash(const struct top_key *k)
{
	return hash_bytes(HASH_SEED, k, sizeof(*k));
}

static struct top_row *row_get(struct hmap *m, const struct top_key *k)
{
	static const struct top_key rest;
	struct hnode *h = hmap_find(m, key_hash(k));
	struct top_row *r;

	if (h && memcmp(&((struct top_row *)h)->key, k, sizeof(*k)))
		h = NULL, k = &rest;	/* a clash: into the rest */
	if (!h && m->count >= TOP_KEYS_MAX)
		k = &rest;
	if (!h && k == &rest)
		h = hmap_find(m, key_hash(k));
	if (h)
		return (struct top_row *)h;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->key = *k;
	r->node.key = key_hash(k);
	if (hmap_add(m, &r->node)) {
		free(r);
		return NULL;
	}
	return r;
}

/* Adds what e says to a row. */
static void count(struct top_row *r, const struct event *e)
{
	switch (e->h.kind) {
	case EV_SEND:
		if (e->io.ret > 0)
			r->out += e->io.ret;
		break;
	case EV_RECV:
		if (e->io.ret > 0)
			r->in += e->io.ret;
		break;
	case EV_CONNECT:
		if (e->connect.ret == 0)
			r->connections++;
		else if (e->connect.ret != -EINPROGRESS || (e->h.flags & EVF_ASYNC))
			r->failed++;
		break;
	case EV_ACCEPT:
		r->connections++;
		break;
	}
}

int top_event(struct top *t, const struct event *e)
{
	static const uint8_t zero[16];
	const struct ends *n = &e->h.sock.ends;
	struct top_key k = { 0 };
	struct top_row *r;

	if (e->h.kind != EV_SEND && e->h.kind != EV_RECV && e->h.kind != EV_CONNECT && e->h.kind != EV_ACCEPT)
		return 0;
	k.pid = e->h.who.pid;
	k.pstart = e->h.who.pstart;
	if (!(r = row_get(&t->procs, &k)))
		return -1;
	if (r->key.pid) {
		/* The latest name wins: a process may rename itself. */
		memcpy(r->comm, e->h.who.comm, sizeof(r->comm));
		r->comm[sizeof(r->comm) - 1] = '\0';
	}
	count(r, e);
	/* The peer: the socket's other end, or where a send went. */
	if (!n->dport && !memcmp(n->daddr, zero, sizeof(zero)))
		return 0;
	memset(&k, 0, sizeof(k));
	memcpy(k.addr, n->daddr, sizeof(k.addr));
	k.family = dfamily(n);
	if (!(r = row_get(&t->peers, &k)))
		return -1;
	count(r, e);
	return 0;
}

static enum top_sort sort_by;

static uint64_t weight(const struct top_row *r)
{
	switch (sort_by) {
	case TOP_OUT:
		return r->out;
	case TOP_IN:
		return r->in;
	case TOP_CONNECTIONS:
		return r->connections + r->failed;
	default:
		return r->out + r->in;
	}
}

/* The heaviest first; the rest last; then by key, so frames are stable. */
static int heavier(const void *a, const void *b)
{
	const struct top_row *x = *(const struct top_row *const *)a, *y = *(const struct top_row *const *)b;
	bool xr = !x->key.pid && !x->key.family, yr = !y->key.pid && !y->key.family;

	if (xr != yr)
		return xr - yr;
	if (weight(x) != weight(y))
		return weight(x) < weight(y) ? 1 : -1;
	return memcmp(&x->key, &y->key, sizeof(x->key));
}

/* A row's name: its pid and comm, or its address. */
static void row_name(const struct top_row *r, bool proc, char *out, size_t len)
{
	struct buf b;

	buf_init(&b, out, len - 1);
	if (!r->key.pid && !r->key.family)
		buf_str(&b, "(others)");
	else if (proc)
		buf_fmt(&b, "%u", r->key.pid);
	else {
		char a[INET6_ADDRSTRLEN];

		addr_str(r->key.addr, r->key.family, a);
		buf_str(&b, a);
	}
	out[b.len] = '\0';
}

static void text_row(FILE *f, const struct top_row *r, bool proc)
{
	char name[64], comm[64], out[16], in[16];
	struct buf b;

	row_name(r, proc, name, sizeof(name));
	buf_init(&b, comm, sizeof(comm) - 1);
	if (proc && (r->key.pid || r->key.family))
		text_field(&b, r->comm, sizeof(r->comm), 15);
	comm[b.len] = '\0';
	buf_init(&b, out, sizeof(out) - 1);
	text_short_bytes(&b, r->out);
	out[b.len] = '\0';
	buf_init(&b, in, sizeof(in) - 1);
	text_short_bytes(&b, r->in);
	in[b.len] = '\0';
	if (proc)
		fprintf(f, "%-8s %-16s", name, comm);
	else
		fprintf(f, "%-25s", name);
	fprintf(f, " %11" PRIu64 " %6" PRIu64 " %8s %8s\n", r->connections, r->failed, out, in);
}

static void json_row(FILE *f, const struct top_row *r, bool proc, bool first)
{
	char mem[96];
	struct buf b;

	fputs(first ? "{" : ",{", f);
	if (proc) {
		buf_init(&b, mem, sizeof(mem) - 1);
		json_string(&b, r->key.pid ? r->comm : "(others)", sizeof(r->comm));
		mem[b.len] = '\0';
		fprintf(f, "\"pid\":%u,\"comm\":%s", r->key.pid, mem);
	} else if (r->key.family) {
		char a[INET6_ADDRSTRLEN];

		addr_str(r->key.addr, r->key.family, a);
		fprintf(f, "\"addr\":\"%s\",\"family\":\"%s\"", a, family_name(r->key.family));
	} else {
		fputs("\"addr\":\"(others)\"", f);
	}
	fprintf(f, ",\"connections\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"sent_bytes\":%" PRIu64
		",\"recv_bytes\":%" PRIu64 "}", r->connections, r->failed, r->out, r->in);
}

/* A table: its rows, the heaviest first, at most v->rows of them and a
 * row adding up the rest. */
static void table(FILE *f, struct hmap *m, bool proc, const struct top_view *v)
{
	size_t n = 0, shown;
	const struct top_row **rows;
	struct top_row rest = { 0 };

	sort_by = v->sort;
	rows = (const struct top_row **)hmap_sorted(m, 0, heavier, &n);
	if (!rows && n)
		return;
	shown = n > v->rows + 1 ? v->rows : n;
	for (size_t i = shown; i < n; i++) {
		rest.connections += rows[i]->connections;
		rest.failed += rows[i]->failed;
		rest.out += rows[i]->out;
		rest.in += rows[i]->in;
	}
	if (v->json)
		fprintf(f, ",\"%s\":[", proc ? "processes" : "peers");
	else if (proc)
		fprintf(f, "%-8s %-16s %11s %6s %8s %8s\n", "PID", "COMM", "CONNECTIONS", "FAILED", "OUT", "IN");
	else
		fprintf(f, "%-25s %11s %6s %8s %8s\n", "PEER", "CONNECTIONS", "FAILED", "OUT", "IN");
	for (size_t i = 0; i < shown; i++)
		v->json ? json_row(f, rows[i], proc, i == 0) : text_row(f, rows[i], proc);
	if (shown < n)
		v->json ? json_row(f, &rest, proc, shown == 0) : text_row(f, &rest, proc);
	if (v->json)
		fputc(']', f);
	free(rows);
}

const char *const top_sort_names[TOP_SORTS_N] = {
#define SORT_NAME(ID, name) name,
	TOP_SORTS(SORT_NAME)
#undef SORT_NAME
};

void top_frame(struct top *t, FILE *f, const struct top_view *v, int64_t now_ns)
{
	char stamp[64];
	struct buf b;

	buf_init(&b, stamp, sizeof(stamp) - 1);
	format_time(&b, now_ns);
	stamp[b.len] = '\0';
	if (v->json) {
		fprintf(f, "{\"top\":\"%s\",\"time\":\"%s\",\"interval_s\":%u", top_sort_names[v->sort], stamp,
			v->interval);
		table(f, &t->procs, true, v);
		table(f, &t->peers, false, v);
		fputs("}\n", f);
	} else {
		/* In place on a terminal: home, then clear to the end. */
		if (v->redraw)
			fputs("\033[H\033[J", f);
		else
			fputc('\n', f);
		fprintf(f, "socktrace --top, %.10s %.8s UTC: the last %u s, by %s%s\n", stamp, stamp + 11,
			v->interval, top_sort_names[v->sort], v->sort == TOP_CONNECTIONS ? "" : " bytes");
		table(f, &t->procs, true, v);
		fputc('\n', f);
		table(f, &t->peers, false, v);
	}
	hmap_free_all(&t->procs);
	hmap_free_all(&t->peers);
}
