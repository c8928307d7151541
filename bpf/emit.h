/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* Events into the ring buffer: reserve, fill the header, submit. */
#ifndef EMIT_H
#define EMIT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "kernel.h"
#include "state.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* resized by user space before load */
} events SEC(".maps");

/* A record for kind, or NULL when the kind is not wanted (free: the
 * verifier drops the rest) or the ring is full (counted). */
static __always_inline void *reserve(__u8 kind, __u64 size)
{
	void *e;

	if (!(event_mask & EV_BIT(kind)))
		return NULL;
	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		__sync_fetch_and_add(&lost, 1);
	return e;
}

static __always_inline void submit(void *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	/* Past the threshold, wake the consumer for about one event in 64:
	 * it may be blocked writing its output, and an interrupt for every
	 * event would then cost more than the event. Random, so no pattern
	 * of concurrent producers can skip it for long. */
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes &&
	    !(bpf_get_prandom_u32() & 63))
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* The calling thread's pid and tid as the viewer sees them (t is current). */
static __always_inline void cur_ids(struct task_struct *t, __u32 *pid, __u32 *tid)
{
	__u64 id = bpf_get_current_pid_tgid();

	*pid = viewer_pidns ? task_tgid(t) : id >> 32;
	*tid = viewer_pidns ? task_tid(t) : (__u32)id;
}

/* Who: the calling thread (t is current), at ts. v, when given, is the
 * tracked descriptor and saves reading the pid namespace again. */
static __always_inline void who_current_at(struct who *w, struct task_struct *t, const struct sock_val *v,
					   __u64 ts)
{
	w->ts_ns = ts;
	cur_ids(t, &w->pid, &w->tid);
	w->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(w->comm, sizeof(w->comm));
	if (v && v->owner == w->pid) {
		w->pstart = v->pstart;
		w->nspid = v->nspid;
	} else {
		w->pstart = cur_pstart(t);
		w->nspid = cur_ns_tgid(t);
	}
}

/* Who: the calling thread, now. */
static __always_inline void who_current(struct who *w, struct task_struct *t, const struct sock_val *v)
{
	who_current_at(w, t, v, bpf_ktime_get_ns());
}

/* Who, for a task that is not running this program (an iterator's). */
static __always_inline void who_task(struct who *w, struct task_struct *t)
{
	w->ts_ns = bpf_ktime_get_ns();
	w->pid = task_tgid(t);
	w->tid = task_tid(t);
	w->uid = BPF_CORE_READ(t, real_cred, uid.val);
	BPF_CORE_READ_STR_INTO(&w->comm, t, comm);
	w->pstart = task_pstart(t);
	w->nspid = ns_tgid(t);
}

/* A header: kind, the calling thread at ts, and the tracked descriptor v. */
static __always_inline void head_at(struct event_head *h, __u8 kind, struct task_struct *t,
				    const struct sock_val *v, __u64 ts)
{
	who_current_at(&h->who, t, v, ts);
	h->sock = v->info;
	h->kind = kind;
	h->flags = 0;
}

/* The same, now. */
static __always_inline void head_of(struct event_head *h, __u8 kind, struct task_struct *t,
				    const struct sock_val *v)
{
	head_at(h, kind, t, v, bpf_ktime_get_ns());
}

/* A header-only event (accept, open, disconnect) of v by the caller, at
 * ts: a descriptor that this program has just begun to track is told at
 * the time its entry was made, v->start_ns, with no second clock read (a
 * clock read costs as much as a map lookup, more in a VM). */
static __always_inline void emit_head_at(__u8 kind, struct task_struct *t, const struct sock_val *v, __u64 ts)
{
	struct event *e = reserve(kind, sizeof(struct event_head));

	if (!e)
		return;
	head_at(&e->h, kind, t, v, ts);
	submit(e);
}

static __always_inline void emit_head(__u8 kind, struct task_struct *t, const struct sock_val *v)
{
	emit_head_at(kind, t, v, bpf_ktime_get_ns());
}

#endif
