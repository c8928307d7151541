// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "check.h"
#include "kinds.h"
#include "peertab.h"

/* An event of kind about a socket whose peer is ip (v4 or v6). */
static struct event ev(uint8_t kind, const char *ip, uint16_t port)
{
	struct event e = { .h = { .kind = kind, .who = { .pid = 7, .tid = 7 }, .sock = { .id = 1 } } };
	int v6 = strchr(ip, ':') != NULL;

	e.h.sock.ends.family = v6 ? AF_INET6 : AF_INET;
	e.h.sock.ends.proto = 6;
	e.h.sock.ends.dport = port;
	inet_pton(e.h.sock.ends.family, ip, e.h.sock.ends.daddr);
	return e;
}

static struct event closed(const char *ip, uint64_t sent, uint64_t recvd)
{
	struct event e = ev(EV_CLOSE, ip, 443);

	e.close.totals = (struct totals){ .sent_bytes = sent, .sends = 1, .recv_bytes = recvd, .recvs = 1 };
	return e;
}

static const struct peer_stats *peer(const struct peertab *t, const char *ip)
{
	uint8_t a[16] = { 0 };
	int v6 = strchr(ip, ':') != NULL;

	inet_pton(v6 ? AF_INET6 : AF_INET, ip, a);
	return peertab_peer(t, a, v6 ? AF_INET6 : AF_INET);
}

int main(void)
{
	struct peertab *t = peertab_new();
	const struct peer_stats *p;
	struct event e;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	CHECK(t != NULL);
	e = closed("10.0.0.1", 100, 2000);
	CHECK(peertab_event(t, &e) == 0);
	e = closed("10.0.0.1", 50, 1000);
	CHECK(peertab_event(t, &e) == 0);
	e = closed("2001:db8::1", 5, 5);
	CHECK(peertab_event(t, &e) == 0);
	/* A failed connect counts; one in progress, a success or a send do not. */
	e = ev(EV_CONNECT, "192.0.2.9", 80);
	e.connect.ret = -ECONNREFUSED;
	CHECK(peertab_event(t, &e) == 0);
	e.connect.ret = -EINPROGRESS;
	CHECK(peertab_event(t, &e) == 0);
	e.h.flags = EVF_ASYNC;
	e.connect.ret = -ETIMEDOUT;
	CHECK(peertab_event(t, &e) == 0);
	e = ev(EV_CONNECT, "10.0.0.1", 443);
	CHECK(peertab_event(t, &e) == 0);
	e = ev(EV_SEND, "10.0.0.1", 443);
	CHECK(peertab_event(t, &e) == 0);
	/* No peer (a listener, an unconnected UDP socket): no row. */
	e = closed("0.0.0.0", 9, 9);
	e.h.sock.ends.dport = 0;
	CHECK(peertab_event(t, &e) == 0);

	CHECK(peertab_npeers(t) == 3);
	p = peer(t, "10.0.0.1");
	CHECK(p && p->sockets == 2 && p->failed == 0 && p->totals.sent_bytes == 150 && p->totals.recv_bytes == 3000);
	p = peer(t, "192.0.2.9");
	CHECK(p && p->sockets == 0 && p->failed == 2);
	p = peer(t, "2001:db8::1");
	CHECK(p && p->sockets == 1 && p->totals.sent_bytes == 5);

	/* The busiest first, within 80 columns; past the cap, one row. */
	f = open_memstream(&out, &len);
	peertab_summary(t, f, 1);
	fclose(f);
	CHECK(out && strstr(out, "PEER                                    SOCKETS FAILED   SENT_BYTES   RECV_BYTES\n"
			    "10.0.0.1                                      2      0          150         3000\n"
			    "(2 others)                                    1      2            5            5\n") == out);
	for (char *line = out; line && *line; line = strchr(line, '\n') + 1)
		CHECK(strchr(line, '\n') - line <= 80);
	free(out);
	f = open_memstream(&out, &len);
	peertab_summary(t, f, 0);
	fclose(f);
	CHECK(out && strstr(out, "\n2001:db8::1 ") && strstr(out, "\n192.0.2.9 ") &&
	      strstr(out, "\n2001:db8::1 ") < strstr(out, "\n192.0.2.9 "));
	free(out);

	/* Every row as JSON, the busiest first. */
	f = open_memstream(&out, &len);
	peertab_json(t, f);
	fclose(f);
	CHECK(out && !strncmp(out, "[{\"addr\":\"10.0.0.1\",\"sockets\":2,\"failed\":0,\"sent_bytes\":150,"
			    "\"recv_bytes\":3000},{\"addr\":\"2001:db8::1\",", 91));
	CHECK(out && out[strlen(out) - 1] == ']');
	free(out);

	/* Bounded: past PEERS_MAX peers, one row for the rest. */
	{
		int bad = 0;

		for (uint32_t i = 0; i < PEERS_MAX + 10; i++) {
			e = closed("10.0.0.1", 1, 1);
			memcpy(e.h.sock.ends.daddr, &i, sizeof(i));
			e.h.sock.ends.daddr[4] = 1;	/* not an address above */
			bad += peertab_event(t, &e) != 0;
		}
		CHECK(bad == 0);
	}
	CHECK(peertab_npeers(t) <= PEERS_MAX + 1);
	peertab_free(t);
	return check_done("peertab");
}
