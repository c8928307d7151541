// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "briefs.h"

/* A full send or receive record of descriptor sock, its ends at gen. */
static struct event full(uint8_t kind, uint64_t sock, uint32_t gen, uint16_t dport)
{
	struct event e = { .h = { .kind = kind, .who = { .pid = 7, .tid = 7 },
				  .sock = { .id = sock, .fd = 3, .cgroup = 11, .netns = 12,
					    .origin = ORIGIN_CONNECT, .dir = DIR_OUT } } };

	e.h.sock.ends.family = 2;
	e.h.sock.ends.dport = dport;
	e.io.gen = gen;
	e.io.ret = 5;
	return e;
}

static struct io_brief brief(uint64_t sock, int32_t ret)
{
	struct io_brief b = { .who = { .ts_ns = 99, .pstart = 5, .pid = 7, .tid = 8, .uid = 1000, .nspid = 2 },
			      .sock = sock, .ret = ret, .kind = EV_SEND, .call = CALL_write };

	memcpy(b.who.comm, "renamed", 8);
	return b;
}

int main(void)
{
	struct briefs *t = briefs_new();
	struct event e, f;
	struct io_brief b = brief(4096, 42);

	/* Nothing held: a brief record cannot be made whole. */
	CHECK(!briefs_expand(t, &b, sizeof(b), &e));

	f = full(EV_SEND, 4096, 0, 53);
	CHECK(briefs_note(t, &f) == 0);
	CHECK(briefs_count(t) == 1);
	CHECK(briefs_expand(t, &b, sizeof(b), &e));
	/* Who and when from the brief record, the socket from the full one. */
	CHECK(e.h.kind == EV_SEND && e.h.sock.id == 4096 && e.h.who.ts_ns == 99);
	CHECK(e.h.who.pid == 7 && e.h.who.tid == 8 && e.h.who.uid == 1000 && e.h.who.nspid == 2 &&
	      e.h.who.pstart == 5);
	CHECK_STR(e.h.who.comm, "renamed");
	CHECK(e.h.sock.fd == 3 && e.h.sock.cgroup == 11 && e.h.sock.netns == 12);
	CHECK(e.h.sock.origin == ORIGIN_CONNECT && e.h.sock.dir == DIR_OUT && e.h.flags == 0);
	CHECK(e.h.sock.ends.dport == 53 && e.h.sock.ends.family == 2);
	CHECK(e.io.ret == 42 && e.io.call == CALL_write);

	/* A negative result stays negative. */
	b = brief(4096, -32);
	CHECK(briefs_expand(t, &b, sizeof(b), &e) && e.io.ret == -32);

	/* Newer ends replace older ones; older ones filled late do not. */
	f = full(EV_RECV, 4096, 2, 54);
	briefs_note(t, &f);
	f = full(EV_SEND, 4096, 1, 55);
	briefs_note(t, &f);
	CHECK(briefs_expand(t, &b, sizeof(b), &e) && e.h.sock.ends.dport == 54);

	/* A send naming its own destination does not stand for the socket. */
	f = full(EV_SEND, 4096, 3, 56);
	f.h.flags = EVF_DEST;
	briefs_note(t, &f);
	CHECK(briefs_expand(t, &b, sizeof(b), &e) && e.h.sock.ends.dport == 54);

	/* Other kinds are not remembered; the close forgets. */
	f = full(EV_CONNECT, 8192, 0, 57);
	briefs_note(t, &f);
	CHECK(briefs_count(t) == 1);
	f = full(EV_CLOSE, 4096, 0, 0);
	briefs_note(t, &f);
	CHECK(briefs_count(t) == 0);
	CHECK(!briefs_expand(t, &b, sizeof(b), &e));

	/* Not a brief record: another size, another kind. */
	f = full(EV_SEND, 4096, 0, 53);
	briefs_note(t, &f);
	CHECK(!briefs_expand(t, &b, sizeof(b) - 1, &e));
	b.kind = EV_CLOSE;
	CHECK(!briefs_expand(t, &b, sizeof(b), &e));
	b.kind = EV_SEND;
	b.sock = 0;
	CHECK(!briefs_expand(t, &b, sizeof(b), &e));

	briefs_free(t);
	return check_done("briefs");
}
