/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * Sends and receives: counted on the tracked descriptor whatever syscall
 * moves them, at the socket layer (the sock tracepoints, or inet_*msg
 * kprobes), which sees only sockets, so that read() and write() on files
 * cost nothing; sendfile and splice at their own syscalls; and, in the
 * tracepoint mode of a kernel without sock tracepoints, every send and
 * receive at its syscall.
 */
#ifndef IO_H
#define IO_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "socktrace.h"
#include "calls.h"
#include "emit.h"
#include "process.h"
#include "filter.h"
#include "kernel.h"
#include "state.h"
#include "syscalls.h"
#include "table.h"
#include "untraced.h"

/* A send or receive the kernel did on a socket, as sock_io() counts it. */
struct io {
	__u64 sk;
	__s64 ret;
	__u64 msgs;	/* messages the call moved (sendmmsg, recvmmsg) */
	__s32 fd;
	__u8 call;	/* enum io_call */
	__u8 send;
	__u8 flags;	/* EVF_DEST, EVF_DEST_USER */
	__u8 pad;
	/* A receive that asks for its datagram's source (io_call()): where,
	 * in the process's memory (recvfrom's sockaddr; recvmsg's msghdr or
	 * recvmmsg's first), and recvfrom's room for it. 0: it does not. */
	__s32 namelen;
	__u64 name;
	struct ends dest;	/* a send's destination; a receive's source */
};

/* The CPU's slot for the io sock_io() counts: kept off the BPF stack,
 * which the calls below it need (512 bytes for the whole chain), and
 * how a global function takes its argument (no pointers before 5.x). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct io);
} io_slots SEC(".maps");

static __always_inline struct io *io_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&io_slots, &zero);
}

/* Whether v is the descriptor this CPU just entered (scratch_val()): not
 * one another thread entered first. */
static __always_inline const struct sock_val *tracked_here(const struct sock_val *v)
{
	const struct sock_val *mine = scratch_val();

	return mine && mine->info.id == v->info.id ? v : NULL;
}

/* The case of io_call()'s switch for an IO_CALLS row: a call the socket
 * layer counts is named; one with its own hook (sendfile, splice) is left
 * to it. */
#define IO_CALL_CASE(name, send, how) IO_CALL_CASE_##how(name)
#define IO_CALL_CASE_SOCK(name) case NR_##name: call = CALL_##name; break;
#define IO_CALL_CASE_OWN(name) case NR_##name: return CALL_SKIP;
#define IO_CALL_CASE_NONE(name)

/* A send or receive by v's owner, once user space holds v's socket at
 * its current ends (v->shown): in brief. False: not the owner, whose
 * pid namespace ids and start the brief record takes from v. */
static __always_inline bool emit_brief(struct task_struct *t, const struct sock_val *v,
				       const struct io *io, __u8 kind)
{
	struct io_brief *b;
	__u32 pid, tid;

	cur_ids(t, &pid, &tid);
	if (pid != v->owner)
		return false;
	b = reserve(kind, sizeof(*b));
	if (!b)
		return true;
	b->who.ts_ns = bpf_ktime_get_ns();
	b->who.pstart = v->pstart;
	b->who.pid = pid;
	b->who.tid = tid;
	b->who.uid = (__u32)bpf_get_current_uid_gid();
	b->who.nspid = v->nspid;
	bpf_get_current_comm(b->who.comm, sizeof(b->who.comm));
	b->sock = v->info.id;
	b->ret = io->ret;
	b->kind = kind;
	b->call = io->call;
	b->pad[0] = 0;
	b->pad[1] = 0;
	submit(b);
	return true;
}

/*
 * A send or receive on fd, which the kernel did on the socket io->sk:
 * counted on the tracked descriptor, which it starts tracking if it is
 * new (first use), and reported. The io is in the CPU's scratch: a global
 * function, verified once, however many places call it.
 */
__noinline int sock_io(void)
{
	struct io *io = io_slot();
	struct task_struct *t = current_task();
	struct fd_key k;
	struct sock_val *v;
	struct sock *sk;
	struct newsock n = { .origin = ORIGIN_USE, .dir = DIR_UNKNOWN };
	struct ends ends = {};
	struct event *e;
	__u64 file = 0;
	__u32 gen;
	__u8 kind;

	if (!io)
		return 0;
	k.files = cur_files(t);
	k.fd = io->fd;
	k.pad = 0;
	v = bpf_map_lookup_elem(&socks, &k);
	sk = (struct sock *)io->sk;

	if (v && (v->sk != io->sk || sock_ino(sk) != v->ino)) {
		file = cur_fd_file(io->fd);
		/* fd holds v's socket, yet the call went to another: that one
		 * was closed during the call and fd reused. Not v's bytes. */
		if (holds(v, file)) {
			__sync_fetch_and_add(&raced, 1);
			return 0;
		}
		/* v's descriptor ended where no hook saw it. */
		end_sock(&k, v, REASON_UNSEEN, false);
		v = NULL;
	}
	if (!v) {
		if (io->ret < 0 || !inet_family(sock_family(sk)) || !proc_traced(t))
			return 0;
		if (!file)
			file = cur_fd_file(io->fd);
		if ((__u64)file_sock(file) != io->sk || !sock_ends(sk, &ends, true))
			return 0;
		/* A socket with no peer goes where the call says. */
		if ((io->flags & EVF_DEST) && !ends.dport) {
			__builtin_memcpy(ends.daddr, io->dest.daddr, 16);
			ends.dport = io->dest.dport;
			ends.dfamily = io->dest.dfamily;
		}
		if (!sock_traced(&ends))
			return 0;
		n.file = file;
		n.sk = io->sk;
		n.cgroup = bpf_get_current_cgroup_id();
		v = track(&k, &ends, &n, t);
		if (!v)
			return 0;
		tell_process(v->owner, v->pstart, 0);
		/* Another thread may have started it first: one open. */
		if (v == tracked_here(v))
			emit_head_at(EV_OPEN, t, v, v->start_ns);
	} else if (v->flags & SV_QUIET) {
		/* A fork's copy, first used: from now on it is the child's. */
		v->flags &= ~SV_QUIET;
		v->owner = cur_tgid(t);
		v->pstart = cur_pstart(t);
		v->nspid = cur_ns_tgid(t);
		tell_process(v->owner, v->pstart, 0);
		emit_head(EV_OPEN, t, v);
	}
	if (io->ret >= 0) {
		if (io->send) {
			__sync_fetch_and_add(&v->totals.sent_bytes, io->ret);
			__sync_fetch_and_add(&v->totals.sends, io->msgs);
		} else {
			__sync_fetch_and_add(&v->totals.recv_bytes, io->ret);
			__sync_fetch_and_add(&v->totals.recvs, io->msgs);
		}
		/* An unconnected UDP socket goes where each call says, and its
		 * close reports the last (with the local end the kernel bound
		 * meanwhile). A connected one keeps its peer: a destination
		 * given with one call is that call's alone. */
		if ((io->flags & EVF_DEST) && v->info.ends.proto != IPPROTO_TCP && !sock_connected(sk)) {
			sock_local(sk, v->info.ends.family, &v->info.ends);
			__builtin_memcpy(v->info.ends.daddr, io->dest.daddr, 16);
			v->info.ends.dport = io->dest.dport;
			v->info.ends.dfamily = io->dest.dfamily;
			__sync_fetch_and_add(&v->gen, 1);
		}
	}
	kind = io->send ? EV_SEND : EV_RECV;
	if (brief_io && !(io->flags & EVF_DEST) && v->shown == v->gen + 1 &&
	    io->ret == (__s32)io->ret && emit_brief(t, v, io, kind))
		return 0;
	e = reserve(kind, EVENT_SIZE(struct ev_io));
	if (!e)
		return 0;
	/* The version of the ends copied below: read first, so that a change
	 * meanwhile leaves shown behind gen (no brief until the next full). */
	gen = *(volatile __u32 *)&v->gen;
	asm volatile("" ::: "memory");
	head_of(&e->h, kind, t, v);
	e->io.ret = io->ret;
	e->io.call = io->call;
	e->io.gen = gen;
	if (io->flags & EVF_DEST) {
		__builtin_memcpy(e->h.sock.ends.daddr, io->dest.daddr, 16);
		e->h.sock.ends.dport = io->dest.dport;
		e->h.sock.ends.dfamily = io->dest.dfamily;
		e->h.flags = io->flags & (EVF_DEST | EVF_DEST_USER);
	} else if (brief_io && e->h.who.pid == v->owner) {
		v->shown = gen + 1;
	}
	submit(e);
	return 0;
}

/* Calls that the socket layer must leave to their syscall hooks. */
#define CALL_SKIP 0xff

/*
 * The syscall behind a send or receive the socket layer sees, and its fd
 * (its first argument); fd -1 when there is no syscall (io_uring, kernel
 * threads). With want_ends (tracepoint mode; kprobes read the kernel's
 * copies): the destination a send names, read from the process's memory,
 * and where a receive wants its source (io->name), which the kernel
 * writes there only on the way out of the syscall.
 */
static __always_inline __u8 io_call(struct task_struct *t, struct io *io, bool want_ends)
{
	unsigned int pflags;
	struct pt_regs *regs;
	struct user_msghdr mh;
	void *name = NULL;
	int namelen = 0;
	bool compat;
	long nr;
	__u8 call;

	io->fd = -1;
	if (BTF_LOADS) {
		struct task_struct *bt = bpf_get_current_task_btf();

		pflags = bt->flags;
		compat = LOAD_COMPAT(bt);
		regs = (struct pt_regs *)bpf_task_pt_regs(bt);
		nr = LOAD_NR(regs);
	} else {
		pflags = BPF_CORE_READ(t, flags);
		compat = task_compat(t);
		regs = syscall_regs(t);
		nr = REGS_NR(regs);
	}
	if (pflags & PF_KTHREAD)
		return CALL_other;
	if (pflags & PF_IO_WORKER)
		return CALL_io_uring;
	if (compat)
		return CALL_other;
	switch (nr) {
	IO_CALLS(IO_CALL_CASE)
	case NR_io_uring_enter:
		return CALL_io_uring;
	default:
		return CALL_other;
	}
	io->fd = BTF_LOADS ? LOAD_ARG1(regs) : PT_REGS_PARM1_CORE_SYSCALL(regs);
	io->name = 0;
	if (!want_ends)
		return call;
	if (!io->send) {
		if (call == CALL_recvfrom) {
			name = (void *)PT_REGS_PARM5_CORE_SYSCALL(regs);
			if (name && !bpf_probe_read_user(&io->namelen, sizeof(io->namelen),
							 (void *)SYSCALL_ARG6(regs)))
				io->name = (__u64)name;
		} else if (call == CALL_recvmsg || call == CALL_recvmmsg) {
			name = (void *)PT_REGS_PARM2_CORE_SYSCALL(regs);
			if (!bpf_probe_read_user(&mh, sizeof(mh), name) && mh.msg_name)
				io->name = (__u64)name;
		}
		return call;
	}
	if (call == CALL_sendto) {
		name = (void *)PT_REGS_PARM5_CORE_SYSCALL(regs);
		namelen = SYSCALL_ARG6(regs);
	} else if (call == CALL_sendmsg || call == CALL_sendmmsg) {
		/* sendmmsg: the first message's; msg_hdr leads struct mmsghdr. */
		if (!bpf_probe_read_user(&mh, sizeof(mh), (void *)PT_REGS_PARM2_CORE_SYSCALL(regs))) {
			name = mh.msg_name;
			namelen = mh.msg_namelen;
		}
	}
	if (name && !read_dest(name, namelen, sock_family((struct sock *)io->sk), true, &io->dest))
		io->flags = EVF_DEST | EVF_DEST_USER;
	return call;
}

/* A process the process filters leave out, with no descriptor tracked in
 * its table: none of its sends or receives can count (what it inherited
 * or was followed into would be in its table), so none is looked at. */
static __always_inline bool proc_skipped(struct task_struct *t)
{
	return PROC_FILTERED && !table_may_track(task_files(t)) && !proc_traced(t);
}

/*
 * A datagram received by a call that asked for its source, which the
 * kernel copies out only after the sock tracepoint: left for the
 * syscall's exit (io_exit()), which reads the source and counts the
 * receive. A recvmmsg is left once, at its first message: its exit
 * counts each. The io is the CPU's (io_slot()). A global function: its
 * call record is on its own stack, not on the tracepoint program's,
 * whose chain through sock_io() is near the verifier's 512 bytes under a
 * viewer's pid namespace (6.12 refused it).
 */
__noinline int recv_at_exit(void)
{
	struct io *io = io_slot();
	struct call c = { .kind = CK_IO, .flags = CF_SOURCE };
	struct fd_key k = {};
	const struct call *old;

	if (!io)
		return 0;
	c.sk = io->sk;
	c.fd = io->fd;
	c.call = io->call;
	c.uaddr = io->name;
	c.addrlen = io->namelen;
	k.files = cur_files(current_task());
	k.fd = io->fd;
	if (io->call == CALL_recvmmsg) {
		old = find_call(CK_IO);
		if (old && old->sk == io->sk)
			return 0;
		c.flags |= CF_MMSG;
	}
	save_call(&c, &k);
	return 0;
}

/* sock:sock_send_length / sock_recv_length (6.3+): every send and receive
 * of every socket, with the socket and the result; tracepoint mode. */
static __always_inline int sock_layer(struct sock *sk, int ret, int flags, bool send)
{
	struct task_struct *t = current_task();
	struct io *io;

	if (!send && (flags & MSG_PEEK))
		return 0;	/* the data stays queued for the next read */
	if (proc_skipped(t))
		return 0;
	if (!inet_family(sock_family(sk)) || !(io = io_slot()))
		return 0;
	io->sk = (__u64)sk;
	io->ret = ret;
	io->msgs = 1;
	io->send = send;
	io->flags = 0;
	/* A stream's receive has no source to give. */
	io->call = io_call(t, io, send || !sock_stream(sk));
	if (io->call == CALL_SKIP)
		return 0;
	if (io->fd < 0) {
		__sync_fetch_and_add(&unattributed, 1);
		/* The per-syscall tracepoints skip 32-bit calls: here is
		 * where such a process shows. */
		if (syscall_tps && cur_compat())
			say_untraced(UNTRACED_COMPAT);
		return 0;
	}
	if (io->name)
		recv_at_exit();
	else
		sock_io();
	return 0;
}

/* inet_sendmsg and friends (kprobe mode): every send and receive of every
 * IPv4/IPv6 socket, with the kernel's own copy of the destination. */
static __always_inline int inet_io_enter(struct socket *sock, struct msghdr *msg, int msgflags, bool send)
{
	struct task_struct *t = current_task();
	struct io io = { .send = send };
	struct call c = { .kind = CK_IO, .send = send };
	struct fd_key k;
	void *name;
	int namelen;

	if ((!send && (msgflags & MSG_PEEK)) || proc_skipped(t))
		return 0;
	io.sk = (__u64)BPF_CORE_READ(sock, sk);
	/* Whether a datagram receive asks for its source is the caller's
	 * to say: the kernel's msghdr may have a name either way (5.10). */
	c.call = io_call(t, &io, !send && !sock_stream((struct sock *)io.sk));
	if (c.call == CALL_SKIP)
		return 0;
	if (io.fd < 0) {
		__sync_fetch_and_add(&unattributed, 1);
		return 0;
	}
	k.files = cur_files(t);
	k.fd = io.fd;
	k.pad = 0;
	if (!bpf_map_lookup_elem(&socks, &k) && !proc_traced(t))
		return 0;
	c.sk = io.sk;
	c.fd = io.fd;
	name = BPF_CORE_READ(msg, msg_name);
	if (send) {
		namelen = BPF_CORE_READ(msg, msg_namelen);
		if (name && !read_dest(name, namelen, sock_family((struct sock *)io.sk), false, &c.dest))
			c.flags = EVF_DEST;
	} else if (name && io.name) {
		/* The kernel's msghdr, whose msg_name the return finds filled. */
		c.uaddr = (__u64)msg;
		c.flags = CF_SOURCE | CF_KMSG;
	}
	save_call(&c, &k);
	return 0;
}

/* One message of a sendmmsg or recvmmsg syscall that returned n: its
 * length (struct mmsghdr: msg_len after a user_msghdr), and the
 * destination a send names or the source a receive asked for, read from
 * the process's memory. */
static __always_inline bool mmsg_io(struct io *io, const struct call *c, int i)
{
	const void *m = (const void *)c->uaddr + i * 64;
	struct user_msghdr mh;
	__u32 len;

	if (bpf_probe_read_user(&len, sizeof(len), m + sizeof(struct user_msghdr)))
		return false;
	io->ret = len;
	io->flags = 0;
	if ((c->send || (c->flags & CF_SOURCE)) && !bpf_probe_read_user(&mh, sizeof(mh), m) && mh.msg_name &&
	    !read_dest(mh.msg_name, mh.msg_namelen, sock_family((struct sock *)c->sk), true, &io->dest))
		io->flags = EVF_DEST | EVF_DEST_USER;
	return true;
}

/* The source of the datagram a receive c asked for, which the kernel
 * wrote on its way out: into its own msghdr (kprobe mode), or the
 * process's memory. */
static __always_inline void recv_source(struct io *io, const struct call *c)
{
	__u16 family = sock_family((struct sock *)c->sk);
	struct msghdr *km = (struct msghdr *)c->uaddr;
	struct user_msghdr mh;

	if (c->flags & CF_KMSG) {
		if (!read_dest(BPF_CORE_READ(km, msg_name), BPF_CORE_READ(km, msg_namelen), family, false,
			       &io->dest))
			io->flags = EVF_DEST;
	} else if (c->call == CALL_recvfrom) {
		if (!read_dest((void *)c->uaddr, c->addrlen, family, true, &io->dest))
			io->flags = EVF_DEST | EVF_DEST_USER;
	} else if (!bpf_probe_read_user(&mh, sizeof(mh), (void *)c->uaddr) && mh.msg_name &&
		   !read_dest(mh.msg_name, mh.msg_namelen, family, true, &io->dest)) {
		io->flags = EVF_DEST | EVF_DEST_USER;
	}
}

static __always_inline int io_exit(long ret)
{
	struct call *c = find_call(CK_IO);
	struct io *io = io_slot();

	if (!c || !io)
		return 0;
	io->sk = c->sk;
	io->ret = ret;
	io->msgs = 1;
	io->fd = c->fd;
	io->call = c->call;
	io->send = c->send;
	io->flags = c->flags & (EVF_DEST | EVF_DEST_USER);
	io->dest = c->dest;
	/* sendmmsg and recvmmsg syscalls return messages: one event each,
	 * as the socket layer gives where it is hooked. */
	if ((c->flags & CF_MMSG) && ret > 0) {
		for (int i = 0; i < 64 && i < ret; i++)
			if (mmsg_io(io, c, i))
				sock_io();
	} else {
		if ((c->flags & CF_SOURCE) && ret >= 0)
			recv_source(io, c);
		sock_io();
	}
	end_call(c);
	return 0;
}

/* The exit of a receive syscall nr, where the sock tracepoints count
 * receives: one that asked for its datagram's source left its call for
 * here (recv_at_exit()). A recvfrom that passed no address left none,
 * and most receives on a stream are such (nginx's, redis's): they cost a
 * register load, not a lookup in the call table. */
static __always_inline int source_exit(long nr, long ret)
{
	if (nr == NR_recvfrom && BTF_LOADS &&
	    !LOAD_ARG5((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf())))
		return 0;
	return io_exit(ret);
}

/* A send or receive on fd through a syscall (tracepoint mode without sock
 * tracepoints; sendfile and splice everywhere). */
static __noinline int fd_io_enter(int fd, __u8 call, __u8 send, const long *a)
{
	struct task_struct *t = current_task();
	struct fd_key k = { .files = cur_files(t), .fd = fd };
	struct call c = { .kind = CK_IO, .fd = fd, .call = call, .send = send };
	struct sock *sk;

	c.file = cur_fd_file(fd);
	sk = file_sock(c.file);
	if (!sk || !inet_family(sock_family(sk)))
		return 0;
	if (!bpf_map_lookup_elem(&socks, &k) && !proc_traced(t))
		return 0;
	if ((call == CALL_recvfrom && (a[3] & MSG_PEEK)) || (call == CALL_recvmsg && (a[2] & MSG_PEEK)))
		return 0;
	c.sk = (__u64)sk;
	if (call == CALL_sendto && a[4] &&
	    !read_dest((void *)a[4], a[5], sock_family(sk), true, &c.dest))
		c.flags = EVF_DEST | EVF_DEST_USER;
	if (call == CALL_sendmmsg || call == CALL_recvmmsg)
		c.flags |= CF_MMSG;
	c.uaddr = a[1];
	if (call == CALL_sendmsg) {
		struct user_msghdr mh;

		if (!bpf_probe_read_user(&mh, sizeof(mh), (void *)a[1]) && mh.msg_name &&
		    !read_dest(mh.msg_name, mh.msg_namelen, sock_family(sk), true, &c.dest))
			c.flags = EVF_DEST | EVF_DEST_USER;
	}
	/* A datagram's source, where the receive asks for it: read at the
	 * exit (recvfrom's room for it now, before the kernel rewrites it). */
	if (!send && !sock_stream(sk)) {
		if (call == CALL_recvfrom && a[4] &&
		    !bpf_probe_read_user(&c.addrlen, sizeof(c.addrlen), (void *)a[5])) {
			c.uaddr = a[4];
			c.flags |= CF_SOURCE;
		} else if (call == CALL_recvmsg || call == CALL_recvmmsg) {
			c.flags |= CF_SOURCE;
		}
	}
	save_call(&c, &k);
	return 0;
}

static __always_inline int sendfile_enter(const long *a)
{
	return fd_io_enter(a[0], CALL_sendfile, 1, a);
}

static __always_inline int sendfile_exit(long ret)
{
	return io_exit(ret);
}

/* splice into a socket is a send, out of one a receive. */
static __always_inline int splice_enter(const long *a)
{
	struct sock *out = file_sock(cur_fd_file(a[2]));

	if (out && inet_family(sock_family(out)))
		return fd_io_enter(a[2], CALL_splice, 1, a);
	return fd_io_enter(a[0], CALL_splice, 0, a);
}

static __always_inline int splice_exit(long ret)
{
	return io_exit(ret);
}

#endif
