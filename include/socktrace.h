/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * What the kernel side sends to user space: one record per event, a header
 * common to every kind and a part per kind. Fixed-width types only.
 */
#ifndef SOCKTRACE_H
#define SOCKTRACE_H

#define COMM_LEN 16

/* Adding a kind: a row here, a row in src/kinds.c. */
enum event_kind {
	EV_CONNECT = 1,	/* connect() returned, or a connect in progress finished */
	EV_ACCEPT = 2,	/* accept()/accept4() returned a socket */
	EV_OPEN = 3,	/* tracking began another way: enum origin */
	EV_SEND = 4,
	EV_RECV = 5,
	EV_CLOSE = 6,	/* a tracked descriptor ended: enum close_reason */
	EV_UNTRACED = 7,	/* a process uses sockets where socktrace cannot follow */
	EV_DISCONNECT = 8,	/* connect(AF_UNSPEC) dissolved a socket's association */
	EV_KINDS
};
#define EV_BIT(kind) (1u << (kind))

/* How a tracked descriptor ended. */
enum close_reason {
	REASON_CLOSE = 0,	/* close() */
	REASON_EXIT = 1,	/* the process exited with it open */
	REASON_EXEC = 2,	/* close-on-exec */
	REASON_DUP2 = 3,	/* dup2() or dup3() put another file on the fd */
	REASON_CLOSE_RANGE = 4,	/* close_range() */
	REASON_UNSEEN = 5,	/* gone by a path no hook sees (io_uring, ...), found later */
};

/* How tracking of a descriptor began. */
enum origin {
	ORIGIN_CONNECT = 0,
	ORIGIN_ACCEPT = 1,
	ORIGIN_EXISTING = 2,	/* open before socktrace started */
	ORIGIN_USE = 3,		/* first send or receive on an untracked socket */
	ORIGIN_FORK = 4,	/* a child's copy, from its first use */
};

/* Which side opened the connection. */
enum direction {
	DIR_UNKNOWN = 0,
	DIR_OUT = 1,
	DIR_IN = 2,
};

/* The call behind a send or receive event. */
enum io_call {
	CALL_OTHER = 0,	/* no syscall context (io_uring, a kernel thread) */
	CALL_WRITE, CALL_WRITEV, CALL_PWRITEV, CALL_PWRITEV2,
	CALL_SENDTO, CALL_SENDMSG, CALL_SENDMMSG, CALL_SENDFILE, CALL_SPLICE,
	CALL_READ, CALL_READV, CALL_PREADV, CALL_PREADV2,
	CALL_RECVFROM, CALL_RECVMSG, CALL_RECVMMSG,
	CALL_IO_URING,
	CALL_MAX
};

/* Why EV_UNTRACED. */
enum untraced_why {
	UNTRACED_COMPAT = 1,	/* 32-bit syscalls (socketcall, socket) */
};

/* event.flags */
#define EVF_DEST 1		/* send: ends.daddr/dport is the destination given with the call */
#define EVF_DEST_USER 2		/* ... read from the process's memory, not the kernel's copy */
#define EVF_ASYNC 4		/* connect: the outcome of a connect that was in progress */
#define EVF_CONNECTING 8	/* close: still connecting */
#define EVF_INCOMPLETE 16	/* close: some calls on it could not be followed (table full) */
#define EVF_TCP 32		/* close: the tcp_* counters are set */

/* Both ends of a socket. IPv4 addresses use the first 4 bytes. */
struct ends {
	__u8 saddr[16];		/* network byte order */
	__u8 daddr[16];
	__u16 sport;		/* host byte order */
	__u16 dport;
	__u16 proto;		/* IPPROTO_*, 0 when unknown */
	__u8 family;		/* the socket's: AF_INET or AF_INET6 */
	__u8 dfamily;		/* daddr's; a failed call may ask for another family */
};

struct event_head {
	__u64 ts_ns;		/* CLOCK_MONOTONIC, from bpf_ktime_get_ns() */
	__u64 sock;		/* the tracked descriptor's id, unique in a run; 0: none */
	__u64 pstart;		/* the process's start (boot ns): tells a reused pid */
	__u64 cgroup;		/* cgroup v2 id of the socket's process when tracking began */
	__u32 pid;		/* thread group id, in the initial pid namespace */
	__u32 tid;
	__u32 uid;
	__u32 nspid;		/* pid in the process's own pid namespace; 0: the initial one */
	__u32 netns;		/* the socket's network namespace (inode number) */
	__s32 fd;
	__u8 kind;		/* enum event_kind */
	__u8 flags;		/* EVF_* */
	__u8 origin;		/* enum origin (open, close) */
	__u8 dir;		/* enum direction */
	char comm[COMM_LEN];
	struct ends ends;
};

struct ev_connect {
	__s64 ret;		/* 0 or -errno (-EINPROGRESS: in progress) */
	__u64 latency_ns;	/* the call's time; EVF_ASYNC: since the connect() call */
};

struct ev_io {
	__s64 ret;		/* bytes, or -errno */
	__u8 call;		/* enum io_call */
	__u8 pad[3];
	__u32 gen;		/* the version of the descriptor's ends (struct io_brief) */
};

struct ev_close {
	__u64 duration_ns;	/* since tracking began */
	__u64 sent_bytes;
	__u64 sends;
	__u64 recv_bytes;
	__u64 recvs;
	__u64 tcp_bytes_acked;		/* EVF_TCP: the kernel's own counters */
	__u64 tcp_bytes_received;
	__u64 owner_pstart;
	__u32 owner;		/* the process the descriptor belongs to */
	__u8 reason;		/* enum close_reason */
	__u8 pad[3];
};

struct ev_untraced {
	__u32 why;		/* enum untraced_why */
	__u32 pad;
};

struct event {
	struct event_head h;
	union {
		struct ev_connect connect;
		struct ev_io io;
		struct ev_close close;
		struct ev_untraced untraced;
	};
};

/*
 * A send or receive in brief: what changes from call to call. The kernel
 * side sends it instead of a full record once user space holds the
 * descriptor's socket (ids, ends, cgroup, netns, origin, fd) from an
 * earlier full record of it, and user space makes the full event again
 * (src/ctxtab.c). 64 bytes where the full record takes 136: writing ring
 * memory that the reading CPU last held is much of an event's cost
 * (README, Performance).
 * Told apart from a full record by its size.
 */
struct io_brief {
	__u64 ts_ns;
	__u64 sock;
	__u64 pstart;
	__u32 pid;
	__u32 tid;
	__u32 uid;
	__u32 nspid;
	__s32 ret;		/* bytes or -errno: the socket layer's int */
	__u8 kind;		/* EV_SEND or EV_RECV */
	__u8 call;		/* enum io_call */
	__u8 pad[2];
	char comm[COMM_LEN];
};

/* Filters user space gives the kernel side. */
#define PORTS_MAX 8
#define PREFIXES_MAX 8

struct prefix {
	__u8 addr[16];		/* network byte order; IPv4 in the first 4 bytes */
	__u8 bits;
	__u8 family;
};

/* A descriptor still tracked when tracing stops, as an iterator over
 * the socket table writes it. */
struct snapshot {
	__u64 sock;
	__u64 owner_pstart;
	__u64 sent_bytes;
	__u64 sends;
	__u64 recv_bytes;
	__u64 recvs;
	__u32 owner;
	__u8 origin;
	__u8 dir;
	__u8 pad[2];
};

/* Bytes of a kind's record: the header and its own part. */
#define EVENT_SIZE(part) (sizeof(struct event_head) + sizeof(part))

#endif
