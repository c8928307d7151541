/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The table of tracked descriptors: entering one, ending one, and walking
 * a process's descriptor table (exit, exec, close_range, fork).
 */
#ifndef TABLE_H
#define TABLE_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "emit.h"
#include "kernel.h"
#include "state.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fd_key);
	__type(value, struct sock_val);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct fdtab);
} fdtabs SEC(".maps");

/* How many descriptor tables with an entry in fdtabs fall in each slot,
 * by a hash of their address: a close in a table whose slot is 0 needs
 * no lookup in socks. Most closes on a machine are of files, in processes
 * with no tracked socket, and an array lookup is a few instructions where
 * a hash lookup is a hash (README, Performance). */
#define TABLE_SLOTS 65536

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TABLE_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} table_slots SEC(".maps");

/* A connect in progress: the event to complete when the kernel finishes
 * the handshake, outside the caller's context (connect.h). */
struct pending_connect {
	struct event_head head;	/* the connect as it returned */
	__u32 told;		/* its outcome went out, but the entry could not be taken out */
	__u32 pad;
};

/* Connects in progress, by struct sock. Only a tracked socket has one, so
 * with as many entries as socks it cannot fill before socks does: no
 * process can crowd out another's outcomes. A descriptor that ends takes
 * its entry out. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct pending_connect);
} pending SEC(".maps");

/* Takes sk's pending connect p: true if the caller is the one to tell its
 * outcome. Whoever deletes the entry tells it. A 5.10 kernel refuses a
 * delete that interrupts another operation on the map on the same CPU
 * (-EBUSY: the handshake ends in a timer while a connect returns): the
 * entry then stays, marked told, and the outcome still goes out once. */
static __always_inline bool take_pending(__u64 sk, struct pending_connect *p)
{
	long err;

	if (p->told)
		return false;
	err = bpf_map_delete_elem(&pending, &sk);
	if (err == -ENOENT)
		return false;
	if (err)
		p->told = 1;
	return true;
}

/* Room for descriptors too large for the BPF stack: the one being
 * entered, and the one end_sock() took out. */
struct scratch_vals {
	struct sock_val v;
	struct sock_val ended;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch_vals);
} scratch_vals SEC(".maps");

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
	struct scratch_vals *s = bpf_map_lookup_elem(&scratch_vals, &zero);

	return s ? &s->v : NULL;
}

static __always_inline struct sock_val *scratch_ended(void)
{
	__u32 zero = 0;
	struct scratch_vals *s = bpf_map_lookup_elem(&scratch_vals, &zero);

	return s ? &s->ended : NULL;
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
	__builtin_memset(nv, 0, sizeof(*nv));
	nv->info.id = new_id();
	nv->info.cgroup = n->cgroup;
	nv->info.netns = sock_netns((struct sock *)n->sk);
	nv->info.fd = k->fd;
	nv->info.origin = n->origin;
	nv->info.dir = n->dir;
	nv->info.ends = *ends;
	nv->file = n->file;
	nv->ino = file_ino(n->file);
	nv->sk = n->sk;
	nv->start_ns = bpf_ktime_get_ns();
	/* An iterator's task is not the current one. */
	if ((__u64)t == bpf_get_current_task()) {
		nv->pstart = cur_pstart(t);
		nv->owner = cur_tgid(t);
		nv->nspid = cur_ns_tgid(t);
	} else {
		nv->pstart = task_pstart(t);
		nv->owner = task_tgid(t);
		nv->nspid = ns_tgid(t);
	}
	return insert(k, nv);
}

/* Which side opened a TCP socket socktrace did not see open: one that
 * came from a listener (accept) inherits its backlog; one that connected
 * has none. (A listener made with a backlog of 0 passes for the latter.) */
static __always_inline __u8 tcp_opener(const struct sock_val *v)
{
	struct sock *sk = (struct sock *)v->sk;

	if (v->info.dir != DIR_UNKNOWN)
		return v->info.dir;
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
	connecting = false;
	if (was->flags & SV_CONNECTING) {
		struct pending_connect *p = bpf_map_lookup_elem(&pending, &was->sk);
		bool told = !p || p->told;

		connecting = !bpf_map_delete_elem(&pending, &was->sk) && !told;
	}
	if (!(was->flags & SV_QUIET))
		e = reserve(EV_CLOSE, EVENT_SIZE(struct ev_close));
	if (!e)
		return;
	head_of(&e->h, EV_CLOSE, current_task(), was);
	e->close.duration_ns = e->h.who.ts_ns - was->start_ns;
	e->close.totals = was->totals;
	e->close.reason = reason;
	e->close.owner = was->owner;
	e->close.owner_pstart = was->pstart;
	e->close.tcp_bytes_acked = 0;
	e->close.tcp_bytes_received = 0;
	if (connecting)
		e->h.flags |= EVF_CONNECTING;
	if (was->flags & SV_INCOMPLETE)
		e->h.flags |= EVF_INCOMPLETE;
	if (alive && was->info.ends.proto == IPPROTO_TCP)
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
	nv->info.id = new_id();
	nv->start_ns = bpf_ktime_get_ns();
	__builtin_memset(&nv->totals, 0, sizeof(nv->totals));
	nv->owner = 0;		/* set at first use, by whoever uses it */
	nv->shown = 0;		/* a new id: user space knows nothing of it */
	nv->info.origin = ORIGIN_FORK;
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
	__u64 child;	/* WALK_FORK: the child's table */
	__s32 lo;
	__u8 mode;	/* enum walk_mode */
	__u8 reason;	/* WALK_GONE: the reason a descriptor no longer held ended */
	__u8 pad[2];
};

/*
 * One fd of a walk. A global function: the verifier checks it once, so
 * the loops calling it stay small enough to verify on any kernel.
 */
__noinline int walk_fd(__u64 files, __s32 fd, __u64 child, __u8 mode, __u8 reason)
{
	struct fd_key k = { .files = files, .fd = fd };
	struct sock_val *v = bpf_map_lookup_elem(&socks, &k);

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
		end_sock(&k, v, mode == WALK_EXIT ? REASON_UNSEEN : reason, false);
	}
	return 0;
}

static int walk_cb(__u32 i, struct walk *w)
{
	walk_fd(w->files, w->lo + i, w->child, w->mode, w->reason);
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
		walk_fd(w->files, w->lo + i, w->child, w->mode, w->reason);
	}
	__sync_fetch_and_add(&unswept, 1);
}

/* The fdtabs entry of a table whose descriptors are all gone. */
static __always_inline void forget_table(__u64 files)
{
	__u32 *n;

	if (bpf_map_delete_elem(&fdtabs, &files))
		return;
	n = table_slot(files);
	__sync_fetch_and_add(&ntables, -1);
	if (n)
		__sync_fetch_and_add(n, -1);
}

#endif
