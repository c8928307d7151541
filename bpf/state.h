/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* The kernel side's settings and counters, and what a tracked descriptor is. */
#ifndef STATE_H
#define STATE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "socktrace.h"

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
/* The pid namespace socktrace runs in (its inode number) when it is not
 * the initial one: --pid is matched, and pids are told, as seen there. */
const volatile __u32 viewer_pidns = 0;
/* Process records name their cgroup (--containers, --metrics): strings
 * read only when user space has a use for them. */
const volatile bool cgroup_names = false;

/* Counters user space reads from the mmapped .bss, without a syscall:
 * what could not be followed (KERNEL_COUNTERS), and the tables' sizes. */
#define COUNTER_VAR(name, help) __u64 name = 0;
KERNEL_COUNTERS(COUNTER_VAR)
#undef COUNTER_VAR
__u64 lost = 0;		/* events that found the ring buffer full */
__s64 nsocks = 0;	/* entries in socks */
__s64 ntables = 0;	/* entries in fdtabs */

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
	struct sockinfo info;	/* as its events tell it */
	struct totals totals;
	__u64 file;		/* the struct file on the fd: tells a replaced fd */
	__u64 sk;		/* its struct sock: tells a call on another socket */
	__u64 ino;		/* the socket's inode number: file and sock memory is
				 * reused as soon as it is freed, inode numbers are not */
	__u64 start_ns;
	__u64 pstart;		/* owner's start time */
	__u32 owner;		/* tgid that began tracking it (0: a fork's copy, unused) */
	__u32 nspid;		/* owner's pid in its own pid namespace */
	__u32 gen;		/* bumped (after) each change of ends */
	__u32 shown;		/* gen + 1 when user space holds the socket as of gen:
				 * a send or receive by the owner may then go in brief */
	__u8 flags;		/* SV_* */
	__u8 pad[7];
};

/* Per descriptor table: how many tracked descriptors, and the highest fd
 * ever tracked in it (how far a walk of the table must go). */
struct fdtab {
	__s64 count;
	__s32 maxfd;
	__u32 pad;
};

#endif
