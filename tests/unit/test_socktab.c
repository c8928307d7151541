// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "socktab.h"

static struct event ev(uint8_t kind, uint32_t pid, int fd, int64_t ret, const char *comm)
{
	struct event e = { .kind = kind, .pid = pid, .tid = pid, .fd = fd, .ret = ret, .ts_ns = 1000 };

	e.ends.family = 2;
	e.ends.dport = 80;
	strncpy(e.comm, comm, sizeof(e.comm) - 1);
	return e;
}

static int feed(struct socktab *t, uint8_t kind, uint32_t pid, int fd, int64_t ret, const char *comm)
{
	struct event e = ev(kind, pid, fd, ret, comm);

	return socktab_event(t, &e);
}

int main(void)
{
	struct socktab *t = socktab_new();
	const struct proc_stats *p;
	const struct sock *s;
	struct event e;

	CHECK(t != NULL);
	CHECK(feed(t, EV_CONNECT, 100, 3, 0, "curl") == 0);
	CHECK(feed(t, EV_CONNECT, 100, 4, -ECONNREFUSED, "curl") == 0);
	CHECK(feed(t, EV_CONNECT, 100, 6, -EINPROGRESS, "curl") == 0);
	CHECK(feed(t, EV_CONNECT, 200, 3, 0, "wget") == 0);
	/* Same fd number, other process: another socket. */
	CHECK(socktab_nsocks(t) == 3);
	CHECK(feed(t, EV_SEND, 100, 3, 81, "curl") == 0);
	CHECK(feed(t, EV_SEND, 100, 3, 19, "curl") == 0);
	CHECK(feed(t, EV_SEND, 100, 3, -EPIPE, "curl") == 0);
	CHECK(feed(t, EV_SEND, 200, 3, 5, "wget") == 0);
	s = socktab_find(t, 100, 3);
	CHECK(s && s->bytes == 100 && s->sends == 2 && s->ends.dport == 80);
	s = socktab_find(t, 200, 3);
	CHECK(s && s->bytes == 5 && s->sends == 1);
	CHECK(socktab_find(t, 100, 4) == NULL);	/* failed connect */
	CHECK(socktab_find(t, 100, 6) != NULL);	/* in progress: tracked */

	p = socktab_proc(t, 100);
	CHECK(p && p->opened == 2 && p->failed == 1 && p->bytes == 100 && p->open_now == 2);
	CHECK(feed(t, EV_CLOSE, 100, 3, 0, "curl") == 0);
	CHECK(socktab_find(t, 100, 3) == NULL);
	CHECK(p->open_now == 1 && p->opened == 2);
	/* The fd number is reused at once: a new socket, totals from zero. */
	e = ev(EV_CONNECT, 100, 3, 0, "curl");
	e.ends.dport = 8080;
	CHECK(socktab_event(t, &e) == 0);
	s = socktab_find(t, 100, 3);
	CHECK(s && s->bytes == 0 && s->sends == 0 && s->ends.dport == 8080);
	CHECK(p->opened == 3 && p->open_now == 2);
	/* A close of an fd that was never tracked changes nothing. */
	CHECK(feed(t, EV_CLOSE, 100, 9, 0, "curl") == 0 && p->open_now == 2);
	/* A process that renames itself is shown by its last name. */
	CHECK(feed(t, EV_CONNECT, 100, 5, 0, "renamed") == 0);
	CHECK_STR(p->comm, "renamed");
	/* An unconnected socket starts with a send that names its
	 * destination; each such send moves the destination. */
	e = ev(EV_SEND, 300, 7, 40, "resolver");
	e.flags = EVF_DEST_ARG;
	e.ends.dport = 53;
	CHECK(socktab_event(t, &e) == 0);
	e.ends.dport = 5353;
	CHECK(socktab_event(t, &e) == 0);
	s = socktab_find(t, 300, 7);
	CHECK(s && s->bytes == 80 && s->sends == 2 && s->ends.dport == 5353);
	CHECK(socktab_proc(t, 300)->opened == 1);
	/* A failed first send does not start tracking. */
	CHECK(feed(t, EV_SEND, 300, 8, -ENETUNREACH, "resolver") == 0 && !socktab_find(t, 300, 8));

	/* Many sockets: the table grows and stays exact. */
	for (int fd = 10; fd < 5000; fd++)
		feed(t, EV_CONNECT, 400, fd, 0, "many");
	CHECK(socktab_nsocks(t) == 4990 + 5);
	for (int fd = 10; fd < 5000; fd += 2)
		feed(t, EV_CLOSE, 400, fd, 0, "many");
	CHECK(socktab_nsocks(t) == 2495 + 5);
	CHECK(socktab_find(t, 400, 4999) != NULL && socktab_find(t, 400, 4998) == NULL);
	CHECK(socktab_nprocs(t) == 4);

	/* Past PROCS_MAX processes, the rest share one "(others)" row. */
	for (uint32_t pid = 1000; pid < 1000 + PROCS_MAX; pid++)
		feed(t, EV_CONNECT, pid, 3, -ECONNREFUSED, "short-lived");
	CHECK(socktab_nprocs(t) == PROCS_MAX + 1);
	p = socktab_proc(t, 0);
	CHECK(p && p->failed == 4 && !strcmp(p->comm, "(others)"));
	CHECK(socktab_proc(t, 999 + PROCS_MAX) == NULL);
	socktab_free(t);
	return check_done("socktab");
}
