/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The calls in flight: what an entry hook leaves for the exit hook of the
 * same thread, keyed by pid_tgid.
 */
#ifndef CALLS_H
#define CALLS_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "kernel.h"
#include "state.h"
#include "table.h"

/* call.flags: a sendmmsg/recvmmsg syscall, whose exit has each message's
 * length in the process's memory; a receive whose exit reads the source
 * the process asked for (from uaddr); in the kernel's msghdr (uaddr). */
#define CF_MMSG 0x80
#define CF_SOURCE 0x40
#define CF_KMSG 0x20

enum call_kind {
	CK_CONNECT = 1,
	CK_CLOSE_RANGE,
	CK_IO,		/* a send or receive, on file */
	CK_LISTEN,
};

struct call {
	__u64 file;	/* the file on fd at entry: the socket the call works on */
	__u64 ino;	/* its inode number */
	__u64 sk;
	__u64 uaddr;	/* connect: the sockaddr; syscall sends and receives: sockaddr or msghdr */
	__u64 ts;	/* connect: when it was called */
	__s32 fd;
	__s32 addrlen;	/* connect's; recvfrom's room for the source */
	__u32 lo;	/* close_range; listen: the backlog */
	__u32 hi;
	__u8 kind;	/* enum call_kind */
	__u8 call;	/* enum io_call */
	__u8 send;
	__u8 flags;	/* EVF_DEST, EVF_DEST_USER, CF_* */
	__u32 msgflags;
	struct ends dest;
};

/* A plain hash, not an LRU: nothing may evict another thread's call.
 * An entry is the thread's slot, kept from its first hooked call to its
 * exit: a call is written into it and ended by clearing its kind, so the
 * calls a thread makes after its first cost two lookups, not an insert
 * and a delete (README, Performance). User space sizes it to pid_max, so
 * that every thread the kernel can have fits; a full table (pid_max
 * raised later) is counted, never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct call);
} calls SEC(".maps");

/*
 * A thread makes one call at a time, and every hooked return ends its
 * call: one still pending at the thread's next call, or at its exit, had
 * its return missed (a kretprobe holds only so many calls in flight).
 * Count it, and mark its socket (files: the table of the current task).
 */
static __always_inline void missed_return(const struct call *old, __u64 files)
{
	struct fd_key k = { .files = files, .fd = old->fd };
	struct sock_val *v = bpf_map_lookup_elem(&socks, &k);

	__sync_fetch_and_add(&unreturned, 1);
	if (v && (!old->sk || v->sk == old->sk))
		v->flags |= SV_INCOMPLETE;
}

/* Leaves c for the exit hook; k, when given, is the descriptor whose
 * totals would miss it if the table is full. */
static __always_inline void save_call(const struct call *c, struct fd_key *k)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *slot = bpf_map_lookup_elem(&calls, &id);
	struct sock_val *v;

	if (slot) {
		if (slot->kind)
			missed_return(slot, cur_files(current_task()));
		*slot = *c;
		return;
	}
	if (!bpf_map_update_elem(&calls, &id, c, BPF_NOEXIST))
		return;
	/* The table is full: say so, and mark the socket whose totals will
	 * miss this call. */
	__sync_fetch_and_add(&incomplete, 1);
	v = k ? bpf_map_lookup_elem(&socks, k) : NULL;
	if (v)
		v->flags |= SV_INCOMPLETE;
}

/* The pending call of this thread if it is of kind. */
static __always_inline struct call *find_call(__u8 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &id);

	return c && c->kind == kind ? c : NULL;
}

/* The call c (find_call's) returned: its slot is free for the next. */
static __always_inline void end_call(struct call *c)
{
	c->kind = 0;
}

#endif
