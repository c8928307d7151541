/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * User space's view of the traced sockets: each socket by (pid, fd) from
 * connect to close, and per-process totals for the exit summary.
 */
#ifndef SOCKTAB_H
#define SOCKTAB_H

#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include "socktrace.h"

struct sock {
	struct ends ends;	/* the last destination, for UDP */
	uint64_t start_ns;
	uint64_t bytes;
	uint64_t sends;
};

struct proc_stats {
	uint32_t pid;
	char comm[16];
	uint64_t opened;	/* sockets tracked: connected, or sent to with a destination */
	uint64_t failed;	/* connects that failed */
	uint64_t bytes;
	uint64_t sends;
	uint64_t open_now;
};

/* Bounds, so that a long run cannot grow without limit: the kernel tracks
 * at most 65536 sockets, and the summary folds processes past PROCS_MAX
 * into one "(others)" row (pid 0). */
#define SOCKS_MAX (1u << 18)
#define PROCS_MAX (1u << 16)

struct socktab;

struct socktab *socktab_new(void);
void socktab_free(struct socktab *t);

/* Follows one event from the kernel; -1 only when memory ran out. */
int socktab_event(struct socktab *t, const struct event *e);

const struct sock *socktab_find(const struct socktab *t, uint32_t pid, int fd);
const struct proc_stats *socktab_proc(const struct socktab *t, uint32_t pid);
size_t socktab_nsocks(const struct socktab *t);
size_t socktab_nprocs(const struct socktab *t);

/* The per-process summary table, by pid. */
void socktab_summary(const struct socktab *t, FILE *f);

#endif
