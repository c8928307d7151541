/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* The words events are told in: the names of the shared tables' rows
 * (socktrace.h), errnos, protocols, addresses. */
#ifndef NAMES_H
#define NAMES_H

#include <linux/types.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include "socktrace.h"

/* "ECONNREFUSED" for -111; "errno 4095" when the name is unknown. */
const char *errno_name(int64_t ret, char *tmp, size_t len);
/* addr (16 bytes, IPv4 in the first 4) in standard text form. */
void addr_str(const uint8_t *addr, uint8_t family, char out[INET6_ADDRSTRLEN]);
const char *family_name(uint8_t family);
/* "tcp", "udp"...; unknown protocols by number, written into tmp. */
const char *proto_name(uint16_t proto, char *tmp, size_t len);
/* The rows' names; "unknown" for a value no row has. */
const char *reason_name(uint8_t reason);
const char *origin_name(uint8_t origin);
/* How a text open says it began: "open before tracing"... */
const char *origin_text(uint8_t origin);
const char *dir_name(uint8_t dir);
const char *call_name(uint8_t call);
const char *untraced_why(uint32_t why);

#endif
