/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* Reading the kernel's objects: tasks, their syscall arguments,
 * descriptors, sockets, sockaddrs. */
#ifndef KERNEL_H
#define KERNEL_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "state.h"

#define AF_INET 2
#define AF_INET6 10
#define ENOENT 2
#define EINPROGRESS 115
#define ECONNABORTED 103
#define ETIMEDOUT 110
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define SIN6_LEN 24		/* the kernel's minimum for an AF_INET6 address */
#define MSG_PEEK 2
#define PF_IO_WORKER 0x10
#define PF_KTHREAD 0x00200000
#define TCP_ESTABLISHED 1
#define TCP_SYN_SENT 2
#define TCP_SYN_RECV 3
#define TCP_FIN_WAIT2 5
#define TCP_CLOSE 7
#define TCP_CLOSE_WAIT 8
#define TCP_LAST_ACK 9
#define TCP_CLOSING 11
#define CLOSE_RANGE_CLOEXEC 4
/* task_pt_regs() where bpf_task_pt_regs() is missing (before 5.15): the
 * user registers sit at the top of the kernel stack, 16 KiB on x86_64 and
 * arm64 kernels built without KASAN. */
#define THREAD_SIZE (16 * 1024)

#if defined(__TARGET_ARCH_x86)
#define REGS_NR(r) BPF_CORE_READ(r, orig_ax)
#define TS_COMPAT 0x0002
#elif defined(__TARGET_ARCH_arm64)
#define REGS_NR(r) BPF_CORE_READ(r, syscallno)
#define TIF_32BIT 22
#endif

/*
 * Plain loads instead of a bpf_probe_read_kernel() call per field, through
 * the BTF pointers of the current task and its user registers: about 25 ns
 * less per send or receive (bench/README.md). Needs the helpers (5.15) and
 * the kernel's own BTF, which the verifier reads (--btf FILE is not enough);
 * where either is missing the verifier never sees this branch, kernel_btf
 * being a constant to it and the helper check one to libbpf.
 */
#define BTF_LOADS (kernel_btf &&							\
	bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_get_current_task_btf) &&	\
	bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
#if defined(__TARGET_ARCH_x86)
#define LOAD_NR(r) ((r)->orig_ax)
#define LOAD_ARG1(r) ((r)->di)
#define LOAD_ARG5(r) ((r)->r8)
#define LOAD_ARGS(r, a) ((a)[0] = (r)->di, (a)[1] = (r)->si, (a)[2] = (r)->dx,	\
			 (a)[3] = (r)->r10, (a)[4] = (r)->r8, (a)[5] = (r)->r9)
#define LOAD_COMPAT(t) ((t)->thread_info.status & TS_COMPAT)
#elif defined(__TARGET_ARCH_arm64)
#define LOAD_NR(r) ((r)->syscallno)
#define LOAD_ARG1(r) ((r)->orig_x0)
#define LOAD_ARG5(r) ((r)->regs[4])
#define LOAD_ARGS(r, a) ((a)[0] = (r)->orig_x0, (a)[1] = (r)->regs[1], (a)[2] = (r)->regs[2], \
			 (a)[3] = (r)->regs[3], (a)[4] = (r)->regs[4], (a)[5] = (r)->regs[5])
#define LOAD_COMPAT(t) ((t)->thread_info.flags & (1UL << TIF_32BIT))
#endif

static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

static __always_inline __u64 task_files(struct task_struct *t)
{
	return (__u64)BPF_CORE_READ(t, files);
}

/* task_files() of the current task t; a BTF pointer to the verifier, so
 * not for the arguments of global functions (walk_fd), which take scalars. */
static __always_inline __u64 cur_files(struct task_struct *t)
{
	if (BTF_LOADS)
		return (__u64)bpf_get_current_task_btf()->files;
	return task_files(t);
}

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

/* The number of pid p in socktrace's own pid namespace, 0 where it has
 * none there (a process outside it). */
static __always_inline __u32 viewer_nr(struct pid *p)
{
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up;

	for (unsigned int i = 1; i < 8; i++) {
		if (i > level)
			break;
		bpf_probe_read_kernel(&up, sizeof(up), (void *)p + bpf_core_field_offset(struct pid, numbers) +
				      i * sizeof(struct upid));
		if (BPF_CORE_READ(up.ns, ns.inum) == viewer_pidns)
			return up.nr;
	}
	return 0;
}

/* kernfs_node.parent became __parent in 6.14. */
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(((struct kernfs_node___new *)0)->__parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* t's process and thread ids, as socktrace's pid namespace sees them. */
static __always_inline __u32 task_tgid(struct task_struct *t)
{
	if (viewer_pidns)
		return viewer_nr(BPF_CORE_READ(t, group_leader, thread_pid));
	return BPF_CORE_READ(t, tgid);
}

static __always_inline __u32 task_tid(struct task_struct *t)
{
	if (viewer_pidns)
		return viewer_nr(BPF_CORE_READ(t, thread_pid));
	return BPF_CORE_READ(t, pid);
}

/* Start time of t's process: with the pid, it names one process. */
static __always_inline __u64 task_pstart(struct task_struct *t)
{
	return BPF_CORE_READ(t, group_leader, start_time);
}

/* The pid of t's process in its own pid namespace; 0 when that is the
 * initial namespace, where it equals the pid already reported. */
static __always_inline __u32 ns_tgid(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	if (!level)
		return 0;
	bpf_probe_read_kernel(&up, sizeof(up), (void *)p + bpf_core_field_offset(struct pid, numbers) +
			      (__u64)(level & 0xff) * sizeof(struct upid));
	return up.nr;
}

/*
 * task_pstart(), task_tgid() and ns_tgid() of the current task t: plain
 * loads through its BTF pointer where BTF_LOADS, six probe reads fewer
 * each time a socket is tracked or its process told. A process in a pid
 * namespace of its own (level > 0) takes the probe-read path: its number
 * there sits at a variable offset, which a BTF pointer may not take.
 */
static __always_inline __u64 cur_pstart(struct task_struct *t)
{
	if (BTF_LOADS)
		return bpf_get_current_task_btf()->group_leader->start_time;
	return task_pstart(t);
}

static __always_inline __u32 cur_tgid(struct task_struct *t)
{
	if (!viewer_pidns)
		return bpf_get_current_pid_tgid() >> 32;
	return task_tgid(t);
}

static __always_inline __u32 cur_ns_tgid(struct task_struct *t)
{
	if (BTF_LOADS && !bpf_get_current_task_btf()->group_leader->thread_pid->level)
		return 0;
	return ns_tgid(t);
}

/* A 32-bit syscall: its numbers and registers are not the native ones. */
static __always_inline bool task_compat(struct task_struct *t)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(t, thread_info.status) & TS_COMPAT;
#else
	return BPF_CORE_READ(t, thread_info.flags) & (1UL << TIF_32BIT);
#endif
}

/* task_compat() of the current task. */
static __always_inline bool cur_compat(void)
{
	if (BTF_LOADS)
		return LOAD_COMPAT(bpf_get_current_task_btf());
	return task_compat(current_task());
}

/* The user registers of the current syscall. */
static __always_inline struct pt_regs *syscall_regs(struct task_struct *t)
{
	if (BTF_LOADS)
		return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	return (struct pt_regs *)((void *)BPF_CORE_READ(t, stack) + THREAD_SIZE) - 1;
}

/* The struct file on fd in the descriptor table files, 0 if none. */
static __always_inline __u64 fd_file(__u64 files, int fd)
{
	struct files_struct *fs = (struct files_struct *)files;
	struct fdtable *fdt = BPF_CORE_READ(fs, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd < 0 || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return (__u64)f;
}

/* fd_file() of the current task's own table: through its BTF pointers
 * with plain loads where BTF_LOADS, so that only the slot itself is a
 * probe read (one in place of four, on every connect, accept and close
 * of a tracked socket). */
static __always_inline __u64 cur_fd_file(int fd)
{
	if (BTF_LOADS) {
		struct fdtable *fdt = bpf_get_current_task_btf()->files->fdt;
		struct file **fds = fdt->fd;
		struct file *f = NULL;

		if (fd < 0 || (unsigned int)fd >= fdt->max_fds)
			return 0;
		bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
		return (__u64)f;
	}
	return fd_file(task_files(current_task()), fd);
}

/* The struct sock of a socket file, NULL for any other file. */
static __always_inline struct sock *file_sock(__u64 file)
{
	struct file *f = (struct file *)file;
	struct socket *s;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	s = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(s, sk);
}

/* The inode number of a socket file, 0 for none. */
static __always_inline __u64 file_ino(__u64 file)
{
	struct file *f = (struct file *)file;

	return f ? BPF_CORE_READ(f, f_inode, i_ino) : 0;
}

/* The same, from the socket's struct sock (a socket and its inode are
 * allocated together, struct socket_alloc). */
static __always_inline __u64 sock_ino(struct sock *sk)
{
	struct socket_alloc *sa = (struct socket_alloc *)BPF_CORE_READ(sk, sk_socket);

	return sa ? BPF_CORE_READ(sa, vfs_inode.i_ino) : 0;
}

static __always_inline __u16 sock_family(struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_family);
}

/* A stream socket: its receives have no source to give. */
static __always_inline bool sock_stream(struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_type) == SOCK_STREAM;
}

static __always_inline bool inet_family(__u16 family)
{
	return family == AF_INET || family == AF_INET6;
}

static __always_inline __u32 sock_netns(struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* A connected socket (UDP too: connect() gives it a peer). */
static __always_inline bool sock_connected(struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_ESTABLISHED;
}

/* The local end of an IPv4 or IPv6 socket of family into e (what
 * getsockname() says). */
static __always_inline void sock_local(struct sock *sk, __u16 family, struct ends *e)
{
	struct inet_sock *inet = (struct inet_sock *)sk;

	/* Sized by hand: BPF_CORE_READ_INTO would size by the byte array. */
	if (family == AF_INET)
		bpf_core_read(e->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
	else
		bpf_core_read(e->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
	e->sport = bpf_ntohs(BPF_CORE_READ(inet, inet_sport));
}

/*
 * Fills e from the kernel's socket: protocol and local end always, and
 * the peer when peer is set. False when the socket is not IPv4 or IPv6.
 */
static __always_inline bool sock_ends(struct sock *sk, struct ends *e, bool peer)
{
	__u16 family;

	if (!sk)
		return false;
	family = sock_family(sk);
	if (!inet_family(family))
		return false;
	sock_local(sk, family, e);
	if (peer && family == AF_INET)
		bpf_core_read(e->daddr, 4, &sk->__sk_common.skc_daddr);
	else if (peer)
		bpf_core_read(e->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	e->family = family;
	e->dfamily = family;
	e->proto = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	if (peer)
		e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	return true;
}

/*
 * The destination in a sockaddr of a process (user) or the kernel's copy
 * of it, read by the family the sockaddr says and shown in the socket's
 * family: an AF_INET address given to an IPv6 socket is what the kernel
 * makes of it, an IPv4-mapped address. 0 when it is IPv4 or IPv6, 1 for
 * another family, -1 if unreadable.
 */
static __always_inline int read_dest(const void *addr, int addrlen, __u16 sfamily, bool user,
				     struct ends *d)
{
	struct sockaddr_in6 sa = {};
	long err;

	if (addrlen < (int)sizeof(struct sockaddr_in))
		return -1;
	err = user ? bpf_probe_read_user(&sa, sizeof(struct sockaddr_in), addr) :
		     bpf_probe_read_kernel(&sa, sizeof(struct sockaddr_in), addr);
	if (err)
		return -1;
	if (sa.sin6_family == AF_INET6) {
		if (addrlen < SIN6_LEN)
			return -1;
		err = user ? bpf_probe_read_user(&sa, SIN6_LEN, addr) :
			     bpf_probe_read_kernel(&sa, SIN6_LEN, addr);
		if (err)
			return -1;
		__builtin_memcpy(d->daddr, &sa.sin6_addr, 16);
		d->dfamily = AF_INET6;
	} else if (sa.sin6_family == AF_INET) {
		__u32 a4 = ((struct sockaddr_in *)&sa)->sin_addr.s_addr;

		__builtin_memset(d->daddr, 0, 16);
		if (sfamily == AF_INET6) {
			d->daddr[10] = 0xff;
			d->daddr[11] = 0xff;
			__builtin_memcpy(d->daddr + 12, &a4, 4);
			d->dfamily = AF_INET6;
		} else {
			__builtin_memcpy(d->daddr, &a4, 4);
			d->dfamily = AF_INET;
		}
	} else {
		return 1;
	}
	d->dport = bpf_ntohs(sa.sin6_port);
	return 0;
}

#endif
