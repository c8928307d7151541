/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* listen(): a socket that starts to take connections, with its backlog. */
#ifndef LISTEN_H
#define LISTEN_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "calls.h"
#include "emit.h"
#include "process.h"
#include "filter.h"
#include "kernel.h"
#include "state.h"
#include "table.h"

static __noinline int listen_enter(const long *a)
{
	struct task_struct *t = current_task();
	struct call c = { .kind = CK_LISTEN, .fd = a[0], .lo = a[1] };

	if (!proc_traced(t))
		return 0;
	c.file = cur_fd_file(c.fd);
	c.sk = (__u64)file_sock(c.file);
	/* Not an IPv4/IPv6 socket: nothing to say. */
	if (!c.sk || !inet_family(sock_family((struct sock *)c.sk)))
		return 0;
	save_call(&c, NULL);
	return 0;
}

/* A listener is not tracked: it moves no bytes, and its connections are
 * each told by their accept. One that is (found open at start) is told
 * as tracked. */
static __noinline int listen_exit(long ret)
{
	struct task_struct *t = current_task();
	struct call *c = find_call(CK_LISTEN);
	struct fd_key k;
	struct sock_val *v;
	struct event *e;
	struct ends ends = {};

	if (!c)
		return 0;
	if (!sock_ends((struct sock *)c->sk, &ends, false) || !sock_traced(&ends))
		goto out;
	if (event_mask & EV_BIT(EV_LISTEN))
		tell_current(t);
	e = reserve(EV_LISTEN, EVENT_SIZE(struct ev_listen));
	if (!e)
		goto out;
	k.files = cur_files(t);
	k.fd = c->fd;
	k.pad = 0;
	v = bpf_map_lookup_elem(&socks, &k);
	if (v && holds(v, c->file)) {
		head_of(&e->h, EV_LISTEN, t, v);
	} else {
		who_current(&e->h.who, t, NULL);
		__builtin_memset(&e->h.sock, 0, sizeof(e->h.sock));
		e->h.kind = EV_LISTEN;
		e->h.flags = 0;
		e->h.sock.cgroup = bpf_get_current_cgroup_id();
		e->h.sock.netns = sock_netns((struct sock *)c->sk);
		e->h.sock.fd = c->fd;
		e->h.sock.ends = ends;
	}
	e->listen.ret = ret;
	e->listen.backlog = c->lo;
	e->listen.pad = 0;
	submit(e);
out:
	end_call(c);
	return 0;
}

#endif
