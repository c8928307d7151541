/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* Events into the ring buffer: reserve, fill the header, submit. */
#ifndef EMIT_H
#define EMIT_H

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

/* Who: the calling thread (t is current). v, when given, is the tracked
 * descriptor and saves reading the pid namespace again. */
static __always_inline void head_current(struct event_head *h, struct task_struct *t,
					 const struct sock_val *v, __u8 kind, int fd)
{
	h->ts_ns = bpf_ktime_get_ns();
	cur_ids(t, &h->pid, &h->tid);
	h->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	if (v && v->owner == h->pid) {
		h->pstart = v->pstart;
		h->nspid = v->nspid;
	} else {
		h->pstart = task_pstart(t);
		h->nspid = ns_tgid(t);
	}
	h->kind = kind;
	h->fd = fd;
	h->flags = 0;
}

/* Who, for a task that is not running this program (an iterator's). */
static __always_inline void head_task(struct event_head *h, struct task_struct *t, __u8 kind, int fd)
{
	h->ts_ns = bpf_ktime_get_ns();
	h->pid = task_tgid(t);
	h->tid = task_tid(t);
	h->uid = BPF_CORE_READ(t, real_cred, uid.val);
	BPF_CORE_READ_STR_INTO(&h->comm, t, comm);
	h->pstart = task_pstart(t);
	h->nspid = ns_tgid(t);
	h->kind = kind;
	h->fd = fd;
	h->flags = 0;
}

/* Which socket: a tracked descriptor. */
static __always_inline void head_sock(struct event_head *h, const struct sock_val *v)
{
	h->sock = v->id;
	h->cgroup = v->cgroup;
	h->netns = v->netns;
	h->origin = v->origin;
	h->dir = v->dir;
	h->ends = v->ends;
}

#endif
