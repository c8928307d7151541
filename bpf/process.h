/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Processes told to user space (struct proc_record): once per process,
 * and again after it runs another program, before the first event of a
 * socket it tracks. Not an event kind: it goes whatever --events selects,
 * and a full ring only delays it to the next socket.
 */
#ifndef PROCESS_H
#define PROCESS_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "emit.h"
#include "kernel.h"

/* What was told of a process: which one, under which name. */
struct told {
	__u64 pstart;
	char name[COMM_LEN];
};

/* The CPU's scratch for what is told: off the BPF stack, which the
 * programs that track sockets have little of left (512 bytes for a whole
 * call chain, and a viewer's pid namespace takes more of it). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct told);
} told_scratch SEC(".maps");

/* By tgid. LRU: a process pushed out is told again, which costs a record. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct told);
} told_procs SEC(".maps");

/* The process this CPU told or found told last: a connect loop, a server
 * accepting, asks again and again of the same one, and an array lookup
 * spares it the LRU table's hash and locking. Whatever told_procs would
 * answer, this answers too: it holds only what was told. */
struct told_last {
	__u32 tgid;
	__u32 pad;
	struct told t;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct told_last);
} told_last SEC(".maps");

static __always_inline bool told_same(const struct told *a, const struct told *b)
{
	if (a->pstart != b->pstart)
		return false;
	for (int i = 0; i < COMM_LEN; i++) {
		if (a->name[i] != b->name[i])
			return false;
		if (!a->name[i])
			break;
	}
	return true;
}

static __always_inline void remember_told(struct told_last *last, __u32 tgid, const struct told *t)
{
	if (!last)
		return;
	last->tgid = tgid;
	last->t = *t;
}

/* t's cgroup v2: its id, its name and its nearest ancestors' names. */
static __always_inline void tell_cgroup(struct proc_record *r, struct task_struct *t)
{
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);

	r->cgroup = BPF_CORE_READ(kn, id);
	r->cgroup_leaf[0] = '\0';
	if (!cgroup_names) {
		for (int i = 0; i < CGROUP_UP; i++)
			r->cgroup_up[i][0] = '\0';
		return;
	}
	bpf_probe_read_kernel_str(r->cgroup_leaf, sizeof(r->cgroup_leaf), BPF_CORE_READ(kn, name));
	kn = kn_parent(kn);
#pragma unroll
	for (int i = 0; i < CGROUP_UP; i++) {
		r->cgroup_up[i][0] = '\0';
		if (kn) {
			bpf_probe_read_kernel_str(r->cgroup_up[i], sizeof(r->cgroup_up[i]), BPF_CORE_READ(kn, name));
			kn = kn_parent(kn);
		}
	}
}

/*
 * Tells a process (pid and pstart as the caller has them, which saves
 * reading the pid namespace again: with a viewer's namespace that read is
 * a loop, and the programs that track sockets are near the older
 * kernels' verifier limits), unless told already under its present name.
 * task: its task's address, or 0 for the current task; its arguments are
 * read only from its own context, since user memory of another is not
 * readable here. Its parent is named only when socktrace sees the host's
 * pids. A global function, so the verifier checks it once per program,
 * not at every path that tracks a socket; it takes scalars, as a global
 * function must.
 */
__noinline int tell_process(__u32 pid, __u64 pstart, __u64 task)
{
	struct task_struct *t = task ? (struct task_struct *)task : (struct task_struct *)bpf_get_current_task();
	__u32 tgid = BPF_CORE_READ(t, tgid), zero = 0;
	struct told *now = bpf_map_lookup_elem(&told_scratch, &zero), *was;
	struct told_last *last;
	const unsigned char *exe;
	struct proc_record *r;
	__u64 start, len;

	if (!now)
		return 0;
	now->pstart = pstart;
	BPF_CORE_READ_STR_INTO(&now->name, t, group_leader, comm);
	last = bpf_map_lookup_elem(&told_last, &zero);
	if (last && last->tgid == tgid && told_same(&last->t, now))
		return 0;
	was = bpf_map_lookup_elem(&told_procs, &tgid);
	if (was && told_same(was, now)) {
		remember_told(last, tgid, now);
		return 0;
	}
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r)
		return 0;
	bpf_map_update_elem(&told_procs, &tgid, now, BPF_ANY);
	remember_told(last, tgid, now);
	r->who.ts_ns = bpf_ktime_get_ns();
	r->who.pstart = pstart;
	r->who.pid = pid;
	r->who.tid = pid;
	r->who.uid = BPF_CORE_READ(t, real_cred, uid.val);
	r->who.nspid = 0;
	BPF_CORE_READ_STR_INTO(&r->who.comm, t, comm);
	r->kind = REC_PROCESS;
	r->ppid = viewer_pidns ? 0 : BPF_CORE_READ(t, real_parent, tgid);
	__builtin_memcpy(r->name, now->name, sizeof(r->name));
	r->exe[0] = '\0';
	exe = BPF_CORE_READ(t, mm, exe_file, f_path.dentry, d_name.name);
	if (exe)
		bpf_probe_read_kernel_str(r->exe, sizeof(r->exe), exe);
	r->cmdline_len = 0;
	if (!task) {
		start = BPF_CORE_READ(t, mm, arg_start);
		len = BPF_CORE_READ(t, mm, arg_end) - start;
		if (len > CMDLINE_LEN)
			len = CMDLINE_LEN;
		/* A page not in memory is not read here: then no arguments. */
		if (start && len && !bpf_probe_read_user(r->cmdline, len & (2 * CMDLINE_LEN - 1), (void *)start))
			r->cmdline_len = len;
	}
	tell_cgroup(r, t);
	submit(r);
	return 0;
}

/* t's address as a number, which is what a global function takes (t may
 * be a BTF pointer: an iterator's task). */
static __always_inline __u64 task_addr(struct task_struct *t)
{
	__u64 a = 0;

	bpf_probe_read_kernel(&a, sizeof(a), &t);
	return a;
}

/* Tells the calling process (t is current), before an event of a socket
 * it does not track. */
static __always_inline void tell_current(struct task_struct *t)
{
	__u32 pid, tid;

	cur_ids(t, &pid, &tid);
	tell_process(pid, cur_pstart(t), 0);
}

#endif
