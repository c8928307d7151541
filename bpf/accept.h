/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* accept() and accept4(): a connection and its new descriptor. */
#ifndef ACCEPT_H
#define ACCEPT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "emit.h"
#include "process.h"
#include "filter.h"
#include "kernel.h"
#include "state.h"
#include "table.h"

static __noinline int accept_exit(long ret)
{
	struct task_struct *t = current_task();
	struct fd_key k = { .files = cur_files(t), .fd = ret };
	struct newsock n = { .origin = ORIGIN_ACCEPT, .dir = DIR_IN };
	struct ends ends = {};
	struct sock_val *v;
	struct sock *sk;
	__u64 file;

	if (ret < 0 || !proc_traced(t))
		return 0;
	file = cur_fd_file(ret);
	sk = file_sock(file);
	if (!sock_ends(sk, &ends, true) || !sock_traced(&ends))
		return 0;
	v = bpf_map_lookup_elem(&socks, &k);
	if (v)
		end_sock(&k, v, REASON_UNSEEN, false);
	n.file = file;
	n.sk = (__u64)sk;
	n.cgroup = bpf_get_current_cgroup_id();
	v = track(&k, &ends, &n, t);
	if (!v)
		return 0;
	/* Who its process is, before the socket's first event; told here,
	 * not in track(), whose call chain has no stack left for it on the
	 * older kernels (512 bytes for a whole chain). */
	tell_process(v->owner, v->pstart, 0);
	emit_head_at(EV_ACCEPT, t, v, v->start_ns);
	return 0;
}

#endif
