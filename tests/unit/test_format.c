// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "check.h"
#include "format.h"
#include "kinds.h"
#include "names.h"
#include "procinfo.h"

static char mem[LINE_MAX_LEN + 1];
/* socktrace's own cgroup and netns are those of the test event. */
static struct fmt f = { .realtime_off = 1700000000LL * 1000000000, .own_cgroup = 7, .own_netns = 4026531840u };

static const char *json(const struct event *e)
{
	struct buf b;

	buf_init(&b, mem, LINE_MAX_LEN);
	format_json(&b, e, &f);
	mem[b.len] = '\0';
	return mem;
}

static const char *text(const struct event *e)
{
	struct buf b;

	buf_init(&b, mem, LINE_MAX_LEN);
	format_text(&b, e, &f);
	mem[b.len] = '\0';
	return mem + 13;	/* past the local time of day */
}

#define HAS(s, part) CHECK(strstr((s), (part)) != NULL)

/* format_time() as gmtime_r and printf would write it. */
static const char *time_ref(int64_t ns, char *out, size_t len)
{
	int64_t s = ns / 1000000000, r = ns % 1000000000;
	time_t t;
	struct tm tm;

	if (r < 0)
		r += 1000000000, s--;
	t = s;
	if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		return "1970-01-01T00:00:00.000000000Z";
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRId64 "Z", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, r);
	return out;
}

static const char *time_of(int64_t ns, char *out, size_t len)
{
	struct buf b;

	buf_init(&b, out, len - 1);
	format_time(&b, ns);
	out[b.len] = '\0';
	return out;
}

/* Dates without gmtime_r, and numbers without printf. */
static void numbers_and_dates(void)
{
	/* int64 nanoseconds reach from 1677 to 2262. */
	const int64_t edges[] = { 0, -1, 1, 951782400LL * 1000000000 /* 2000-02-29 */,
				  4107542399LL * 1000000000 + 999999999 /* 2100-02-28 23:59:59 */,
				  -2203891200LL * 1000000000 /* 1900-03-01 */, -2203891200LL * 1000000000 - 1,
				  INT64_MAX, INT64_MIN };
	char got[64], want[64], num[64];
	struct buf b;
	uint64_t x = 88172645463325252ULL;

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		CHECK_STR(time_of(edges[i], got, sizeof(got)), time_ref(edges[i], want, sizeof(want)));
	for (int i = 0, bad = 0; i < 200000; i++) {
		int64_t ns;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;	/* xorshift64 */
		ns = (int64_t)x;
		if (i & 1)	/* near now too */
			ns %= 4000000000LL * 1000000000;
		if (strcmp(time_of(ns, got, sizeof(got)), time_ref(ns, want, sizeof(want))) && !bad++)
			CHECK_STR(got, want);
		if (i == 199999)
			CHECK(bad == 0);
	}
	buf_init(&b, num, sizeof(num));
	buf_u64(&b, UINT64_MAX);
	buf_char(&b, ' ');
	buf_i64(&b, INT64_MIN);
	buf_char(&b, ' ');
	buf_num(&b, 7, 9);
	buf_char(&b, ' ');
	buf_num(&b, 0, 1);
	num[b.len] = '\0';
	CHECK_STR(num, "18446744073709551615 -9223372036854775808 000000007 0");
	/* Two digits at a time: every length and every width, against printf. */
	{
		uint64_t v = 1;
		int bad = 0;

		for (int i = 0; i < 200000; i++) {
			char want[32];
			int width = i % 22;

			v = v * 6364136223846793005ULL + 1442695040888963407ULL;
			uint64_t x = i < 100 ? (uint64_t)i : v >> (i % 64);

			buf_init(&b, num, sizeof(num));
			buf_num(&b, x, width);
			num[b.len] = '\0';
			snprintf(want, sizeof(want), "%0*llu", width > 20 ? 20 : width, (unsigned long long)x);
			if (strcmp(num, want) && !bad++)
				CHECK_STR(num, want);
		}
		CHECK(bad == 0);
	}
	/* Bounded: what does not fit is cut and said so. */
	buf_init(&b, num, 3);
	buf_u64(&b, 12345);
	CHECK(b.len == 3 && b.overflow && !memcmp(num, "123", 3));
}

/* Columns of a line as a terminal shows it (its text is ASCII here). */
static size_t line_cols(const char *s)
{
	return strcspn(s, "\n");
}

/* Lines fitted to 80 columns: the own address gives way to its port, an
 * IPv6 address to a '~' in its middle, the end of the line last. */
static void narrow(void)
{
	struct event e = { 0 };
	const char *t;

	f.width = 80;
	e.h.who = (struct who){ .ts_ns = 123456789, .pid = 4194304, .tid = 11, .uid = 1000 };
	memcpy(e.h.who.comm, "a-long-comm-name", 16);
	e.h.sock = (struct sockinfo){ .id = 5, .cgroup = 7, .netns = 4026531840u, .fd = 3 };
	e.h.sock.ends = (struct ends){ .sport = 40000, .dport = 443, .proto = IPPROTO_TCP, .family = AF_INET };
	memcpy(e.h.sock.ends.saddr, "\x0a\0\0\x02", 4);
	memcpy(e.h.sock.ends.daddr, "\x5d\xb8\xd8\x22", 4);
	e.h.kind = EV_CONNECT;
	e.connect = (struct ev_connect){ .ret = -ECONNREFUSED, .latency_ns = 83000 };
	/* The time to the second; no FD column. */
	t = text(&e) - 13;
	CHECK(line_cols(t) <= 80);
	HAS(t, "4194304 a-long-com~ connect tcp > 93.184.216.34:443 ECONNREFUSED 83us\n");
	/* A shorter address keeps the own end's port. */
	memcpy(e.h.sock.ends.daddr, "\1\1\1\1", 4);
	HAS(text(&e) - 13, "connect tcp :40000 > 1.1.1.1:443 ECONNREFUSED 83us\n");
	memcpy(e.h.sock.ends.daddr, "\x5d\xb8\xd8\x22", 4);
	CHECK(t[2] == ':' && t[5] == ':' && t[8] == ' ');
	/* Long IPv6 ends: the own address goes first, then the middle of the
	 * peer's; the result stays. */
	e.h.sock.ends.family = AF_INET6;
	memcpy(e.h.sock.ends.saddr, "\x20\x01\x0d\xb8\x12\x34\x56\x78\x9a\xbc\xde\xf0\x12\x34\x56\x78", 16);
	memcpy(e.h.sock.ends.daddr, "\x20\x01\x0d\xb8\x87\x65\x43\x21\x9a\xbc\xde\xf0\x12\x34\x56\x78", 16);
	t = text(&e) - 13;
	CHECK(line_cols(t) <= 80);
	HAS(t, "connect tcp > [2001:d~4:5678]:443 ECONNREFUSED 83us\n");
	e.h.sock.ends.family = AF_INET;
	memcpy(e.h.sock.ends.daddr, "\x5d\xb8\xd8\x22", 4);
	/* A close: bytes each way, then how long, short. */
	e.h.kind = EV_CLOSE;
	e.close = (struct ev_close){ .duration_ns = 4200000000ULL, .reason = REASON_EXIT,
				     .totals = { .sent_bytes = 1234, .recv_bytes = 35000000 } };
	t = text(&e) - 13;
	CHECK(line_cols(t) <= 80);
	HAS(t, "close   tcp > 93.184.216.34:443 by exit, 1.2K out ~\n");
	e.close.reason = REASON_CLOSE;
	memcpy(e.h.sock.ends.daddr, "\1\1\1\1", 4);
	HAS(text(&e) - 13, "close   tcp > 1.1.1.1:443 1.2K out 33M in, 4.2s\n");
	memcpy(e.h.sock.ends.daddr, "\x5d\xb8\xd8\x22", 4);
	/* What still does not fit is cut with a '~' at the 80th column. */
	e.close.reason = REASON_CLOSE_RANGE;
	t = text(&e) - 13;
	CHECK(line_cols(t) == 80 && t[79] == '~');
	/* Where the socket is comes after, whole; a bare cgroup id not. */
	e.h.sock.cgroup = 8;
	e.h.sock.netns = 4026532000u;
	HAS(text(&e) - 13, "~ [netns 4026532000]\n");
	e.h.sock.cgroup = 7;
	e.h.sock.netns = 4026531840u;
	/* Sends: the ends, then what moved. */
	e.h.kind = EV_SEND;
	e.io = (struct ev_io){ .ret = 5, .call = CALL_sendto };
	HAS(text(&e) - 13, "send    tcp > 93.184.216.34:443, 5 bytes (sendto)\n");
	CHECK(line_cols(text(&e) - 13) <= 80);
	f.width = 0;
}

int main(void)
{
	numbers_and_dates();
	struct event e = { .h = {
		.who = { .ts_ns = 123456789, .pid = 10, .tid = 11, .uid = 1000, .comm = "curl" },
		.sock = { .id = 4096, .fd = 3, .cgroup = 7, .netns = 4026531840u,
			  .ends = { .saddr = { 10, 0, 0, 2 }, .daddr = { 93, 184, 216, 34 }, .sport = 40000,
				    .dport = 80, .family = AF_INET, .dfamily = AF_INET, .proto = IPPROTO_TCP } },
		.kind = EV_CONNECT },
		.connect = { .latency_ns = 42000 } };

	CHECK_STR(json(&e), "{\"time\":\"2023-11-14T22:13:20.123456789Z\",\"event\":\"connect\","
		  "\"pid\":10,\"tid\":11,\"uid\":1000,\"comm\":\"curl\",\"fd\":3,\"sock\":4096,"
		  "\"family\":\"ipv4\",\"proto\":\"tcp\",\"saddr\":\"10.0.0.2\",\"sport\":40000,"
		  "\"daddr\":\"93.184.216.34\",\"dport\":80,\"cgroup\":7,\"netns\":4026531840,\"ret\":0,"
		  "\"latency_ns\":42000}\n");
	CHECK_STR(text(&e), "10      curl            3    connect tcp 10.0.0.2:40000 > 93.184.216.34:80 ok in 42 us\n");
	/* The same socket at other ends (a UDP socket connected again): its
	 * members as they are now, not as the formatter kept them. */
	e.h.sock.ends.dport = 53;
	HAS(json(&e), "\"daddr\":\"93.184.216.34\",\"dport\":53,");
	e.h.sock.ends.daddr[3] = 35;
	HAS(json(&e), "\"daddr\":\"93.184.216.35\",\"dport\":53,");
	e.h.sock.ends.daddr[3] = 34;
	e.h.sock.ends.dport = 80;
	HAS(json(&e), "\"daddr\":\"93.184.216.34\",\"dport\":80,");
	e.connect.ret = -ECONNREFUSED;
	HAS(json(&e), "\"ret\":-111,\"error\":\"ECONNREFUSED\",\"latency_ns\":42000}");
	HAS(text(&e), "93.184.216.34:80 ECONNREFUSED in 42 us\n");
	/* The time column: the time of day, with the date, or since the
	 * start; a UID column on request. */
	f.time = TIME_DATE;
	text(&e);
	CHECK(mem[4] == '-' && mem[7] == '-' && mem[10] == ' ' && mem[13] == ':' && mem[19] == '.' &&
	      !strncmp(mem + 23, " 10      curl ", 14));
	f.time = TIME_RELATIVE;
	f.start_real_ns = f.realtime_off + 23456789 - 1000000000LL * 754;
	text(&e);
	CHECK(!strncmp(mem, "754.100    10      curl ", 23));
	f.start_real_ns = f.realtime_off + 1000000000LL * 9;	/* before the start: 0 */
	text(&e);
	CHECK(!strncmp(mem, "0.000      10      curl ", 23));
	f.uid = true;
	text(&e);
	CHECK(!strncmp(mem, "0.000      10      1000   curl            3    connect ", 54));
	f.time = TIME_CLOCK;
	f.uid = false;
	/* On a terminal, a failure is red, the whole line; a success is not. */
	f.colour = true;
	text(&e);
	CHECK(!strncmp(mem, "\033[31m", 5) && strstr(mem, " 10      curl            3    connect tcp 10.0.0.2:40000 > "
							 "93.184.216.34:80 ECONNREFUSED in 42 us\033[0m\n"));
	e.connect.ret = 0;
	CHECK(strchr(text(&e), '\033') == NULL);
	e.connect.ret = -EINPROGRESS;	/* not a failure */
	CHECK(strchr(text(&e), '\033') == NULL);
	e.connect.ret = -ECONNREFUSED;
	f.colour = false;
	/* A connect in progress is timed by its outcome, not by the call. */
	e.connect.ret = -EINPROGRESS;
	HAS(json(&e), "\"ret\":-115}");	/* not an error */
	HAS(text(&e), ":80 in progress\n");
	/* How a connect in progress ended, and after how long. */
	e.h.flags = EVF_ASYNC;
	e.connect.latency_ns = 3000000000ULL;
	e.connect.ret = -ETIMEDOUT;
	HAS(json(&e), "\"ret\":-110,\"error\":\"ETIMEDOUT\",\"async\":true,\"latency_ns\":3000000000}");
	HAS(text(&e), ":80 ETIMEDOUT after 3000 ms\n");
	e.connect.ret = 0;
	HAS(json(&e), "\"ret\":0,\"async\":true,");
	HAS(text(&e), ":80 established after 3000 ms\n");
	e.h.flags = 0;
	/* A process in its own pid namespace also shows its pid there. */
	e.h.who.nspid = 1;
	HAS(json(&e), "\"pid\":10,\"nspid\":1,\"tid\":11,");
	e.h.who.nspid = 0;
	/* A failed connect names the address asked for, in its own family. */
	e.h.sock.ends.dfamily = AF_INET6;
	memset(e.h.sock.ends.daddr, 0, 16);
	e.h.sock.ends.daddr[15] = 1;
	HAS(json(&e), "\"family\":\"ipv4\",\"proto\":\"tcp\",\"saddr\":\"10.0.0.2\",\"sport\":40000,\"daddr\":\"::1\"");
	HAS(text(&e), "tcp 10.0.0.2:40000 > [::1]:80");

	/* IPv6, IPv4-mapped included, in standard text form. */
	memset(&e.h.sock.ends, 0, sizeof(e.h.sock.ends));
	e.h.sock.ends.family = e.h.sock.ends.dfamily = AF_INET6;
	e.h.sock.ends.proto = IPPROTO_UDP;
	e.h.sock.ends.saddr[15] = 1;
	memcpy(e.h.sock.ends.daddr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\x01", 16);
	e.h.sock.ends.sport = 5000;
	e.h.sock.ends.dport = 53;
	HAS(json(&e), "\"family\":\"ipv6\",\"proto\":\"udp\",\"saddr\":\"::1\",\"sport\":5000,"
	    "\"daddr\":\"::ffff:127.0.0.1\",\"dport\":53");
	HAS(text(&e), "udp [::1]:5000 > [::ffff:127.0.0.1]:53 ok in 3000 ms\n");
	/* connect(AF_UNSPEC): the peer it had, which it forgets. */
	e.h.kind = EV_DISCONNECT;
	HAS(json(&e), "\"event\":\"disconnect\"");
	HAS(json(&e), "\"daddr\":\"::ffff:127.0.0.1\",\"dport\":53,\"cgroup\":7,\"netns\":4026531840}\n");
	HAS(text(&e), "disconnect udp [::1]:5000 > [::ffff:127.0.0.1]:53 disconnected\n");

	e.h.kind = EV_ACCEPT;
	HAS(json(&e), "\"netns\":4026531840}\n");
	HAS(text(&e), "accept  udp [::1]:5000 < [::ffff:127.0.0.1]:53\n");
	e.h.kind = EV_OPEN;
	e.h.sock.origin = ORIGIN_EXISTING;
	HAS(json(&e), "\"origin\":\"existing\"}\n");
	HAS(text(&e), "open    udp [::1]:5000 > [::ffff:127.0.0.1]:53 (open before tracing)\n");
	/* A listening or unconnected socket: no peer rather than [::]:0. */
	memset(e.h.sock.ends.daddr, 0, sizeof(e.h.sock.ends.daddr));
	e.h.sock.ends.dport = 0;
	HAS(text(&e), "open    udp [::1]:5000, no peer (open before tracing)\n");
	HAS(json(&e), "\"daddr\":\"::\",\"dport\":0");
	/* A listener found at start says so; listen() says its backlog. */
	e.h.flags = EVF_LISTENING;
	e.h.sock.ends.proto = IPPROTO_TCP;
	HAS(text(&e), "open    tcp [::1]:5000 listening (open before tracing)\n");
	HAS(json(&e), "\"origin\":\"existing\",\"listening\":true}\n");
	e.h.flags = 0;
	e.h.kind = EV_LISTEN;
	e.listen.ret = 0;
	e.listen.backlog = 511;
	HAS(text(&e), "listen  tcp [::1]:5000 listening, backlog 511\n");
	HAS(json(&e), "\"event\":\"listen\"");
	HAS(json(&e), "\"dport\":0,\"cgroup\":7,\"netns\":4026531840,\"ret\":0,\"backlog\":511}\n");
	e.listen.ret = -EADDRINUSE;
	HAS(text(&e), "listen  tcp [::1]:5000 EADDRINUSE, backlog 511\n");
	HAS(json(&e), "\"ret\":-98,\"error\":\"EADDRINUSE\",\"backlog\":511}\n");
	e.h.kind = EV_OPEN;
	e.h.sock.ends.proto = IPPROTO_UDP;
	e.h.sock.ends.dport = 53;
	memcpy(e.h.sock.ends.daddr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\x01", 16);

	e.h.kind = EV_SEND;
	e.io.ret = 81;
	e.io.call = CALL_writev;
	HAS(json(&e), "\"dport\":53,\"cgroup\":7,\"netns\":4026531840,\"call\":\"writev\",\"bytes\":81}\n");
	HAS(text(&e), "send    udp [::1]:5000 > [::ffff:127.0.0.1]:53, 81 bytes (writev)\n");
	e.h.flags = EVF_DEST;
	e.io.call = CALL_sendto;
	HAS(json(&e), "\"bytes\":81,\"dest_arg\":true}\n");
	HAS(text(&e), "send    udp [::1]:5000 > [::ffff:127.0.0.1]:53, 81 bytes (sendto)\n");
	e.h.flags = EVF_DEST | EVF_DEST_USER;
	HAS(json(&e), "\"dest_arg\":true,\"dest_verified\":false}\n");
	HAS(text(&e), ":53, 81 bytes (sendto, unverified)\n");
	e.h.flags = 0;
	e.h.kind = EV_RECV;
	e.io.ret = -EAGAIN;
	e.io.call = CALL_recvmmsg;
	HAS(json(&e), "\"call\":\"recvmmsg\",\"ret\":-11,\"error\":\"EAGAIN\"}");
	HAS(text(&e), "recv    udp [::1]:5000 > [::ffff:127.0.0.1]:53, EAGAIN (recvmmsg)\n");
	e.io.ret = -4095;	/* no name: still one valid value */
	HAS(json(&e), "\"error\":\"errno 4095\"");
	e.io.call = 250;	/* from a newer kernel side: named, not crashed on */
	HAS(json(&e), "\"call\":\"unknown\"");

	e.h.kind = EV_CLOSE;
	e.h.sock.origin = ORIGIN_ACCEPT;
	e.h.sock.dir = DIR_IN;
	e.close = (struct ev_close){ .duration_ns = 177000000,
				     .totals = { .sent_bytes = 81, .sends = 1, .recv_bytes = 300, .recvs = 2 },
				     .tcp_bytes_acked = 81, .tcp_bytes_received = 300 };
	HAS(json(&e), "\"reason\":\"close\",\"origin\":\"accept\",\"dir\":\"in\",\"duration_ns\":177000000,"
	    "\"sent_bytes\":81,\"sends\":1,\"recv_bytes\":300,\"recvs\":2}\n");
	HAS(text(&e), "close   udp [::1]:5000 < [::ffff:127.0.0.1]:53 closed after 177 ms, 81 B out, 300 B in\n");
	e.h.flags = EVF_TCP | EVF_CONNECTING | EVF_INCOMPLETE;
	HAS(json(&e), "\"recvs\":2,\"tcp_bytes_acked\":81,\"tcp_bytes_received\":300,\"connecting\":true,"
	    "\"incomplete\":true}\n");
	HAS(text(&e), "300 B in, still connecting\n");
	e.close.reason = REASON_UNSEEN;
	HAS(json(&e), "\"reason\":\"unseen\"");
	HAS(text(&e), ":53 closed by unseen after 177 ms,");
	e.close.reason = 200;
	HAS(json(&e), "\"reason\":\"unknown\"");
	/* A UDP socket connected and closed unused: a resolver's probe. */
	e.h.flags = 0;
	e.h.sock.origin = ORIGIN_CONNECT;
	e.close = (struct ev_close){ .duration_ns = 1000 };
	HAS(json(&e), "\"recvs\":0,\"probe\":true}\n");
	HAS(text(&e), "0 B in (connect only: a probe)\n");
	e.close.totals.sends = 1;
	CHECK(!strstr(json(&e), "probe"));
	/* Where the socket is, in text when not where socktrace is. */
	e.h.sock.cgroup = 8;
	e.h.sock.netns = 4026532000u;
	HAS(text(&e), "0 B in [cgroup 8] [netns 4026532000]\n");
	HAS(json(&e), "\"cgroup\":8,\"netns\":4026532000,\"reason\"");
	e.h.sock.cgroup = 7;
	e.h.sock.netns = 4026531840u;

	e.h.kind = EV_UNTRACED;
	e.untraced.why = UNTRACED_COMPAT;
	CHECK_STR(json(&e), "{\"time\":\"2023-11-14T22:13:20.123456789Z\",\"event\":\"untraced\","
		  "\"pid\":10,\"tid\":11,\"uid\":1000,\"comm\":\"curl\",\"why\":\"32-bit syscalls\"}\n");
	CHECK_STR(text(&e), "10      curl            -    untraced 32-bit syscalls: its sockets are not traced\n");

	/* A hostile name cannot break the line, in either format. */
	e.h.kind = EV_CONNECT;
	memcpy(e.h.who.comm, "a\"\n\x1b\xff\\bcdefghijk", 16);
	HAS(json(&e), "\"comm\":\"a\\\"\\n\\u001b\\ufffd\\\\bcdefghijk\"");
	/* ... nor the columns: cut to its own, with a '~'. */
	HAS(text(&e), "10      a\"\\x0a\\x1b\\xff~ 3    connect ");
	CHECK(strchr(text(&e), '\n') == strrchr(text(&e), '\n'));
	/* The longest line fits with room to spare. */
	memset(e.h.who.comm, 0xff, sizeof(e.h.who.comm));
	e.h.kind = EV_CLOSE;
	e.h.flags = 0xff;
	e.h.who.pid = e.h.who.tid = e.h.who.uid = e.h.who.nspid = e.h.sock.netns = 4294967295u;
	e.h.sock.id = e.h.sock.cgroup = ~0ULL;
	memset(&e.close, 0xff, sizeof(e.close));
	memset(e.h.sock.ends.saddr, 0xff, 16);
	memset(e.h.sock.ends.daddr, 0xff, 16);
	e.h.sock.ends.family = AF_INET6;
	e.h.sock.ends.proto = 65535;
	e.h.sock.fd = -2147483647 - 1;
	CHECK(strlen(json(&e)) + 128 < LINE_MAX_LEN);
	CHECK(strlen(text(&e)) + 128 < LINE_MAX_LEN);
	/* ... with the longest, most escaped process told too. */
	{
		struct procinfo *p = procinfo_new();
		struct proc_record r;

		memset(&r, 0x01, sizeof(r));
		r.kind = REC_PROCESS;
		r.who.pid = e.h.who.pid;
		r.who.pstart = e.h.who.pstart;
		r.ppid = 4294967295u;
		r.cmdline_len = CMDLINE_LEN;
		procinfo_note(p, &r, sizeof(r), false);
		f.procs = p;
		CHECK(strstr(json(&e), ",\"process\":\"\\u0001") != NULL);
		CHECK(strlen(json(&e)) + 128 < LINE_MAX_LEN);
		/* Told again (it ran another program): lines say the new one,
		 * not what the formatter kept of the old. */
		memset(r.name, 0, sizeof(r.name));
		strcpy(r.name, "new\"name");
		memset(r.cmdline, 0, sizeof(r.cmdline));
		strcpy(r.cmdline, "run");
		r.cmdline_len = 4;
		procinfo_note(p, &r, sizeof(r), false);
		CHECK(strstr(json(&e), ",\"process\":\"new\\\"name\"") != NULL);
		CHECK(strstr(json(&e), ",\"cmdline\":\"run\"") != NULL);
		/* Another table at the same address with the same process: its
		 * own filling, not the last table's. */
		procinfo_free(p);
		p = procinfo_new();
		strcpy(r.name, "third");
		procinfo_note(p, &r, sizeof(r), false);
		f.procs = p;
		CHECK(strstr(json(&e), ",\"process\":\"third\"") != NULL);
		f.procs = NULL;
		procinfo_free(p);
	}
	narrow();
	return check_done("format");
}
