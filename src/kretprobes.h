/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Return probes with room for many calls in flight. A kretprobe made the
 * usual way (the kprobe PMU, as libbpf makes it) holds as many calls in
 * flight as the kernel's default, the number of CPUs or 2 x CPUs from 10
 * up: the returns of the threads blocked past that are skipped without a
 * word, so a server with many threads blocked in recv() loses most of its
 * traffic. Made through tracefs's kprobe_events, as bcc makes them, a
 * kretprobe takes its maxactive; socktrace removes its own at the end,
 * and at start those a killed socktrace left.
 */
#ifndef KRETPROBES_H
#define KRETPROBES_H

#include <stdbool.h>

/* Calls in flight each return probe holds: the kernel's ceiling. */
#define KRETPROBE_MAXACTIVE 4096
#define KRETPROBES_MAX 32

struct bpf_program;
struct bpf_link;

struct kretprobes {
	int fd;			/* kprobe_events, open for writing; -1 */
	int n;
	char made[KRETPROBES_MAX][48];	/* "socktrace_PID/NAME" of each */
};

/* Opens kprobe_events and takes out what socktrace processes that are
 * gone left there: 0 or -errno (tracefs not writable). */
int kretprobes_open(struct kretprobes *k);
/* Attaches p as a return probe of func with KRETPROBE_MAXACTIVE calls in
 * flight: its link, or NULL with errno. */
struct bpf_link *kretprobe_attach(struct kretprobes *k, struct bpf_program *p, const char *func);
/* Takes out the probes it made (once their links are destroyed), and
 * closes kprobe_events. Works sandboxed: write() and nanosleep only. */
void kretprobes_remove(struct kretprobes *k);

#endif
