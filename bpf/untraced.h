/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* Saying, once per process, that it uses sockets where socktrace cannot
 * follow (EV_UNTRACED). */
#ifndef UNTRACED_H
#define UNTRACED_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "emit.h"
#include "process.h"
#include "kernel.h"

/* Processes told about once. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} told_untraced SEC(".maps");

static __always_inline void say_untraced(__u32 why)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *t = current_task();
	struct event *e;
	__u8 one = 1;

	if (bpf_map_update_elem(&told_untraced, &tgid, &one, BPF_NOEXIST))
		return;
	if (event_mask & EV_BIT(EV_UNTRACED))
		tell_current(t);
	e = reserve(EV_UNTRACED, EVENT_SIZE(struct ev_untraced));
	if (!e)
		return;
	who_current(&e->h.who, t, NULL);
	__builtin_memset(&e->h.sock, 0, sizeof(e->h.sock));
	e->h.sock.cgroup = bpf_get_current_cgroup_id();
	e->h.sock.fd = -1;
	e->h.kind = EV_UNTRACED;
	e->h.flags = 0;
	e->untraced.why = why;
	e->untraced.pad = 0;
	submit(e);
}

#endif
