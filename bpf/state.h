/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* The kernel side's settings, counters and tables. */
#ifndef STATE_H
#define STATE_H

/* Set by user space through the skeleton's rodata before load; the
 * verifier sees them as constants and drops what they switch off. */
const volatile __u32 event_mask = ~0u;		/* EV_BIT()s delivered */
/* Wake the consumer early only when this much data is waiting; otherwise
 * it drains the ring on its own short poll timeout. */
const volatile __u64 wakeup_bytes = 1 << 20;
/* Tracepoint mode on a kernel without sock tracepoints: take sends and
 * receives from their syscalls. */
const volatile bool syscall_io = false;
/* Tracepoint mode on per-syscall tracepoints, not the raw dispatch. */
const volatile bool syscall_tps = false;
/* Sends and receives may go as struct io_brief: set when close events
 * are delivered, which tell user space when to forget a socket. */
const volatile bool brief_io = false;
/* The kernel has its own BTF (not only --btf FILE): helpers that return
 * BTF pointers may be used, and their fields read with plain loads. */
const volatile bool kernel_btf = false;
/* The inet_sock_set_state tracepoint reports the outcome of a connect in
 * progress (a kernel may refuse it: then none is waited for). */
const volatile bool connect_outcomes = true;

/* Counters user space reads from the mmapped .bss, without a syscall. */
__u64 lost = 0;		/* events that found the ring buffer full */
__u64 untracked = 0;	/* sockets not tracked: the socket table was full */
__u64 incomplete = 0;	/* calls or connect outcomes not followed: a table was full */
__u64 unreturned = 0;	/* calls whose return no probe reported (kretprobes hold a
			 * limited number of calls in flight per function) */
__u64 raced = 0;	/* calls whose descriptor was closed or replaced meanwhile */
__u64 unattributed = 0;	/* socket I/O with no descriptor to put it on (io_uring) */
__u64 unswept = 0;	/* descriptor tables too large to walk on this kernel */
__u64 orphaned = 0;	/* descriptors of a table that died unseen, dropped when its
			 * memory came back as a new table */
__s64 nsocks = 0;	/* entries in socks */
__s64 ntables = 0;	/* entries in fdtabs */
__u64 next_id = 0;	/* the last descriptor id given out */

/* A descriptor: its table (struct files_struct, shared by threads and by
 * CLONE_FILES processes) and its number. */
struct fd_key {
	__u64 files;
	__s32 fd;
	__u32 pad;
};

#define SV_QUIET 1		/* a fork's copy, not used yet: ends silently */
#define SV_INCOMPLETE 2		/* a call on it could not be followed */
#define SV_CONNECTING 4		/* a connect in progress; pending holds it */

/* A tracked descriptor, from the start of tracking to its end. */
struct sock_val {
	__u64 id;
	__u64 file;		/* the struct file on the fd: tells a replaced fd */
	__u64 sk;		/* its struct sock: tells a call on another socket */
	__u64 ino;		/* the socket's inode number: file and sock memory is
				 * reused as soon as it is freed, inode numbers are not */
	__u64 start_ns;
	__u64 sent_bytes;
	__u64 sends;
	__u64 recv_bytes;
	__u64 recvs;
	__u64 cgroup;
	__u64 pstart;		/* owner's start time */
	__u32 netns;
	__u32 owner;		/* tgid that began tracking it */
	__u32 nspid;		/* owner's pid in its own pid namespace */
	__u32 gen;		/* bumped (after) each change of ends */
	__u32 shown;		/* gen + 1 when user space holds the socket as of gen:
				 * a send or receive by the owner may then go in brief */
	__u8 origin;
	__u8 dir;
	__u8 flags;		/* SV_* */
	__u8 pad;
	struct ends ends;
};

/* Per descriptor table: how many tracked descriptors, and the highest fd
 * ever tracked in it (how far a walk of the table must go). */
struct fdtab {
	__s64 count;
	__s32 maxfd;
	__u32 pad;
};

/* call.flags: a sendmmsg/recvmmsg syscall, whose exit has each message's
 * length in the process's memory. */
#define CF_MMSG 0x80

enum call_kind {
	CK_CONNECT = 1,
	CK_CLOSE_RANGE,
	CK_IO,		/* a send or receive, on file */
};

/* What an entry hook leaves for the exit hook of the same thread. */
struct call {
	__u64 file;	/* the file on fd at entry: the socket the call works on */
	__u64 ino;	/* its inode number */
	__u64 sk;
	__u64 uaddr;	/* connect: the sockaddr; syscall sends: sockaddr or msghdr */
	__u64 ts;	/* connect: when it was called */
	__s32 fd;
	__s32 addrlen;
	__u32 lo;	/* close_range */
	__u32 hi;
	__u8 kind;	/* enum call_kind */
	__u8 call;	/* enum io_call */
	__u8 send;
	__u8 flags;	/* EVF_DEST, EVF_DEST_USER, CF_MMSG */
	__u32 msgflags;
	struct ends dest;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fd_key);
	__type(value, struct sock_val);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct fdtab);
} fdtabs SEC(".maps");

/* How many descriptor tables with an entry in fdtabs fall in each slot,
 * by a hash of their address: a close in a table whose slot is 0 needs
 * no lookup in socks. Most closes on a machine are of files, in processes
 * with no tracked socket, and an array lookup is a few instructions where
 * a hash lookup is a hash (README, Performance). */
#define TABLE_SLOTS 65536

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TABLE_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} table_slots SEC(".maps");

/* Keyed by thread (pid_tgid). A plain hash, not an LRU: nothing may evict
 * another thread's call. Entries go at the call's exit or the thread's.
 * User space sizes it to pid_max, so that every thread the kernel can
 * have fits; a full table (pid_max raised later) is counted, never silent. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u64);
	__type(value, struct call);
} calls SEC(".maps");

/* Connects in progress, by struct sock: the event to complete when the
 * kernel finishes the handshake, outside the caller's context. Only a
 * tracked socket has one, so with as many entries as socks it cannot fill
 * before socks does: no process can crowd out another's outcomes. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct event_head);
} pending SEC(".maps");

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

/* Processes told about once (EV_UNTRACED). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} noticed SEC(".maps");

/* A send or receive the kernel did on a socket, as sock_io() counts it. */
struct io {
	__u64 sk;
	__s64 ret;
	__u64 msgs;	/* messages the call moved (sendmmsg, recvmmsg) */
	__s32 fd;
	__u8 call;
	__u8 send;
	__u8 flags;	/* EVF_DEST, EVF_DEST_USER */
	__u8 pad;
	struct ends dest;
};

/* Room for values too large for the BPF stack, and for the arguments of
 * global functions (which take no pointers on older kernels). */
struct scratch {
	struct sock_val v;
	struct sock_val ended;	/* end_sock()'s copy of what it took out */
	struct event_head h;
	struct io io;
	struct ends ends;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* resized by user space before load */
} events SEC(".maps");

#endif
