// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "sandbox.h"

#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#if defined(__x86_64__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_AARCH64
#endif

#define LOAD(field) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, field))
#define ALLOW_IF(nr) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
		     BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)
/* nr is allowed only when the test op (a BPF jump) of its argument arg
 * (low 32 bits) against k goes to jt when true, jf when false, where 0 is
 * allow and 1 kill. */
#define ALLOW_ARG(nr, arg, op, k, jt, jf) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 4), \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[arg])), \
	BPF_JUMP(BPF_JMP | (op) | BPF_K, (k), (jt), (jf)), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)
/* ... when it equals val; has one of the bits of mask; has none of them. */
#define ALLOW_ARG_IS(nr, arg, val) ALLOW_ARG(nr, arg, BPF_JEQ, val, 0, 1)
#define ALLOW_ARG_WITH(nr, arg, mask) ALLOW_ARG(nr, arg, BPF_JSET, mask, 0, 1)
#define ALLOW_ARG_WITHOUT(nr, arg, mask) ALLOW_ARG(nr, arg, BPF_JSET, mask, 1, 0)

/* What the event loop and the exit path still do: wait on the ring's
 * epoll fd and stdout, write, keep time, allocate, be stopped and
 * continued (restart_syscall), and at the end detach (close,
 * PERF_EVENT_IOC_DISABLE, from threads), read the final snapshot's iterator and unmap. */
static struct sock_filter filter[] = {
	LOAD(arch),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_SELF, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	LOAD(nr),
#if defined(__x86_64__)
	/* x32 syscalls share the arch; refuse them. */
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	ALLOW_IF(__NR_epoll_wait),
	ALLOW_IF(__NR_poll),
#endif
	ALLOW_IF(__NR_epoll_pwait),
#ifdef __NR_epoll_pwait2
	ALLOW_IF(__NR_epoll_pwait2),
#endif
	ALLOW_IF(__NR_ppoll),
	ALLOW_IF(__NR_read),
	ALLOW_IF(__NR_write),
	ALLOW_IF(__NR_writev),
	ALLOW_IF(__NR_clock_gettime),
	ALLOW_IF(__NR_gettimeofday),
	ALLOW_IF(__NR_rt_sigreturn),
	ALLOW_IF(__NR_rt_sigprocmask),
	ALLOW_IF(__NR_restart_syscall),
	ALLOW_IF(__NR_clock_nanosleep),
	ALLOW_IF(__NR_nanosleep),
	ALLOW_IF(__NR_sched_yield),
	ALLOW_IF(__NR_getrandom),
	/* stdio looks at a stream's file before its first write */
	ALLOW_IF(__NR_fstat),
	ALLOW_IF(__NR_newfstatat),
	ALLOW_IF(__NR_lseek),
	ALLOW_IF(__NR_brk),
	ALLOW_IF(__NR_munmap),
	ALLOW_IF(__NR_mremap),
	ALLOW_IF(__NR_madvise),
	ALLOW_IF(__NR_close),
	ALLOW_IF(__NR_futex),
	/* glibc's qsort asks how much memory there is before it sorts. */
	ALLOW_IF(__NR_sysinfo),
	ALLOW_IF(__NR_getpid),
	ALLOW_IF(__NR_gettid),
	ALLOW_IF(__NR_tgkill),
	ALLOW_IF(__NR_exit),
	ALLOW_IF(__NR_exit_group),
	ALLOW_ARG_WITHOUT(__NR_mmap, 2, PROT_EXEC),
	ALLOW_ARG_WITHOUT(__NR_mprotect, 2, PROT_EXEC),
	ALLOW_ARG_IS(__NR_ioctl, 1, PERF_EVENT_IOC_DISABLE),
	/* Threads that detach side by side (tracer_detach), nothing more:
	 * clone only with CLONE_THREAD (a thread shares this sandbox and
	 * these dropped capabilities), clone3, whose flags a filter cannot
	 * read, said to be missing so that libc falls back to clone. */
	ALLOW_ARG_WITH(__NR_clone, 0, CLONE_THREAD),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	ALLOW_IF(__NR_set_robust_list),
	ALLOW_IF(__NR_rseq),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};

/* Drops every capability it can. The bounding set needs CAP_SETPCAP,
 * which a run with only CAP_BPF and CAP_PERFMON lacks: then the
 * bounding set stays, harmless with no_new_privs and nothing permitted. */
static int drop_capabilities(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct none[2] = { { 0 } };

	for (int cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno == EPERM)
			break;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return syscall(SYS_capset, &h, none);
}

static void *nothing(void *arg)
{
	return arg;
}

/* What serving --metrics adds, before the filter's last word: taking
 * clients, watching them, and sending without a SIGPIPE (which stops
 * socktrace). They are read with read() and closed with close(). */
static const struct sock_filter serving[] = {
	ALLOW_IF(__NR_accept4),
	ALLOW_IF(__NR_epoll_ctl),
	ALLOW_ARG_WITH(__NR_sendto, 3, MSG_NOSIGNAL),
};

#define FILTER_LEN (sizeof(filter) / sizeof(filter[0]))
#define SERVING_LEN (sizeof(serving) / sizeof(serving[0]))

int sandbox_enter(bool serve, char *err, size_t errlen)
{
	static struct sock_filter both[FILTER_LEN + SERVING_LEN];
	struct sock_fprog prog = { FILTER_LEN, filter };
	pthread_t th;

	if (serve) {
		memcpy(both, filter, (FILTER_LEN - 1) * sizeof(filter[0]));
		memcpy(both + FILTER_LEN - 1, serving, sizeof(serving));
		both[FILTER_LEN + SERVING_LEN - 1] = filter[FILTER_LEN - 1];
		prog = (struct sock_fprog){ FILTER_LEN + SERVING_LEN, both };
	}

	/* Loaded now, while files can still be opened: localtime_r reads
	 * the zone file on first use. */
	tzset();
	/* libc sets up threads on the first one it makes (rt_sigaction),
	 * which the filter forbids: a first thread now, for the detach. */
	if (!pthread_create(&th, NULL, nothing, NULL))
		pthread_join(th, NULL);
	if (drop_capabilities()) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer stops the world at exit with ptrace and reads
	 * /proc; a sanitized build keeps all syscalls. */
	(void)prog;
#else
	/* Valgrind makes syscalls of its own (mapping translated code). */
	if (RUNNING_ON_VALGRIND)
		return 0;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0)) {
		snprintf(err, errlen, "cannot install the seccomp filter: %s", strerror(errno));
		return -1;
	}
#endif
	return 0;
}
