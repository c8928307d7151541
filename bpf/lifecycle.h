/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Where descriptors end: close(), dup2()/dup3() onto one, close_range(),
 * and the lives of processes: exit (the last holder of a table), exec
 * (close-on-exec), fork (a child's copy of the table).
 */
#ifndef LIFECYCLE_H
#define LIFECYCLE_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "calls.h"
#include "filter.h"
#include "kernel.h"
#include "state.h"
#include "syscalls.h"
#include "table.h"
#include "untraced.h"

/* Descriptor tables that several processes share (clone(CLONE_FILES)
 * without CLONE_THREAD): how many processes hold each beyond one. The
 * threads of a process that die together may each see the others still
 * holding their table; the last to leave the thread group ends its
 * descriptors unless another process holds it too. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u32);
} shared_tables SEC(".maps");

/* The shared table each such process holds, by tgid: an exec gives it
 * one of its own, and the old one then has a holder fewer. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} sharers SEC(".maps");

static __always_inline int close_fd(int fd)
{
	/* Read as a number, not a BTF pointer: table_slot() hashes it. */
	struct fd_key k = { .files = task_files(current_task()), .fd = fd };
	struct sock_val *v;

	if (!table_may_track(k.files))
		return 0;
	v = bpf_map_lookup_elem(&socks, &k);

	/* close() is handled at entry only: Linux releases the descriptor
	 * whatever close returns, and a return probe on the hottest hooked
	 * syscall would cost every close on the machine. */
	if (v) {
		if (holds(v, cur_fd_file(fd)))
			end_sock(&k, v, REASON_CLOSE, true);
		else
			end_sock(&k, v, REASON_UNSEEN, false);
	}
	return 0;
}

static __always_inline int close_enter(const long *a)
{
	return close_fd(a[0]);
}

/* dup2/dup3 returned newfd: if a tracked socket was there, it is gone. */
static __always_inline int dup_exit(long ret)
{
	struct fd_key k = { .files = task_files(current_task()), .fd = ret };
	struct sock_val *v;

	if (ret < 0 || !table_may_track(k.files))
		return 0;
	v = bpf_map_lookup_elem(&socks, &k);
	if (v && !holds(v, cur_fd_file(k.fd)))
		end_sock(&k, v, REASON_DUP2, false);
	return 0;
}

static __always_inline int close_range_enter(const long *a)
{
	struct call c = { .kind = CK_CLOSE_RANGE, .lo = a[0], .hi = a[1], .msgflags = a[2] };
	__u64 files = task_files(current_task());
	struct fdtab *tab = bpf_map_lookup_elem(&fdtabs, &files);

	if (tab && tab->count > 0 && !(c.msgflags & CLOSE_RANGE_CLOEXEC))
		save_call(&c, NULL);
	return 0;
}

static __noinline int close_range_exit(long ret)
{
	struct call *c = find_call(CK_CLOSE_RANGE);
	struct walk w = {};

	if (!c)
		return 0;
	if (ret == 0 && c->lo <= 0x7fffffff) {
		w.files = task_files(current_task());
		w.child = 0;
		w.lo = c->lo;
		w.mode = WALK_GONE;
		w.reason = REASON_CLOSE_RANGE;
		/* Bounded: this program must load on every kernel. What is
		 * beyond is found at exec or exit. */
		walk(&w, c->hi, false);
	}
	end_call(c);
	return 0;
}

/* A 32-bit syscall in the raw dispatch: its close is followed; the rest
 * of its socket calls are not, and said once. */
static __always_inline int compat_enter(struct pt_regs *regs, long nr)
{
	if (!task_compat(current_task()))
		return 0;
	if (nr == NR32_close)
		return close_fd(COMPAT_ARG1(regs));
	say_untraced(UNTRACED_COMPAT);
	return 0;
}

/* ---- processes: exit, exec, fork ---- */

/* Process tgid no longer holds the shared table files (it exited, or
 * exec gave it its own): false when it was the last holder. */
static __always_inline bool let_go(__u32 tgid, __u64 files)
{
	__u32 *others = bpf_map_lookup_elem(&shared_tables, &files);

	bpf_map_delete_elem(&sharers, &tgid);
	if (!others)
		return false;
	if (*others > 0) {
		__sync_fetch_and_add(others, -1);
		return true;
	}
	bpf_map_delete_elem(&shared_tables, &files);
	return false;
}

static __always_inline int on_exit(bool use_loop)
{
	struct task_struct *t = current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct files_struct *fs = BPF_CORE_READ(t, files);
	__u64 files = (__u64)fs;
	struct walk w = { .files = files, .mode = WALK_EXIT };
	bool group_dead = !BPF_CORE_READ(t, signal, live.counter);
	bool last = fs && BPF_CORE_READ(fs, count.counter) == 1;
	struct call *c;

	/* A call returns before its thread exits: one still pending lost
	 * its return. The thread's slot goes with it. */
	c = bpf_map_lookup_elem(&calls, &id);
	if (c) {
		if (c->kind)
			missed_return(c, files);
		bpf_map_delete_elem(&calls, &id);
	}
	if (filter.follow && group_dead) {
		__u32 tgid = id >> 32;

		bpf_map_delete_elem(&followed, &tgid);
	}
	if (!fs)
		return 0;
	/* The descriptors end with the last task holding their table. Its
	 * threads dying together may each see another still holding it:
	 * then the last to leave the thread group (it and the threads still
	 * on their way out make no more calls) ends them, unless another
	 * process holds the table too. */
	if (group_dead && let_go(id >> 32, files) && !last)
		return 0;
	if (!last && !group_dead)
		return 0;
	if (!table_may_track(files))
		return 0;
	walk(&w, 0x7fffffff, use_loop);
	forget_table(files);
	return 0;
}

/* old_pid: the thread's id before exec; a thread other than the leader
 * that execs takes the leader's, and its call slot under the old one
 * would be kept by nothing (calls.h). */
static __always_inline int on_exec(__u32 old_pid, bool use_loop)
{
	__u64 files = task_files(current_task());
	struct walk w = { .files = files, .mode = WALK_GONE, .reason = REASON_EXEC };
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	__u64 *held = bpf_map_lookup_elem(&sharers, &tgid);

	if (old_pid != (__u32)id) {
		id = (id & ~0xffffffffULL) | old_pid;
		bpf_map_delete_elem(&calls, &id);
	}

	/* A process that shared its table has one of its own after exec. */
	if (held && *held != files)
		let_go(tgid, *held);
	walk(&w, 0x7fffffff, use_loop);
	return 0;
}

/* A child with a table of its own inherits the tracked descriptors; one
 * that shares its parent's (CLONE_FILES) is one more holder of it. */
static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child, bool use_loop)
{
	struct walk w = { .files = task_files(parent), .child = task_files(child), .mode = WALK_FORK };
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);

	follow_fork(parent, child);
	if (!w.files || !w.child)
		return 0;
	if (w.files == w.child) {
		__u32 none = 0, *others;

		if (ptgid == ctgid)
			return 0;	/* a thread */
		bpf_map_update_elem(&shared_tables, &w.files, &none, BPF_NOEXIST);
		others = bpf_map_lookup_elem(&shared_tables, &w.files);
		if (others)
			__sync_fetch_and_add(others, 1);
		bpf_map_update_elem(&sharers, &ptgid, &w.files, BPF_ANY);
		bpf_map_update_elem(&sharers, &ctgid, &w.files, BPF_ANY);
		return 0;
	}
	/* A new table where a dead one was, whose end went unseen: what is
	 * left of that is another process's, and goes (counted). */
	if (table_may_track(w.child) && bpf_map_lookup_elem(&fdtabs, &w.child)) {
		struct walk o = { .files = w.child, .mode = WALK_ORPHANS };

		walk(&o, 0x7fffffff, use_loop);
		forget_table(w.child);
	}
	walk(&w, 0x7fffffff, use_loop);
	return 0;
}

#endif
