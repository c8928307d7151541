// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * Kernel side of socktrace: the attach surface. Each program here hands
 * what its hook gives to a handler, one header per operation: connect.h,
 * accept.h, io.h (sends and receives), lifecycle.h (the ends of
 * descriptors, exit, exec, fork), iters.h. User space loads one attach
 * mode's set and what the kernel proves it offers (src/tracer.c).
 *
 * The syscall wrappers come from the list in syscalls.h: for each hooked
 * syscall a ksyscall pair (kprobe mode), a pair of its own syscalls:
 * tracepoints and a case of the raw sys_enter/sys_exit dispatch
 * (tracepoint mode), all calling the same handler body.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "socktrace.h"
#include "accept.h"
#include "connect.h"
#include "io.h"
#include "iters.h"
#include "kernel.h"
#include "lifecycle.h"
#include "listen.h"
#include "syscalls.h"
#include "untraced.h"

/* ---- both modes: connects in progress, processes, iterators ---- */

/* Two copies. The kernel (6.0+) does not run a raw tracepoint's program
 * again inside itself: a handshake that ends in a softirq which
 * interrupted this program (at another socket's close or connect) would
 * go untold, with a whole timer's batch of connects (seen: 77 of 9000).
 * The tracepoint runs each copy in turn, so one of them is always free;
 * the pending entry makes sure the outcome is told once. */
#define SOCK_STATE(name)								\
SEC("raw_tp/inet_sock_set_state")							\
int BPF_PROG(name, struct sock *sk, int oldstate, int newstate)				\
{											\
	return sock_state(sk, oldstate, newstate);					\
}

SOCK_STATE(rt_sock_state)
SOCK_STATE(rt_sock_state_2)

/* Two variants each: with bpf_loop (5.17+), and bounded for older kernels,
 * on which a program naming bpf_loop cannot load at all. */
#define PROCESS_HOOKS(variant, use_loop)					\
SEC("raw_tp/sched_process_exit")						\
int rt_exit_##variant(void *ctx)						\
{										\
	return on_exit(use_loop);						\
}										\
SEC("raw_tp/sched_process_exec")						\
int BPF_PROG(rt_exec_##variant, struct task_struct *p, pid_t old_pid)		\
{										\
	return on_exec(old_pid, use_loop);					\
}										\
SEC("raw_tp/sched_process_fork")						\
int BPF_PROG(rt_fork_##variant, struct task_struct *parent, struct task_struct *child) \
{										\
	return on_fork(parent, child, use_loop);				\
}

PROCESS_HOOKS(loop, true)
PROCESS_HOOKS(bounded, false)

SEC("iter/task_file")
int iter_existing(struct bpf_iter__task_file *ctx)
{
	return existing_sock(ctx);
}

SEC("iter/bpf_map_elem")
int iter_open(struct bpf_iter__bpf_map_elem *ctx)
{
	return snapshot_sock(ctx);
}

/* ---- tracepoint mode: sends and receives at the socket layer (6.3+) ---- */

SEC("raw_tp/sock_send_length")
int BPF_PROG(rt_sock_send, struct sock *sk, int ret, int flags)
{
	return sock_layer(sk, ret, flags, true);
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(rt_sock_recv, struct sock *sk, int ret, int flags)
{
	return sock_layer(sk, ret, flags, false);
}

/* ---- kprobe mode: sends and receives at inet_*msg, the kernel's copy of
 * a destination in hand ---- */

/* inet_*msg return an int: the upper half of the register is not its. */
#define INET_IO(name, send)								\
SEC("kprobe/" #name)									\
int BPF_KPROBE(kp_##name, struct socket *sock, struct msghdr *msg, size_t size, int flags)	\
{											\
	return inet_io_enter(sock, msg, send ? 0 : flags, send);			\
}											\
SEC("kretprobe/" #name)									\
int BPF_KRETPROBE(kr_##name, long ret)							\
{											\
	return io_exit((int)ret);							\
}

INET_IO(inet_sendmsg, true)
INET_IO(inet6_sendmsg, true)
INET_IO(inet_recvmsg, false)
INET_IO(inet6_recvmsg, false)

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
	long a[NARGS] = {};					\
								\
	load_args(KSYSCALL_REGS(ctx), a, nargs);		\
	return handler##_enter(a);				\
}
#define KP_EXIT(name, handler, nargs)				\
SEC("kretsyscall/" #name)					\
int BPF_KRETPROBE(kr_##name, long ret)				\
{								\
	return handler##_exit(ret);				\
}
#define KP_BOTH(name, handler, nargs) KP_ENTRY(name, handler, nargs) KP_EXIT(name, handler, nargs)

SYSCALL_HOOKS(KP_BOTH, KP_ENTRY, KP_EXIT)

#if defined(__TARGET_ARCH_x86)
/* 32-bit syscalls of IA32 emulation: their close, and a word that the
 * rest goes unseen (where the kernel has them: compat_probes). */
SEC("kprobe/__ia32_sys_close")
int kp32_close(struct pt_regs *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)PT_REGS_PARM1_CORE(ctx);

	return close_fd((int)BPF_CORE_READ(regs, bx));
}

SEC("kprobe/__ia32_sys_socket")
int kp32_socket(struct pt_regs *ctx)
{
	say_untraced(UNTRACED_COMPAT);
	return 0;
}

SEC("kprobe/__ia32_compat_sys_socketcall")
int kp32_socketcall(struct pt_regs *ctx)
{
	say_untraced(UNTRACED_COMPAT);
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
/* Sends and receives at their syscalls: the IO_CALLS the socket layer
 * would count, where there are no sock tracepoints. */
#define IO_ENTER_CASE(name, send, how) IO_ENTER_CASE_##how(name, send)
#define IO_ENTER_CASE_SOCK(name, send)				\
	case NR_##name:						\
		if (cur_compat())				\
			return 0;				\
		load_args(regs, a, NARGS);			\
		return fd_io_enter(a[0], CALL_##name, send, a);
#define IO_ENTER_CASE_OWN(name, send)
#define IO_ENTER_CASE_NONE(name, send)
#define IO_EXIT_CASE(name, send, how) IO_EXIT_CASE_##how(name)
#define IO_EXIT_CASE_SOCK(name)					\
	case NR_##name:						\
		return io_exit(ret);
#define IO_EXIT_CASE_OWN(name)
#define IO_EXIT_CASE_NONE(name)
/* Where the sock tracepoints count receives: the exits that read a
 * datagram's source. */
#define SOURCE_EXIT_CASE(name)					\
	case NR_##name:						\
		return source_exit(NR_##name, ret);

SEC("raw_tp/sys_enter")
int BPF_PROG(rt_sys_enter, struct pt_regs *regs, long nr)
{
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
		IO_CALLS(IO_ENTER_CASE)
		}
	}
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(rt_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = BTF_LOADS ? LOAD_NR((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()))
			    : REGS_NR(regs);

	switch (nr) {
	SYSCALL_HOOKS(EXIT_CASE, NO_CASE, EXIT_CASE)
	}
	if (syscall_io) {
		switch (nr) {
		IO_CALLS(IO_EXIT_CASE)
		}
	} else {
		switch (nr) {
		SOURCE_RECVS(SOURCE_EXIT_CASE)
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
#define TP_ENTRY(name, handler, nargs)				\
SEC("tp/syscalls/sys_enter_" #name)				\
int sys_enter_##name(struct trace_event_raw_sys_enter *ctx)	\
{								\
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
#define TP_EXIT(name, handler, nargs)				\
SEC("tp/syscalls/sys_exit_" #name)				\
int sys_exit_##name(struct trace_event_raw_sys_exit *ctx)	\
{								\
	return handler##_exit(ctx->ret);			\
}
#define TP_BOTH(name, handler, nargs) TP_ENTRY(name, handler, nargs) TP_EXIT(name, handler, nargs)

SYSCALL_HOOKS(TP_BOTH, TP_ENTRY, TP_EXIT)

#define TP_SOURCE_EXIT(name)					\
SEC("tp/syscalls/sys_exit_" #name)				\
int sys_exit_##name(struct trace_event_raw_sys_exit *ctx)	\
{								\
	return source_exit(NR_##name, ctx->ret);		\
}
SOURCE_RECVS(TP_SOURCE_EXIT)

char LICENSE[] SEC("license") = "Dual BSD/GPL";
