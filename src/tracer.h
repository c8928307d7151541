/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* Loading and attaching the BPF programs, and the checks that come first. */
#ifndef TRACER_H
#define TRACER_H

#include <stdint.h>
#include "opts.h"

struct socktrace_bpf;

struct tracer {
	struct socktrace_bpf *skel;
	enum attach_mode mode;	/* never ATTACH_AUTO once started */
};

/* 0 when every program is attached; else -1 with one line in err. */
int tracer_start(struct tracer *t, const struct opts *o, char *err, size_t errlen);
int tracer_ring_fd(const struct tracer *t);
/* Events the kernel could not put in the ring since tracing started. */
uint64_t tracer_lost(const struct tracer *t);
struct kernel_tables {
	int64_t socks;		/* tracked sockets */
	int64_t procs;		/* processes with an entry */
	uint64_t untracked;	/* sockets not tracked because a table was full */
};

/* What the kernel's tables hold now. */
void tracer_tables(const struct tracer *t, struct kernel_tables *k);
void tracer_detach(struct tracer *t);
void tracer_destroy(struct tracer *t);

#endif
