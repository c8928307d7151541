/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Brief send and receive records (struct io_brief) made whole: the socket
 * part of each descriptor from its last full send or receive record, kept
 * from then until its close.
 */
#ifndef BRIEFS_H
#define BRIEFS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <linux/types.h>
#include "socktrace.h"

struct briefs;

struct briefs *briefs_new(void);
void briefs_free(struct briefs *t);

/* Takes in a full event: a send or receive is remembered, a close
 * forgotten. -1 only when memory ran out. */
int briefs_note(struct briefs *t, const struct event *e);
/* The full event of a brief record of size bytes. False when it is not
 * one, or names a descriptor not held. */
bool briefs_expand(const struct briefs *t, const void *data, size_t size, struct event *e);
size_t briefs_count(const struct briefs *t);

/* What a ring record was, for briefs_take(). */
enum record { RECORD_BAD, RECORD_FULL, RECORD_BRIEF };

/* A record from the ring as the event it stands for: a brief one made
 * whole, a full one decoded and noted. */
enum record briefs_take(struct briefs *t, const void *data, size_t size, struct event *e);

#endif
