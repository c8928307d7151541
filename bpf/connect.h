/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * connect(): its result, a connect in progress followed to its outcome,
 * and connect(AF_UNSPEC), which dissolves an association.
 */
#ifndef CONNECT_H
#define CONNECT_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "calls.h"
#include "emit.h"
#include "process.h"
#include "filter.h"
#include "kernel.h"
#include "state.h"
#include "table.h"

/* The header a connect's events share, off the BPF stack, in the shape it
 * waits in pending if the connect is in progress. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pending_connect);
} connect_head SEC(".maps");

/* Why a handshake failed, as a negative errno. The kernel sets sk_err,
 * wakes the process, and only then changes the state: a process quick to
 * read SO_ERROR takes sk_err (leaving 0) before the state change is seen
 * here. A SYN sent again as often as allowed has then timed out; any
 * other error taken so is told as ECONNABORTED. */
static __always_inline int handshake_error(struct sock *sk)
{
	struct inet_connection_sock *icsk = (void *)sk;
	int err = BPF_CORE_READ(sk, sk_err);
	struct net *net;
	__u32 limit;

	if (err)
		return -err;
	limit = BPF_CORE_READ(icsk, icsk_syn_retries);
	if (!limit) {
		net = BPF_CORE_READ(sk, __sk_common.skc_net.net);
		limit = BPF_CORE_READ_BITFIELD_PROBED(&net->ipv4, sysctl_tcp_syn_retries);
	}
	if (limit && BPF_CORE_READ(icsk, icsk_retransmits) >= limit)
		return -ETIMEDOUT;
	return -ECONNABORTED;
}

/* The outcome of a connect that returned EINPROGRESS, told as the thread
 * and fd that called connect (p), whatever task the kernel finishes it in. */
static __always_inline void emit_outcome(const struct event_head *p, struct sock *sk, int state)
{
	struct event *e;

	if (filter.failed && state != TCP_CLOSE)
		return;
	e = reserve(EV_CONNECT, EVENT_SIZE(struct ev_connect));
	if (!e)
		return;
	e->h = *p;
	e->h.who.ts_ns = bpf_ktime_get_ns();
	e->h.flags = EVF_ASYNC;
	e->connect.ret = state != TCP_CLOSE ? 0 : handshake_error(sk);
	e->connect.latency_ns = e->h.who.ts_ns - p->who.ts_ns;
	submit(e);
}

/* inet_sock_set_state: a connect in progress left SYN_SENT. Whoever takes
 * the pending entry out reports it, once. */
static __always_inline int sock_state(struct sock *sk, int oldstate, int newstate)
{
	__u64 key = (__u64)sk;
	struct pending_connect *p;
	struct event_head copy;

	if (oldstate != TCP_SYN_SENT || newstate == TCP_SYN_RECV)
		return 0;
	p = bpf_map_lookup_elem(&pending, &key);
	if (!p)
		return 0;
	copy = p->head;
	if (take_pending(key, p))
		emit_outcome(&copy, sk, newstate);
	return 0;
}

static __noinline int connect_enter(const long *a)
{
	struct task_struct *t = current_task();
	struct call c = { .kind = CK_CONNECT, .fd = a[0], .uaddr = a[1], .addrlen = a[2] };
	struct sock *sk;

	if (!proc_traced(t))
		return 0;
	c.file = cur_fd_file(c.fd);
	sk = file_sock(c.file);
	/* Not an IPv4/IPv6 socket (ENOTSOCK, EBADF, AF_UNIX): nothing to say. */
	if (!sk || !inet_family(sock_family(sk)))
		return 0;
	c.sk = (__u64)sk;
	c.ino = file_ino(c.file);
	c.ts = bpf_ktime_get_ns();
	save_call(&c, NULL);
	return 0;
}

/* connect(AF_UNSPEC) dissolved the association of the socket on k (file):
 * said with the peer it had, which it then forgets. An untracked socket
 * had nothing to dissolve worth a word. */
static __always_inline void disconnect(struct fd_key *k, __u64 file, const struct ends *now,
				       struct task_struct *t)
{
	struct sock_val *v = bpf_map_lookup_elem(&socks, k);

	if (!v)
		return;
	if (!holds(v, file)) {
		end_sock(k, v, REASON_UNSEEN, false);
		return;
	}
	emit_head(EV_DISCONNECT, t, v);
	v->info.ends = *now;
	/* TCP keeps the address with the port gone: no peer is no peer. */
	__builtin_memset(v->info.ends.daddr, 0, sizeof(v->info.ends.daddr));
	__sync_fetch_and_add(&v->gen, 1);
}

/* A connect in progress waits in pending for its outcome; or it came
 * already (loopback finishes it before connect returns). */
static __always_inline void wait_outcome(struct sock_val *v, struct sock *sk, struct pending_connect *pc)
{
	struct pending_connect *p;
	__u64 key = (__u64)sk;
	int state;

	pc->told = 0;
	if (bpf_map_update_elem(&pending, &key, pc, BPF_ANY)) {
		/* Not followed to its outcome: said, not silent. */
		__sync_fetch_and_add(&incomplete, 1);
		v->flags |= SV_INCOMPLETE;
		return;
	}
	v->flags |= SV_CONNECTING;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	/* inet_sock_set_state fires before the state is stored: a handshake
	 * that ends just as connect returns finds no entry there, and its
	 * state may not be stored yet here. A failure (timeout, reset, ICMP
	 * error) sets sk_err first, so it is seen here. */
	if (state == TCP_SYN_SENT && BPF_CORE_READ(sk, sk_err))
		state = TCP_CLOSE;
	if (state == TCP_SYN_SENT || state == TCP_SYN_RECV)
		return;
	p = bpf_map_lookup_elem(&pending, &key);
	if (p && take_pending(key, p))
		emit_outcome(&pc->head, sk, state);
}

static __noinline int connect_exit(long ret)
{
	struct task_struct *t = current_task();
	struct call *c = find_call(CK_CONNECT);
	bool ok = ret == 0 || ret == -EINPROGRESS;
	struct ends ends = {};
	struct sock_val *v;
	struct pending_connect *pc;
	struct event_head *h;
	struct fd_key k;
	struct event *e;
	struct sock *sk;
	__u32 zero = 0;
	__u64 file, ts = 0;

	if (!c)
		return 0;
	k.files = cur_files(t);
	k.fd = c->fd;
	k.pad = 0;
	/* Closed (and maybe reused) by another thread during the call: what
	 * is on fd now is not the socket that connected. */
	file = cur_fd_file(c->fd);
	if (file != c->file || file_ino(file) != c->ino) {
		__sync_fetch_and_add(&raced, 1);
		goto out;
	}
	sk = (struct sock *)c->sk;
	/* The kernel's view of a connected socket; for a failure, the local
	 * end and the destination that was asked for. */
	if (!sock_ends(sk, &ends, ok))
		goto out;
	/* Connected, and yet no peer: an AF_UNSPEC address dissolved it. */
	if (ret == 0 && !ends.dport) {
		disconnect(&k, file, &ends, t);
		goto out;
	}
	/* A failure names the address asked for, by its own family; none
	 * is invented from a sockaddr that is unreadable, short or foreign. */
	if (!ok && read_dest((void *)c->uaddr, c->addrlen, ends.family, true, &ends))
		goto out;
	if (!sock_traced(&ends))
		goto out;
	v = bpf_map_lookup_elem(&socks, &k);
	if (v && !holds(v, file)) {
		end_sock(&k, v, REASON_UNSEEN, false);
		v = NULL;
	}
	if (ok && v) {
		v->info.ends = ends;	/* UDP may connect again: same socket, new peer */
		__sync_fetch_and_add(&v->gen, 1);
	} else if (ok) {
		struct newsock n = { c->file, c->sk, bpf_get_current_cgroup_id(), ORIGIN_CONNECT, DIR_OUT };

		v = track(&k, &ends, &n, t);
		/* Told at the time of its entry: no second clock read. */
		if (v)
			ts = v->start_ns;
	}
	pc = bpf_map_lookup_elem(&connect_head, &zero);
	if (!pc)
		goto out;
	h = &pc->head;
	who_current_at(&h->who, t, v, ts ?: bpf_ktime_get_ns());
	/* Who its process is, before the event: with the ids just read (the
	 * start from the descriptor's entry when it is its owner's). */
	tell_process(h->who.pid, h->who.pstart, 0);
	h->kind = EV_CONNECT;
	h->flags = 0;
	if (v) {
		h->sock = v->info;
	} else {
		/* A failed connect: not tracked, told as it was asked. */
		__builtin_memset(&h->sock, 0, sizeof(h->sock));
		h->sock.cgroup = bpf_get_current_cgroup_id();
		h->sock.netns = sock_netns(sk);
		h->sock.fd = c->fd;
		h->sock.origin = ORIGIN_CONNECT;
		h->sock.dir = DIR_OUT;
		h->sock.ends = ends;
	}
	e = filter.failed && ok ? NULL : reserve(EV_CONNECT, EVENT_SIZE(struct ev_connect));
	if (e) {
		e->h = *h;
		e->connect.ret = ret;
		/* A connect in progress is timed by its outcome; the others, by
		 * the call (a blocking connect waits for the handshake). */
		e->connect.latency_ns = ret == -EINPROGRESS ? 0 : h->who.ts_ns - c->ts;
		submit(e);
	}
	if (connect_outcomes && v && ret == -EINPROGRESS && ends.proto == IPPROTO_TCP)
		wait_outcome(v, sk, pc);
out:
	end_call(c);
	return 0;
}

#endif
