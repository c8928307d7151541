// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "kinds.h"
#include "proctab.h"

static struct event ev(uint8_t kind, uint32_t pid, uint64_t pstart, const char *comm)
{
	struct event e = { .h = { .kind = kind, .who = { .pid = pid, .tid = pid, .pstart = pstart },
				  .sock = { .id = 1 } } };

	strncpy(e.h.who.comm, comm, sizeof(e.h.who.comm) - 1);
	return e;
}

static int feed(struct proctab *t, uint8_t kind, uint32_t pid, int64_t ret, const char *comm)
{
	struct event e = ev(kind, pid, 1000 + pid, comm);

	e.connect.ret = ret;
	return proctab_event(t, &e);
}

static struct event closed(uint32_t pid, uint32_t owner, uint64_t sent, uint64_t recvd)
{
	struct event e = ev(EV_CLOSE, pid, 1000 + pid, "curl");

	e.close.owner = owner;
	e.close.owner_pstart = 1000 + owner;
	e.close.totals = (struct totals){ .sent_bytes = sent, .sends = 1, .recv_bytes = recvd, .recvs = 2 };
	return e;
}

int main(void)
{
	struct proctab *t = proctab_new();
	const struct proc_stats *p;
	struct snapshot s = { .owner = 100, .owner_pstart = 1100, .totals = { .sent_bytes = 7, .sends = 1 } };
	struct event e;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(t != NULL);
	CHECK(feed(t, EV_CONNECT, 100, 0, "curl") == 0);
	CHECK(feed(t, EV_CONNECT, 100, -ECONNREFUSED, "curl") == 0);
	CHECK(feed(t, EV_CONNECT, 100, -EINPROGRESS, "curl") == 0);
	e = ev(EV_CONNECT, 100, 1100, "curl");
	e.h.flags = EVF_ASYNC;
	e.connect.ret = -ETIMEDOUT;	/* the one in progress failed */
	CHECK(proctab_event(t, &e) == 0);
	CHECK(feed(t, EV_ACCEPT, 100, 0, "curl") == 0);
	CHECK(feed(t, EV_OPEN, 100, 0, "curl") == 0);
	CHECK(feed(t, EV_SEND, 100, 0, "curl") == 0);	/* totals come from closes */
	e = closed(100, 100, 100, 50);
	CHECK(proctab_event(t, &e) == 0);
	/* A CLONE_FILES sibling closes the descriptor: the owner's totals. */
	e = closed(101, 100, 10, 5);
	CHECK(proctab_event(t, &e) == 0);
	CHECK(proctab_open_at_end(t, &s) == 0);
	p = proctab_proc(t, 100, 1100);
	CHECK(p && p->out == 1 && p->in == 1 && p->other == 1 && p->failed == 2);
	CHECK(p && p->totals.sent_bytes == 117 && p->totals.sends == 3 && p->totals.recv_bytes == 55 && p->totals.recvs == 4 && p->open == 1);
	CHECK(p && !strcmp(p->comm, "curl"));
	/* The sibling that only closed has no row. */
	CHECK(proctab_proc(t, 101, 1101) == NULL);
	/* The same pid, reused by another process: another row. */
	e = ev(EV_CONNECT, 100, 99999, "wget");
	CHECK(proctab_event(t, &e) == 0);
	CHECK(proctab_nprocs(t) == 2);
	CHECK(proctab_proc(t, 100, 99999) && !strcmp(proctab_proc(t, 100, 99999)->comm, "wget"));

	/* The summary: a row a process, the busiest first, within 100 columns
	 * wide, 80 otherwise. */
	f = open_memstream(&out, &len);
	proctab_summary(t, f, 0, false);
	fclose(f);
	CHECK(out && strstr(out, "PID     COMM             OUT   IN OTHER FAILED   SENT_BYTES   RECV_BYTES  OPEN\n"
			    "100     curl               1    1     1      2") != NULL);
	for (char *line = out; line && *line; line = strchr(line, '\n') + 1)
		CHECK(strchr(line, '\n') - line <= 80);
	free(out);
	f = open_memstream(&out, &len);
	proctab_summary(t, f, 0, true);
	fclose(f);
	CHECK(out && strstr(out, "PID      COMM              OUT   IN OTHER FAILED   SENT_BYTES   SENDS"
			    "   RECV_BYTES   RECVS  OPEN\n100      curl                1    1     1      2") != NULL);
	for (char *line = out; line && *line; line = strchr(line, '\n') + 1)
		CHECK(strchr(line, '\n') - line <= 100);
	free(out);
	f = open_memstream(&out, &len);
	proctab_json(t, f);
	fclose(f);
	CHECK(out && strstr(out, "[{\"pid\":100,\"comm\":\"curl\",\"out\":1,\"in\":1,\"other\":1,\"failed\":2,"
			    "\"sent_bytes\":117,") == out);
	free(out);

	/* The busiest first, at most rows of them, then one row adds up the
	 * rest; a single row past the cap is shown whole. */
	{
		struct proctab *u = proctab_new();
		struct event c;

		for (uint32_t pid = 1; pid <= 30; pid++) {	/* named curl by their closes */
			CHECK(feed(u, EV_CONNECT, pid, 0, "many") == 0);
			c = closed(pid, pid, pid * 10, pid);	/* pid 30 moved the most */
			CHECK(proctab_event(u, &c) == 0);
		}
		f = open_memstream(&out, &len);
		proctab_summary(u, f, 20, true);
		fclose(f);
		CHECK(out && strstr(out, "OPEN\n30       curl") != NULL);
		CHECK(out && strstr(out, "\n11       curl") != NULL && strstr(out, "\n10       curl") == NULL);
		/* 10 others: pids 1..10, 550 B out, 55 B in, 10 connects. */
		CHECK(out && strstr(out, "\n-        (10 others)        10    0     0      0          550      10"
				    "           55      20     0\n") != NULL);
		free(out);
		f = open_memstream(&out, &len);
		proctab_summary(u, f, 29, true);
		fclose(f);
		CHECK(out && strstr(out, "others") == NULL && strstr(out, "\n1        curl") != NULL);
		free(out);
		proctab_free(u);
	}

	/* Bounded: past PROCS_MAX processes, one "(others)" row. */
	for (uint32_t pid = 1000; pid < 1000 + PROCS_MAX + 10; pid++)
		feed(t, EV_OPEN, pid, 0, "many");
	CHECK(proctab_nprocs(t) <= PROCS_MAX + 1);
	p = proctab_proc(t, 0, 0);
	CHECK(p && !strcmp(p->comm, "(others)") && p->other > 0);

	/* Records decode only when whole and of a known kind. */
	{
		struct event d, src = ev(EV_CLOSE, 5, 6, "y");

		CHECK(event_decode(&src, sizeof(src), &d) && d.h.who.pid == 5);
		CHECK(!event_decode(&src, EVENT_SIZE(struct ev_close) - 1, &d));
		src.h.kind = 0;
		CHECK(!event_decode(&src, sizeof(src), &d));
		src.h.kind = EV_KINDS;
		CHECK(!event_decode(&src, sizeof(src), &d));
		src.h.kind = EV_OPEN;
		CHECK(event_decode(&src, sizeof(struct event_head), &d) && d.close.totals.sent_bytes == 0);
		CHECK(!event_decode(&src, 3, &d));
	}
	proctab_free(t);
	return check_done("proctab");
}
