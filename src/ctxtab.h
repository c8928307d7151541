/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The sockets that brief send and receive records (struct io_brief) refer
 * to: what the last full send or receive record of each descriptor said of
 * its socket, from then until its close.
 */
#ifndef CTXTAB_H
#define CTXTAB_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <linux/types.h>
#include "socktrace.h"

struct ctxtab;

struct ctxtab *ctxtab_new(void);
void ctxtab_free(struct ctxtab *t);

/* Takes in a full event: a send or receive is remembered, a close
 * forgotten. -1 only when memory ran out. */
int ctxtab_note(struct ctxtab *t, const struct event *e);
/* The full event of a brief record of size bytes. False when it is not
 * one, or names a descriptor not held. */
bool ctxtab_expand(const struct ctxtab *t, const void *data, size_t size, struct event *e);
size_t ctxtab_count(const struct ctxtab *t);

/* What a ring record was, for ctxtab_take(). */
enum record { RECORD_BAD, RECORD_FULL, RECORD_BRIEF };

/* A record from the ring as the event it stands for: a brief one made
 * whole, a full one decoded and noted. */
enum record ctxtab_take(struct ctxtab *t, const void *data, size_t size, struct event *e);

#endif
