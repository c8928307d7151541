// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "kinds.h"
#include "hmap.h"
#include "procinfo.h"
#include "proctab.h"

struct proc_node {
	struct hnode node;	/* key: proc_key() */
	struct proc_stats st;
};

struct proctab {
	struct hmap procs;
};

struct proctab *proctab_new(void)
{
	return calloc(1, sizeof(struct proctab));
}

void proctab_free(struct proctab *t)
{
	if (!t)
		return;
	hmap_free_all(&t->procs);
	free(t);
}

/* The row of (pid, pstart), made if new; comm, when given, names it. */
static struct proc_stats *proc_get(struct proctab *t, uint32_t pid, uint64_t pstart, const char *comm)
{
	struct hnode *h = hmap_find(&t->procs, proc_key(pid, pstart));
	struct proc_node *p;

	if (h && (((struct proc_node *)h)->st.pid != pid || ((struct proc_node *)h)->st.pstart != pstart))
		h = NULL, pid = 0, pstart = 0, comm = "(others)";	/* a key clash */
	if (!h && t->procs.count >= PROCS_MAX) {
		pid = 0, pstart = 0, comm = "(others)";
		h = hmap_find(&t->procs, proc_key(0, 0));
	}
	if (h) {
		p = (struct proc_node *)h;
	} else {
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->node.key = proc_key(pid, pstart);
		p->st.pid = pid;
		p->st.pstart = pstart;
		strcpy(p->st.comm, "?");
		if (hmap_add(&t->procs, &p->node)) {
			free(p);
			return NULL;
		}
	}
	if (comm && (p->st.pid || !strcmp(comm, "(others)"))) {
		/* The latest name wins: a process may rename itself. */
		size_t n = strnlen(comm, sizeof(p->st.comm) - 1);

		memcpy(p->st.comm, comm, n);
		p->st.comm[n] = '\0';
	}
	return &p->st;
}

int proctab_event(struct proctab *t, const struct event *e)
{
	const struct event_head *h = &e->h;
	struct proc_stats *p;

	if (h->kind == EV_CLOSE) {
		/* Its totals belong to the process the descriptor is of. */
		bool self = e->close.owner == h->who.pid && e->close.owner_pstart == h->who.pstart;

		p = e->close.owner ? proc_get(t, e->close.owner, e->close.owner_pstart, self ? h->who.comm : NULL)
				   : proc_get(t, h->who.pid, h->who.pstart, h->who.comm);
		if (!p)
			return -1;
		totals_add(&p->totals, &e->close.totals);
		/* OUT counts real sockets, not a resolver's probes. */
		if (close_is_probe(e) && p->out)
			p->out--;
		return 0;
	}
	p = proc_get(t, h->who.pid, h->who.pstart, h->who.comm);
	if (!p)
		return -1;
	switch (h->kind) {
	case EV_CONNECT:
		/* OUT counts a connect in progress at once; if it then fails,
		 * it was not a connection. */
		if (e->connect.ret < 0 && (e->connect.ret != -EINPROGRESS || (h->flags & EVF_ASYNC))) {
			p->failed++;
			if ((h->flags & EVF_ASYNC) && p->out)
				p->out--;
		} else if (!(h->flags & EVF_ASYNC) && h->sock.id) {
			p->out++;
		}
		break;
	case EV_ACCEPT:
		p->in++;
		break;
	case EV_OPEN:
		p->other++;
		break;
	}
	return 0;
}

int proctab_open_at_end(struct proctab *t, const struct snapshot *s)
{
	struct proc_stats *p = proc_get(t, s->owner, s->owner_pstart, NULL);

	if (!p)
		return -1;
	p->open++;
	totals_add(&p->totals, &s->totals);
	return 0;
}

const struct proc_stats *proctab_proc(const struct proctab *t, uint32_t pid, uint64_t pstart)
{
	struct hnode *h = hmap_find(&t->procs, proc_key(pid, pstart));

	return h ? &((struct proc_node *)h)->st : NULL;
}

size_t proctab_nprocs(const struct proctab *t)
{
	return t->procs.count;
}

static int by_pid(const void *a, const void *b)
{
	const struct proc_stats *x = *(const struct proc_stats *const *)a;
	const struct proc_stats *y = *(const struct proc_stats *const *)b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->pstart > y->pstart) - (x->pstart < y->pstart);
}

/* The busiest first: by bytes both ways, then by pid. */
static int by_bytes(const void *a, const void *b)
{
	const struct proc_stats *x = *(const struct proc_stats *const *)a;
	const struct proc_stats *y = *(const struct proc_stats *const *)b;

	if (totals_bytes(&x->totals) != totals_bytes(&y->totals))
		return totals_bytes(&x->totals) < totals_bytes(&y->totals) ? 1 : -1;
	return by_pid(a, b);
}

/* The rows in cmp's order; NULL if memory ran out. Free the array. */
static const struct proc_stats **sorted(const struct proctab *t, size_t *n,
					int (*cmp)(const void *, const void *))
{
	return (const struct proc_stats **)hmap_sorted(&t->procs, offsetof(struct proc_node, st), cmp, n);
}

static void summary_row(FILE *f, const char *pid, const char *comm, const struct proc_stats *p, bool wide)
{
	if (wide)
		fprintf(f, "%-8s %-16s %4" PRIu64 " %4" PRIu64 " %5" PRIu64 " %6" PRIu64 " %12" PRIu64 " %7" PRIu64
			" %12" PRIu64 " %7" PRIu64 " %5" PRIu64 "\n", pid, comm, p->out, p->in, p->other, p->failed,
			(uint64_t)p->totals.sent_bytes, (uint64_t)p->totals.sends, (uint64_t)p->totals.recv_bytes,
			(uint64_t)p->totals.recvs, p->open);
	else
		fprintf(f, "%-7s %-15s %4" PRIu64 " %4" PRIu64 " %5" PRIu64 " %6" PRIu64 " %12" PRIu64 " %12" PRIu64
			" %5" PRIu64 "\n", pid, comm, p->out, p->in, p->other, p->failed,
			(uint64_t)p->totals.sent_bytes, (uint64_t)p->totals.recv_bytes, p->open);
}

void proctab_summary(const struct proctab *t, FILE *f, size_t rows, bool wide)
{
	size_t n;
	const struct proc_stats **v = sorted(t, &n, by_bytes);
	struct proc_stats rest = { 0 };
	char mem[128], pid[16];
	struct buf b;

	if (!v)
		return;
	if (wide)
		fprintf(f, "%-8s %-16s %4s %4s %5s %6s %12s %7s %12s %7s %5s\n", "PID", "COMM", "OUT", "IN",
			"OTHER", "FAILED", "SENT_BYTES", "SENDS", "RECV_BYTES", "RECVS", "OPEN");
	else
		fprintf(f, "%-7s %-15s %4s %4s %5s %6s %12s %12s %5s\n", "PID", "COMM", "OUT", "IN", "OTHER",
			"FAILED", "SENT_BYTES", "RECV_BYTES", "OPEN");
	/* Past rows, one line adds up the rest (a whole row is no shorter). */
	if (rows && n > rows + 1) {
		for (size_t i = rows; i < n; i++) {
			rest.out += v[i]->out;
			rest.in += v[i]->in;
			rest.other += v[i]->other;
			rest.failed += v[i]->failed;
			rest.open += v[i]->open;
			totals_add(&rest.totals, &v[i]->totals);
		}
	} else {
		rows = n;
	}
	for (size_t i = 0; i < rows; i++) {
		buf_init(&b, mem, sizeof(mem) - 1);
		text_string(&b, v[i]->comm, sizeof(v[i]->comm));
		mem[b.len] = '\0';
		snprintf(pid, sizeof(pid), "%u", v[i]->pid);
		summary_row(f, pid, mem, v[i], wide);
	}
	if (rows < n) {
		snprintf(mem, sizeof(mem), "(%zu others)", n - rows);
		summary_row(f, "-", mem, &rest, wide);
	}
	free(v);
}

void proctab_json(const struct proctab *t, FILE *f)
{
	size_t n;
	const struct proc_stats **v = sorted(t, &n, by_pid);
	char mem[128];
	struct buf b;

	fputc('[', f);
	for (size_t i = 0; v && i < n; i++) {
		const struct proc_stats *p = v[i];

		buf_init(&b, mem, sizeof(mem) - 1);
		json_string(&b, p->comm, sizeof(p->comm));
		mem[b.len] = '\0';
		fprintf(f, "%s{\"pid\":%u,\"comm\":%s,\"out\":%" PRIu64 ",\"in\":%" PRIu64
			",\"other\":%" PRIu64 ",\"failed\":%" PRIu64 ",\"sent_bytes\":%" PRIu64
			",\"sends\":%" PRIu64 ",\"recv_bytes\":%" PRIu64 ",\"recvs\":%" PRIu64
			",\"open\":%" PRIu64 "}", i ? "," : "", p->pid, mem, p->out, p->in, p->other,
			p->failed, (uint64_t)p->totals.sent_bytes, (uint64_t)p->totals.sends,
			(uint64_t)p->totals.recv_bytes, (uint64_t)p->totals.recvs, p->open);
	}
	fputc(']', f);
	free(v);
}
