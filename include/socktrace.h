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

/* How a tracked socket's descriptor ended. */
enum close_reason {
	REASON_CLOSE = 0,	/* close() */
	REASON_EXIT = 1,	/* the process exited */
	REASON_EXEC = 2,	/* close-on-exec */
	REASON_DUP2 = 3,	/* dup2() or dup3() put another file on the fd */
	REASON_CLOSE_RANGE = 4,	/* close_range() */
};

/* event.flags */
#define EVF_DEST_ARG 1	/* send: the destination came with the call */

/* Both ends of a socket. IPv4 addresses use the first 4 bytes. */
struct ends {
	__u8 saddr[16];		/* network byte order */
	__u8 daddr[16];
	__u16 sport;		/* host byte order */
	__u16 dport;
	__u16 proto;		/* IPPROTO_*, 0 when unknown */
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 pad;
};

struct event {
	__u64 ts_ns;		/* CLOCK_MONOTONIC, from bpf_ktime_get_ns() */
	__s64 ret;		/* connect: 0 or -errno; send: bytes or -errno */
	__u64 duration_ns;	/* close: time since tracking began */
	__u64 sent_bytes;	/* close: bytes sent over the socket's life */
	__u64 sends;		/* close: successful sends over its life */
	__u32 pid;		/* thread group id, in the initial pid namespace */
	__u32 tid;
	__u32 uid;
	__u32 nspid;		/* pid in the process's own pid namespace; 0: the initial one */
	__s32 fd;
	__u8 kind;		/* enum event_kind */
	__u8 reason;		/* close: enum close_reason */
	__u8 flags;		/* EVF_* */
	__u8 pad;
	struct ends ends;
	char comm[COMM_LEN];
};

#endif
