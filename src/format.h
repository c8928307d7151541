/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* One event as one line of text or one JSON object. */
#ifndef FORMAT_H
#define FORMAT_H

#include <linux/types.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include "buf.h"
#include "socktrace.h"

/* Longest line either format can produce, with room to spare. */
#define LINE_MAX_LEN 1024

struct cgnames;

/* What formatting needs besides the event. */
struct fmt {
	int64_t realtime_off;		/* CLOCK_REALTIME - CLOCK_MONOTONIC, to date stamps */
	uint64_t own_cgroup;		/* socktrace's own cgroup and network namespace: */
	uint32_t own_netns;		/* the text names others only */
	const struct cgnames *names;	/* --containers: cgroup names; NULL: none */
};

/* e must be a known kind (kind_info() not NULL). */
void format_json(struct buf *b, const struct event *e, const struct fmt *f);
void format_text(struct buf *b, const struct event *e, const struct fmt *f);
void format_lost_json(struct buf *b, uint64_t count, int64_t real_ns);
void format_lost_text(struct buf *b, uint64_t count, int64_t real_ns);
void format_text_header(struct buf *b);
/* RFC 3339 UTC with nanoseconds. */
void format_time(struct buf *b, int64_t real_ns);

/* "ECONNREFUSED" for -111; "errno 4095" when the name is unknown. */
const char *errno_name(int64_t ret, char *tmp, size_t len);
/* addr (16 bytes, IPv4 in the first 4) in standard text form. */
void addr_str(const uint8_t *addr, uint8_t family, char out[INET6_ADDRSTRLEN]);
const char *family_name(uint8_t family);
/* "tcp", "udp"...; unknown protocols by number, written into tmp. */
const char *proto_name(uint16_t proto, char *tmp, size_t len);
const char *reason_name(uint8_t reason);
const char *origin_name(uint8_t origin);
const char *dir_name(uint8_t dir);
const char *call_name(uint8_t call);
/* A UDP socket connected and closed without a send or a receive: how
 * glibc probes the routes to a name's addresses to sort them. */
bool close_is_probe(const struct event *e);

/* Each kind's own fields (see kinds.h). */
void json_connect(struct buf *b, const struct event *e);
void text_connect(struct buf *b, const struct event *e);
void json_accept(struct buf *b, const struct event *e);
void text_accept(struct buf *b, const struct event *e);
void json_open(struct buf *b, const struct event *e);
void text_open(struct buf *b, const struct event *e);
void json_io(struct buf *b, const struct event *e);
void text_io(struct buf *b, const struct event *e);
void json_close(struct buf *b, const struct event *e);
void text_close(struct buf *b, const struct event *e);
void json_untraced(struct buf *b, const struct event *e);
void text_disconnect(struct buf *b, const struct event *e);
void text_untraced(struct buf *b, const struct event *e);

#endif
