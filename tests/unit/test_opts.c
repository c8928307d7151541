// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <sys/socket.h>
#include "check.h"
#include <linux/types.h>
#include "socktrace.h"
#include "opts.h"

/* Parses the NULL-ended arguments after the program's name. */
static int parsev(struct opts *o, const char **args)
{
	char *argv[16] = { "socktrace" };
	char err[256];
	int argc = 1;

	while (*args && argc < 15)
		argv[argc++] = (char *)*args++;
	return opts_parse(o, argc, argv, err, sizeof(err));
}

static int parse(struct opts *o, const char *a, const char *b, const char *c)
{
	char *argv[] = { "socktrace", (char *)a, (char *)b, (char *)c, NULL };
	char err[256];
	int argc = 1 + (a != NULL) + (b != NULL) + (c != NULL);

	return opts_parse(o, argc, argv, err, sizeof(err));
}

int main(void)
{
	char err[256], comm[COMM_MAX + 1];
	unsigned int secs;
	struct opts o;
	uint32_t pid;

	CHECK(parse(&o, NULL, NULL, NULL) == 0);
	CHECK(o.filter.npids == 0 && o.filter.ncomms == 0 && o.output == OUT_AUTO && o.attach == ATTACH_AUTO);
	CHECK(parse(&o, "--pid", "42", "--verbose") == 0 && o.filter.npids == 1 && o.filter.pids[0] == 42 && o.verbose);
	CHECK(parse(&o, "-p", "4194304", NULL) == 0 && o.filter.pids[0] == 4194304);
	CHECK(parse(&o, "--comm=curl", "-o", "json") == 0 && o.filter.ncomms == 1);
	CHECK_STR(o.filter.comms[0], "curl");
	CHECK(o.output == OUT_JSON);

	/* Repeated, the process filters and the kinds add up, up to 8 each. */
	CHECK(parsev(&o, (const char *[]){ "-c", "nc", "-c", "python3", "-p", "7", "-p", "9", NULL }) == 0);
	CHECK(o.filter.ncomms == 2 && o.filter.npids == 2 && o.filter.pids[1] == 9);
	CHECK_STR(o.filter.comms[0], "nc");
	CHECK_STR(o.filter.comms[1], "python3");
	CHECK(parsev(&o, (const char *[]){ "-u", "0", "--uid", "1000", NULL }) == 0);
	CHECK(o.filter.nuids == 2 && o.filter.uids[0] == 0 && o.filter.uids[1] == 1000);
	CHECK(parsev(&o, (const char *[]){ "-e", "send", "-e", "recv,close", NULL }) == 0);
	CHECK(o.events == ((1u << EV_SEND) | (1u << EV_RECV) | (1u << EV_CLOSE)));
	CHECK(parsev(&o, (const char *[]){ "-p", "1", "-p", "2", "-p", "3", "-p", "4", "-p", "5", "-p", "6",
					  "-p", "7", NULL }) == 0 && o.filter.npids == 7);
	CHECK(parsev(&o, (const char *[]){ "-c", "a", "-c", "b", "-c", "c", "-c", "d", "-c", "e", "-c", "f",
					  "-c", "g", NULL }) == 0 && o.filter.ncomms == 7);
	{
		const char *nine[] = { "-p1", "-p2", "-p3", "-p4", "-p5", "-p6", "-p7", "-p8", "-p9", NULL };

		CHECK(parsev(&o, nine) == 2);
		nine[8] = NULL;
		CHECK(parsev(&o, nine) == 0 && o.filter.npids == 8 && o.filter.pids[7] == 8);
	}
	CHECK(parse(&o, "--output", "text", NULL) == 0 && o.output == OUT_TEXT);
	CHECK(parse(&o, "--attach", "tracepoint", NULL) == 0 && o.attach == ATTACH_TRACEPOINT);
	CHECK(parse(&o, "--attach=kprobe", "--duration", "5") == 0);
	CHECK(o.attach == ATTACH_KPROBE && o.duration == 5);

	CHECK(parse(&o, "--time", "relative", "-U") == 0 && o.time_style == 2 && o.show_uid);
	CHECK(parse(&o, "--time=date", NULL, NULL) == 0 && o.time_style == 1 && !o.show_uid);
	CHECK(parse(&o, "--time", "utc", NULL) == 2);
	CHECK(parse(&o, "--count", "--interval", "5") == 0 && o.count && o.interval == 5);
	CHECK(parse(&o, "--count", NULL, NULL) == 0 && o.count && o.interval == 0);
	CHECK(parse(&o, "--interval", "5", NULL) == 2);	/* says how often --count prints */
	CHECK(parse(&o, "--count", "--interval", "0") == 2);
	CHECK(parse(&o, "--ipv6", NULL, NULL) == 0 && o.filter.family == AF_INET6);
	CHECK(parse(&o, "-4", "--ipv4", NULL) == 0 && o.filter.family == AF_INET);
	CHECK(parse(&o, "--ipv4", "--ipv6", NULL) == 2);

	/* Refused, each with a reason. */
	const char *bad_pids[] = { "", "abc", "12x", "0", "-1", "4194305", "99999999999999999999", " 1" };
	for (size_t i = 0; i < sizeof(bad_pids) / sizeof(*bad_pids); i++) {
		err[0] = 0;
		CHECK(parse_pid(bad_pids[i], &pid, err, sizeof(err)) == 2 && err[0]);
	}
	CHECK(parse_comm("", comm, err, sizeof(err)) == 2);
	CHECK(parse_comm("0123456789abcdef", comm, err, sizeof(err)) == 2);
	CHECK(strstr(err, "15") != NULL);	/* says why: the kernel keeps 15 */
	CHECK(parse_comm("0123456789abcde", comm, err, sizeof(err)) == 0);
	CHECK(parse_duration("0", &secs, err, sizeof(err)) == 2);
	CHECK(parse_duration("-5", &secs, err, sizeof(err)) == 2);
	CHECK(parse_duration("1.5", &secs, err, sizeof(err)) == 2);
	CHECK(parse(&o, "--output", "xml", NULL) == 2);
	CHECK(parse(&o, "--output", "auto", NULL) == 2);
	CHECK(parse(&o, "--attach", "fentry", NULL) == 2);
	CHECK(parse(&o, "--pid", "0", NULL) == 2);
	CHECK(parse(&o, "stray", NULL, NULL) == 2);

	/* Filters. */
	struct ports ports = { 0 };
	struct prefix px;
	uint32_t uid;
	uint8_t proto;
	__u64 cg;

	CHECK(parse_ports("port", "53", &ports, err, sizeof(err)) == 0 && ports.n == 1 && ports.port[0] == 53);
	CHECK(parse_ports("port", "80,443", &ports, err, sizeof(err)) == 0 && ports.n == 3 && ports.port[2] == 443);
	CHECK(parse_ports("port", "0", &ports, err, sizeof(err)) == 2);
	CHECK(parse_ports("port", "65536", &ports, err, sizeof(err)) == 2);
	CHECK(parse_ports("port", "80,", &ports, err, sizeof(err)) == 2);
	CHECK(parse_ports("port", "1,2,3,4,5,6", &ports, err, sizeof(err)) == 2 && strstr(err, "at most 8"));
	CHECK(parse_prefix("10.1.2.3/8", &px, err, sizeof(err)) == 0 && px.family == AF_INET && px.bits == 8 &&
	      px.addr[0] == 10 && px.addr[1] == 0);	/* host bits cleared */
	CHECK(parse_prefix("192.0.2.7", &px, err, sizeof(err)) == 0 && px.bits == 32 && px.addr[3] == 7);
	CHECK(parse_prefix("fe80::1/10", &px, err, sizeof(err)) == 0 && px.family == AF_INET6 &&
	      px.bits == 10 && px.addr[0] == 0xfe && px.addr[1] == 0x80 && px.addr[15] == 0);
	CHECK(parse_prefix("::1", &px, err, sizeof(err)) == 0 && px.bits == 128 && px.addr[15] == 1);
	CHECK(parse_prefix("10.0.0.0/33", &px, err, sizeof(err)) == 2);
	CHECK(parse_prefix("10.0.0/8", &px, err, sizeof(err)) == 2);
	CHECK(parse_prefix("example.com", &px, err, sizeof(err)) == 2);
	CHECK(parse_prefix("::/x", &px, err, sizeof(err)) == 2);
	CHECK(parse_uid("1000", &uid, err, sizeof(err)) == 0 && uid == 1000);
	CHECK(parse_uid("root", &uid, err, sizeof(err)) == 0 && uid == 0);
	CHECK(parse_uid("no-such-user-here", &uid, err, sizeof(err)) == 2);
	CHECK(parse_uid("-1", &uid, err, sizeof(err)) == 2);
	CHECK(parse_proto("udp", &proto, err, sizeof(err)) == 0 && proto == 17);
	CHECK(parse_proto("icmp", &proto, err, sizeof(err)) == 2);
	CHECK(parse_cgroup("/tmp", &cg, err, sizeof(err)) == 2);
	CHECK(parse(&o, "--follow", NULL, NULL) == 2);	/* follows nothing */
	CHECK(parse(&o, "--follow", "--pid", "1") == 0 && o.filter.follow);
	CHECK(parse(&o, "--failed", NULL, NULL) == 0 && o.filter.failed && o.events == (1u << EV_CONNECT));
	CHECK(parse(&o, "--failed", "-e", "close") == 2);
	CHECK(parse(&o, "--addr", "10.0.0.0/8", "-A") == 2);	/* the second lacks its value */
	return check_done("opts");
}
