// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * LD_PRELOAD shim for tests: this kernel, as a kernel before 5.8, refuses
 * to create BPF ring buffers. Every other syscall goes through unchanged.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <sys/syscall.h>

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_bpf && a[0] == BPF_MAP_CREATE &&
	    ((const union bpf_attr *)a[1])->map_type == BPF_MAP_TYPE_RINGBUF) {
		errno = EINVAL;
		return -1;
	}
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
