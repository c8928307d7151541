// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * Kernel side of socktrace: the life of IPv4 and IPv6 sockets from connect
 * (or a first sendto with a destination) to the end of their descriptor.
 *
 * Each syscall has one handler body; the kprobe (ksyscall) and the syscall
 * tracepoint programs at the bottom are thin wrappers around it, and user
 * space loads only one of the two sets. Process exit and exec are seen
 * through raw tracepoints, which both modes use.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "socktrace.h"

#define AF_INET 2
#define AF_INET6 10
#define EINPROGRESS 115
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define SIN6_LEN 24	/* the kernel's minimum for an AF_INET6 connect */

/* Set by user space through the skeleton's rodata before load. */
const volatile __u32 filter_pid = 0;
const volatile __u8 filter_family = 0;
const volatile char filter_comm[COMM_LEN] = {};
/* Wake the consumer early only when this much data is waiting; otherwise
 * it drains the ring on its own short poll timeout. */
const volatile __u64 wakeup_bytes = 1 << 20;

/* Events that found the ring buffer full; user space reports them. */
__u64 lost = 0;
/* Sockets not tracked because a table was full. */
__u64 untracked = 0;
/* Entries in socks and procs, kept here so that user space can read them
 * from memory after it has given up the right to call bpf(). */
__s64 nsocks = 0;
__s64 nprocs = 0;

struct sock_key {
	__u32 tgid;
	__s32 fd;
};

/* A tracked socket: its descriptor, from connect (or a first sendto with a
 * destination) until that descriptor ends. */
struct sock_val {
	__u64 start_ns;
	__u64 bytes;
	__u64 sends;
	__u64 file;	/* the struct file on the fd: tells a replaced fd */
	__u32 nspid;	/* a process never changes pid namespace */
	__u32 pad;
	struct ends ends;
};

/* What an entry probe leaves for the matching exit probe of the thread. */
struct call {
	const void *uaddr;	/* connect: sockaddr to read at exit if unread */
	__s32 fd;
	__s32 addrlen;
	__u8 kind;		/* enum event_kind of the pending call */
	__u8 have_dest;		/* dest holds the sockaddr's family, address, port */
	struct ends dest;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct sock_key);
	__type(value, struct sock_val);
} socks SEC(".maps");

/* Tracked sockets per process, so that exit, exec and close_range walk the
 * socket table only for processes that have some. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __s64);
} procs SEC(".maps");

/* LRU: a thread killed between entry and exit must not leak its entry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct call);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);	/* resized by user space before load */
} events SEC(".maps");

static __always_inline bool comm_matches(void)
{
	char comm[COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool traced(__u32 tgid)
{
	if (filter_pid && tgid != filter_pid)
		return false;
	if (filter_comm[0] && !comm_matches())
		return false;
	return true;
}

/* The pid of the current process in its own pid namespace; 0 when that is
 * the initial namespace, where it equals the pid already reported. */
static __always_inline __u32 ns_tgid(void)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct pid *p = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	if (!level)
		return 0;
	bpf_probe_read_kernel(&up, sizeof(up), (void *)p + bpf_core_field_offset(struct pid, numbers) +
			      (__u64)(level & 0xff) * sizeof(struct upid));
	return up.nr;
}

static __always_inline struct event *reserve(__u8 kind, __u64 pid_tgid, int fd)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return NULL;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->ret = 0;
	e->duration_ns = 0;
	e->sent_bytes = 0;
	e->sends = 0;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->nspid = 0;
	e->fd = fd;
	e->kind = kind;
	e->reason = 0;
	e->flags = 0;
	e->pad = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline void submit(struct event *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	/* Past the threshold, wake the consumer for about one event in 64:
	 * it may be blocked writing its output, and an interrupt for every
	 * event would then cost more than the event. Random, so no pattern
	 * of concurrent producers can skip it for long. */
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes &&
	    !(bpf_get_prandom_u32() & 63))
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* The destination in a user sockaddr: 0 when it is IPv4 or IPv6 (and the
 * family filter lets it through), 1 for anything else, -1 if unreadable. */
static __always_inline int read_dest(const void *uaddr, int addrlen, struct ends *d)
{
	struct sockaddr_in6 sa;

	if (addrlen < (int)sizeof(struct sockaddr_in) ||
	    bpf_probe_read_user(&sa, sizeof(struct sockaddr_in), uaddr))
		return -1;
	if (sa.sin6_family == AF_INET6) {
		if (addrlen < SIN6_LEN || bpf_probe_read_user(&sa, SIN6_LEN, uaddr))
			return -1;
		__builtin_memcpy(d->daddr, &sa.sin6_addr, 16);
	} else if (sa.sin6_family == AF_INET) {
		__builtin_memcpy(d->daddr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	} else {
		return 1;
	}
	if (filter_family && sa.sin6_family != filter_family)
		return 1;
	d->family = sa.sin6_family;
	d->dport = bpf_ntohs(sa.sin6_port);
	return 0;
}

/* The struct file on fd in the current process, 0 if none. */
static __always_inline __u64 fd_file(int fd)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return (__u64)f;
}

static __always_inline struct sock *file_sock(__u64 file)
{
	struct file *f = (struct file *)file;
	struct socket *s;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	s = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(s, sk);
}

/*
 * Fills e from the kernel's socket: protocol and local end always (what
 * getsockname() says), and the peer too when peer is set (a connected
 * socket; a failed connect keeps the destination it asked for). False when
 * the socket is not IPv4 or IPv6.
 */
static __always_inline bool sock_ends(struct sock *sk, struct ends *e, bool peer)
{
	struct inet_sock *inet = (struct inet_sock *)sk;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	/* Sized by hand: BPF_CORE_READ_INTO would size by the byte array. */
	if (family == AF_INET) {
		bpf_core_read(e->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		if (peer)
			bpf_core_read(e->daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (family == AF_INET6) {
		bpf_core_read(e->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		if (peer)
			bpf_core_read(e->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	} else {
		return false;
	}
	e->family = family;
	e->proto = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	e->sport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
	if (peer)
		e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return true;
}

static __always_inline void emit(__u8 kind, __u64 id, int fd, long ret, const struct ends *ends,
				 __u8 flags, __u32 nspid)
{
	struct event *e = reserve(kind, id, fd);

	if (!e)
		return;
	e->ret = ret;
	e->flags = flags;
	e->nspid = nspid;
	e->ends = *ends;
	submit(e);
}

/* Starts tracking k, or refreshes the ends of a socket tracked already
 * (a UDP socket may connect again, or send to a new destination). */
static __always_inline void track(struct sock_key *k, __u64 file, const struct ends *ends, __u32 nspid)
{
	struct sock_val *old = bpf_map_lookup_elem(&socks, k);
	struct sock_val v = { .start_ns = bpf_ktime_get_ns(), .file = file, .nspid = nspid, .ends = *ends };
	__s64 zero = 0, *n;

	if (old) {
		old->ends = *ends;
		return;
	}
	/* The process entry first: a socket exit cannot find is never added. */
	n = bpf_map_lookup_elem(&procs, &k->tgid);
	if (!n) {
		if (!bpf_map_update_elem(&procs, &k->tgid, &zero, BPF_NOEXIST))
			__sync_fetch_and_add(&nprocs, 1);
		n = bpf_map_lookup_elem(&procs, &k->tgid);
	}
	if (!n || bpf_map_update_elem(&socks, k, &v, BPF_NOEXIST)) {
		__sync_fetch_and_add(&untracked, 1);
		return;
	}
	__sync_fetch_and_add(&nsocks, 1);
	__sync_fetch_and_add(n, 1);
}

/* Reports the end of a tracked socket's descriptor and forgets it. */
static __always_inline void end_sock(struct sock_key *k, struct sock_val *v, __u8 reason)
{
	struct event *e = reserve(EV_CLOSE, bpf_get_current_pid_tgid(), k->fd);

	if (e) {
		e->reason = reason;
		e->nspid = v->nspid;
		e->ends = v->ends;
		e->duration_ns = e->ts_ns - v->start_ns;
		e->sent_bytes = v->bytes;
		e->sends = v->sends;
		submit(e);
	}
	if (!bpf_map_delete_elem(&socks, k)) {
		__s64 *n = bpf_map_lookup_elem(&procs, &k->tgid);

		__sync_fetch_and_add(&nsocks, -1);
		if (n)
			__sync_fetch_and_add(n, -1);
	}
}

struct sweep {
	__u32 tgid;
	__u8 reason;
	__u8 all;	/* every socket of the process, not only replaced fds */
};

static long sweep_one(struct bpf_map *map, struct sock_key *k, struct sock_val *v, struct sweep *s)
{
	if (k->tgid == s->tgid && (s->all || fd_file(k->fd) != v->file))
		end_sock(k, v, s->reason);
	return 0;
}

/* Ends the sockets of the current process whose descriptor is gone. */
static __always_inline void sweep(__u8 reason, bool all)
{
	struct sweep s = { .tgid = bpf_get_current_pid_tgid() >> 32, .reason = reason, .all = all };
	__s64 *n = bpf_map_lookup_elem(&procs, &s.tgid);

	if (n && *n > 0)
		bpf_for_each_map_elem(&socks, sweep_one, &s, 0);
}

static __always_inline int connect_enter(int fd, const void *uaddr, int addrlen)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = { .uaddr = uaddr, .fd = fd, .addrlen = addrlen, .kind = EV_CONNECT };
	int r;

	if (!traced(id >> 32))
		return 0;
	/* Unreadable: the page may just not be in yet; the kernel faults it
	 * in for its own copy, so exit tries again. */
	r = read_dest(uaddr, addrlen, &c.dest);
	if (r > 0)
		return 0;
	c.have_dest = r == 0;
	bpf_map_update_elem(&calls, &id, &c, BPF_ANY);
	return 0;
}

static __always_inline int connect_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &id);
	bool ok = ret == 0 || ret == -EINPROGRESS;
	struct sock_key k;
	struct sock *sk;
	__u32 nspid;
	__u64 file;

	if (!c || c->kind != EV_CONNECT)
		return 0;
	if (!c->have_dest && read_dest(c->uaddr, c->addrlen, &c->dest))
		goto out;
	k.tgid = id >> 32;
	k.fd = c->fd;
	file = fd_file(c->fd);
	sk = file_sock(file);
	/* Not a socket (ENOTSOCK, EBADF): nothing to report. Otherwise the
	 * kernel's view wins over the sockaddr the process passed. */
	if (!sk || !sock_ends(sk, &c->dest, ok))
		goto out;
	nspid = ns_tgid();
	if (ok)
		track(&k, file, &c->dest, nspid);
	emit(EV_CONNECT, id, c->fd, ret, &c->dest, 0, nspid);
out:
	bpf_map_delete_elem(&calls, &id);
	return 0;
}

static __always_inline int send_enter(int fd, const void *uaddr, int addrlen)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sock_key k = { .tgid = id >> 32, .fd = fd };
	struct call c = { .fd = fd, .kind = EV_SEND };
	bool tracked = bpf_map_lookup_elem(&socks, &k);

	/* A destination makes an untracked socket worth a look (how UDP
	 * clients such as DNS resolvers talk). */
	if (uaddr && (tracked || traced(k.tgid)))
		c.have_dest = read_dest(uaddr, addrlen, &c.dest) == 0;
	if (!c.have_dest && !tracked)
		return 0;
	bpf_map_update_elem(&calls, &id, &c, BPF_ANY);
	return 0;
}

static __always_inline int send_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &id);
	struct sock_key k;
	struct sock_val *s;
	struct ends ends;
	struct sock *sk;
	__u32 nspid;
	__u64 file;

	if (!c || c->kind != EV_SEND)
		return 0;
	k.tgid = id >> 32;
	k.fd = c->fd;
	s = bpf_map_lookup_elem(&socks, &k);
	if (s) {
		ends = s->ends;
		nspid = s->nspid;
		/* TCP ignores a destination on a connected socket; UDP uses it,
		 * and the socket's close reports the last one. */
		if (c->have_dest && ends.proto != IPPROTO_TCP) {
			__builtin_memcpy(ends.daddr, c->dest.daddr, 16);
			ends.dport = c->dest.dport;
			if (ret >= 0)
				s->ends = ends;
		}
		if (ret >= 0) {
			__sync_fetch_and_add(&s->bytes, ret);
			__sync_fetch_and_add(&s->sends, 1);
		}
	} else {
		/* First sendto with a destination: report it if the fd is an
		 * IPv4/IPv6 socket, and track the socket from now on. */
		ends = c->dest;
		file = fd_file(c->fd);
		sk = file_sock(file);
		if (!sk || !sock_ends(sk, &ends, false))
			goto out;
		nspid = ns_tgid();
		if (ret >= 0) {
			track(&k, file, &ends, nspid);
			s = bpf_map_lookup_elem(&socks, &k);
			if (s) {
				s->bytes = ret;
				s->sends = 1;
			}
		}
	}
	emit(EV_SEND, id, c->fd, ret, &ends, c->have_dest ? EVF_DEST_ARG : 0, nspid);
out:
	bpf_map_delete_elem(&calls, &id);
	return 0;
}

/*
 * close() is handled at entry only: Linux releases the descriptor whatever
 * close returns, and skipping a return probe keeps the cost of the hottest
 * hooked syscall (mostly non-socket fds) to one hash lookup.
 */
static __always_inline int close_enter(int fd)
{
	struct sock_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd };
	struct sock_val *s = bpf_map_lookup_elem(&socks, &k);

	if (s)
		end_sock(&k, s, REASON_CLOSE);
	return 0;
}

/* dup2/dup3 returned newfd: if a tracked socket was there, it is gone. */
static __always_inline int dup_exit(long ret)
{
	struct sock_key k = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = ret };
	struct sock_val *s;

	if (ret < 0)
		return 0;
	s = bpf_map_lookup_elem(&socks, &k);
	if (s && fd_file(k.fd) != s->file)
		end_sock(&k, s, REASON_DUP2);
	return 0;
}

static __always_inline int close_range_exit(long ret)
{
	if (ret == 0)
		sweep(REASON_CLOSE_RANGE, false);
	return 0;
}

/* both modes */

SEC("raw_tp/sched_process_exec")
int rt_exec(void *ctx)
{
	sweep(REASON_EXEC, false);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int rt_exit(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;

	/* A thread that dies inside a traced call leaves nothing behind. */
	bpf_map_delete_elem(&calls, &id);
	/* Only the last thread's exit ends the process (and its files). */
	if (BPF_CORE_READ(t, signal, live.counter))
		return 0;
	sweep(REASON_EXIT, true);
	if (!bpf_map_delete_elem(&procs, &tgid))
		__sync_fetch_and_add(&nprocs, -1);
	return 0;
}

/* kprobe mode */

SEC("ksyscall/connect")
int BPF_KSYSCALL(kp_connect, int fd, const void *uaddr, int addrlen)
{
	return connect_enter(fd, uaddr, addrlen);
}

SEC("kretsyscall/connect")
int BPF_KRETPROBE(kr_connect, long ret)
{
	return connect_exit(ret);
}

/* BPF_KSYSCALL reads five arguments; sendto's addrlen is the sixth, read
 * the way it reads the others (LINUX_HAS_SYSCALL_WRAPPER is its kconfig). */
#if defined(__TARGET_ARCH_x86)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, r9)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, regs[5])
#endif

SEC("ksyscall/sendto")
int BPF_KSYSCALL(kp_sendto, int fd, void *buf, long len, int flags, const void *uaddr)
{
	struct pt_regs *regs = LINUX_HAS_SYSCALL_WRAPPER ? (struct pt_regs *)PT_REGS_PARM1_CORE(ctx) : ctx;

	return send_enter(fd, uaddr, uaddr ? (int)SYSCALL_ARG6(regs) : 0);
}

SEC("kretsyscall/sendto")
int BPF_KRETPROBE(kr_sendto, long ret)
{
	return send_exit(ret);
}

SEC("ksyscall/close")
int BPF_KSYSCALL(kp_close, int fd)
{
	return close_enter(fd);
}

SEC("kretsyscall/dup2")
int BPF_KRETPROBE(kr_dup2, long ret)
{
	return dup_exit(ret);
}

SEC("kretsyscall/dup3")
int BPF_KRETPROBE(kr_dup3, long ret)
{
	return dup_exit(ret);
}

SEC("kretsyscall/close_range")
int BPF_KRETPROBE(kr_close_range, long ret)
{
	return close_range_exit(ret);
}

/* tracepoint mode */

SEC("tracepoint/syscalls/sys_enter_connect")
int tp_connect(struct trace_event_raw_sys_enter *ctx)
{
	return connect_enter(ctx->args[0], (const void *)ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tr_connect(struct trace_event_raw_sys_exit *ctx)
{
	return connect_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return send_enter(ctx->args[0], (const void *)ctx->args[4], ctx->args[5]);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int tr_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_close")
int tp_close(struct trace_event_raw_sys_enter *ctx)
{
	return close_enter(ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_dup2")
int tr_dup2(struct trace_event_raw_sys_exit *ctx)
{
	return dup_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_dup3")
int tr_dup3(struct trace_event_raw_sys_exit *ctx)
{
	return dup_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_close_range")
int tr_close_range(struct trace_event_raw_sys_exit *ctx)
{
	return close_range_exit(ctx->ret);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
