/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Loading and attaching the BPF programs, and the checks that come first
 * (tracer.c); the iterators over sockets open at start and at the end
 * (iters.c); taking the programs off (detach.c).
 */
#ifndef TRACER_H
#define TRACER_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "kernel_features.h"
#include "kretprobes.h"
#include "opts.h"
#include "socktrace.h"

struct socktrace_bpf;
struct ring;
struct bpf_link;

struct tracer {
	struct socktrace_bpf *skel;
	enum attach_mode mode;	/* never ATTACH_AUTO once started */
	struct features feat;	/* what the kernel offers, proven by loading it */
	struct kretprobes kret;	/* kprobe mode: return probes made through tracefs */
	struct bpf_link *existing;	/* iterator over the sockets open at start */
	struct bpf_link *open_at_end;	/* iterator over the socket table */
	struct detach *detach;	/* removal under way (tracer_detach_start) */
	int snapshot_fd;	/* open_at_end's, made before the sandbox; -1 */
};

/* libbpf's messages to stderr or not; socktrace reads them either way
 * (which program the kernel refused). */
void tracer_set_verbose(bool verbose);

/* How t follows syscalls: "ksyscall" (kprobe mode), "per-syscall" (their
 * own tracepoints) or "raw" (the raw sys_enter/sys_exit dispatch). */
const char *tracer_syscall_hooks(const struct tracer *t);

/*
 * Loads and attaches every program of o's attach mode, each optional one
 * proven by loading and attaching it: one the kernel refuses is dropped
 * for its fallback (t->feat says which). 0 when tracing can go on; else
 * -1 with one line in err naming the program, the errno and the cause.
 */
int tracer_start(struct tracer *t, const struct opts *o, char *err, size_t errlen);
/* --check: tracer_start, then what the kernel offers and what socktrace
 * would do, on f. 0 when it can trace, 1 when not (the last line says why). */
int tracer_check(const struct opts *o, FILE *f);
/* Enters the sockets open before tracing, draining rb as their events
 * come; -1 with one line in err when the kernel cannot (tracing goes on). */
int tracer_scan_existing(struct tracer *t, struct ring *rb, char *err, size_t errlen);
int tracer_ring_fd(const struct tracer *t);
/* Events the kernel could not put in the ring since tracing started. */
uint64_t tracer_lost(const struct tracer *t);

struct kernel_tables {
	int64_t socks;		/* tracked descriptors */
	int64_t tables;		/* descriptor tables (processes) with an entry */
#define COUNTER_FIELD(name, help) uint64_t name;
	KERNEL_COUNTERS(COUNTER_FIELD)
#undef COUNTER_FIELD
};

/* What the kernel's tables hold now; no syscall, so it works sandboxed. */
void tracer_tables(const struct tracer *t, struct kernel_tables *k);
/* Calls fn for each descriptor still tracked (after tracer_detach);
 * -1 when there is no snapshot on this kernel. */
int tracer_snapshot(struct tracer *t, void (*fn)(const struct snapshot *s, void *arg), void *arg);
/* Removes every probe: tracer_detach_start begins (events may still come
 * until tracer_detach_wait returns), tracer_detach does both. */
void tracer_detach_start(struct tracer *t);
void tracer_detach_wait(struct tracer *t);
void tracer_detach(struct tracer *t);
void tracer_destroy(struct tracer *t);

#endif
