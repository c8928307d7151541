/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The consumer side of the BPF ring buffer, mapped as libbpf maps it, but
 * telling the kernel how far it has read once per batch rather than after
 * every record: each such store takes the line that every reservation
 * reads away from the producing CPU (README, Performance).
 */
#ifndef RING_H
#define RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called per record; a negative return stops the consuming (and is
 * returned by ring_consume). */
typedef int (*ring_fn)(void *ctx, void *data, size_t size);

struct ring {
	int map_fd;
	int epoll_fd;
	size_t page;
	size_t size;		/* of the data area: a power of two */
	unsigned long *consumer_pos;
	const unsigned long *producer_pos;
	const uint8_t *data;	/* mapped twice over: a record never wraps */
	ring_fn fn;
	void *ctx;
	bool watched_ready;	/* ring_poll() saw the fd ring_watch() added ready */
};

/* Maps the ring of map_fd; -errno on failure. */
int ring_open(struct ring *r, int map_fd, ring_fn fn, void *ctx);
/* Hands every complete record to fn: how many, or fn's negative return. */
int ring_consume(struct ring *r);
/* Calls fn on each record waiting, leaving them in the ring; the records
 * waiting now. */
int ring_peek(struct ring *r, ring_fn fn, void *ctx);
/* Waits up to ms for the kernel's wakeup, then consumes. */
int ring_poll(struct ring *r, int ms);
/* Wakes ring_poll() when fd is readable too (--metrics' clients), which
 * it says in watched_ready. Before the sandbox: 0 or -errno. */
int ring_watch(struct ring *r, int fd);
void ring_close(struct ring *r);

#endif
