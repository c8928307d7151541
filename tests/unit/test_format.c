// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "format.h"

static char mem[LINE_MAX_LEN + 1];

static const char *json(const struct event *e)
{
	struct buf b;

	buf_init(&b, mem, LINE_MAX_LEN);
	format_json(&b, e, 1700000000LL * 1000000000);
	mem[b.len] = '\0';
	return mem;
}

static const char *text(const struct event *e)
{
	struct buf b;

	buf_init(&b, mem, LINE_MAX_LEN);
	format_text(&b, e, 0);
	mem[b.len] = '\0';
	return mem + 13;	/* past the local time of day */
}

int main(void)
{
	struct event e = {
		.ts_ns = 123456789, .pid = 10, .tid = 11, .uid = 1000, .fd = 3,
		.kind = EV_CONNECT, .comm = "curl",
		.ends = { .saddr = { 10, 0, 0, 2 }, .daddr = { 93, 184, 216, 34 }, .sport = 40000,
			  .dport = 80, .family = AF_INET, .proto = IPPROTO_TCP },
	};

	CHECK_STR(json(&e), "{\"time\":\"2023-11-14T22:13:20.123456789Z\",\"event\":\"connect\","
		  "\"pid\":10,\"tid\":11,\"uid\":1000,\"comm\":\"curl\",\"fd\":3,\"family\":\"ipv4\","
		  "\"proto\":\"tcp\",\"saddr\":\"10.0.0.2\",\"sport\":40000,"
		  "\"daddr\":\"93.184.216.34\",\"dport\":80,\"ret\":0}\n");
	CHECK_STR(text(&e), "10      curl            3    connect tcp 10.0.0.2:40000 > 93.184.216.34:80 ok\n");
	e.ret = -ECONNREFUSED;
	CHECK(strstr(json(&e), "\"ret\":-111,\"error\":\"ECONNREFUSED\"}") != NULL);
	CHECK(strstr(text(&e), "93.184.216.34:80 ECONNREFUSED\n") != NULL);
	e.ret = -EINPROGRESS;
	CHECK(strstr(json(&e), "\"ret\":-115}") != NULL);	/* not an error */
	CHECK(strstr(text(&e), ":80 in progress\n") != NULL);
	/* A process in its own pid namespace also shows its pid there. */
	e.nspid = 1;
	CHECK(strstr(json(&e), "\"pid\":10,\"nspid\":1,\"tid\":11,") != NULL);
	e.nspid = 0;

	/* IPv6, IPv4-mapped included, in standard text form. */
	memset(&e.ends, 0, sizeof(e.ends));
	e.ends.family = AF_INET6;
	e.ends.proto = IPPROTO_UDP;
	e.ends.saddr[15] = 1;
	memcpy(e.ends.daddr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\x01", 16);
	e.ends.sport = 5000;
	e.ends.dport = 53;
	e.ret = 0;
	CHECK(strstr(json(&e), "\"family\":\"ipv6\",\"proto\":\"udp\",\"saddr\":\"::1\",\"sport\":5000,"
		     "\"daddr\":\"::ffff:127.0.0.1\",\"dport\":53") != NULL);
	CHECK(strstr(text(&e), "udp [::1]:5000 > [::ffff:127.0.0.1]:53 ok\n") != NULL);

	e.kind = EV_SEND;
	e.ret = 81;
	CHECK(strstr(json(&e), "\"dport\":53,\"bytes\":81}\n") != NULL);
	CHECK(strstr(text(&e), "send    81 bytes\n") != NULL);
	e.flags = EVF_DEST_ARG;
	CHECK(strstr(text(&e), "send    81 bytes to [::ffff:127.0.0.1]:53\n") != NULL);
	e.flags = 0;
	e.ret = -EPIPE;
	CHECK(strstr(json(&e), "\"ret\":-32,\"error\":\"EPIPE\"}") != NULL);
	e.ret = -4095;	/* no name: still one valid value */
	CHECK(strstr(json(&e), "\"error\":\"errno 4095\"") != NULL);

	e.kind = EV_CLOSE;
	e.ret = 0;
	e.duration_ns = 177000000;
	e.sent_bytes = 81;
	e.sends = 1;
	CHECK(strstr(json(&e), "\"reason\":\"close\",\"duration_ns\":177000000,\"sent_bytes\":81,"
		     "\"sends\":1}\n") != NULL);
	CHECK(strstr(text(&e), "close   closed after 177 ms, 81 bytes in 1 send\n") != NULL);
	e.reason = REASON_EXEC;
	CHECK(strstr(json(&e), "\"reason\":\"exec\"") != NULL);
	CHECK(strstr(text(&e), "close   closed by exec after 177 ms,") != NULL);
	e.reason = 200;	/* from a newer kernel side: named, not crashed on */
	CHECK(strstr(json(&e), "\"reason\":\"unknown\"") != NULL);

	/* A hostile name cannot break the line, in either format. */
	memcpy(e.comm, "a\"\n\x1b\xff\\bcdefghijk", 16);
	CHECK(strstr(json(&e), "\"comm\":\"a\\\"\\n\\u001b\\ufffd\\\\bcdefghijk\"") != NULL);
	CHECK(strstr(text(&e), "a\"\\x0a\\x1b\\xff\\\\bcdefghijk ") != NULL);
	CHECK(strchr(text(&e), '\n') == strrchr(text(&e), '\n'));
	/* The longest line fits with room to spare. */
	memset(e.comm, 0xff, sizeof(e.comm));
	e.ret = -4095;
	e.kind = EV_SEND;
	e.pid = e.tid = e.uid = e.nspid = 4294967295u;
	memset(e.ends.saddr, 0xff, 16);
	memset(e.ends.daddr, 0xff, 16);
	e.ends.family = AF_INET6;
	e.ends.proto = 65535;
	e.fd = -2147483647 - 1;
	CHECK(strlen(json(&e)) + 128 < LINE_MAX_LEN);
	return check_done("format");
}
