/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * What the kernel side and user space share: the facts as tables, the
 * records of the ring buffer, and the filters. Each table is an X-macro:
 * one row is all a new fact takes; the enums here, and in user space the
 * names, sizes, help, status fields and documentation checks, come from
 * it. Fixed-width types only.
 */
#ifndef SOCKTRACE_H
#define SOCKTRACE_H

#define COMM_LEN 16

/*
 * The event kinds: X(ID, name, number, part, fields, socket, shown, help).
 * part: the record's own part after the header; fields: the formats' name
 * for its own fields (user space writes them with json_FIELDS() and
 * text_FIELDS(), format.h); socket: it is about a socket (the header's
 * socket part is set); shown: selected unless --events says otherwise
 * (send and recv are not: a line per read and write floods a terminal,
 * and every close carries the totals).
 */
#define EVENT_KINDS(X)												\
	X(CONNECT, connect, 1, struct ev_connect, connect, 1, 1,					\
	  "connect() results, and how a connect in progress ended")					\
	X(ACCEPT, accept, 2, struct ev_none, accept, 1, 1, "connections accepted")			\
	X(OPEN, open, 3, struct ev_none, open, 1, 1,							\
	  "sockets found open at start, at their first use, or inherited")				\
	X(SEND, send, 4, struct ev_io, io, 1, 0, "each send, whatever the syscall")			\
	X(RECV, recv, 5, struct ev_io, io, 1, 0, "each receive, whatever the syscall")			\
	X(CLOSE, close, 6, struct ev_close, close, 1, 1,						\
	  "the end of a socket's descriptor, with its totals")						\
	X(UNTRACED, untraced, 7, struct ev_untraced, untraced, 0, 1,					\
	  "processes using sockets where socktrace cannot follow")					\
	X(DISCONNECT, disconnect, 8, struct ev_none, disconnect, 1, 1,				\
	  "connect(AF_UNSPEC) dissolving a socket's association")					\
	X(LISTEN, listen, 9, struct ev_listen, listen, 1, 1, "sockets that start listening")

enum event_kind {
#define KIND_ENUM(ID, name, number, part, fields, socket, shown, help) EV_##ID = number,
	EVENT_KINDS(KIND_ENUM)
#undef KIND_ENUM
	EV_KINDS	/* one past the last */
};
#define EV_BIT(kind) (1u << (kind))

/* How a tracked descriptor ended: X(ID, name, what it means). */
#define CLOSE_REASONS(X)									\
	X(CLOSE, "close", "close()")								\
	X(EXIT, "exit", "the process ended with it open")					\
	X(EXEC, "exec", "close-on-exec")							\
	X(DUP2, "dup2", "dup2() or dup3() put another file on it")				\
	X(CLOSE_RANGE, "close_range", "close_range()")						\
	X(UNSEEN, "unseen", "it ended where no hook sees (io_uring...), found out later")

enum close_reason {
#define REASON_ENUM(ID, name, help) REASON_##ID,
	CLOSE_REASONS(REASON_ENUM)
#undef REASON_ENUM
	REASONS
};

/* How tracking of a descriptor began: X(ID, name, how a text open says it). */
#define ORIGINS(X)									\
	X(CONNECT, "connect", "connected")						\
	X(ACCEPT, "accept", "accepted")							\
	X(EXISTING, "existing", "open before tracing")					\
	X(USE, "use", "first use")							\
	X(FORK, "fork", "inherited")

enum origin {
#define ORIGIN_ENUM(ID, name, text) ORIGIN_##ID,
	ORIGINS(ORIGIN_ENUM)
#undef ORIGIN_ENUM
	ORIGINS_N
};

/* Which side opened the connection: X(ID, name). */
#define DIRECTIONS(X) X(UNKNOWN, "unknown") X(OUT, "out") X(IN, "in")

enum direction {
#define DIR_ENUM(ID, name) DIR_##ID,
	DIRECTIONS(DIR_ENUM)
#undef DIR_ENUM
	DIRECTIONS_N
};

/*
 * The calls behind sends and receives: X(name, send, how). send: 1 a
 * send, 0 a receive, -1 either. how: SOCK, counted at the socket layer
 * (or at its syscall, in the tracepoint mode of a kernel without sock
 * tracepoints); OWN, at its own syscall hook, everywhere; NONE, no
 * syscall of its own. A new syscall: a row here, its numbers in
 * bpf/syscalls.h.
 */
#define IO_CALLS(X)								\
	X(other, -1, NONE)	/* no syscall context (a kernel thread) */	\
	X(write, 1, SOCK) X(writev, 1, SOCK) X(pwritev, 1, SOCK)		\
	X(pwritev2, 1, SOCK) X(sendto, 1, SOCK) X(sendmsg, 1, SOCK)		\
	X(sendmmsg, 1, SOCK) X(sendfile, 1, OWN) X(splice, -1, OWN)		\
	X(read, 0, SOCK) X(readv, 0, SOCK) X(preadv, 0, SOCK)			\
	X(preadv2, 0, SOCK) X(recvfrom, 0, SOCK) X(recvmsg, 0, SOCK)		\
	X(recvmmsg, 0, SOCK)							\
	X(io_uring, -1, NONE)	/* io_uring's workers */

enum io_call {
#define CALL_ENUM(name, send, how) CALL_##name,
	IO_CALLS(CALL_ENUM)
#undef CALL_ENUM
	CALLS
};

/*
 * What the kernel side could not follow, counted in its .bss, which user
 * space reads mapped: X(name, what one counts). The status file names
 * each; the summary says the ones that are not 0.
 */
#define KERNEL_COUNTERS(X)									\
	X(untracked, "sockets not tracked (the socket table full)")				\
	X(incomplete, "calls or connect outcomes not followed (a table full)")			\
	X(unreturned, "calls whose return the kernel did not report")				\
	X(raced, "calls whose descriptor was closed meanwhile")					\
	X(unattributed, "sends and receives without a descriptor (io_uring)")			\
	X(unswept, "table walks cut short")							\
	X(orphaned, "descriptors of a process whose end went unseen")				\
	X(unfollowed, "processes --follow could not follow (its table full)")

/* Why EV_UNTRACED. */
enum untraced_why {
	UNTRACED_COMPAT = 1,	/* 32-bit syscalls (socketcall, socket) */
};

/* event_head.flags */
#define EVF_DEST 1		/* send: ends.daddr/dport is the destination given with the call;
				 * recv: the datagram's source, which the call asked for */
#define EVF_DEST_USER 2		/* ... read from the process's memory, not the kernel's copy */
#define EVF_ASYNC 4		/* connect: the outcome of a connect that was in progress */
#define EVF_CONNECTING 8	/* close: still connecting */
#define EVF_INCOMPLETE 16	/* close: some calls on it could not be followed */
#define EVF_TCP 32		/* close: the tcp_* counters are set */
#define EVF_LISTENING 64	/* open: a listening socket */

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

/* Who: the process and thread an event is about, and when. */
struct who {
	__u64 ts_ns;		/* CLOCK_MONOTONIC, from bpf_ktime_get_ns() */
	__u64 pstart;		/* the process's start (boot ns): tells a reused pid */
	__u32 pid;		/* thread group id, as socktrace's pid namespace sees it */
	__u32 tid;
	__u32 uid;
	__u32 nspid;		/* pid in the process's own pid namespace; 0: the same */
	char comm[COMM_LEN];
};

/* Which socket: a tracked descriptor, as every event of it tells it. */
struct sockinfo {
	__u64 id;		/* the tracked descriptor's id, unique in a run; 0: none */
	__u64 cgroup;		/* cgroup v2 id of its process when tracking began */
	__u32 netns;		/* its network namespace (inode number) */
	__s32 fd;
	__u8 origin;		/* enum origin */
	__u8 dir;		/* enum direction */
	__u8 pad[6];
	struct ends ends;
};

/* What the syscalls moved over a descriptor. */
struct totals {
	__u64 sent_bytes;
	__u64 sends;
	__u64 recv_bytes;
	__u64 recvs;
};

struct event_head {
	struct who who;
	struct sockinfo sock;	/* kinds about a socket */
	__u8 kind;		/* enum event_kind */
	__u8 flags;		/* EVF_* */
	__u8 pad[6];
};

struct ev_none {
};

struct ev_connect {
	__s64 ret;		/* 0 or -errno (-EINPROGRESS: in progress) */
	__u64 latency_ns;	/* the call's time; EVF_ASYNC: since the connect() call */
};

struct ev_listen {
	__s64 ret;		/* 0 or -errno */
	__u32 backlog;		/* as asked for; the kernel caps it at somaxconn */
	__u32 pad;
};

struct ev_io {
	__s64 ret;		/* bytes, or -errno */
	__u8 call;		/* enum io_call */
	__u8 pad[3];
	__u32 gen;		/* the version of the descriptor's ends (struct io_brief) */
};

struct ev_close {
	__u64 duration_ns;	/* since tracking began */
	struct totals totals;
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
		struct ev_listen listen;
		struct ev_io io;
		struct ev_close close;
		struct ev_untraced untraced;
	};
};

/* Bytes of a kind's record: the header and its own part. */
#define EVENT_SIZE(part) (sizeof(struct event_head) + sizeof(part))

/*
 * A send or receive in brief: who, and what changes from call to call.
 * The kernel side sends it instead of a full record once user space holds
 * the descriptor's socket part from an earlier full record of it, and user
 * space makes the full event again (src/ctxtab.c). 64 bytes where the
 * full record takes 144: writing ring memory that the reading CPU last
 * held is much of an event's cost (bench/README.md). Told apart from a
 * full record by its size.
 */
struct io_brief {
	struct who who;
	__u64 sock;		/* the descriptor's id */
	__s32 ret;		/* bytes or -errno: the socket layer's int */
	__u8 kind;		/* EV_SEND or EV_RECV */
	__u8 call;		/* enum io_call */
	__u8 pad[2];
};

/*
 * Not an event: a process, as user space learns it the first time one of
 * its sockets is tracked, and again once it runs another program (its
 * name changed), so events can name the process and not only the thread
 * (dig's threads are isc-net-0000, every Python program is python3). Told
 * apart from the other records by its size and its kind, which no event
 * kind has.
 */
#define REC_PROCESS 0x7f
#define EXE_LEN 64
#define CMDLINE_LEN 128
#define CGROUP_LEAF_LEN 128	/* cri-containerd-<64 hex>.scope fits */
#define CGROUP_UP 3		/* the cgroup's ancestors named, nearest first */
#define CGROUP_UP_LEN 64

struct proc_record {
	struct who who;		/* the process (pid, pstart), and the thread that told it */
	__u8 kind;		/* REC_PROCESS */
	__u8 pad[3];
	__u32 ppid;		/* its parent's pid, as socktrace's pid namespace sees it */
	char name[COMM_LEN];	/* the process's name: its main thread's */
	char exe[EXE_LEN];	/* the executable's file name (a whole path is not readable there) */
	__u16 cmdline_len;	/* bytes of cmdline; 0: not readable */
	__u8 pad2[6];
	char cmdline[CMDLINE_LEN];	/* its arguments, each ended by a NUL, cut at CMDLINE_LEN */
	/* Its cgroup v2, named while it is there: a container started after
	 * socktrace, whose directory the sandbox forbids reading. */
	__u64 cgroup;
	char cgroup_leaf[CGROUP_LEAF_LEN];
	char cgroup_up[CGROUP_UP][CGROUP_UP_LEN];	/* "" past the root */
};

/* A descriptor still tracked when tracing stops, as an iterator over
 * the socket table writes it. */
struct snapshot {
	__u64 sock;
	__u64 owner_pstart;
	struct totals totals;
	__u32 owner;
	__u8 origin;
	__u8 dir;
	__u8 pad[2];
};

/* The filters: set by the option parser, read by the kernel side (its
 * rodata: what is not set costs nothing, the verifier drops it). */
#define PORTS_MAX 8
#define PREFIXES_MAX 8

struct ports {
	__u16 port[PORTS_MAX];
	__u8 n;
};

struct prefix {
	__u8 addr[16];		/* network byte order; IPv4 in the first 4 bytes */
	__u8 bits;
	__u8 family;
};

/* Repeated --pid, --comm and --uid: any of them. */
#define NAMED_MAX 8

struct filter {
	/* The process: */
	__u32 pids[NAMED_MAX];
	char comms[NAMED_MAX][COMM_LEN];
	__u32 uids[NAMED_MAX];
	__u8 npids;		/* 0: any */
	__u8 ncomms;		/* 0: any */
	__u8 nuids;		/* 0: any */
	__u8 follow;		/* and every descendant of a --pid or --comm match */
	/* The socket: */
	__u8 family;		/* AF_INET or AF_INET6; 0: both */
	__u8 proto;		/* IPPROTO_TCP or _UDP; 0: any */
	__u64 cgroup;		/* a cgroup v2 id: it, or one below; 0: any */
	struct ports ports;	/* either end */
	struct ports sports;	/* local */
	struct ports dports;	/* peer */
	struct prefix prefixes[PREFIXES_MAX];	/* either end */
	__u8 nprefixes;
	__u8 failed;		/* only failed connects, at once or later, and nothing else */
};

#endif
