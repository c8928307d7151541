/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* The one record the kernel side sends to user space; fixed-width types only. */
#ifndef SOCKTRACE_H
#define SOCKTRACE_H

#define COMM_LEN 16

enum event_kind {
	EV_CONNECT = 1,
	EV_SEND = 2,
	EV_CLOSE = 3,
};

struct event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC, from bpf_ktime_get_ns() */
	__s64 ret;		/* connect: 0 or -errno; send: bytes or -errno */
	__u64 duration_ns;	/* close: time since connect */
	__u64 sent_bytes;	/* close: bytes sent over the socket's life */
	__u64 sends;		/* close: successful sends over its life */
	__u32 pid;		/* thread group id */
	__u32 tid;
	__u32 uid;
	__s32 fd;
	__u32 daddr;		/* IPv4, network byte order */
	__u16 dport;		/* host byte order */
	__u8 kind;		/* enum event_kind */
	__u8 pad;
	char comm[COMM_LEN];
};

#endif
