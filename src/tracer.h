/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* Loading and attaching the BPF programs, and the checks that come first. */
#ifndef TRACER_H
#define TRACER_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "opts.h"
#include "socktrace.h"

struct socktrace_bpf;
struct ring;
struct bpf_link;

/* What the running kernel offers, probed before loading. */
struct features {
	bool kprobes;		/* the kprobe PMU: CONFIG_KPROBES */
	bool sock_tracepoints;	/* sock:sock_send_length/sock_recv_length (6.3+) */
	bool syscall_tracepoints;	/* syscalls:sys_enter_*, readable in tracefs */
	bool bpf_loop;		/* walks of any size (5.17+) */
	bool task_file_iter;	/* sockets open before tracing (5.8+) */
	bool map_iter;		/* the final snapshot of open sockets (5.9+) */
};

struct tracer {
	struct socktrace_bpf *skel;
	enum attach_mode mode;	/* never ATTACH_AUTO once started */
	struct features feat;
	struct bpf_link *extra[4];	/* optional probes, attached by hand */
	struct detach *detach;	/* removal under way (tracer_detach_start) */
	int snapshot_fd;	/* iterator over open sockets, read at the end; -1 */
};

/* How t follows syscalls: "ksyscall" (kprobe mode), "per-syscall" (their
 * own tracepoints) or "raw" (the raw sys_enter/sys_exit dispatch). */
const char *tracer_syscall_hooks(const struct tracer *t);

/* What the kernel offers socktrace, for --check, on f: 0 when it can
 * trace with o's attach mode, 1 when not (the last line says why). */
int tracer_check(const struct opts *o, FILE *f);
/* 0 when every program is attached; else -1 with one line in err. */
int tracer_start(struct tracer *t, const struct opts *o, char *err, size_t errlen);
/* Enters the sockets open before tracing, draining rb as their events
 * come; -1 with one line in err when the kernel cannot (tracing goes on). */
int tracer_scan_existing(struct tracer *t, struct ring *rb, char *err, size_t errlen);
int tracer_ring_fd(const struct tracer *t);
/* Events the kernel could not put in the ring since tracing started. */
uint64_t tracer_lost(const struct tracer *t);

struct kernel_tables {
	int64_t socks;		/* tracked descriptors */
	int64_t tables;		/* descriptor tables (processes) with an entry */
	uint64_t untracked;	/* sockets not tracked: the socket table was full */
	uint64_t incomplete;	/* calls not followed: the call table was full */
	uint64_t unreturned;	/* calls whose return the kernel did not report */
	uint64_t raced;		/* calls whose descriptor was closed meanwhile */
	uint64_t unattributed;	/* socket I/O with no descriptor (io_uring) */
	uint64_t unswept;	/* table walks cut short (kernels before 5.17) */
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
