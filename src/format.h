/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* One event as one line of text or one JSON object. */
#ifndef FORMAT_H
#define FORMAT_H

#include <linux/types.h>
#include <netinet/in.h>
#include <stdint.h>
#include "buf.h"
#include "socktrace.h"

/* Longest line either format can produce, with room to spare. */
#define LINE_MAX_LEN 1024

/* realtime_off: CLOCK_REALTIME - CLOCK_MONOTONIC, to date kernel stamps. */
void format_json(struct buf *b, const struct event *e, int64_t realtime_off);
void format_text(struct buf *b, const struct event *e, int64_t realtime_off);
void format_lost_json(struct buf *b, uint64_t count, int64_t real_ns);
void format_lost_text(struct buf *b, uint64_t count, int64_t real_ns);
void format_text_header(struct buf *b);

/* "ECONNREFUSED" for -111; "errno 4095" when the name is unknown. */
const char *errno_name(int64_t ret, char *tmp, size_t len);
/* addr (16 bytes, IPv4 in the first 4) in standard text form. */
void addr_str(const uint8_t *addr, uint8_t family, char out[INET6_ADDRSTRLEN]);
const char *family_name(uint8_t family);
/* "tcp", "udp"...; unknown protocols by number, written into tmp. */
const char *proto_name(uint16_t proto, char *tmp, size_t len);
const char *reason_name(uint8_t reason);

#endif
