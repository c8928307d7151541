// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "socktrace.skel.h"
#include "tracer.h"

#define TRACEFS "/sys/kernel/tracing"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

/* Tracing needs CAP_BPF and CAP_PERFMON (5.8+) or CAP_SYS_ADMIN. */
static bool may_trace(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return geteuid() == 0;
	return has_cap(d, CAP_SYS_ADMIN) || (has_cap(d, CAP_BPF) && has_cap(d, CAP_PERFMON));
}

/* Probed, not inferred from a failed attach: the kprobe PMU is registered
 * exactly when the kernel was built with kprobes. */
static bool kernel_has_kprobes(void)
{
	return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
}

/* libbpf finds tracepoint ids in tracefs, which may not be mounted yet. */
static int ensure_tracefs(char *err, size_t errlen)
{
	if (access(TRACEFS "/events", F_OK) == 0 ||
	    access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return 0;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) == 0)
		return 0;
	snprintf(err, errlen, "cannot mount tracefs at " TRACEFS " (%s); mount it with "
		 "'mount -t tracefs tracefs " TRACEFS "' or use --attach kprobe", strerror(errno));
	return -1;
}

/* Which attach mode needs a program: syscall kprobes or syscall
 * tracepoints; the raw tracepoints on exec and exit serve both. */
static bool wanted(const struct bpf_program *p, enum attach_mode mode)
{
	const char *sec = bpf_program__section_name(p);

	if (!strncmp(sec, "ksyscall/", 9) || !strncmp(sec, "kretsyscall/", 12))
		return mode == ATTACH_KPROBE;
	if (!strncmp(sec, "tracepoint/", 11))
		return mode == ATTACH_TRACEPOINT;
	return true;
}

static int load(struct tracer *t, const struct opts *o, char *err, size_t errlen)
{
	struct socktrace_bpf *s = socktrace_bpf__open();
	struct bpf_program *p;
	int rc;

	if (!s) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	t->skel = s;
	s->rodata->filter_pid = o->pid;
	s->rodata->filter_family = o->family;
	memcpy((char *)s->rodata->filter_comm, o->comm, sizeof(o->comm));
	s->rodata->wakeup_bytes = o->ring_size / 4;
	bpf_map__set_max_entries(s->maps.events, o->ring_size);
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, wanted(p, t->mode));

	rc = socktrace_bpf__load(s);
	if (rc == -EPERM || rc == -EACCES) {
		snprintf(err, errlen, "not allowed to load BPF programs (%s): run as root, or with "
			 "CAP_BPF and CAP_PERFMON", strerror(-rc));
		return -1;
	}
	if (rc) {
		snprintf(err, errlen, "cannot load the BPF programs: %s (--verbose shows libbpf's log)",
			 strerror(-rc));
		return -1;
	}
	rc = socktrace_bpf__attach(s);
	if (rc) {
		snprintf(err, errlen, "cannot attach the %s programs: %s (--verbose shows libbpf's log)",
			 attach_name(t->mode), strerror(-rc));
		return -1;
	}
	return 0;
}

int tracer_start(struct tracer *t, const struct opts *o, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, errlen, "this kernel has no BTF (/sys/kernel/btf/vmlinux): socktrace "
			 "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return -1;
	}
	if (!may_trace()) {
		snprintf(err, errlen, "tracing needs root (CAP_BPF and CAP_PERFMON, or "
			 "CAP_SYS_ADMIN): run it with sudo");
		return -1;
	}
	t->mode = o->attach;
	if (t->mode == ATTACH_AUTO)
		t->mode = kernel_has_kprobes() ? ATTACH_KPROBE : ATTACH_TRACEPOINT;
	if (t->mode == ATTACH_KPROBE && !kernel_has_kprobes()) {
		snprintf(err, errlen, "this kernel has no kprobes (CONFIG_KPROBES): use "
			 "--attach tracepoint or auto");
		return -1;
	}
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 0) {
		snprintf(err, errlen, "this kernel has no BPF ring buffer: socktrace needs "
			 "Linux 5.8 or later");
		return -1;
	}
	if (t->mode == ATTACH_TRACEPOINT && ensure_tracefs(err, errlen))
		return -1;
	return load(t, o, err, errlen);
}

int tracer_ring_fd(const struct tracer *t)
{
	return bpf_map__fd(t->skel->maps.events);
}

uint64_t tracer_lost(const struct tracer *t)
{
	/* The kernel adds to it concurrently; one aligned 64-bit load. */
	return __atomic_load_n(&t->skel->bss->lost, __ATOMIC_RELAXED);
}

void tracer_tables(const struct tracer *t, struct kernel_tables *k)
{
	/* Counters the BPF side keeps in its mmap'ed .bss: no syscall, so
	 * this works after privileges are dropped. */
	k->socks = __atomic_load_n(&t->skel->bss->nsocks, __ATOMIC_RELAXED);
	k->procs = __atomic_load_n(&t->skel->bss->nprocs, __ATOMIC_RELAXED);
	k->untracked = __atomic_load_n(&t->skel->bss->untracked, __ATOMIC_RELAXED);
}

void tracer_detach(struct tracer *t)
{
	if (t->skel)
		socktrace_bpf__detach(t->skel);
}

void tracer_destroy(struct tracer *t)
{
	socktrace_bpf__destroy(t->skel);
	t->skel = NULL;
}
