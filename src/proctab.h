/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Per-process totals for the exit summary. The kernel keeps the sockets;
 * this only adds up what its events and its final snapshot say.
 */
#ifndef PROCTAB_H
#define PROCTAB_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "buf.h"
#include "socktrace.h"

struct proc_stats {
	uint32_t pid;
	uint64_t pstart;	/* with pid, one process: a reused pid is another row */
	char comm[16];
	uint64_t out;		/* sockets it connected */
	uint64_t in;		/* connections it accepted */
	uint64_t other;		/* sockets followed from before, from first use, inherited */
	uint64_t failed;	/* connects that failed, at once or later */
	struct totals totals;	/* over its sockets: ended ones, and open ones at the end */
	uint64_t open;		/* its sockets still open at the end */
};

/* The summary folds processes past PROCS_MAX into one "(others)" row. */
#define PROCS_MAX (1u << 16)

struct proctab;

struct proctab *proctab_new(void);
void proctab_free(struct proctab *t);

/* Counts one event; -1 only when memory ran out. */
int proctab_event(struct proctab *t, const struct event *e);
/* Counts a descriptor still open when tracing stopped. */
int proctab_open_at_end(struct proctab *t, const struct snapshot *s);

const struct proc_stats *proctab_proc(const struct proctab *t, uint32_t pid, uint64_t pstart);
size_t proctab_nprocs(const struct proctab *t);

/* The per-process table: the busiest first (bytes both ways), at most
 * rows of them (0: all), then one row for the rest; within 80 columns,
 * or within 100 with the calls each way when wide. */
void proctab_summary(const struct proctab *t, FILE *f, size_t rows, bool wide);
/* Every row as a JSON array, by pid. */
void proctab_json(const struct proctab *t, FILE *f);

#endif
