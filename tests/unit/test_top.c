// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* --top's frames: what an interval adds up, sorted, cut to rows. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "top.h"

#define HAS(s, part) CHECK(strstr((s), (part)) != NULL)

static char *frame(struct top *t, const struct top_view *v)
{
	static char *mem;
	size_t len = 0;
	FILE *f;

	free(mem);
	mem = NULL;
	f = open_memstream(&mem, &len);
	top_frame(t, f, v, 1700000000LL * 1000000000);
	fclose(f);
	return mem;
}

static struct event ev(uint8_t kind, uint32_t pid, const char *comm, uint8_t peer, int64_t ret)
{
	struct event e = { 0 };

	e.h.kind = kind;
	e.h.who.pid = pid;
	e.h.who.pstart = pid * 1000;
	strncpy(e.h.who.comm, comm, sizeof(e.h.who.comm) - 1);
	e.h.sock.ends = (struct ends){ .sport = 40000, .dport = 80, .proto = IPPROTO_TCP, .family = AF_INET };
	e.h.sock.ends.daddr[0] = 10;
	e.h.sock.ends.daddr[3] = peer;
	if (kind == EV_CONNECT)
		e.connect.ret = ret;
	else
		e.io.ret = ret;
	return e;
}

int main(void)
{
	struct top_view v = { .sort = TOP_TOTAL, .rows = 1, .interval = 2 };
	struct top *t = top_new();
	struct event e;
	char *s;

	CHECK(t != NULL);
	/* Three processes; curl the busiest, then the rest (nc and wget). */
	e = ev(EV_CONNECT, 10, "curl", 1, 0);
	top_event(t, &e);
	e = ev(EV_SEND, 10, "curl", 1, 100);
	top_event(t, &e);
	e = ev(EV_RECV, 10, "curl", 1, 5000);
	top_event(t, &e);
	e = ev(EV_CONNECT, 20, "nc", 2, -ECONNREFUSED);
	top_event(t, &e);
	e = ev(EV_SEND, 20, "nc", 2, 2000);
	top_event(t, &e);
	e = ev(EV_SEND, 30, "wget", 2, 7);
	top_event(t, &e);
	e = ev(EV_RECV, 30, "wget", 2, -EAGAIN);	/* an error moves nothing */
	top_event(t, &e);
	e = ev(EV_CLOSE, 30, "wget", 2, 0);		/* counted by its calls, not again */
	top_event(t, &e);
	s = frame(t, &v);
	HAS(s, "socktrace --top, 2023-11-14 22:13:20 UTC: the last 2 s, by total bytes\n"
	       "PID      COMM             CONNECTIONS FAILED      OUT       IN\n"
	       "10       curl                       1      0     100B     4.8K\n"
	       "(others)                            0      1     1.9K       0B\n\n");
	HAS(s, "PEER                      CONNECTIONS FAILED      OUT       IN\n"
	       "10.0.0.1                            1      0     100B     4.8K\n"
	       "10.0.0.2                            0      1     1.9K       0B\n");
	CHECK(strncmp(s, "\n", 1) == 0);	/* not a terminal: frames one after another */
	/* The next interval starts empty; JSON, sorted by what was received. */
	s = frame(t, &v);
	CHECK(strstr(s, "curl") == NULL);
	e = ev(EV_SEND, 10, "curl", 1, 100);
	top_event(t, &e);
	e = ev(EV_RECV, 20, "n\"c\n", 2, 50);
	top_event(t, &e);
	v.json = true;
	v.sort = TOP_IN;
	v.rows = 2;
	s = frame(t, &v);
	CHECK_STR(s, "{\"top\":\"in\",\"time\":\"2023-11-14T22:13:20.000000000Z\",\"interval_s\":2,\"processes\":["
		  "{\"pid\":20,\"comm\":\"n\\\"c\\n\",\"connections\":0,\"failed\":0,\"sent_bytes\":0,\"recv_bytes\":50},"
		  "{\"pid\":10,\"comm\":\"curl\",\"connections\":0,\"failed\":0,\"sent_bytes\":100,\"recv_bytes\":0}],"
		  "\"peers\":[{\"addr\":\"10.0.0.2\",\"family\":\"ipv4\",\"connections\":0,\"failed\":0,\"sent_bytes\":0,"
		  "\"recv_bytes\":50},{\"addr\":\"10.0.0.1\",\"family\":\"ipv4\",\"connections\":0,\"failed\":0,"
		  "\"sent_bytes\":100,\"recv_bytes\":0}]}\n");
	/* On a terminal: home and clear, then the frame. */
	v.json = false;
	v.redraw = true;
	s = frame(t, &v);
	CHECK(strncmp(s, "\033[H\033[Jsocktrace --top", 21) == 0);
	top_free(t);
	return check_done("top");
}
