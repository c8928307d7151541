/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The hooked syscalls. Each line of SYSCALL_HOOKS names a syscall and its
 * handler; socktrace.bpf.c turns every line into a kprobe pair (kprobe
 * mode), a pair of its own syscalls: tracepoints and a case of the raw
 * sys_enter/sys_exit dispatch (tracepoint mode), all calling
 * handler_enter(args) and handler_exit(ret). Adding a hooked syscall is
 * one line here and its numbers below; a syscall that sends or receives
 * is a row of IO_CALLS (socktrace.h) and its numbers.
 *
 *   BOTH: entry and exit; ENTRY: entry only; EXIT: exit only; the last
 *   field is how many arguments the entry handler reads.
 */
#ifndef SYSCALLS_H
#define SYSCALLS_H

#define SYSCALL_HOOKS(BOTH, ENTRY, EXIT)	\
	BOTH(connect, connect, 3)		\
	BOTH(listen, listen, 2)			\
	EXIT(accept, accept, 0)			\
	EXIT(accept4, accept, 0)		\
	ENTRY(close, close, 1)			\
	EXIT(dup3, dup, 0)			\
	BOTH(close_range, close_range, 3)	\
	BOTH(sendfile64, sendfile, 2)		\
	BOTH(splice, splice, 3)			\
	ARCH_HOOKS(BOTH, ENTRY, EXIT)

/* Receives that can ask for a datagram's source, which the kernel copies
 * out after the sock tracepoints: where those count receives, these
 * syscalls' exits read it (io.h, recv_at_exit()). */
#define SOURCE_RECVS(X) X(recvfrom) X(recvmsg) X(recvmmsg)

#if defined(__TARGET_ARCH_x86)
#define ARCH_HOOKS(BOTH, ENTRY, EXIT) EXIT(dup2, dup, 0)
#define NR_read 0
#define NR_write 1
#define NR_close 3
#define NR_readv 19
#define NR_writev 20
#define NR_dup2 33
#define NR_sendfile 40
#define NR_sendfile64 40	/* 64-bit kernels name it so (sys_sendfile64) */
#define NR_connect 42
#define NR_accept 43
#define NR_sendto 44
#define NR_recvfrom 45
#define NR_sendmsg 46
#define NR_recvmsg 47
#define NR_listen 50
#define NR_splice 275
#define NR_accept4 288
#define NR_dup3 292
#define NR_preadv 295
#define NR_pwritev 296
#define NR_recvmmsg 299
#define NR_sendmmsg 307
#define NR_preadv2 327
#define NR_pwritev2 328
#define NR_io_uring_enter 426
#define NR_close_range 436
/* 32-bit (int $0x80, IA32 emulation) numbers */
#define NR32_close 6
#define NR32_socketcall 102
#define NR32_socket 359
#elif defined(__TARGET_ARCH_arm64)
#define ARCH_HOOKS(BOTH, ENTRY, EXIT)
#define NR_dup3 24
#define NR_close 57
#define NR_read 63
#define NR_write 64
#define NR_readv 65
#define NR_writev 66
#define NR_preadv 69
#define NR_pwritev 70
#define NR_sendfile 71
#define NR_sendfile64 71
#define NR_splice 76
#define NR_listen 201
#define NR_accept 202
#define NR_connect 203
#define NR_sendto 206
#define NR_recvfrom 207
#define NR_sendmsg 211
#define NR_recvmsg 212
#define NR_accept4 242
#define NR_recvmmsg 243
#define NR_sendmmsg 269
#define NR_preadv2 286
#define NR_pwritev2 287
#define NR_io_uring_enter 426
#define NR_close_range 436
/* AArch32 numbers */
#define NR32_close 6
#define NR32_socketcall -1
#define NR32_socket 281
#else
#error "socktrace knows the syscall numbers of x86 and arm64 only"
#endif

#endif
