// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "hmap.h"
#include "socktab.h"

struct sock_node {
	struct hnode node;	/* key: pid << 32 | fd */
	struct sock s;
};

struct proc_node {
	struct hnode node;	/* key: pid */
	struct proc_stats st;
};

struct socktab {
	struct hmap socks;
	struct hmap procs;
};

static uint64_t sock_key(uint32_t pid, int fd)
{
	return (uint64_t)pid << 32 | (uint32_t)fd;
}

struct socktab *socktab_new(void)
{
	return calloc(1, sizeof(struct socktab));
}

static void free_node(struct hnode *n, void *arg)
{
	(void)arg;
	free(n);	/* the hnode is the first member of both node kinds */
}

void socktab_free(struct socktab *t)
{
	if (!t)
		return;
	hmap_each(&t->socks, free_node, NULL);
	hmap_each(&t->procs, free_node, NULL);
	hmap_free(&t->socks);
	hmap_free(&t->procs);
	free(t);
}

static struct proc_stats *proc_get(struct socktab *t, uint32_t pid, const char *comm)
{
	struct hnode *h = hmap_find(&t->procs, pid);
	struct proc_node *p;

	if (!h && t->procs.count >= PROCS_MAX) {
		h = hmap_find(&t->procs, 0);
		comm = "(others)";
		pid = 0;
	}
	if (h) {
		p = (struct proc_node *)h;
	} else {
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->node.key = pid;
		p->st.pid = pid;
		if (hmap_add(&t->procs, &p->node)) {
			free(p);
			return NULL;
		}
	}
	if (comm) {
		/* The latest name wins: a process may rename itself. */
		size_t n = strnlen(comm, sizeof(p->st.comm) - 1);

		memcpy(p->st.comm, comm, n);
		p->st.comm[n] = '\0';
	}
	return &p->st;
}

static struct sock *sock_add(struct socktab *t, struct proc_stats *p, const struct event *e)
{
	struct sock_node *n;

	p->opened++;
	/* Past the bound (only after lost close events) the socket counts for
	 * its process but is not followed. */
	if (t->socks.count >= SOCKS_MAX || !(n = calloc(1, sizeof(*n))))
		return NULL;
	n->node.key = sock_key(e->pid, e->fd);
	n->s.ends = e->ends;
	n->s.start_ns = e->ts_ns;
	if (hmap_add(&t->socks, &n->node)) {
		free(n);
		return NULL;
	}
	p->open_now++;
	return &n->s;
}

static struct sock *sock_get(struct socktab *t, uint32_t pid, int fd)
{
	struct hnode *h = hmap_find(&t->socks, sock_key(pid, fd));

	return h ? &((struct sock_node *)h)->s : NULL;
}

static int on_connect(struct socktab *t, struct proc_stats *p, const struct event *e)
{
	struct sock *s;

	if (e->ret < 0 && e->ret != -EINPROGRESS) {
		p->failed++;
		return 0;
	}
	s = sock_get(t, e->pid, e->fd);
	if (s) {
		/* connect again on a connected socket (UDP may): same socket,
		 * new destination, totals kept. */
		s->ends = e->ends;
		return 0;
	}
	return sock_add(t, p, e) ? 0 : -1;
}

static int on_send(struct socktab *t, struct proc_stats *p, const struct event *e)
{
	struct sock *s = sock_get(t, e->pid, e->fd);

	if (e->ret < 0)
		return 0;
	p->bytes += e->ret;
	p->sends++;
	/* An unconnected socket is tracked from its first send with a
	 * destination, as the kernel side does. */
	if (!s && !(s = sock_add(t, p, e)))
		return -1;
	if (e->flags & EVF_DEST_ARG)
		s->ends = e->ends;
	s->bytes += e->ret;
	s->sends++;
	return 0;
}

static void on_close(struct socktab *t, struct proc_stats *p, const struct event *e)
{
	struct hnode *h = hmap_del(&t->socks, sock_key(e->pid, e->fd));

	if (!h)
		return;
	free(h);
	if (p->open_now)
		p->open_now--;
}

int socktab_event(struct socktab *t, const struct event *e)
{
	struct proc_stats *p = proc_get(t, e->pid, e->comm);

	if (!p)
		return -1;
	switch (e->kind) {
	case EV_CONNECT:
		return on_connect(t, p, e);
	case EV_SEND:
		return on_send(t, p, e);
	case EV_CLOSE:
		on_close(t, p, e);
		return 0;
	}
	return 0;
}

const struct sock *socktab_find(const struct socktab *t, uint32_t pid, int fd)
{
	return sock_get((struct socktab *)t, pid, fd);
}

const struct proc_stats *socktab_proc(const struct socktab *t, uint32_t pid)
{
	struct hnode *h = hmap_find(&t->procs, pid);

	return h ? &((struct proc_node *)h)->st : NULL;
}

size_t socktab_nsocks(const struct socktab *t)
{
	return t->socks.count;
}

size_t socktab_nprocs(const struct socktab *t)
{
	return t->procs.count;
}

struct collect {
	const struct proc_stats **v;
	size_t n;
};

static void collect_proc(struct hnode *h, void *arg)
{
	struct collect *c = arg;

	c->v[c->n++] = &((struct proc_node *)h)->st;
}

static int by_pid(const void *a, const void *b)
{
	uint32_t x = (*(const struct proc_stats *const *)a)->pid;
	uint32_t y = (*(const struct proc_stats *const *)b)->pid;

	return (x > y) - (x < y);
}

void socktab_summary(const struct socktab *t, FILE *f)
{
	struct collect c = { calloc(t->procs.count + 1, sizeof(*c.v)), 0 };
	char mem[128];
	struct buf b;

	if (!c.v)
		return;
	hmap_each(&t->procs, collect_proc, &c);
	qsort(c.v, c.n, sizeof(*c.v), by_pid);
	fprintf(f, "%-8s %-16s %8s %8s %12s %8s %6s\n",
		"PID", "COMM", "SOCKETS", "FAILED", "SENT_BYTES", "SENDS", "OPEN");
	for (size_t i = 0; i < c.n; i++) {
		const struct proc_stats *p = c.v[i];

		buf_init(&b, mem, sizeof(mem) - 1);
		text_string(&b, p->comm, sizeof(p->comm));
		mem[b.len] = '\0';
		fprintf(f, "%-8u %-16s %8llu %8llu %12llu %8llu %6llu\n", p->pid, mem,
			(unsigned long long)p->opened, (unsigned long long)p->failed,
			(unsigned long long)p->bytes, (unsigned long long)p->sends,
			(unsigned long long)p->open_now);
	}
	free(c.v);
}
