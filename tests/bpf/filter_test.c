// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * bpf/filter.h's socket filters, in the kernel: for each case, a filter
 * as the option parser makes it (filters.c), the kernel side built with it
 * (rodata), and ends run through BPF_PROG_TEST_RUN. Needs root.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "check.h"
#include "filters.h"
#include "filter_test.skel.h"

/* Ends of family with a local and a peer address (text) and ports. */
static struct ends ends_of(int family, const char *saddr, int sport, const char *daddr, int dport, int proto)
{
	struct ends e = { .family = family, .dfamily = family, .sport = sport, .dport = dport, .proto = proto };

	inet_pton(family, saddr, e.saddr);
	inet_pton(family, daddr, e.daddr);
	return e;
}

/* The verdict of the kernel side built with f on e: 1 pass, 0 not, -1 error. */
static int judge(const struct filter *f, const struct ends *e)
{
	struct filter_test_bpf *s = filter_test_bpf__open();
	LIBBPF_OPTS(bpf_test_run_opts, run);
	int v = -1;

	if (!s)
		return -1;
	memcpy((void *)&s->rodata->filter, f, sizeof(*f));
	if (!filter_test_bpf__load(s)) {
		s->bss->subject = *e;
		s->bss->verdict = -1;
		if (!bpf_prog_test_run_opts(bpf_program__fd(s->progs.judge), &run))
			v = s->bss->verdict;
	}
	filter_test_bpf__destroy(s);
	return v;
}

static struct filter with_prefixes(const char *a, const char *b)
{
	struct filter f = { 0 };
	char err[256];

	if (a && !parse_prefix(a, &f.prefixes[f.nprefixes], err, sizeof(err)))
		f.nprefixes++;
	if (b && !parse_prefix(b, &f.prefixes[f.nprefixes], err, sizeof(err)))
		f.nprefixes++;
	return f;
}

int main(void)
{
	struct ends v4 = ends_of(AF_INET, "10.1.2.3", 40000, "93.184.216.34", 443, IPPROTO_TCP);
	struct ends mapped = ends_of(AF_INET6, "::ffff:10.1.2.3", 40000, "::ffff:93.184.216.34", 53, IPPROTO_UDP);
	struct ends v6 = ends_of(AF_INET6, "fe80::1", 5000, "2001:db8::7", 80, IPPROTO_TCP);
	struct filter none = { 0 }, f;
	char err[256];

	libbpf_set_print(NULL);
	CHECK(judge(&none, &v4) == 1);
	/* Prefixes: either end; an IPv4 prefix takes an IPv4-mapped address. */
	f = with_prefixes("10.0.0.0/8", NULL);
	CHECK(judge(&f, &v4) == 1 && judge(&f, &mapped) == 1 && judge(&f, &v6) == 0);
	f = with_prefixes("93.184.216.0/24", NULL);
	CHECK(judge(&f, &v4) == 1 && judge(&f, &mapped) == 1);
	f = with_prefixes("93.184.217.0/24", NULL);
	CHECK(judge(&f, &v4) == 0 && judge(&f, &mapped) == 0);
	/* Bits that are not whole bytes: 10.1.2.3 is in 10.0.0.0/15, not 10.2.0.0/15. */
	f = with_prefixes("10.0.0.0/15", NULL);
	CHECK(judge(&f, &v4) == 1);
	f = with_prefixes("10.2.0.0/15", NULL);
	CHECK(judge(&f, &v4) == 0);
	/* IPv6 prefixes, and an IPv6 prefix seeing IPv4 as mapped. */
	f = with_prefixes("2001:db8::/32", NULL);
	CHECK(judge(&f, &v6) == 1 && judge(&f, &v4) == 0);
	f = with_prefixes("::ffff:0:0/96", NULL);
	CHECK(judge(&f, &v4) == 1 && judge(&f, &v6) == 0);
	f = with_prefixes("0.0.0.0/0", NULL);
	CHECK(judge(&f, &v4) == 1 && judge(&f, &v6) == 0);
	/* Two prefixes: either. */
	f = with_prefixes("192.0.2.0/24", "fe80::/10");
	CHECK(judge(&f, &v6) == 1 && judge(&f, &v4) == 0);
	/* Ports: either end, the local one, the peer's. */
	f = none;
	CHECK(!parse_ports("port", "443,8080", &f.ports, err, sizeof(err)));
	CHECK(judge(&f, &v4) == 1 && judge(&f, &v6) == 0);
	f = none;
	CHECK(!parse_ports("sport", "443", &f.sports, err, sizeof(err)));
	CHECK(judge(&f, &v4) == 0);
	f = none;
	CHECK(!parse_ports("dport", "443", &f.dports, err, sizeof(err)));
	CHECK(judge(&f, &v4) == 1);
	f = none;
	CHECK(!parse_ports("port", "40000", &f.ports, err, sizeof(err)));
	CHECK(judge(&f, &v4) == 1 && judge(&f, &mapped) == 1 && judge(&f, &v6) == 0);
	/* The socket's own family and protocol. */
	f = none;
	f.family = AF_INET;
	CHECK(judge(&f, &v4) == 1 && judge(&f, &mapped) == 0);
	f.family = AF_INET6;
	CHECK(judge(&f, &mapped) == 1 && judge(&f, &v4) == 0);
	f = none;
	CHECK(!parse_proto("udp", &f.proto, err, sizeof(err)));
	CHECK(judge(&f, &mapped) == 1 && judge(&f, &v4) == 0);
	/* All of them at once: each must pass. */
	f = with_prefixes("10.0.0.0/8", NULL);
	f.family = AF_INET;
	CHECK(!parse_ports("dport", "443", &f.dports, err, sizeof(err)));
	CHECK(judge(&f, &v4) == 1);
	f.proto = IPPROTO_UDP;
	CHECK(judge(&f, &v4) == 0);
	return check_done("bpf-filter");
}
