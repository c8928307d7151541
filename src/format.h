/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * One event as one JSON object (json.c) or one line of text (text.c).
 * Each kind of EVENT_KINDS has its own part in each: json_NAME() and
 * text_NAME(), which the formats dispatch to.
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "buf.h"
#include "socktrace.h"

/* Longest line either format can produce, with room to spare. */
#define LINE_MAX_LEN 4096

struct cgnames;
struct procinfo;

/* What formatting needs besides the event. */
/* The text's time of day (clock), with the date, or since tracing began. */
enum time_style { TIME_CLOCK, TIME_DATE, TIME_RELATIVE };

struct fmt {
	int64_t realtime_off;		/* CLOCK_REALTIME - CLOCK_MONOTONIC, to date stamps */
	uint64_t own_cgroup;		/* socktrace's own cgroup and network namespace: */
	uint32_t own_netns;		/* the text names others only */
	const struct cgnames *names;	/* --containers: cgroup names; NULL: none */
	bool colour;			/* text on a terminal: failures in red */
	enum time_style time;		/* text's TIME column (--time) */
	int64_t start_real_ns;		/* TIME_RELATIVE counts from here */
	bool uid;			/* text: a UID column (--show-uid) */
	unsigned int width;		/* text: a line's columns at most; 0: no limit (--wide) */
	bool time_shown;		/* connection view: a TIME column (--time or --wide) */
	const struct procinfo *procs;	/* who the processes are, as told; NULL: none */
};

/* The name text shows for who: its process's, when told, else its
 * thread's (a NUL-terminated name, or COMM_LEN bytes). */
const char *who_name(const struct who *w, const struct fmt *f);

/* e must be a known kind (kind_info() not NULL). */
void format_json(struct buf *b, const struct event *e, const struct fmt *f);
void format_text(struct buf *b, const struct event *e, const struct fmt *f);
void format_lost_json(struct buf *b, uint64_t count, int64_t real_ns);
void format_lost_text(struct buf *b, uint64_t count, int64_t real_ns, const struct fmt *f);
void format_text_header(struct buf *b, const struct fmt *f);
/* RFC 3339 UTC with nanoseconds. */
void format_time(struct buf *b, int64_t real_ns);

/* Shared by the formats: */

/* The destination's family: the socket's unless a call asked for another. */
static inline uint8_t dfamily(const struct ends *n)
{
	return n->dfamily ? n->dfamily : n->family;
}

/* A kernel stamp on the wall clock. Wrapping, not overflowing: the stamp
 * comes from a ring buffer record, which this code does not trust. */
static inline int64_t wall_ns(uint64_t ts_ns, int64_t realtime_off)
{
	return (int64_t)(ts_ns + (uint64_t)realtime_off);
}

/* Seconds and nanoseconds, the latter always in 0..999999999. */
static inline time_t split_ns(int64_t ns, long *nsec)
{
	int64_t secs = ns / 1000000000, rem = ns % 1000000000;

	if (rem < 0) {
		rem += 1000000000;
		secs--;
	}
	*nsec = rem;
	return secs;
}

/* Each kind's own fields after the common ones: JSON members with their
 * leading commas, and the text's detail after the socket's ends (short
 * where the line must fit, f->width). */
#define KIND_FORMATTERS(ID, name, number, part, fields, socket, shown, help)	\
	void json_##fields(struct buf *b, const struct event *e);		\
	void text_##fields(struct buf *b, const struct event *e, const struct fmt *f);
EVENT_KINDS(KIND_FORMATTERS)
#undef KIND_FORMATTERS

#endif
