/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* Events formatted into one buffer, written with one write() per batch. */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "connview.h"
#include "format.h"

struct output {
	int fd;
	bool json;
	bool broken;		/* nothing more can be written: err says why */
	int err;		/* errno of the failed write; EPIPE: the reader left */
	const volatile sig_atomic_t *stopping;	/* once set, writing waits STOP_MS at most */
	int64_t wait_left_ns;	/* of that, what is left; -1 until stopping */
	/* Called once, before the first wait of a stop: work that can go on
	 * while the reader is waited for. */
	void (*on_stop)(void *arg);
	void *on_stop_arg;
	uint64_t pending;	/* events in the buffer */
	uint64_t written;	/* events written out whole */
	uint64_t unwritten;	/* events that could not be written */
	struct fmt fmt;
	struct connview *view;	/* text: the connection view; NULL: the event stream */
	struct buf b;
	char mem[64 * 1024];
};

/* How long, in all, a stop waits for a stalled reader to make room. */
#define STOP_MS 800

void output_init(struct output *out, int fd, bool json, const volatile sig_atomic_t *stopping);
/* Re-reads the clocks so that stamps follow changes of the wall clock. */
void output_sync_clock(struct output *out);
void output_event(struct output *out, const struct event *e);
void output_lost(struct output *out, uint64_t count);
void output_header(struct output *out);
/* Text of n bytes as it is (the counts), not counted as events. */
void output_text(struct output *out, const char *s, size_t n);
/* Writes what is buffered; false once the output is broken. */
bool output_flush(struct output *out);
/* True when the reader has gone away, even with nothing to write. */
bool output_hung_up(const struct output *out);

#endif
