/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * --metrics: counters for Prometheus, kept from the events and written in
 * its text exposition format (version 0.0.4, which OpenMetrics parsers
 * read too). Labels keep cardinality bounded: a process by its name and
 * its cgroup (a unit or container), never its pid; peers only when asked
 * for, the first ones seen, the rest under "other". A series no event has
 * touched for the expiry is dropped; every counter only grows while it
 * lives, as Prometheus expects of one.
 */
#ifndef METRICS_H
#define METRICS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "socktrace.h"

/* Series kept at most, of processes and of peers: past that, new ones add
 * up in one series labelled "other". */
#define METRICS_PROCS_MAX 2000
#define METRICS_PEERS_MAX 1000
#define METRICS_EXPIRY_DEFAULT 900	/* seconds */

/* How a connect or accept came out: X(name, errnos it stands for). */
#define CONNECT_RESULTS(X)						\
	X(ok, 0, 0)							\
	X(refused, ECONNREFUSED, ECONNREFUSED)				\
	X(timed_out, ETIMEDOUT, ETIMEDOUT)				\
	X(unreachable, ENETUNREACH, EHOSTUNREACH)			\
	X(other, -1, -1)

enum connect_result {
#define RESULT_ENUM(name, e1, e2) RESULT_##name,
	CONNECT_RESULTS(RESULT_ENUM)
#undef RESULT_ENUM
	RESULTS_N
};

struct metrics;

/* peers: the peers given series of their own (0: none); expiry_s: how
 * long a series stays without events. NULL if memory ran out. */
struct metrics *metrics_new(unsigned int peers, unsigned int expiry_s);
void metrics_free(struct metrics *m);

/* An event, by the process named process (escaped on output, any bytes)
 * in the cgroup labelled cgroup (NULL: not known); now_ns: CLOCK_MONOTONIC. */
void metrics_event(struct metrics *m, const struct event *e, const char *process, const char *cgroup,
		   int64_t now_ns);
/* Drops the series no event has touched for the expiry. */
void metrics_expire(struct metrics *m, int64_t now_ns);

/* What socktrace itself has seen and done, for its health metrics. */
struct metrics_health {
	uint64_t received, written, unwritten, lost, malformed;
	int64_t sockets, tables;	/* the kernel's tables now */
#define HEALTH_COUNTER(name, help) uint64_t name;
	KERNEL_COUNTERS(HEALTH_COUNTER)
#undef HEALTH_COUNTER
};

/* What does not change while tracing: the info metric's labels, and the
 * kernel features (key, whether used) it gives as gauges. */
struct metrics_info {
	const char *version, *mode, *syscall_hooks;
	int64_t start_real_ns;
	unsigned int nfeatures;
	const char *feature[32];
	bool feature_on[32];
};

void metrics_set_info(struct metrics *m, const struct metrics_info *info);
/* The exposition, every family with its HELP and TYPE. */
void metrics_write(const struct metrics *m, const struct metrics_health *h, FILE *f);
/* A label value as the format wants it (backslash, quote and newline
 * escaped) and as Prometheus takes it (valid UTF-8: other bytes as \\xNN),
 * at most n bytes of s. */
void metrics_label(FILE *f, const char *s, size_t n);

#endif
