// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * Load generator of the socktrace benchmark: one syscall pattern in a tight
 * loop, on loopback sockets (or /dev/null and /dev/zero), bounded by an op
 * count or a duration (and never more than --max-ops operations). It prints
 * one JSON line: the operations timed, ns per operation, and the socktrace
 * events the run must have caused (warm-up and set-up included), so that a
 * tracer's output can be checked against it. Built static too, for the
 * guest of `make bench-vm`, which has no libc.
 *
 *   load PATTERN [--ms N | --ops N] [--warmup N] [--cpu N] [--file PATH]
 *   load latency [--samples N] [--gap-min MS] [--gap-max MS] [--cpu N]
 *
 * Patterns (events per operation in parentheses):
 *   sendto     sendto() of 16 bytes on one connected UDP socket (1 send);
 *              set-up adds its connect and its close
 *   udpconn    socket() + connect() + close() of a UDP socket (connect, close)
 *   tcp        socket() + connect() + sendto() of 16 bytes + close() of a TCP
 *              socket to a listener in the same process, which accepts and
 *              closes each connection in the loop (connect, accept, send, and
 *              two closes: the connected and the accepted socket)
 *   openclose  open() + close() of a regular file (none)
 *   write      write() of 16 bytes to /dev/null (none)
 *   read       read() of 16 bytes from /dev/zero (none)
 *   latency    one UDP datagram at a time, a random 20-100 ms apart; datagram
 *              i has 1000 + i bytes; prints one line per probe with the
 *              CLOCK_REALTIME read just before its sendto
 *
 * Any failed syscall ends the run with status 1: the expected counts hold
 * only for runs where every operation succeeded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHECK_EVERY 64		/* ops between clock reads in duration mode */
#define PAYLOAD 16
#define LAT_BASE 1000

struct cfg {
	const char *pattern;
	long long ops;		/* 0: run for ms */
	long long ms;
	long long max_ops;
	long long warmup;
	int cpu;
	const char *file;
	int samples;
	int gap_min, gap_max;
};

struct expect {
	long long connect, accept, send, close;
	long long listen;	/* the tcp loop's listener, once */
};

static void die(const char *what)
{
	fprintf(stderr, "load: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A socket bound to 127.0.0.1 on a free port; its address in *a. */
static int bound(int type, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	*a = loopback(0);
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)a, sizeof(*a)) || getsockname(fd, (struct sockaddr *)a, &len))
		die("bind");
	return fd;
}

/* State shared by one pattern's set-up, its operation and its tear-down. */
struct run {
	struct sockaddr_in dst;
	int rx;			/* UDP receiver, or TCP listener */
	int fd;			/* sendto: the connected socket */
	int dev;		/* write, read: /dev/null, /dev/zero */
	const char *file;
	char tmpl[64];
	char payload[PAYLOAD];
	struct expect ex;
};

static void op_sendto(struct run *r)
{
	if (sendto(r->fd, r->payload, PAYLOAD, 0, NULL, 0) != PAYLOAD)
		die("sendto");
}

static void op_udpconn(struct run *r)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&r->dst, sizeof(r->dst)))
		die("connect");
	if (close(fd))
		die("close");
}

static void op_tcp(struct run *r)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), afd;

	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&r->dst, sizeof(r->dst)))
		die("connect");
	if (sendto(fd, r->payload, PAYLOAD, 0, NULL, 0) != PAYLOAD)
		die("sendto");
	/* The connection is in the accept queue once connect has returned on
	 * loopback; poll only in the unlikely case it is not there yet. */
	while ((afd = accept4(r->rx, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		struct pollfd p = { .fd = r->rx, .events = POLLIN };

		if (errno != EAGAIN && errno != EINTR)
			die("accept");
		if (poll(&p, 1, 2000) == 0) {
			errno = ETIMEDOUT;
			die("accept");
		}
	}
	/* The listener's SO_LINGER 0, inherited: the close resets, so neither
	 * end lingers in TIME_WAIT and the ports never run out. */
	if (close(afd))
		die("close (accepted)");
	if (close(fd))
		die("close");
}

static void op_openclose(struct run *r)
{
	int fd = open(r->file, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open");
	if (close(fd))
		die("close");
}

static void op_write(struct run *r)
{
	if (write(r->dev, r->payload, PAYLOAD) != PAYLOAD)
		die("write");
}

static void op_read(struct run *r)
{
	if (read(r->dev, r->payload, PAYLOAD) != PAYLOAD)
		die("read");
}

static void setup(const struct cfg *c, struct run *r, void (**op)(struct run *), struct expect *per)
{
	memset(r->payload, 'x', PAYLOAD);
	memset(per, 0, sizeof(*per));
	r->fd = r->rx = r->dev = -1;
	if (!strcmp(c->pattern, "sendto") || !strcmp(c->pattern, "latency")) {
		/* The receiver's queue fills and later datagrams are dropped,
		 * which a UDP sender is never told: every sendto succeeds. */
		r->rx = bound(SOCK_DGRAM, &r->dst);
		r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (r->fd < 0)
			die("socket");
		if (connect(r->fd, (struct sockaddr *)&r->dst, sizeof(r->dst)))
			die("connect");
		r->ex.connect++;
		*op = op_sendto;
		per->send = 1;
	} else if (!strcmp(c->pattern, "udpconn")) {
		r->rx = bound(SOCK_DGRAM, &r->dst);
		*op = op_udpconn;
		per->connect = per->close = 1;
	} else if (!strcmp(c->pattern, "tcp")) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		r->rx = bound(SOCK_STREAM | SOCK_NONBLOCK, &r->dst);
		if (setsockopt(r->rx, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) || listen(r->rx, 4096))
			die("listen");
		r->ex.listen++;
		*op = op_tcp;
		per->connect = per->accept = per->send = 1;
		per->close = 2;
	} else if (!strcmp(c->pattern, "openclose")) {
		if (c->file) {
			r->file = c->file;
		} else {
			int fd;

			snprintf(r->tmpl, sizeof(r->tmpl), "/tmp/socktrace-load.XXXXXX");
			fd = mkstemp(r->tmpl);
			if (fd < 0 || close(fd))
				die("mkstemp");
			r->file = r->tmpl;
		}
		*op = op_openclose;
	} else if (!strcmp(c->pattern, "write") || !strcmp(c->pattern, "read")) {
		/* Not sockets: nothing to report, whatever the syscall. */
		int w = c->pattern[0] == 'w';

		r->dev = open(w ? "/dev/null" : "/dev/zero", (w ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		if (r->dev < 0)
			die("open");
		*op = w ? op_write : op_read;
	} else {
		fprintf(stderr, "load: unknown pattern '%s'\n", c->pattern);
		exit(2);
	}
}

static void teardown(struct run *r)
{
	if (r->fd >= 0) {
		if (close(r->fd))
			die("close");
		r->ex.close++;
	}
	if (r->rx >= 0 && close(r->rx))
		die("close");
	if (r->dev >= 0 && close(r->dev))
		die("close");
	if (r->tmpl[0])
		unlink(r->tmpl);
}

static void print_result(const struct cfg *c, const struct run *r, long long ops, int64_t ns)
{
	long long total = r->ex.connect + r->ex.accept + r->ex.send + r->ex.close + r->ex.listen;

	printf("{\"pattern\":\"%s\",\"pid\":%d,\"ops\":%lld,\"warmup_ops\":%lld,\"elapsed_ns\":%lld,"
	       "\"ns_per_op\":%.1f,\"expected\":{\"connect\":%lld,\"accept\":%lld,\"send\":%lld,"
	       "\"close\":%lld,\"listen\":%lld},\"expected_events\":%lld}\n",
	       c->pattern, (int)getpid(), ops, c->warmup, (long long)ns, ops ? (double)ns / ops : 0.0,
	       r->ex.connect, r->ex.accept, r->ex.send, r->ex.close, r->ex.listen, total);
}

static void loop(const struct cfg *c)
{
	struct run r = { 0 };
	void (*op)(struct run *);
	struct expect per;
	long long n = 0, i;
	int64_t start, end, deadline;

	setup(c, &r, &op, &per);
	for (i = 0; i < c->warmup; i++)
		op(&r);
	start = now_ns(CLOCK_MONOTONIC);
	if (c->ops) {
		for (; n < c->ops; n++)
			op(&r);
		end = now_ns(CLOCK_MONOTONIC);
	} else {
		deadline = start + c->ms * 1000000;
		for (;;) {
			for (i = 0; i < CHECK_EVERY; i++)
				op(&r);
			n += CHECK_EVERY;
			end = now_ns(CLOCK_MONOTONIC);
			if (end >= deadline || n >= c->max_ops)
				break;
		}
	}
	r.ex.connect += per.connect * (n + c->warmup);
	r.ex.accept += per.accept * (n + c->warmup);
	r.ex.send += per.send * (n + c->warmup);
	r.ex.close += per.close * (n + c->warmup);
	teardown(&r);
	print_result(c, &r, n, end - start);
}

/* Probes spaced at random: the arrival of each at the reader must not line
 * up with socktrace's 50 ms poll in any fixed way. */
static void latency(const struct cfg *c)
{
	struct run r = { 0 };
	void (*op)(struct run *);
	struct expect per;
	static char buf[LAT_BASE + 4096];
	unsigned int seed = (unsigned int)now_ns(CLOCK_MONOTONIC) ^ (unsigned int)getpid();
	long long *t = calloc(c->samples, sizeof(*t));

	if (!t)
		die("calloc");
	memset(buf, 'l', sizeof(buf));
	setup(c, &r, &op, &per);
	for (int i = 0; i < c->samples; i++) {
		int gap = c->gap_min + (int)(rand_r(&seed) % (unsigned int)(c->gap_max - c->gap_min + 1));
		struct timespec ts = { .tv_sec = gap / 1000, .tv_nsec = (long)(gap % 1000) * 1000000 };
		size_t len = LAT_BASE + (size_t)i;

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		t[i] = now_ns(CLOCK_REALTIME);
		if (sendto(r.fd, buf, len, 0, NULL, 0) != (ssize_t)len)
			die("sendto");
		r.ex.send++;
	}
	teardown(&r);
	for (int i = 0; i < c->samples; i++)
		printf("{\"probe\":%d,\"pid\":%d,\"bytes\":%d,\"t_ns\":%lld}\n", i, (int)getpid(),
		       LAT_BASE + i, t[i]);
	print_result(c, &r, c->samples, 0);
	free(t);
}

static long long num(const char *opt, const char *s, long long min, long long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s ? s : "", &end, 10);
	if (!s || errno || *end || end == s || v < min || v > max) {
		fprintf(stderr, "load: %s wants a number from %lld to %lld\n", opt, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct cfg c = { .ms = 1000, .max_ops = 100000000, .warmup = -1, .cpu = -1,
			 .samples = 50, .gap_min = 20, .gap_max = 100 };

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: load sendto|udpconn|tcp|openclose|write|read [--ms N | --ops N] "
			"[--warmup N] [--max-ops N] [--cpu N] [--file PATH]\n"
			"       load latency [--samples N] [--gap-min MS] [--gap-max MS] [--cpu N]\n");
		return 2;
	}
	c.pattern = argv[1];
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(o, "--ms"))
			c.ms = num(o, v, 1, 600000), c.ops = 0;
		else if (!strcmp(o, "--ops"))
			c.ops = num(o, v, 1, 1000000000);
		else if (!strcmp(o, "--max-ops"))
			c.max_ops = num(o, v, 1, 1000000000);
		else if (!strcmp(o, "--warmup"))
			c.warmup = num(o, v, 0, 1000000);
		else if (!strcmp(o, "--cpu"))
			c.cpu = (int)num(o, v, -1, CPU_SETSIZE - 1);
		else if (!strcmp(o, "--file"))
			c.file = v;
		else if (!strcmp(o, "--samples"))
			c.samples = (int)num(o, v, 1, 4000);
		else if (!strcmp(o, "--gap-min"))
			c.gap_min = (int)num(o, v, 0, 10000);
		else if (!strcmp(o, "--gap-max"))
			c.gap_max = (int)num(o, v, 0, 10000);
		else {
			fprintf(stderr, "load: unknown option '%s'\n", o);
			return 2;
		}
		if (!v) {
			fprintf(stderr, "load: %s wants a value\n", o);
			return 2;
		}
		i++;
	}
	if (c.gap_max < c.gap_min) {
		fprintf(stderr, "load: --gap-max is below --gap-min\n");
		return 2;
	}
	if (c.warmup < 0)
		c.warmup = !strcmp(c.pattern, "latency") ? 0 : !strcmp(c.pattern, "tcp") ? 200 : 2000;
	if (c.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(c.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}
	if (!strcmp(c.pattern, "latency"))
		latency(&c);
	else
		loop(&c);
	return fflush(stdout) ? 1 : 0;
}
