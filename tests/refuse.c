// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * LD_PRELOAD shim for tests: a kernel that refuses some of what socktrace
 * asks of it, as kernels in the field do (a policy, a missing feature).
 * REFUSE is a comma-separated list of:
 *
 *   ringbuf      making a BPF ring buffer fails with EINVAL (before 5.8)
 *   load:NAME    loading a program whose name starts with NAME: EPERM
 *   once:NAME    the same, in the first try only, until another program
 *                loads (libbpf loads a refused program again at once, for
 *                its log): as a kernel that refuses the BTF pointer loads
 *                which socktrace then goes without
 *   attach:NAME  attaching a program whose name starts with NAME: EPERM
 *
 * Every other syscall goes through unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static long (*real_syscall)(long, ...);
static int (*real_ioctl)(int, unsigned long, ...);

/* Whether REFUSE has an entry "kind:VALUE" with name starting with VALUE
 * (kind "ringbuf" has no value: name NULL). */
static bool refused(const char *kind, const char *name)
{
	const char *list = getenv("REFUSE");
	size_t klen = strlen(kind);

	for (const char *p = list; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0)) {
		size_t n = strcspn(p, ",");

		if (n < klen || strncmp(p, kind, klen))
			continue;
		if (!name && n == klen)
			return true;
		if (name && p[klen] == ':' && n > klen + 1 && !strncmp(name, p + klen + 1, n - klen - 1))
			return true;
	}
	return false;
}

static long bpf(long cmd, union bpf_attr *attr, long size)
{
	if (!real_syscall)
		real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real_syscall(SYS_bpf, cmd, attr, size);
}

/* The name the kernel holds for a program fd. */
static void prog_name(int fd, char *out)
{
	struct bpf_prog_info info;
	union bpf_attr a;

	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = fd;
	a.info.info_len = sizeof(info);
	a.info.info = (unsigned long)&info;
	out[0] = '\0';
	if (!bpf(BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a)))
		memcpy(out, info.name, BPF_OBJ_NAME_LEN);
}

static enum { ONCE_NOT_YET, ONCE_REFUSING, ONCE_DONE } once;

static bool refuse_bpf(long cmd, const union bpf_attr *a)
{
	char name[BPF_OBJ_NAME_LEN + 1] = "";

	switch (cmd) {
	case BPF_MAP_CREATE:
		return a->map_type == BPF_MAP_TYPE_RINGBUF && refused("ringbuf", NULL);
	case BPF_PROG_LOAD:
		memcpy(name, a->prog_name, BPF_OBJ_NAME_LEN);
		if (name[0] && refused("once", name)) {
			if (once == ONCE_NOT_YET)
				once = ONCE_REFUSING;
			if (once == ONCE_REFUSING)
				return true;
		} else if (once == ONCE_REFUSING) {
			once = ONCE_DONE;
		}
		return name[0] && refused("load", name);
	case BPF_RAW_TRACEPOINT_OPEN:
		prog_name(a->raw_tracepoint.prog_fd, name);
		return name[0] && refused("attach", name);
	case BPF_LINK_CREATE:
		prog_name(a->link_create.prog_fd, name);
		return name[0] && refused("attach", name);
	}
	return false;
}

long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_bpf && refuse_bpf(a[0], (const union bpf_attr *)a[1])) {
		errno = a[0] == BPF_MAP_CREATE ? EINVAL : EPERM;
		return -1;
	}
	if (!real_syscall)
		real_syscall = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

/* Tracepoints and kprobes attach through their perf event. */
int ioctl(int fd, unsigned long req, ...)
{
	char name[BPF_OBJ_NAME_LEN + 1] = "";
	va_list ap;
	long arg;

	va_start(ap, req);
	arg = va_arg(ap, long);
	va_end(ap);
	if (req == PERF_EVENT_IOC_SET_BPF) {
		prog_name((int)arg, name);
		if (name[0] && refused("attach", name)) {
			errno = EPERM;
			return -1;
		}
	}
	if (!real_ioctl)
		real_ioctl = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	return real_ioctl(fd, req, arg);
}
