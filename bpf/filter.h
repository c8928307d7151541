/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The filters, applied in the kernel when the tracking of a socket begins
 * (connect, accept, first use, found at start): a socket that passes is
 * followed to its end. Set by user space through rodata before load; what
 * is not set costs nothing, the verifier drops it.
 */
#ifndef FILTER_H
#define FILTER_H

/* The process: */
const volatile __u32 filter_pid = 0;
const volatile char filter_comm[COMM_LEN] = {};
const volatile bool filter_uid_set = false;
const volatile __u32 filter_uid = 0;
const volatile __u64 filter_cgroup = 0;		/* a cgroup v2 id: it, or one below */
const volatile bool filter_follow = false;	/* and every descendant of a match */
/* The pid namespace socktrace runs in (its inode number) when it is not
 * the initial one: --pid is matched, and pids are told, as seen there. */
const volatile __u32 viewer_pidns = 0;

/* Whether any of the process filters is set. */
#define PROC_FILTERED (filter_pid || filter_comm[0] || filter_uid_set || filter_cgroup || filter_follow)

/* The socket: */
const volatile __u8 filter_family = 0;
const volatile __u8 filter_proto = 0;
const volatile __u8 nports = 0, nsports = 0, ndports = 0, nprefixes = 0;
const volatile __u16 filter_ports[PORTS_MAX] = {};	/* either end */
const volatile __u16 filter_sports[PORTS_MAX] = {};
const volatile __u16 filter_dports[PORTS_MAX] = {};
const volatile struct prefix filter_prefixes[PREFIXES_MAX] = {};	/* either end */
/* Only failed connects, at once or later, and nothing else. */
const volatile bool filter_failed = false;

__u64 unfollowed = 0;	/* descendants not followed: the table was full */

/* Processes --follow follows: descendants of a match, from their fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

/* kernfs_node.parent became __parent in 6.14. */
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(((struct kernfs_node___new *)0)->__parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* Whether t's cgroup (v2) is filter_cgroup or below it. */
static __always_inline bool in_cgroup(struct task_struct *t)
{
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);

	for (int i = 0; i < 32 && kn; i++) {
		if (BPF_CORE_READ(kn, id) == filter_cgroup)
			return true;
		kn = kn_parent(kn);
	}
	return false;
}

/* The number of pid p in socktrace's own pid namespace, 0 where it has
 * none there (a process outside it). */
static __always_inline __u32 viewer_nr(struct pid *p)
{
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up;

	for (unsigned int i = 1; i < 8; i++) {
		if (i > level)
			break;
		bpf_probe_read_kernel(&up, sizeof(up), (void *)p + bpf_core_field_offset(struct pid, numbers) +
				      i * sizeof(struct upid));
		if (BPF_CORE_READ(up.ns, ns.inum) == viewer_pidns)
			return up.nr;
	}
	return 0;
}

static __always_inline __u32 task_tgid(struct task_struct *t)
{
	if (viewer_pidns)
		return viewer_nr(BPF_CORE_READ(t, group_leader, thread_pid));
	return BPF_CORE_READ(t, tgid);
}

static __always_inline __u32 task_tid(struct task_struct *t)
{
	if (viewer_pidns)
		return viewer_nr(BPF_CORE_READ(t, thread_pid));
	return BPF_CORE_READ(t, pid);
}

static __always_inline bool comm_is(const char *comm)
{
	for (int i = 0; i < COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* --pid and --comm. --comm matches the thread's name or the process's
 * (its main thread's). */
static __always_inline bool proc_named(struct task_struct *t)
{
	char comm[COMM_LEN];

	if (filter_pid && task_tgid(t) != filter_pid)
		return false;
	if (filter_comm[0]) {
		BPF_CORE_READ_STR_INTO(&comm, t, comm);
		if (comm_is(comm))
			return true;
		BPF_CORE_READ_STR_INTO(&comm, t, group_leader, comm);
		return comm_is(comm);
	}
	return true;
}

/* Whether t's process passes the process filters. */
static __always_inline bool proc_traced(struct task_struct *t)
{
	if (filter_uid_set && BPF_CORE_READ(t, real_cred, uid.val) != filter_uid)
		return false;
	if (filter_cgroup && !in_cgroup(t))
		return false;
	if (filter_follow) {
		__u32 tgid = BPF_CORE_READ(t, tgid);

		if (bpf_map_lookup_elem(&followed, &tgid))
			return true;
	}
	return proc_named(t);
}

/* --follow: a child of a followed process (or of a match) is followed. */
static __always_inline void follow_fork(struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid, ctgid = BPF_CORE_READ(child, tgid);
	__u8 one = 1;

	if (!filter_follow || ctgid == (__u32)BPF_CORE_READ(parent, tgid))
		return;	/* a thread */
	ptgid = BPF_CORE_READ(parent, tgid);
	if (!bpf_map_lookup_elem(&followed, &ptgid) && !proc_named(parent))
		return;
	if (bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY))
		__sync_fetch_and_add(&unfollowed, 1);
}

static __always_inline bool port_in(__u16 port, const volatile __u16 *list, __u8 n)
{
	for (int i = 0; i < PORTS_MAX; i++)
		if (i < n && list[i] == port)
			return true;
	return false;
}

/* Whether addr (of family, 16 bytes) is in prefix p; an IPv4-mapped IPv6
 * address is the IPv4 address for an IPv4 prefix. */
static __always_inline bool prefix_has(const volatile struct prefix *p, const __u8 *addr, __u8 family)
{
	__u8 a[16] = {};
	__u8 bits = p->bits;

	if (p->family == AF_INET) {
		if (family == AF_INET6) {
			for (int i = 0; i < 10; i++)
				if (addr[i])
					return false;
			if (addr[10] != 0xff || addr[11] != 0xff)
				return false;
			__builtin_memcpy(a, addr + 12, 4);
		} else {
			__builtin_memcpy(a, addr, 4);
		}
	} else if (family == AF_INET) {
		a[10] = a[11] = 0xff;	/* an IPv6 prefix sees IPv4 as mapped */
		__builtin_memcpy(a + 12, addr, 4);
	} else {
		__builtin_memcpy(a, addr, 16);
	}
	for (int i = 0; i < 16; i++) {
		__u8 mask = bits >= 8 ? 0xff : (__u8)(0xff00 >> bits);

		if (bits == 0)
			break;
		if ((a[i] ^ p->addr[i]) & mask)
			return false;
		bits = bits >= 8 ? bits - 8 : 0;
	}
	return true;
}

/* Whether the socket whose ends are in the CPU's scratch passes the
 * socket filters; its own family decides. A global function: verified
 * once however many places call it. */
__noinline int sock_filters_pass(void)
{
	__u32 zero = 0;
	struct scratch *scr = bpf_map_lookup_elem(&scratch, &zero);
	struct ends *e = scr ? &scr->ends : NULL;
	bool any = !nprefixes;

	if (!e)
		return 0;
	if (filter_family && e->family != filter_family)
		return 0;
	if (filter_proto && e->proto != filter_proto)
		return 0;
	if (nports && !port_in(e->sport, filter_ports, nports) && !port_in(e->dport, filter_ports, nports))
		return 0;
	if (nsports && !port_in(e->sport, filter_sports, nsports))
		return 0;
	if (ndports && !port_in(e->dport, filter_dports, ndports))
		return 0;
	for (int i = 0; i < PREFIXES_MAX && !any; i++)
		if (i < nprefixes && (prefix_has(&filter_prefixes[i], e->saddr, e->family) ||
				      prefix_has(&filter_prefixes[i], e->daddr, e->dfamily ? e->dfamily : e->family)))
			any = true;
	return any;
}

static __always_inline bool sock_traced(const struct ends *e)
{
	__u32 zero = 0;
	struct scratch *scr;

	if (!filter_family && !filter_proto && !nports && !nsports && !ndports && !nprefixes)
		return true;
	scr = bpf_map_lookup_elem(&scratch, &zero);
	if (!scr)
		return false;
	scr->ends = *e;
	return sock_filters_pass();
}

#endif
