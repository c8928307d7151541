/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Who each process is, as the kernel side tells it (struct proc_record):
 * its name, parent, executable and command line, so that events name the
 * process as well as the thread.
 */
#ifndef PROCINFO_H
#define PROCINFO_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "socktrace.h"

struct proc_info {
	uint32_t pid;
	uint32_t ppid;
	uint64_t pstart;
	char name[COMM_LEN];		/* NUL-terminated */
	char exe[EXE_LEN];		/* NUL-terminated; empty: not known */
	char cmdline[CMDLINE_LEN + 1];	/* the arguments joined by spaces; empty: not readable */
	uint64_t gen;			/* what it says now, numbered: no two fillings of any
					 * table share one (a formatter's cache key) */
};

/* Processes kept at most; past that, new ones are not named. */
#define PROC_INFOS_MAX (1u << 16)

struct procinfo;

/* A process's key in the tables that keep processes (pid, start): the
 * same for two only if one pid's start times are an exact multiple of
 * 2^42 ns (73 minutes) apart. */
static inline uint64_t proc_key(uint32_t pid, uint64_t pstart)
{
	return pstart << 22 ^ pid;
}

struct procinfo *procinfo_new(void);
void procinfo_free(struct procinfo *p);
/* Whether a ring record is a struct proc_record. */
bool procinfo_is_record(const void *data, size_t size);
/* Keeps what a record says; read_proc: its arguments may be read from
 * /proc when the record has none (before the sandbox: processes found at
 * start). -1 only when memory ran out. */
int procinfo_note(struct procinfo *p, const void *data, size_t size, bool read_proc);
/* The process (pid, pstart), or NULL when not told. */
const struct proc_info *procinfo_get(const struct procinfo *p, uint32_t pid, uint64_t pstart);

#endif
