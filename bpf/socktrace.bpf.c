// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * Kernel side of socktrace: the life of IPv4 and IPv6 sockets, from
 * connect, accept, first use or before socktrace started, to the end of
 * their descriptor, with every byte sent and received on the way.
 *
 * Each syscall has one handler body (name_enter/name_exit). The kprobe
 * wrappers (ksyscall) and the raw sys_enter/sys_exit dispatch of the
 * tracepoint mode are both generated from the list in syscalls.h, and user
 * space loads one set. Sends and receives are counted at the socket layer
 * (sock tracepoints, or inet_*msg kprobes), which sees only sockets, so
 * that read() and write() on files cost nothing.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "socktrace.h"
#include "syscalls.h"
#include "state.h"
#include "kernel.h"
#include "filter.h"
#include "emit.h"
#include "table.h"

/* The benchmark's floor (bench/floor.c) is this object built with
 * SOCKTRACE_FLOOR: the same programs, returning at once. */
#ifdef SOCKTRACE_FLOOR
#define FLOOR() return 0
#else
#define FLOOR() do { } while (0)
#endif

/* The sixth syscall argument, which libbpf's macros do not read, and the
 * first of a 32-bit syscall (ebx; r0 on AArch32). */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, r9)
#define COMPAT_ARG1(regs) ((int)BPF_CORE_READ(regs, bx))
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, regs[5])
#define COMPAT_ARG1(regs) ((int)BPF_CORE_READ(regs, orig_x0))
#endif

/* The first n arguments of the syscall whose user registers are regs. */
static __always_inline void load_args(struct pt_regs *regs, long *a, int n)
{
	/* regs are the current task's user registers: read them directly. */
	if (BTF_LOADS) {
		regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
		LOAD_ARGS(regs, a);
		return;
	}
	a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	if (n > 1)
		a[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	if (n > 2)
		a[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	if (n > 3)
		a[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	if (n > 4)
		a[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	if (n > 5)
		a[5] = SYSCALL_ARG6(regs);
}

/*
 * A thread makes one call at a time, and every hooked return drops its
 * call: one still pending at the thread's next call, or at its exit, had
 * its return missed. A kretprobe holds only so many calls in flight (as
 * many as there are CPUs without CONFIG_PREEMPTION, else at least 10);
 * past that, the kernel skips returns without a word. Count it, and mark
 * its socket (files: the table of the current task).
 */
static __always_inline void missed_return(const struct call *old, __u64 files)
{
	struct fd_key k = { .files = files, .fd = old->fd };
	struct sock_val *v = bpf_map_lookup_elem(&socks, &k);

	__sync_fetch_and_add(&unreturned, 1);
	if (v && (!old->sk || v->sk == old->sk))
		v->flags |= SV_INCOMPLETE;
}

static __always_inline void save_call(struct call *c, struct fd_key *k)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *old = bpf_map_lookup_elem(&calls, &id);
	struct sock_val *v;

	if (old)
		missed_return(old, cur_files(current_task()));
	if (!bpf_map_update_elem(&calls, &id, c, BPF_ANY))
		return;
	/* The table is full: say so, and mark the socket whose totals will
	 * miss this call. */
	__sync_fetch_and_add(&incomplete, 1);
	v = k ? bpf_map_lookup_elem(&socks, k) : NULL;
	if (v)
		v->flags |= SV_INCOMPLETE;
}

/* The pending call of this thread if it is of kind. */
static __always_inline struct call *find_call(__u8 kind)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &id);

	return c && c->kind == kind ? c : NULL;
}

static __always_inline void drop_call(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&calls, &id);
}

/* Head-only events: accept, open. */
static __always_inline void emit_head(__u8 kind, struct task_struct *t, struct sock_val *v, int fd)
{
	struct event *e = reserve(kind, sizeof(struct event_head));

	if (!e)
		return;
	head_current(&e->h, t, v, kind, fd);
	head_sock(&e->h, v);
	submit(e);
}

/* The outcome of a connect that returned EINPROGRESS, told as the thread
 * and fd that called connect (p), whatever task the kernel finishes it in. */
static __always_inline void emit_outcome(const struct event_head *p, struct sock *sk, int state)
{
	struct event *e;
	int err;

	if (filter_failed && state != TCP_CLOSE)
		return;
	e = reserve(EV_CONNECT, EVENT_SIZE(struct ev_connect));
	if (!e)
		return;
	err = BPF_CORE_READ(sk, sk_err);
	e->h = *p;
	e->h.ts_ns = bpf_ktime_get_ns();
	e->h.flags = EVF_ASYNC;
	e->connect.ret = state != TCP_CLOSE ? 0 : err ? -err : -ECONNABORTED;
	e->connect.latency_ns = e->h.ts_ns - p->ts_ns;
	submit(e);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(rt_sock_state, struct sock *sk, int oldstate, int newstate)
{
	FLOOR();
	__u64 key = (__u64)sk;
	struct event_head *p, copy;

	if (oldstate != TCP_SYN_SENT || newstate == TCP_SYN_RECV)
		return 0;
	p = bpf_map_lookup_elem(&pending, &key);
	if (!p)
		return 0;
	copy = *p;
	if (!bpf_map_delete_elem(&pending, &key))
		emit_outcome(&copy, sk, newstate);
	return 0;
}

/* ---- connect ---- */

static __noinline int connect_enter(const long *a)
{
	struct task_struct *t = current_task();
	struct call c = { .kind = CK_CONNECT, .fd = a[0], .uaddr = a[1], .addrlen = a[2] };
	struct sock *sk;

	if (!proc_traced(t))
		return 0;
	c.file = fd_file(cur_files(t), c.fd);
	sk = file_sock(c.file);
	/* Not an IPv4/IPv6 socket (ENOTSOCK, EBADF, AF_UNIX): nothing to say. */
	if (!sk || !inet_family(sock_family(sk)))
		return 0;
	c.sk = (__u64)sk;
	c.ino = file_ino(c.file);
	c.ts = bpf_ktime_get_ns();
	save_call(&c, NULL);
	return 0;
}

/* connect(AF_UNSPEC) dissolved the association of the socket on k (file):
 * said with the peer it had, which it then forgets. An untracked socket
 * had nothing to dissolve worth a word. */
static __always_inline void disconnect(struct fd_key *k, __u64 file, const struct ends *now,
				       struct task_struct *t)
{
	struct sock_val *v = bpf_map_lookup_elem(&socks, k);

	if (!v)
		return;
	if (!holds(v, file)) {
		end_sock(k, v, REASON_UNSEEN, false);
		return;
	}
	emit_head(EV_DISCONNECT, t, v, k->fd);
	v->ends = *now;
	/* TCP keeps the address with the port gone: no peer is no peer. */
	__builtin_memset(v->ends.daddr, 0, sizeof(v->ends.daddr));
	__sync_fetch_and_add(&v->gen, 1);
}

static __noinline int connect_exit(long ret)
{
	struct task_struct *t = current_task();
	struct call *c = find_call(CK_CONNECT);
	bool ok = ret == 0 || ret == -EINPROGRESS;
	struct sock *sk;
	struct sock_val *v;
	struct event_head *h;
	struct fd_key k;
	struct ends ends = {};
	struct event *e;
	__u64 file;

	if (!c)
		return 0;
	k.files = cur_files(t);
	k.fd = c->fd;
	k.pad = 0;
	/* Closed (and maybe reused) by another thread during the call: what
	 * is on fd now is not the socket that connected. */
	file = fd_file(k.files, c->fd);
	if (file != c->file || file_ino(file) != c->ino) {
		__sync_fetch_and_add(&raced, 1);
		goto out;
	}
	sk = (struct sock *)c->sk;
	/* The kernel's view of a connected socket; for a failure, the local
	 * end and the destination that was asked for. */
	if (!sock_ends(sk, &ends, ok))
		goto out;
	/* Connected, and yet no peer: an AF_UNSPEC address dissolved it. */
	if (ret == 0 && !ends.dport) {
		disconnect(&k, file, &ends, t);
		goto out;
	}
	/* A failure names the address asked for, by its own family; none
	 * is invented from a sockaddr that is unreadable, short or foreign. */
	if (!ok && read_dest((void *)c->uaddr, c->addrlen, ends.family, true, &ends))
		goto out;
	if (!sock_traced(&ends))
		goto out;
	v = bpf_map_lookup_elem(&socks, &k);
	if (v && !holds(v, file)) {
		end_sock(&k, v, REASON_UNSEEN, false);
		v = NULL;
	}
	if (ok && v) {
		v->ends = ends;	/* UDP may connect again: same socket, new peer */
		__sync_fetch_and_add(&v->gen, 1);
	} else if (ok) {
		struct newsock n = { c->file, c->sk, bpf_get_current_cgroup_id(), ORIGIN_CONNECT, DIR_OUT };

		v = track(&k, &ends, &n, t);
	}
	h = scratch_head();
	if (!h)
		goto out;
	head_current(h, t, v, EV_CONNECT, c->fd);
	if (v) {
		head_sock(h, v);
	} else {
		h->sock = 0;
		h->cgroup = bpf_get_current_cgroup_id();
		h->netns = sock_netns(sk);
		h->origin = ORIGIN_CONNECT;
		h->dir = DIR_OUT;
		h->ends = ends;
	}
	e = filter_failed && ok ? NULL : reserve(EV_CONNECT, EVENT_SIZE(struct ev_connect));
	if (e) {
		e->h = *h;
		e->connect.ret = ret;
		/* A connect in progress is timed by its outcome; the others, by
		 * the call (a blocking connect waits for the handshake). */
		e->connect.latency_ns = ret == -EINPROGRESS ? 0 : h->ts_ns - c->ts;
		submit(e);
	}
	/* The outcome comes later, from the kernel's handshake; or it came
	 * already (loopback finishes it before connect returns). Whoever
	 * takes the pending entry out reports it, once. */
	if (connect_outcomes && v && ret == -EINPROGRESS && ends.proto == IPPROTO_TCP) {
		int state;

		if (bpf_map_update_elem(&pending, &c->sk, h, BPF_ANY)) {
			/* Not followed to its outcome: said, not silent. */
			__sync_fetch_and_add(&incomplete, 1);
			v->flags |= SV_INCOMPLETE;
			goto out;
		}
		state = BPF_CORE_READ(sk, __sk_common.skc_state);
		v->flags |= SV_CONNECTING;
		if (state != TCP_SYN_SENT && state != TCP_SYN_RECV &&
		    !bpf_map_delete_elem(&pending, &c->sk))
			emit_outcome(h, sk, state);
	}
out:
	drop_call();
	return 0;
}

/* ---- accept ---- */

static __noinline int accept_exit(long ret)
{
	struct task_struct *t = current_task();
	struct fd_key k = { .files = cur_files(t), .fd = ret };
	struct newsock n = { .origin = ORIGIN_ACCEPT, .dir = DIR_IN };
	struct ends ends = {};
	struct sock_val *v;
	struct sock *sk;
	__u64 file;

	if (ret < 0 || !proc_traced(t))
		return 0;
	file = fd_file(k.files, ret);
	sk = file_sock(file);
	if (!sock_ends(sk, &ends, true) || !sock_traced(&ends))
		return 0;
	v = bpf_map_lookup_elem(&socks, &k);
	if (v)
		end_sock(&k, v, REASON_UNSEEN, false);
	n.file = file;
	n.sk = (__u64)sk;
	n.cgroup = bpf_get_current_cgroup_id();
	v = track(&k, &ends, &n, t);
	if (v)
		emit_head(EV_ACCEPT, t, v, ret);
	return 0;
}

/* ---- sends and receives ---- */


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
	b->ts_ns = bpf_ktime_get_ns();
	b->sock = v->id;
	b->pstart = v->pstart;
	b->pid = pid;
	b->tid = tid;
	b->uid = (__u32)bpf_get_current_uid_gid();
	b->nspid = v->nspid;
	b->ret = io->ret;
	b->kind = kind;
	b->call = io->call;
	b->pad[0] = 0;
	b->pad[1] = 0;
	bpf_get_current_comm(b->comm, sizeof(b->comm));
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
	__u32 zero = 0;
	struct scratch *scr = bpf_map_lookup_elem(&scratch, &zero);
	struct io *io = scr ? &scr->io : NULL;
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
		file = fd_file(k.files, io->fd);
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
			file = fd_file(k.files, io->fd);
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
		/* Another thread may have started it first: one open. */
		if (v->id == scr->v.id)
			emit_head(EV_OPEN, t, v, io->fd);
	} else if (v->flags & SV_QUIET) {
		/* A fork's copy, first used: from now on it is the child's. */
		v->flags &= ~SV_QUIET;
		v->owner = task_tgid(t);
		v->pstart = task_pstart(t);
		v->nspid = ns_tgid(t);
		emit_head(EV_OPEN, t, v, io->fd);
	}
	if (io->ret >= 0) {
		if (io->send) {
			__sync_fetch_and_add(&v->sent_bytes, io->ret);
			__sync_fetch_and_add(&v->sends, io->msgs);
		} else {
			__sync_fetch_and_add(&v->recv_bytes, io->ret);
			__sync_fetch_and_add(&v->recvs, io->msgs);
		}
		/* An unconnected UDP socket goes where each call says, and its
		 * close reports the last (with the local end the kernel bound
		 * meanwhile). A connected one keeps its peer: a destination
		 * given with one call is that call's alone. */
		if ((io->flags & EVF_DEST) && v->ends.proto != IPPROTO_TCP && !sock_connected(sk)) {
			sock_local(sk, v->ends.family, &v->ends);
			__builtin_memcpy(v->ends.daddr, io->dest.daddr, 16);
			v->ends.dport = io->dest.dport;
			v->ends.dfamily = io->dest.dfamily;
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
	head_current(&e->h, t, v, kind, io->fd);
	head_sock(&e->h, v);
	e->io.ret = io->ret;
	e->io.call = io->call;
	e->io.gen = gen;
	if (io->flags & EVF_DEST) {
		__builtin_memcpy(e->h.ends.daddr, io->dest.daddr, 16);
		e->h.ends.dport = io->dest.dport;
		e->h.ends.dfamily = io->dest.dfamily;
		e->h.flags = io->flags & (EVF_DEST | EVF_DEST_USER);
	} else if (brief_io && e->h.pid == v->owner) {
		v->shown = gen + 1;
	}
	submit(e);
	return 0;
}

/* The CPU's slot for the io sock_io() counts: kept off the BPF stack,
 * which the calls below it need (512 bytes for the whole chain). */
static __always_inline struct io *io_slot(void)
{
	__u32 zero = 0;
	struct scratch *scr = bpf_map_lookup_elem(&scratch, &zero);

	return scr ? &scr->io : NULL;
}

/* Calls that the socket layer must leave to their syscall hooks. */
#define CALL_SKIP 0xff

/*
 * The syscall behind a send or receive the socket layer sees, and its fd
 * (its first argument); fd -1 when there is no syscall (io_uring, kernel
 * threads). The destination a send names is read from the process's
 * memory here: only a tracepoint-mode kernel needs it (kprobes read the
 * kernel's copy).
 */
static __always_inline __u8 io_call(struct task_struct *t, struct io *io, bool want_dest)
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
		return CALL_OTHER;
	if (pflags & PF_IO_WORKER)
		return CALL_IO_URING;
	if (compat)
		return CALL_OTHER;
	switch (nr) {
	case NR_write: call = CALL_WRITE; break;
	case NR_writev: call = CALL_WRITEV; break;
	case NR_pwritev: call = CALL_PWRITEV; break;
	case NR_pwritev2: call = CALL_PWRITEV2; break;
	case NR_sendto: call = CALL_SENDTO; break;
	case NR_sendmsg: call = CALL_SENDMSG; break;
	case NR_sendmmsg: call = CALL_SENDMMSG; break;
	case NR_read: call = CALL_READ; break;
	case NR_readv: call = CALL_READV; break;
	case NR_preadv: call = CALL_PREADV; break;
	case NR_preadv2: call = CALL_PREADV2; break;
	case NR_recvfrom: call = CALL_RECVFROM; break;
	case NR_recvmsg: call = CALL_RECVMSG; break;
	case NR_recvmmsg: call = CALL_RECVMMSG; break;
	case NR_sendfile:
	case NR_splice:
		return CALL_SKIP;
	case NR_io_uring_enter:
		return CALL_IO_URING;
	default:
		return CALL_OTHER;
	}
	io->fd = BTF_LOADS ? LOAD_ARG1(regs) : PT_REGS_PARM1_CORE_SYSCALL(regs);
	if (!want_dest)
		return call;
	if (call == CALL_SENDTO) {
		name = (void *)PT_REGS_PARM5_CORE_SYSCALL(regs);
		namelen = SYSCALL_ARG6(regs);
	} else if (call == CALL_SENDMSG || call == CALL_SENDMMSG) {
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

static __always_inline void notice(__u32 why);

/* A process the process filters leave out, with no descriptor tracked in
 * its table: none of its sends or receives can count (what it inherited
 * or was followed into would be in its table), so none is looked at. */
static __always_inline bool proc_skipped(struct task_struct *t)
{
	return PROC_FILTERED && !table_may_track(task_files(t)) && !proc_traced(t);
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
	io->call = io_call(t, io, send);
	if (io->call == CALL_SKIP)
		return 0;
	if (io->fd < 0) {
		__sync_fetch_and_add(&unattributed, 1);
		/* The per-syscall tracepoints skip 32-bit calls: here is
		 * where such a process shows. */
		if (syscall_tps && cur_compat())
			notice(UNTRACED_COMPAT);
		return 0;
	}
	sock_io();
	return 0;
}

SEC("raw_tp/sock_send_length")
int BPF_PROG(rt_sock_send, struct sock *sk, int ret, int flags)
{
	FLOOR();
	return sock_layer(sk, ret, flags, true);
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(rt_sock_recv, struct sock *sk, int ret, int flags)
{
	FLOOR();
	return sock_layer(sk, ret, flags, false);
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
	c.call = io_call(t, &io, false);
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
	if (send) {
		name = BPF_CORE_READ(msg, msg_name);
		namelen = BPF_CORE_READ(msg, msg_namelen);
		if (name && !read_dest(name, namelen, sock_family((struct sock *)io.sk), false, &c.dest))
			c.flags = EVF_DEST;
	}
	save_call(&c, &k);
	return 0;
}

/* One message of a sendmmsg or recvmmsg syscall that returned n: its
 * length (struct mmsghdr: msg_len after a user_msghdr), and for a send the
 * destination it names, both read from the process's memory. */
static __always_inline bool mmsg_io(struct io *io, const struct call *c, int i)
{
	const void *m = (const void *)c->uaddr + i * 64;
	struct user_msghdr mh;
	__u32 len;

	if (bpf_probe_read_user(&len, sizeof(len), m + sizeof(struct user_msghdr)))
		return false;
	io->ret = len;
	io->flags = 0;
	if (c->send && !bpf_probe_read_user(&mh, sizeof(mh), m) && mh.msg_name &&
	    !read_dest(mh.msg_name, mh.msg_namelen, sock_family((struct sock *)c->sk), true, &io->dest))
		io->flags = EVF_DEST | EVF_DEST_USER;
	return true;
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
		sock_io();
	}
	drop_call();
	return 0;
}

SEC("kprobe/inet_sendmsg")
int BPF_KPROBE(kp_inet_sendmsg, struct socket *sock, struct msghdr *msg)
{
	FLOOR();
	return inet_io_enter(sock, msg, 0, true);
}

/* inet_*msg return an int: the upper half of the register is not its. */
SEC("kretprobe/inet_sendmsg")
int BPF_KRETPROBE(kr_inet_sendmsg, long ret)
{
	FLOOR();
	return io_exit((int)ret);
}

SEC("kprobe/inet6_sendmsg")
int BPF_KPROBE(kp_inet6_sendmsg, struct socket *sock, struct msghdr *msg)
{
	FLOOR();
	return inet_io_enter(sock, msg, 0, true);
}

SEC("kretprobe/inet6_sendmsg")
int BPF_KRETPROBE(kr_inet6_sendmsg, long ret)
{
	FLOOR();
	return io_exit((int)ret);
}

SEC("kprobe/inet_recvmsg")
int BPF_KPROBE(kp_inet_recvmsg, struct socket *sock, struct msghdr *msg, size_t size, int flags)
{
	FLOOR();
	return inet_io_enter(sock, msg, flags, false);
}

SEC("kretprobe/inet_recvmsg")
int BPF_KRETPROBE(kr_inet_recvmsg, long ret)
{
	FLOOR();
	return io_exit((int)ret);
}

SEC("kprobe/inet6_recvmsg")
int BPF_KPROBE(kp_inet6_recvmsg, struct socket *sock, struct msghdr *msg, size_t size, int flags)
{
	FLOOR();
	return inet_io_enter(sock, msg, flags, false);
}

SEC("kretprobe/inet6_recvmsg")
int BPF_KRETPROBE(kr_inet6_recvmsg, long ret)
{
	FLOOR();
	return io_exit((int)ret);
}

/* A send or receive on fd through a syscall (tracepoint mode without sock
 * tracepoints; sendfile and splice everywhere). */
static __noinline int fd_io_enter(int fd, __u8 call, __u8 send, const long *a)
{
	struct task_struct *t = current_task();
	struct fd_key k = { .files = cur_files(t), .fd = fd };
	struct call c = { .kind = CK_IO, .fd = fd, .call = call, .send = send };
	struct sock *sk;

	c.file = fd_file(k.files, fd);
	sk = file_sock(c.file);
	if (!sk || !inet_family(sock_family(sk)))
		return 0;
	if (!bpf_map_lookup_elem(&socks, &k) && !proc_traced(t))
		return 0;
	if ((call == CALL_RECVFROM && (a[3] & MSG_PEEK)) || (call == CALL_RECVMSG && (a[2] & MSG_PEEK)))
		return 0;
	c.sk = (__u64)sk;
	if (call == CALL_SENDTO && a[4] &&
	    !read_dest((void *)a[4], a[5], sock_family(sk), true, &c.dest))
		c.flags = EVF_DEST | EVF_DEST_USER;
	if (call == CALL_SENDMMSG || call == CALL_RECVMMSG)
		c.flags |= CF_MMSG;
	if (call == CALL_SENDMSG) {
		struct user_msghdr mh;

		if (!bpf_probe_read_user(&mh, sizeof(mh), (void *)a[1]) && mh.msg_name &&
		    !read_dest(mh.msg_name, mh.msg_namelen, sock_family(sk), true, &c.dest))
			c.flags = EVF_DEST | EVF_DEST_USER;
	}
	c.uaddr = a[1];
	save_call(&c, &k);
	return 0;
}

static __always_inline int sendfile_enter(const long *a)
{
	return fd_io_enter(a[0], CALL_SENDFILE, 1, a);
}

static __always_inline int sendfile_exit(long ret)
{
	return io_exit(ret);
}

/* splice into a socket is a send, out of one a receive. */
static __always_inline int splice_enter(const long *a)
{
	struct task_struct *t = current_task();
	struct sock *out = file_sock(fd_file(cur_files(t), a[2]));

	if (out && inet_family(sock_family(out)))
		return fd_io_enter(a[2], CALL_SPLICE, 1, a);
	return fd_io_enter(a[0], CALL_SPLICE, 0, a);
}

static __always_inline int splice_exit(long ret)
{
	return io_exit(ret);
}

/* ---- ends of descriptors ---- */

static __always_inline int close_fd(int fd)
{
	/* Read as a number, not a BTF pointer: table_slot() hashes it. */
	struct fd_key k = { .files = task_files(current_task()), .fd = fd };
	struct sock_val *v;

	if (!table_may_track(k.files))
		return 0;
	v = bpf_map_lookup_elem(&socks, &k);

	/* close() is handled at entry only: Linux releases the descriptor
	 * whatever close returns, and a return probe on the hottest hooked
	 * syscall would cost every close on the machine. */
	if (v) {
		if (holds(v, fd_file(k.files, fd)))
			end_sock(&k, v, REASON_CLOSE, true);
		else
			end_sock(&k, v, REASON_UNSEEN, false);
	}
	return 0;
}

static __always_inline int close_enter(const long *a)
{
	return close_fd(a[0]);
}

/* dup2/dup3 returned newfd: if a tracked socket was there, it is gone. */
static __always_inline int dup_exit(long ret)
{
	struct fd_key k = { .files = task_files(current_task()), .fd = ret };
	struct sock_val *v;

	if (ret < 0 || !table_may_track(k.files))
		return 0;
	v = bpf_map_lookup_elem(&socks, &k);
	if (v && !holds(v, fd_file(k.files, k.fd)))
		end_sock(&k, v, REASON_DUP2, false);
	return 0;
}

static __always_inline int close_range_enter(const long *a)
{
	struct call c = { .kind = CK_CLOSE_RANGE, .lo = a[0], .hi = a[1], .msgflags = a[2] };
	__u64 files = task_files(current_task());
	struct fdtab *tab = bpf_map_lookup_elem(&fdtabs, &files);

	if (tab && tab->count > 0 && !(c.msgflags & CLOSE_RANGE_CLOEXEC))
		save_call(&c, NULL);
	return 0;
}

static __noinline int close_range_exit(long ret)
{
	struct call *c = find_call(CK_CLOSE_RANGE);
	struct walk w;

	if (!c)
		return 0;
	if (ret == 0 && c->lo <= 0x7fffffff) {
		w.files = task_files(current_task());
		w.child = 0;
		w.lo = c->lo;
		w.how = WALK_GONE << 8 | REASON_CLOSE_RANGE;
		/* Bounded: this program must load on every kernel. What is
		 * beyond is found at exec or exit. */
		walk(&w, c->hi, false);
	}
	drop_call();
	return 0;
}

/* ---- 32-bit syscalls ---- */

static __always_inline void notice(__u32 why)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct task_struct *t = current_task();
	struct event *e;
	__u8 one = 1;

	if (bpf_map_update_elem(&noticed, &tgid, &one, BPF_NOEXIST))
		return;
	e = reserve(EV_UNTRACED, EVENT_SIZE(struct ev_untraced));
	if (!e)
		return;
	__builtin_memset(&e->h, 0, sizeof(e->h));
	head_current(&e->h, t, NULL, EV_UNTRACED, -1);
	e->h.cgroup = bpf_get_current_cgroup_id();
	e->untraced.why = why;
	e->untraced.pad = 0;
	submit(e);
}

/* ---- processes: exit, exec, fork ---- */

/* The fdtabs entry of a table whose descriptors are all gone. */
static __always_inline void forget_table(__u64 files)
{
	__u32 *n;

	if (bpf_map_delete_elem(&fdtabs, &files))
		return;
	n = table_slot(files);
	__sync_fetch_and_add(&ntables, -1);
	if (n)
		__sync_fetch_and_add(n, -1);
}

/* Process tgid no longer holds the shared table files (it exited, or
 * exec gave it its own): false when it was the last holder. */
static __always_inline bool let_go(__u32 tgid, __u64 files)
{
	__u32 *others = bpf_map_lookup_elem(&shared_tables, &files);

	bpf_map_delete_elem(&sharers, &tgid);
	if (!others)
		return false;
	if (*others > 0) {
		__sync_fetch_and_add(others, -1);
		return true;
	}
	bpf_map_delete_elem(&shared_tables, &files);
	return false;
}

static __always_inline int on_exit(bool use_loop)
{
	struct task_struct *t = current_task();
	__u64 id = bpf_get_current_pid_tgid();
	struct files_struct *fs = BPF_CORE_READ(t, files);
	__u64 files = (__u64)fs;
	struct walk w = { .files = files, .how = WALK_EXIT << 8 };
	bool group_dead = !BPF_CORE_READ(t, signal, live.counter);
	bool last = fs && BPF_CORE_READ(fs, count.counter) == 1;
	struct call *c;

	/* A call returns before its thread exits: one still pending lost
	 * its return. */
	c = bpf_map_lookup_elem(&calls, &id);
	if (c) {
		missed_return(c, files);
		bpf_map_delete_elem(&calls, &id);
	}
	if (filter_follow && group_dead) {
		__u32 tgid = id >> 32;

		bpf_map_delete_elem(&followed, &tgid);
	}
	if (!fs)
		return 0;
	/* The descriptors end with the last task holding their table. Its
	 * threads dying together may each see another still holding it:
	 * then the last to leave the thread group (it and the threads still
	 * on their way out make no more calls) ends them, unless another
	 * process holds the table too. */
	if (group_dead && let_go(id >> 32, files) && !last)
		return 0;
	if (!last && !group_dead)
		return 0;
	if (!table_may_track(files))
		return 0;
	walk(&w, 0x7fffffff, use_loop);
	forget_table(files);
	return 0;
}

static __always_inline int on_exec(bool use_loop)
{
	__u64 files = task_files(current_task());
	struct walk w = { .files = files, .how = WALK_GONE << 8 | REASON_EXEC };
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 *held = bpf_map_lookup_elem(&sharers, &tgid);

	/* A process that shared its table has one of its own after exec. */
	if (held && *held != files)
		let_go(tgid, *held);
	walk(&w, 0x7fffffff, use_loop);
	return 0;
}

/* A child with a table of its own inherits the tracked descriptors; one
 * that shares its parent's (CLONE_FILES) is one more holder of it. */
static __always_inline int on_fork(struct task_struct *parent, struct task_struct *child, bool use_loop)
{
	struct walk w = { .files = task_files(parent), .child = task_files(child), .how = WALK_FORK << 8 };
	__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);

	follow_fork(parent, child);
	if (!w.files || !w.child)
		return 0;
	if (w.files == w.child) {
		__u32 none = 0, *others;

		if (ptgid == ctgid)
			return 0;	/* a thread */
		bpf_map_update_elem(&shared_tables, &w.files, &none, BPF_NOEXIST);
		others = bpf_map_lookup_elem(&shared_tables, &w.files);
		if (others)
			__sync_fetch_and_add(others, 1);
		bpf_map_update_elem(&sharers, &ptgid, &w.files, BPF_ANY);
		bpf_map_update_elem(&sharers, &ctgid, &w.files, BPF_ANY);
		return 0;
	}
	/* A new table where a dead one was, whose end went unseen: what is
	 * left of that is another process's, and goes (counted). */
	if (table_may_track(w.child) && bpf_map_lookup_elem(&fdtabs, &w.child)) {
		struct walk o = { .files = w.child, .how = WALK_ORPHANS << 8 };

		walk(&o, 0x7fffffff, use_loop);
		forget_table(w.child);
	}
	walk(&w, 0x7fffffff, use_loop);
	return 0;
}

/* Two variants each: with bpf_loop (5.17+), and bounded for older kernels,
 * on which a program naming bpf_loop cannot load at all. */
#define PROCESS_HOOKS(variant, use_loop)					\
SEC("raw_tp/sched_process_exit")						\
int rt_exit_##variant(void *ctx)						\
{										\
	FLOOR();						\
	return on_exit(use_loop);						\
}										\
SEC("raw_tp/sched_process_exec")						\
int rt_exec_##variant(void *ctx)						\
{										\
	FLOOR();						\
	return on_exec(use_loop);						\
}										\
SEC("raw_tp/sched_process_fork")						\
int BPF_PROG(rt_fork_##variant, struct task_struct *parent, struct task_struct *child) \
{										\
	FLOOR();						\
	return on_fork(parent, child, use_loop);				\
}

PROCESS_HOOKS(loop, true)
PROCESS_HOOKS(bounded, false)

/* ---- sockets open before socktrace started ---- */

SEC("iter/task_file")
int iter_existing(struct bpf_iter__task_file *ctx)
{
	FLOOR();
	struct task_struct *t = ctx->task;
	struct file *file = ctx->file;
	struct newsock n = { .origin = ORIGIN_EXISTING, .dir = DIR_UNKNOWN };
	struct ends ends = {};
	struct sock_val *v;
	struct event *e;
	struct sock *sk;
	struct fd_key k;

	if (!t || !file)
		return 0;
	sk = file_sock((__u64)file);
	if (!sock_ends(sk, &ends, true) || !sock_traced(&ends) || !proc_traced(t))
		return 0;
	k.files = task_files(t);
	k.fd = ctx->fd;
	k.pad = 0;
	/* Threads share their table: the first one enters it. */
	if (bpf_map_lookup_elem(&socks, &k))
		return 0;
	n.file = (__u64)file;
	n.sk = (__u64)sk;
	n.cgroup = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	v = track(&k, &ends, &n, t);
	if (!v || (e = reserve(EV_OPEN, sizeof(struct event_head))) == NULL)
		return 0;
	head_task(&e->h, t, EV_OPEN, ctx->fd);
	head_sock(&e->h, v);
	submit(e);
	return 0;
}

/* ---- what is still tracked when tracing stops ---- */

SEC("iter/bpf_map_elem")
int iter_open(struct bpf_iter__bpf_map_elem *ctx)
{
	FLOOR();
	struct sock_val *v = ctx->value;
	struct snapshot s = {};

	if (!v || (v->flags & SV_QUIET))
		return 0;
	s.sock = v->id;
	s.owner = v->owner;
	s.owner_pstart = v->pstart;
	s.sent_bytes = v->sent_bytes;
	s.sends = v->sends;
	s.recv_bytes = v->recv_bytes;
	s.recvs = v->recvs;
	s.origin = v->origin;
	s.dir = v->dir;
	bpf_seq_write(ctx->meta->seq, &s, sizeof(s));
	return 0;
}

/* ---- kprobe mode: a ksyscall pair per hooked syscall ---- */

#define NARGS 6
/* Set by libbpf from the kernel's config; libbpf's BPF_KSYSCALL reads it. */
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
/* The user registers of a ksyscall probe (behind the syscall wrapper). */
#define KSYSCALL_REGS(ctx) \
	(LINUX_HAS_SYSCALL_WRAPPER ? (struct pt_regs *)PT_REGS_PARM1_CORE(ctx) : (ctx))

#define KP_ENTRY(name, handler, nargs)				\
SEC("ksyscall/" #name)						\
int kp_##name(struct pt_regs *ctx)				\
{								\
	FLOOR();						\
	long a[NARGS] = {};					\
								\
	load_args(KSYSCALL_REGS(ctx), a, nargs);		\
	return handler##_enter(a);				\
}
#define KP_EXIT(name, handler, nargs)				\
SEC("kretsyscall/" #name)					\
int BPF_KRETPROBE(kr_##name, long ret)				\
{								\
	FLOOR();						\
	return handler##_exit(ret);				\
}
#define KP_BOTH(name, handler, nargs) KP_ENTRY(name, handler, nargs) KP_EXIT(name, handler, nargs)

SYSCALL_HOOKS(KP_BOTH, KP_ENTRY, KP_EXIT)

#if defined(__TARGET_ARCH_x86)
/* 32-bit syscalls of IA32 emulation: their close, and a word that the
 * rest goes unseen (optional: attached where the kernel has them). */
SEC("kprobe/__ia32_sys_close")
int kp32_close(struct pt_regs *ctx)
{
	FLOOR();
	struct pt_regs *regs = (struct pt_regs *)PT_REGS_PARM1_CORE(ctx);

	return close_fd((int)BPF_CORE_READ(regs, bx));
}

SEC("kprobe/__ia32_sys_socket")
int kp32_socket(struct pt_regs *ctx)
{
	FLOOR();
	notice(UNTRACED_COMPAT);
	return 0;
}

SEC("kprobe/__ia32_compat_sys_socketcall")
int kp32_socketcall(struct pt_regs *ctx)
{
	FLOOR();
	notice(UNTRACED_COMPAT);
	return 0;
}
#endif

/* ---- tracepoint mode: raw sys_enter/sys_exit, one dispatch ---- */

#define NO_CASE(name, handler, nargs)
#define ENTER_CASE(name, handler, nargs)			\
	case NR_##name:						\
		if (cur_compat())				\
			return 0;				\
		load_args(regs, a, nargs);			\
		return handler##_enter(a);
#define EXIT_CASE(name, handler, nargs)				\
	case NR_##name:						\
		if (cur_compat())				\
			return 0;				\
		return handler##_exit(ret);
#define IO_ENTER_CASE(name, call, send)				\
	case NR_##name:						\
		if (cur_compat())				\
			return 0;				\
		load_args(regs, a, NARGS);			\
		return fd_io_enter(a[0], call, send, a);
#define IO_EXIT_CASE(name, call, send)				\
	case NR_##name:						\
		return io_exit(ret);

static __always_inline int compat_enter(struct pt_regs *regs, long nr)
{
	if (!task_compat(current_task()))
		return 0;
	if (nr == NR32_close)
		return close_fd(COMPAT_ARG1(regs));
	notice(UNTRACED_COMPAT);
	return 0;
}

SEC("raw_tp/sys_enter")
int BPF_PROG(rt_sys_enter, struct pt_regs *regs, long nr)
{
	FLOOR();
	long a[NARGS] = {};

	switch (nr) {
	SYSCALL_HOOKS(ENTER_CASE, ENTER_CASE, NO_CASE)
	case NR32_close:
	case NR32_socket:
		return compat_enter(regs, nr);
#if defined(__TARGET_ARCH_x86)
	case NR32_socketcall:
		return compat_enter(regs, nr);
#endif
	}
	if (syscall_io) {
		switch (nr) {
		IO_SYSCALLS(IO_ENTER_CASE)
		}
	}
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(rt_sys_exit, struct pt_regs *regs, long ret)
{
	FLOOR();
	long nr = BTF_LOADS ? LOAD_NR((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()))
			    : REGS_NR(regs);

	switch (nr) {
	SYSCALL_HOOKS(EXIT_CASE, NO_CASE, EXIT_CASE)
	}
	if (syscall_io) {
		switch (nr) {
		IO_SYSCALLS(IO_EXIT_CASE)
		}
	}
	return 0;
}

/* ---- tracepoint mode, per-syscall tracepoints ----
 * Where the sock tracepoints count sends and receives (6.3+) and tracefs
 * is readable, the same handlers hang on the tracepoints of their own
 * syscalls instead of the raw dispatch: a syscall socktrace does not
 * follow (a write to a file) then runs no BPF program at all
 * (bench/dispatch.sh). These events skip 32-bit calls; sock_layer() says
 * so of a 32-bit process that moves bytes, and a 32-bit close is noticed
 * later ("unseen"). */
#define TS_ENTRY(name, handler, nargs)				\
SEC("tp/syscalls/sys_enter_" #name)				\
int ts_##name(struct trace_event_raw_sys_enter *ctx)		\
{								\
	FLOOR();						\
	long a[NARGS] = {};					\
								\
	_Static_assert((nargs) <= 3, "copies 3 arguments");	\
	/* Constant offsets: the verifier takes no moved ctx. */	\
	if (nargs > 0)						\
		a[0] = ctx->args[0];				\
	if (nargs > 1)						\
		a[1] = ctx->args[1];				\
	if (nargs > 2)						\
		a[2] = ctx->args[2];				\
	return handler##_enter(a);				\
}
#define TS_EXIT(name, handler, nargs)				\
SEC("tp/syscalls/sys_exit_" #name)				\
int tx_##name(struct trace_event_raw_sys_exit *ctx)		\
{								\
	FLOOR();						\
	return handler##_exit(ctx->ret);			\
}
#define TS_BOTH(name, handler, nargs) TS_ENTRY(name, handler, nargs) TS_EXIT(name, handler, nargs)

SYSCALL_HOOKS(TS_BOTH, TS_ENTRY, TS_EXIT)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
