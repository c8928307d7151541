/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The table of tracked descriptors: entering one, ending one, and walking
 * a process's descriptor table (exit, exec, close_range, fork).
 */
#ifndef TABLE_H
#define TABLE_H

/* Per-CPU sequence numbers for descriptor ids: no atomic that returns a
 * value (5.10 has none), and ids stay below 2^53 for JSON readers. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seq SEC(".maps");

static __always_inline __u64 new_id(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&seq, &zero);

	if (!n)
		return 0;
	*n += 1;
	return *n * 4096 + (bpf_get_smp_processor_id() & 4095);
}

static __always_inline struct sock_val *scratch_val(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	return s ? &s->v : NULL;
}

static __always_inline struct event_head *scratch_head(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	return s ? &s->h : NULL;
}

/* The table_slots count of the descriptor table files (fdtabs' key):
 * its address, past the slab alignment, hashed to 16 bits. files must be
 * a number to the verifier (task_files()), which shifts no pointer. */
static __always_inline __u32 *table_slot(__u64 files)
{
	__u32 i = (files >> 6) * 0x9e3779b97f4a7c15ULL >> 48;

	return bpf_map_lookup_elem(&table_slots, &i);
}

/* False when no descriptor of the table files can be tracked; true when
 * one may be. */
static __always_inline bool table_may_track(__u64 files)
{
	__u32 *n = table_slot(files);

	return !n || *n;
}

/* Whether file, on v's descriptor now, is still v's socket. */
static __always_inline bool holds(const struct sock_val *v, __u64 file)
{
	return file == v->file && file_ino(file) == v->ino;
}

/* Enters nv at k. If another thread entered the same socket there first,
 * that entry stands. NULL when a table is full (counted). */
static __always_inline struct sock_val *insert(struct fd_key *k, struct sock_val *nv)
{
	struct fdtab fresh = {}, *tab = bpf_map_lookup_elem(&fdtabs, &k->files);
	struct sock_val *v;

	if (!tab) {
		if (!bpf_map_update_elem(&fdtabs, &k->files, &fresh, BPF_NOEXIST)) {
			__u64 files = 0;
			__u32 *n;

			/* The key as a number (it may hold a BTF pointer). */
			bpf_probe_read_kernel(&files, sizeof(files), &k->files);
			n = table_slot(files);
			__sync_fetch_and_add(&ntables, 1);
			if (n)
				__sync_fetch_and_add(n, 1);
		}
		tab = bpf_map_lookup_elem(&fdtabs, &k->files);
	}
	if (!tab || bpf_map_update_elem(&socks, k, nv, BPF_NOEXIST)) {
		v = bpf_map_lookup_elem(&socks, k);
		if (v && v->file == nv->file && v->ino == nv->ino)
			return v;
		__sync_fetch_and_add(&untracked, 1);
		return NULL;
	}
	__sync_fetch_and_add(&nsocks, 1);
	__sync_fetch_and_add(&tab->count, 1);
	/* Racing threads may each add: the sum only overshoots, and a walk
	 * that goes a little too far costs a few lookups. */
	if (k->fd > tab->maxfd)
		__sync_fetch_and_add(&tab->maxfd, k->fd - tab->maxfd);
	return bpf_map_lookup_elem(&socks, k);
}

/* What starts the tracking of a socket, besides its ends. */
struct newsock {
	__u64 file;
	__u64 sk;
	__u64 cgroup;
	__u8 origin;
	__u8 dir;
};

/* Starts tracking the socket n->sk (n->file) on k for task t. */
static __noinline struct sock_val *track(struct fd_key *k, const struct ends *ends,
					  const struct newsock *n, struct task_struct *t)
{
	struct sock_val *nv = scratch_val();

	if (!nv)
		return NULL;
	nv->id = new_id();
	nv->file = n->file;
	nv->ino = file_ino(n->file);
	nv->sk = n->sk;
	nv->start_ns = bpf_ktime_get_ns();
	nv->sent_bytes = 0;
	nv->sends = 0;
	nv->recv_bytes = 0;
	nv->recvs = 0;
	nv->cgroup = n->cgroup;
	nv->pstart = task_pstart(t);
	nv->netns = sock_netns((struct sock *)n->sk);
	nv->owner = task_tgid(t);
	nv->nspid = ns_tgid(t);
	nv->gen = 0;
	nv->shown = 0;
	nv->origin = n->origin;
	nv->dir = n->dir;
	nv->flags = 0;
	nv->ends = *ends;
	return insert(k, nv);
}

/* Which side opened a TCP socket socktrace did not see open: one that
 * came from a listener (accept) inherits its backlog; one that connected
 * has none. (A listener made with a backlog of 0 passes for the latter.) */
static __always_inline __u8 tcp_opener(const struct sock_val *v)
{
	struct sock *sk = (struct sock *)v->sk;

	if (v->dir != DIR_UNKNOWN)
		return v->dir;
	return BPF_CORE_READ(sk, sk_max_ack_backlog) ? DIR_IN : DIR_OUT;
}

/*
 * The kernel's own byte counters of a TCP socket, made comparable with
 * the syscalls' totals: they count sequence numbers, so the SYN the
 * connecting side sent takes one of bytes_acked, our FIN once acked one
 * more, and the peer's FIN one of bytes_received; each is taken off where
 * the socket shows it. The peer's FIN: SOCK_DONE, which only its arrival
 * sets. Ours: acked (snd_una reached write_seq, which counts it) in
 * FIN_WAIT2, or in CLOSE after both FINs (a reset instead leaves an acked
 * FIN of ours counted).
 */
static __always_inline void tcp_counters(struct event *e, const struct sock_val *v)
{
	struct tcp_sock *tp = (struct tcp_sock *)v->sk;
	struct sock *sk = (struct sock *)v->sk;
	__u8 state = BPF_CORE_READ(sk, __sk_common.skc_state);
	__u64 acked = BPF_CORE_READ(tp, bytes_acked), received = BPF_CORE_READ(tp, bytes_received);
	bool peer_fin = BPF_CORE_READ(sk, __sk_common.skc_flags) &
			(1UL << bpf_core_enum_value(enum sock_flags, SOCK_DONE));
	bool fin_acked = state == TCP_FIN_WAIT2 ||
			 (state == TCP_CLOSE && peer_fin && BPF_CORE_READ(tp, snd_una) == BPF_CORE_READ(tp, write_seq));

	if (acked && tcp_opener(v) == DIR_OUT)
		acked--;
	if (acked && fin_acked)
		acked--;
	if (received && peer_fin)
		received--;
	e->close.tcp_bytes_acked = acked;
	e->close.tcp_bytes_received = received;
	e->h.flags |= EVF_TCP;
}

static __always_inline struct sock_val *scratch_ended(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	return s ? &s->ended : NULL;
}

/* Reports the end of a tracked descriptor (unless it is a fork's copy
 * never used) and forgets it. alive: the socket is certainly still open,
 * so its TCP counters can be read. Whoever takes the entry out reports
 * it, once, however many threads end it at the same moment (the threads
 * of a dying process). */
static __noinline void end_sock(struct fd_key *k, struct sock_val *v, __u8 reason, bool alive)
{
	struct sock_val *was = scratch_ended();
	struct event *e = NULL;
	struct fdtab *tab;
	bool connecting;

	if (!was)
		return;
	*was = *v;
	if (bpf_map_delete_elem(&socks, k))
		return;
	__sync_fetch_and_add(&nsocks, -1);
	tab = bpf_map_lookup_elem(&fdtabs, &k->files);
	if (tab)
		__sync_fetch_and_add(&tab->count, -1);
	/* Still connecting if the outcome was not reported yet. */
	connecting = (was->flags & SV_CONNECTING) && !bpf_map_delete_elem(&pending, &was->sk);
	if (!(was->flags & SV_QUIET))
		e = reserve(EV_CLOSE, EVENT_SIZE(struct ev_close));
	if (!e)
		return;
	head_current(&e->h, current_task(), was, EV_CLOSE, k->fd);
	head_sock(&e->h, was);
	e->close.duration_ns = e->h.ts_ns - was->start_ns;
	e->close.sent_bytes = was->sent_bytes;
	e->close.sends = was->sends;
	e->close.recv_bytes = was->recv_bytes;
	e->close.recvs = was->recvs;
	e->close.reason = reason;
	e->close.owner = was->owner;
	e->close.owner_pstart = was->pstart;
	e->close.tcp_bytes_acked = 0;
	e->close.tcp_bytes_received = 0;
	if (connecting)
		e->h.flags |= EVF_CONNECTING;
	if (was->flags & SV_INCOMPLETE)
		e->h.flags |= EVF_INCOMPLETE;
	if (alive && was->ends.proto == IPPROTO_TCP)
		tcp_counters(e, was);
	submit(e);
}

/* A child's copy of v at fd of its table child: quiet until used. */
static __always_inline void fork_copy(__u64 child, __s32 fd, struct sock_val *v)
{
	struct fd_key ck = { .files = child, .fd = fd };
	struct sock_val *nv;

	if (!holds(v, fd_file(child, fd)) || !(nv = scratch_val()))
		return;
	*nv = *v;
	nv->id = new_id();
	nv->start_ns = bpf_ktime_get_ns();
	nv->sent_bytes = 0;
	nv->sends = 0;
	nv->recv_bytes = 0;
	nv->recvs = 0;
	nv->owner = 0;		/* set at first use, by whoever uses it */
	nv->shown = 0;		/* a new id: user space knows nothing of it */
	nv->origin = ORIGIN_FORK;
	nv->flags = SV_QUIET;
	insert(&ck, nv);
}

enum walk_mode {
	WALK_EXIT,	/* the table dies: every descriptor ends */
	WALK_GONE,	/* exec, close_range: those whose fd no longer holds the file */
	WALK_FORK,	/* copy to the child's new table */
	WALK_ORPHANS,	/* a new table where a dead one was: what is left of that goes */
};

struct walk {
	__u64 files;
	__u64 child;
	__s32 lo;
	__u32 how;	/* mode << 8 | reason */
};

/*
 * One fd of a walk. A global function: the verifier checks it once, so
 * the loops calling it stay small enough to verify on any kernel.
 */
__noinline int walk_fd(__u64 files, __s32 fd, __u64 child, __u32 how)
{
	struct fd_key k = { .files = files, .fd = fd };
	struct sock_val *v = bpf_map_lookup_elem(&socks, &k);
	__u8 mode = how >> 8;

	if (!v)
		return 0;
	if (mode == WALK_FORK) {
		fork_copy(child, fd, v);
	} else if (mode == WALK_ORPHANS) {
		/* Another process's: not to be told as this one's. */
		if (!bpf_map_delete_elem(&socks, &k)) {
			__sync_fetch_and_add(&nsocks, -1);
			__sync_fetch_and_add(&orphaned, 1);
		}
	} else if (holds(v, fd_file(files, fd))) {
		if (mode == WALK_EXIT)
			end_sock(&k, v, REASON_EXIT, true);
	} else {
		end_sock(&k, v, mode == WALK_EXIT ? REASON_UNSEEN : how & 0xff, false);
	}
	return 0;
}

static int walk_cb(__u32 i, struct walk *w)
{
	walk_fd(w->files, w->lo + i, w->child, w->how);
	return 0;
}

/* Without bpf_loop (before 5.17) a walk covers this many fds; a table
 * reaching further is counted (unswept). */
#define WALK_BOUNDED 1024

/* Walks the tracked descriptors of files from lo to hi. use_loop must be
 * a constant: programs that use bpf_loop cannot even load on kernels
 * without it, so they come in two variants. */
static __always_inline void walk(struct walk *w, __s64 hi, bool use_loop)
{
	struct fdtab *tab = bpf_map_lookup_elem(&fdtabs, &w->files);
	__s64 n;

	if (!tab || tab->count <= 0)
		return;
	if (hi > tab->maxfd)
		hi = tab->maxfd;
	n = hi - w->lo + 1;
	if (n <= 0)
		return;
	if (use_loop) {
		bpf_loop(n, walk_cb, w, 0);
		return;
	}
	for (int i = 0; i < WALK_BOUNDED; i++) {
		if (i >= n)
			return;
		walk_fd(w->files, w->lo + i, w->child, w->how);
	}
	__sync_fetch_and_add(&unswept, 1);
}

#endif
