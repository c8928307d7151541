/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Per-peer totals for the exit summary: the remote addresses the traced
 * sockets talked to, or tried to, and the bytes each way, from the events
 * (a socket's totals come with its close).
 */
#ifndef PEERTAB_H
#define PEERTAB_H

#include <linux/types.h>
#include <stdint.h>
#include <stdio.h>
#include "socktrace.h"

struct peer_stats {
	uint8_t addr[16];	/* network byte order; IPv4 in the first 4 bytes */
	uint8_t family;		/* 0: the row of the peers past PEERS_MAX */
	uint64_t sockets;	/* sockets with it at the other end that ended */
	uint64_t failed;	/* connects to it that failed */
	struct totals totals;	/* over those sockets, as their side counted */
};

/* Peers past PEERS_MAX fold into one row. */
#define PEERS_MAX (1u << 16)

struct peertab;

struct peertab *peertab_new(void);
void peertab_free(struct peertab *t);

/* Counts one event; -1 only when memory ran out. */
int peertab_event(struct peertab *t, const struct event *e);

const struct peer_stats *peertab_peer(const struct peertab *t, const uint8_t addr[16], uint8_t family);
size_t peertab_npeers(const struct peertab *t);

/* The busiest peers first (bytes both ways), at most rows of them (0:
 * all), then one row for the rest; within 80 columns. */
void peertab_summary(const struct peertab *t, FILE *f, size_t rows);
/* Every row as a JSON array, the busiest first. */
void peertab_json(const struct peertab *t, FILE *f);

#endif
