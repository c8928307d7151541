// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <sys/socket.h>
#include "check.h"
#include "opts.h"

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
	CHECK(o.pid == 0 && o.comm[0] == 0 && o.output == OUT_AUTO && o.attach == ATTACH_AUTO);
	CHECK(parse(&o, "--pid", "42", "--verbose") == 0 && o.pid == 42 && o.verbose);
	CHECK(parse(&o, "-p", "4194304", NULL) == 0 && o.pid == 4194304);
	CHECK(parse(&o, "--comm=curl", "-o", "json") == 0);
	CHECK_STR(o.comm, "curl");
	CHECK(o.output == OUT_JSON);
	CHECK(parse(&o, "--output", "text", NULL) == 0 && o.output == OUT_TEXT);
	CHECK(parse(&o, "--attach", "tracepoint", NULL) == 0 && o.attach == ATTACH_TRACEPOINT);
	CHECK(parse(&o, "--attach=kprobe", "--duration", "5") == 0);
	CHECK(o.attach == ATTACH_KPROBE && o.duration == 5);

	CHECK(parse(&o, "--ipv6", NULL, NULL) == 0 && o.family == AF_INET6);
	CHECK(parse(&o, "-4", "--ipv4", NULL) == 0 && o.family == AF_INET);
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
	return check_done("opts");
}
