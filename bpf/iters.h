/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* The iterators: sockets open before socktrace started, found at start,
 * and what is still tracked when tracing stops, for the final summary. */
#ifndef ITERS_H
#define ITERS_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "emit.h"
#include "process.h"
#include "filter.h"
#include "kernel.h"
#include "state.h"
#include "table.h"

/* One descriptor of one task at start: a socket that passes the filters
 * is entered (once, whichever of its table's threads comes first) and
 * told as open. */
static __always_inline int existing_sock(struct bpf_iter__task_file *ctx)
{
	struct task_struct *t = ctx->task;
	struct file *file = ctx->file;
	struct newsock n = { .origin = ORIGIN_EXISTING, .dir = DIR_UNKNOWN };
	struct ends ends = {};
	struct sock_val *v;
	struct event *e;
	struct sock *sk;
	struct fd_key k;

	if (!t || !file)
		return 0;
	sk = file_sock((__u64)file);
	if (!sock_ends(sk, &ends, true) || !sock_traced(&ends) || !proc_traced(t))
		return 0;
	k.files = task_files(t);
	k.fd = ctx->fd;
	k.pad = 0;
	if (bpf_map_lookup_elem(&socks, &k))
		return 0;
	n.file = (__u64)file;
	n.sk = (__u64)sk;
	n.cgroup = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	v = track(&k, &ends, &n, t);
	if (!v)
		return 0;
	tell_process(v->owner, v->pstart, task_addr(t));
	if ((e = reserve(EV_OPEN, sizeof(struct event_head))) == NULL)
		return 0;
	who_task(&e->h.who, t);
	e->h.sock = v->info;
	e->h.kind = EV_OPEN;
	e->h.flags = BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_LISTEN ? EVF_LISTENING : 0;
	submit(e);
	return 0;
}

/* One tracked descriptor when tracing stops: its totals, as a snapshot. */
static __always_inline int snapshot_sock(struct bpf_iter__bpf_map_elem *ctx)
{
	struct sock_val *v = ctx->value;
	struct snapshot s = {};

	if (!v || (v->flags & SV_QUIET))
		return 0;
	s.sock = v->info.id;
	s.owner = v->owner;
	s.owner_pstart = v->pstart;
	s.totals = v->totals;
	s.origin = v->info.origin;
	s.dir = v->info.dir;
	bpf_seq_write(ctx->meta->seq, &s, sizeof(s));
	return 0;
}

#endif
