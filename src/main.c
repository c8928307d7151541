// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* socktrace: connect, sendto and close of IPv4 sockets, live. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "opts.h"
#include "output.h"
#include "sandbox.h"
#include "socktab.h"
#include "tracer.h"

/* Short enough that an event is on stdout well within 200 ms even when
 * the kernel side did not wake us (it batches wakeups). */
#define POLL_MS 50

static volatile sig_atomic_t exiting;

struct ctx {
	struct tracer tr;
	struct socktab *tab;
	struct output out;
	uint64_t events;
	uint64_t lost_seen;
};

static void on_signal(int sig)
{
	exiting = sig;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static int handle_event(void *arg, void *data, size_t size)
{
	struct ctx *c = arg;
	struct event e;

	if (size < sizeof(e))
		return 0;
	memcpy(&e, data, sizeof(e));	/* ring records are only 8-byte aligned */
	c->events++;
	socktab_event(c->tab, &e);
	output_event(&c->out, &e);
	/* Negative stops ring_buffer__consume(): nobody is reading. */
	return c->out.broken ? -EPIPE : 0;
}

static void report_lost(struct ctx *c)
{
	uint64_t lost = tracer_lost(&c->tr);

	if (lost != c->lost_seen) {
		output_lost(&c->out, lost - c->lost_seen);
		c->lost_seen = lost;
	}
}

static int install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must cut the poll short. SIGPIPE, sent
	 * or from writing to a closed pipe, is one more way to stop; the
	 * write then fails with EPIPE instead of killing us. */
	return sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	       sigaction(SIGHUP, &sa, NULL) || sigaction(SIGPIPE, &sa, NULL);
}

static void summary(const struct ctx *c)
{
	struct kernel_tables k;

	fprintf(stderr, "socktrace: stopped: %llu events delivered, %llu lost\n",
		(unsigned long long)c->events, (unsigned long long)c->lost_seen);
	if (socktab_nprocs(c->tab))
		socktab_summary(c->tab, stderr);
	/* What the kernel still tracks, before the tables go with the
	 * programs: sockets of processes that are still running. */
	tracer_tables(&c->tr, &k);
	fprintf(stderr, "socktrace: kernel tables: %lld sockets of %lld processes still open, "
		"%llu not tracked (table full)\n", (long long)k.socks, (long long)k.procs,
		(unsigned long long)k.untracked);
}

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int run(struct ctx *c, const struct opts *o, struct ring_buffer *rb)
{
	int64_t deadline = o->duration ? mono_ns() + (int64_t)o->duration * 1000000000 : 0;

	while (!exiting) {
		int n = ring_buffer__poll(rb, POLL_MS);

		if (n >= 0)
			n = ring_buffer__consume(rb);
		if (n < 0 && n != -EINTR && !c->out.broken) {
			fprintf(stderr, "socktrace: reading the ring buffer: %s\n", strerror(-n));
			return 1;
		}
		report_lost(c);
		if (!output_flush(&c->out) || output_hung_up(&c->out))
			break;
		output_sync_clock(&c->out);
		if (deadline && mono_ns() >= deadline)
			break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct ring_buffer *rb = NULL;
	struct opts o;
	char err[512];
	int rc = 1;

	if (opts_parse(&o, argc, argv, err, sizeof(err))) {
		if (err[0])
			fprintf(stderr, "socktrace: %s\n", err);
		return 2;
	}
	libbpf_set_print(o.verbose ? print_libbpf : NULL);
	if (o.output == OUT_AUTO)
		o.output = isatty(STDOUT_FILENO) ? OUT_TEXT : OUT_JSON;
	output_init(&c.out, STDOUT_FILENO, o.output == OUT_JSON);

	c.tab = socktab_new();
	if (!c.tab || install_signals()) {
		fprintf(stderr, "socktrace: %s\n", strerror(errno));
		goto cleanup;
	}
	if (tracer_start(&c.tr, &o, err, sizeof(err))) {
		fprintf(stderr, "socktrace: %s\n", err);
		goto cleanup;
	}
	rb = ring_buffer__new(tracer_ring_fd(&c.tr), handle_event, &c, NULL);
	if (!rb) {
		fprintf(stderr, "socktrace: cannot map the ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	if (sandbox_enter(err, sizeof(err))) {
		fprintf(stderr, "socktrace: %s\n", err);
		goto cleanup;
	}
	fprintf(stderr, "socktrace: tracing with %s programs (connect, sendto, close); "
		"Ctrl-C to stop\n", attach_name(c.tr.mode));
	output_header(&c.out);
	rc = run(&c, &o, rb);

	/* Stop new events first, then deliver everything already in the ring. */
	tracer_detach(&c.tr);
	if (!c.out.broken)
		ring_buffer__consume(rb);
	report_lost(&c);
	output_flush(&c.out);
	summary(&c);
cleanup:
	ring_buffer__free(rb);
	tracer_destroy(&c.tr);
	socktab_free(c.tab);
	return rc;
}
