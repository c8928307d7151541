// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* The connection view: which events make a line, and the lines' columns. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "connview.h"

static char mem[LINE_MAX_LEN * 4 + 1];
static struct fmt f = { .own_cgroup = 7, .own_netns = 4026531840u, .width = 80 };

/* The lines e makes (possibly none), as one string. */
static const char *feed(struct connview *v, const struct event *e)
{
	struct buf b;

	buf_init(&b, mem, sizeof(mem) - 1);
	connview_event(v, &b, e, &f);
	mem[b.len] = '\0';
	return mem;
}

static size_t cols(const char *s)
{
	return strcspn(s, "\n");
}

#define HAS(s, part) CHECK(strstr((s), (part)) != NULL)

static struct event sock_event(uint8_t kind, uint64_t id)
{
	struct event e = { 0 };

	e.h.kind = kind;
	e.h.who = (struct who){ .pid = 4242, .tid = 4242, .uid = 1000 };
	memcpy(e.h.who.comm, "curl", 5);
	e.h.sock = (struct sockinfo){ .id = id, .cgroup = 7, .netns = 4026531840u, .fd = 3,
				      .origin = ORIGIN_CONNECT, .dir = DIR_OUT };
	e.h.sock.ends = (struct ends){ .sport = 40000, .dport = 443, .proto = IPPROTO_TCP, .family = AF_INET };
	memcpy(e.h.sock.ends.saddr, "\x0a\0\0\x02", 4);
	memcpy(e.h.sock.ends.daddr, "\x5d\xb8\xd8\x22", 4);
	return e;
}

int main(void)
{
	struct connview *v = connview_new();
	struct event e;
	struct buf b;
	const char *t;

	CHECK(v != NULL);
	buf_init(&b, mem, sizeof(mem) - 1);
	connview_header(&b, &f);
	mem[b.len] = '\0';
	CHECK_STR(mem, "PID     COMM       CONNECTION                     RESULT         OUT    IN   DUR\n");
	CHECK(cols(mem) == 80);

	/* A refused connect: its line at once, with the attempt's time;
	 * its close, having moved nothing, makes none. */
	e = sock_event(EV_CONNECT, 1);
	e.connect = (struct ev_connect){ .ret = -ECONNREFUSED, .latency_ns = 83000 };
	t = feed(v, &e);
	CHECK_STR(t, "4242    curl       tcp :40000 > 93.184.216.34:443 ECONNREFUSED     -     -  83us\n");
	CHECK(cols(t) == 80);
	e = sock_event(EV_CLOSE, 1);
	CHECK_STR(feed(v, &e), "");

	/* In progress, then refused: one line, at the refusal. */
	e = sock_event(EV_CONNECT, 2);
	e.connect = (struct ev_connect){ .ret = -EINPROGRESS, .latency_ns = 5000 };
	CHECK_STR(feed(v, &e), "");
	e.h.flags = EVF_ASYNC;
	e.connect = (struct ev_connect){ .ret = -ETIMEDOUT, .latency_ns = 3000000000ULL };
	HAS(feed(v, &e), " ETIMEDOUT        -     -  3.0s\n");
	e = sock_event(EV_CLOSE, 2);
	CHECK_STR(feed(v, &e), "");

	/* A connection: one line at its close, with how it ended, bytes
	 * each way and how long; wide, the connect's time and exact bytes. */
	e = sock_event(EV_CONNECT, 3);
	e.connect = (struct ev_connect){ .ret = 0, .latency_ns = 42000 };
	CHECK_STR(feed(v, &e), "");
	e = sock_event(EV_CLOSE, 3);
	e.close = (struct ev_close){ .duration_ns = 4200000000ULL, .reason = REASON_EXIT,
				     .totals = { .sent_bytes = 1234, .recv_bytes = 35000000 } };
	t = feed(v, &e);
	CHECK_STR(t, "4242    curl       tcp :40000 > 93.184.216.34:443 exit          1.2K   33M  4.2s\n");
	e = sock_event(EV_CONNECT, 4);
	e.connect = (struct ev_connect){ .ret = 0, .latency_ns = 42000 };
	feed(v, &e);
	f.width = 0;
	e = sock_event(EV_CLOSE, 4);
	e.close = (struct ev_close){ .duration_ns = 4200000000ULL, .totals = { .sent_bytes = 1234, .recv_bytes = 35000000 } };
	t = feed(v, &e);
	HAS(t, "curl            tcp 10.0.0.2:40000 > 93.184.216.34:443          closed         42us       1234   35000000   4.2s\n");
	f.width = 80;

	/* Closed while still connecting, and an accepted one: "<". */
	e = sock_event(EV_CLOSE, 5);
	e.h.flags = EVF_CONNECTING;
	HAS(feed(v, &e), " connecting      0B    0B");
	e = sock_event(EV_CLOSE, 6);
	e.h.sock.dir = DIR_IN;
	HAS(feed(v, &e), "tcp :40000 < 93.184.216.34:443 closed");

	/* A listener, now or found at start. */
	e = sock_event(EV_LISTEN, 7);
	memset(e.h.sock.ends.daddr, 0, 16);
	e.h.sock.ends.dport = 0;
	e.listen = (struct ev_listen){ .ret = 0, .backlog = 511 };
	HAS(feed(v, &e), "tcp 10.0.0.2:40000             listening        -     -     -\n");
	e.listen.ret = -EADDRINUSE;
	HAS(feed(v, &e), "EADDRINUSE       -");
	e.h.kind = EV_OPEN;
	e.h.flags = EVF_LISTENING;
	HAS(feed(v, &e), " listening ");
	/* Sends, receives, accepts and opens make no line. */
	e = sock_event(EV_SEND, 8);
	CHECK_STR(feed(v, &e), "");
	e.h.kind = EV_ACCEPT;
	CHECK_STR(feed(v, &e), "");

	/* Long IPv6 ends and a long hostile name: still 80 columns, the
	 * columns after them in place. */
	e = sock_event(EV_CLOSE, 9);
	e.h.sock.ends.family = AF_INET6;
	memcpy(e.h.sock.ends.saddr, "\x20\x01\x0d\xb8\x12\x34\x56\x78\x9a\xbc\xde\xf0\x12\x34\x56\x78", 16);
	memcpy(e.h.sock.ends.daddr, "\x20\x01\x0d\xb8\x87\x65\x43\x21\x9a\xbc\xde\xf0\x12\x34\x56\x78", 16);
	memcpy(e.h.who.comm, "\x1b[2J\xff\xfe-long-name", 16);
	e.h.who.pid = 4194304;
	t = feed(v, &e);
	CHECK(cols(t) == 80);
	CHECK(strstr(t, " closed ") == t + 49);
	CHECK(strchr(t, '\x1b') == NULL);

	/* Where the socket is: after the columns, a bare cgroup id only in a
	 * wide line. */
	e.h.sock.cgroup = 8;
	e.h.sock.netns = 4026532000u;
	t = feed(v, &e);
	HAS(t, "   0B  <1us [netns 4026532000]\n");
	f.width = 0;
	e.h.sock.id = 10;
	HAS(feed(v, &e), " [cgroup 8] [netns 4026532000]\n");
	f.width = 80;

	connview_free(v);
	return check_done("connview");
}
