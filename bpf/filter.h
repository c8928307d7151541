/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The filters, applied in the kernel when the tracking of a socket begins
 * (connect, accept, first use, found at start): a socket that passes is
 * followed to its end. struct filter is the option parser's, set through
 * rodata before load; what is not set costs nothing, the verifier drops it.
 */
#ifndef FILTER_H
#define FILTER_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "socktrace.h"
#include "kernel.h"
#include "state.h"

const volatile struct filter filter = {};

/* Whether any of the process filters is set. */
#define PROC_FILTERED (filter.npids || filter.ncomms || filter.nuids || filter.cgroup || filter.follow)

/* Processes --follow follows: descendants of a match, from their fork. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} followed SEC(".maps");

/* Whether t's cgroup (v2) is filter.cgroup or below it. */
static __always_inline bool in_cgroup(struct task_struct *t)
{
	struct kernfs_node *kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn);

	for (int i = 0; i < 32 && kn; i++) {
		if (BPF_CORE_READ(kn, id) == filter.cgroup)
			return true;
		kn = kn_parent(kn);
	}
	return false;
}

static __always_inline bool comm_is(const char *comm, const volatile char *want)
{
	for (int i = 0; i < COMM_LEN; i++) {
		if (comm[i] != want[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool comm_listed(const char *comm)
{
	for (int i = 0; i < NAMED_MAX; i++)
		if (i < filter.ncomms && comm_is(comm, filter.comms[i]))
			return true;
	return false;
}

static __always_inline bool pid_listed(__u32 tgid)
{
	for (int i = 0; i < NAMED_MAX; i++)
		if (i < filter.npids && filter.pids[i] == tgid)
			return true;
	return false;
}

static __always_inline bool uid_listed(__u32 uid)
{
	for (int i = 0; i < NAMED_MAX; i++)
		if (i < filter.nuids && filter.uids[i] == uid)
			return true;
	return false;
}

/* --pid and --comm, each any of its list. --comm matches the thread's
 * name or the process's (its main thread's). */
static __always_inline bool proc_named(struct task_struct *t)
{
	char comm[COMM_LEN];

	if (filter.npids && !pid_listed(task_tgid(t)))
		return false;
	if (filter.ncomms) {
		BPF_CORE_READ_STR_INTO(&comm, t, comm);
		if (comm_listed(comm))
			return true;
		BPF_CORE_READ_STR_INTO(&comm, t, group_leader, comm);
		return comm_listed(comm);
	}
	return true;
}

/* Whether t's process passes the process filters. */
static __always_inline bool proc_traced(struct task_struct *t)
{
	if (filter.nuids && !uid_listed(BPF_CORE_READ(t, real_cred, uid.val)))
		return false;
	if (filter.cgroup && !in_cgroup(t))
		return false;
	if (filter.follow) {
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

	if (!filter.follow || ctgid == (__u32)BPF_CORE_READ(parent, tgid))
		return;	/* a thread */
	ptgid = BPF_CORE_READ(parent, tgid);
	if (!bpf_map_lookup_elem(&followed, &ptgid) && !proc_named(parent))
		return;
	if (bpf_map_update_elem(&followed, &ctgid, &one, BPF_ANY))
		__sync_fetch_and_add(&unfollowed, 1);
}

static __always_inline bool port_in(__u16 port, const volatile struct ports *list)
{
	for (int i = 0; i < PORTS_MAX; i++)
		if (i < list->n && list->port[i] == port)
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

/* Whether the socket with ends e passes the socket filters; its own
 * family decides. */
static __always_inline bool ends_pass(const struct ends *e)
{
	bool any = !filter.nprefixes;

	if (filter.family && e->family != filter.family)
		return false;
	if (filter.proto && e->proto != filter.proto)
		return false;
	if (filter.ports.n && !port_in(e->sport, &filter.ports) && !port_in(e->dport, &filter.ports))
		return false;
	if (filter.sports.n && !port_in(e->sport, &filter.sports))
		return false;
	if (filter.dports.n && !port_in(e->dport, &filter.dports))
		return false;
	for (int i = 0; i < PREFIXES_MAX && !any; i++)
		if (i < filter.nprefixes && (prefix_has(&filter.prefixes[i], e->saddr, e->family) ||
					     prefix_has(&filter.prefixes[i], e->daddr, e->dfamily ?: e->family)))
			any = true;
	return any;
}

/* Room for the ends sock_filters_pass() judges: global functions take no
 * pointers on older kernels. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ends);
} judged SEC(".maps");

/* ends_pass() of the ends in judged: a global function, verified once
 * however many places call it. */
__noinline int sock_filters_pass(void)
{
	__u32 zero = 0;
	struct ends *e = bpf_map_lookup_elem(&judged, &zero);

	return e && ends_pass(e);
}

static __always_inline bool sock_traced(const struct ends *e)
{
	__u32 zero = 0;
	struct ends *slot;

	if (!filter.family && !filter.proto && !filter.ports.n && !filter.sports.n && !filter.dports.n &&
	    !filter.nprefixes)
		return true;
	slot = bpf_map_lookup_elem(&judged, &zero);
	if (!slot)
		return false;
	*slot = *e;
	return sock_filters_pass();
}

#endif
