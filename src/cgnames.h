/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Names for cgroup ids (--containers): the container or systemd unit each
 * cgroup v2 directory stands for, read at start, and for a cgroup made
 * later as the kernel side names it when it tells a process there (the
 * sandbox forbids reading the directory then).
 */
#ifndef CGNAMES_H
#define CGNAMES_H

#include <stddef.h>
#include <linux/types.h>
#include <stdint.h>
#include "socktrace.h"

struct cgnames;

/* Every cgroup under root (/sys/fs/cgroup); NULL if memory ran out. */
struct cgnames *cgnames_load(const char *root);
/* The name of cgroup id, NULL if unknown. */
const char *cgnames_get(const struct cgnames *c, uint64_t id);
void cgnames_free(struct cgnames *c);
/* Names the cgroup of a process record, if it has no name yet; -1 only
 * when memory ran out. */
int cgnames_learn(struct cgnames *c, const struct proc_record *r);
/* The cgroup v2 id of this process, 0 if it cannot tell. */
uint64_t cgroup_self(const char *root);

/* "docker:0123456789ab" for .../docker-<id>.scope, and so for
 * containerd, CRI-O and podman; "systemd:nginx.service" for a service;
 * else the path itself (relative to the cgroup root, with a leading /). */
void cgroup_label(const char *path, char *out, size_t len);

#endif
