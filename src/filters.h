/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* The values of the filter options: parsed and checked, one line of
 * reason on error (and 2, the exit status of bad options). */
#ifndef FILTERS_H
#define FILTERS_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "socktrace.h"

/* A user id, as a number or a user name. */
int parse_uid(const char *s, __u32 *uid, char *err, size_t errlen);
/* "53" or "80,443": added to p (at most PORTS_MAX in all). */
int parse_ports(const char *opt, const char *s, struct ports *p, char *err, size_t errlen);
/* "10.0.0.0/8", "::1", "fe80::/10"; an address alone is a whole /32 or
 * /128. Host bits past the length are cleared. */
int parse_prefix(const char *s, struct prefix *p, char *err, size_t errlen);
/* "tcp" or "udp": the IPPROTO_ number. */
int parse_proto(const char *s, __u8 *proto, char *err, size_t errlen);
/* Where the cgroup v2 hierarchy is mounted: /sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on a hybrid layout; NULL if neither. */
const char *cgroup2_root(void);
/* A cgroup v2 directory, absolute or under that root: its id (the
 * directory's inode number). */
int parse_cgroup(const char *s, __u64 *id, char *err, size_t errlen);

#endif
