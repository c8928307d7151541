/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * User space's view of the traced sockets: each socket by (pid, fd) from
 * connect to close, and per-process totals for the exit summary.
 */
#ifndef SOCKTAB_H
#define SOCKTAB_H

#include <stdint.h>
#include <stdio.h>

struct sock {
	uint32_t daddr;		/* network byte order */
	uint16_t dport;
	uint64_t start_ns;
	uint64_t bytes;
	uint64_t sends;
};

struct proc_stats {
	uint32_t pid;
	char comm[16];
	uint64_t opened;	/* connects that succeeded or are in progress */
	uint64_t failed;	/* connects that failed */
	uint64_t bytes;
	uint64_t sends;
	uint64_t open_now;
};

struct socktab;

struct socktab *socktab_new(void);
void socktab_free(struct socktab *t);

/* Each returns -1 only when memory ran out. */
int socktab_connect(struct socktab *t, uint32_t pid, int fd, const char *comm,
		    uint32_t daddr, uint16_t dport, uint64_t ts_ns, int ok);
int socktab_send(struct socktab *t, uint32_t pid, int fd, int64_t ret);
/* Forgets the socket; out gets its last state if it was known. */
int socktab_close(struct socktab *t, uint32_t pid, int fd, struct sock *out);

const struct sock *socktab_find(const struct socktab *t, uint32_t pid, int fd);
const struct proc_stats *socktab_proc(const struct socktab *t, uint32_t pid);
size_t socktab_nsocks(const struct socktab *t);
size_t socktab_nprocs(const struct socktab *t);

/* The per-process summary table, by pid. */
void socktab_summary(const struct socktab *t, FILE *f);

#endif
