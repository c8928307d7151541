// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <pthread.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "socktrace.h"
#include "socktrace.skel.h"
#include "ring.h"
#include "tracer.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

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

/* Whether this process is in a user namespace other than the initial one
 * (unshare -U, a rootless container): the kernel refuses BPF there. */
static bool in_user_namespace(void)
{
	char map[128] = "";
	FILE *f = fopen("/proc/self/uid_map", "re");

	if (f) {
		if (!fgets(map, sizeof(map), f))
			map[0] = '\0';
		fclose(f);
	}
	return strcmp(map, "         0          0 4294967295\n") != 0;
}

/*
 * What the process limits leave for socktrace, checked before anything is
 * loaded, so that a low limit is named instead of failing deep in libbpf
 * with whatever errno it then meets. About 40 descriptors are open while
 * tracing; the ring buffer is mapped twice.
 */
#define FILES_NEEDED 128
static int check_limits(const struct opts *o, char *err, size_t errlen)
{
	unsigned long long need_as = 2ULL * o->ring_size + (48ULL << 20);
	struct rlimit r;

	if (!getrlimit(RLIMIT_NOFILE, &r) && r.rlim_cur < FILES_NEEDED) {
		if (r.rlim_max >= FILES_NEEDED || r.rlim_max == RLIM_INFINITY) {
			r.rlim_cur = FILES_NEEDED;
			setrlimit(RLIMIT_NOFILE, &r);
		} else {
			snprintf(err, errlen, "about %d open files are needed, and the limit is %llu: "
				 "raise it (ulimit -n)", FILES_NEEDED, (unsigned long long)r.rlim_max);
			return -1;
		}
	}
	if (!getrlimit(RLIMIT_AS, &r) && r.rlim_cur != RLIM_INFINITY && r.rlim_cur < need_as) {
		snprintf(err, errlen, "the address-space limit (ulimit -v) is %llu KiB; socktrace needs "
			 "about %llu KiB with a %u KiB ring buffer, which is mapped twice: raise the limit "
			 "or give a smaller --ring-size", (unsigned long long)r.rlim_cur / 1024, need_as / 1024,
			 o->ring_size / 1024);
		return -1;
	}
	return 0;
}

/* Whether the kernel lets this process use BPF at all: one tiny map. */
static int check_bpf(char *err, size_t errlen)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, 4, 4, 1, NULL);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EPERM && in_user_namespace())
		snprintf(err, errlen, "the kernel refuses BPF in a user namespace (unshare -U, rootless "
			 "containers): run socktrace as root in the initial user namespace");
	else if (errno == EPERM)
		snprintf(err, errlen, "the kernel refuses BPF to this process (EPERM): run it as root, "
			 "outside a sandbox that forbids bpf()");
	else
		snprintf(err, errlen, "the kernel refuses to make a BPF map: %s", strerror(errno));
	return -1;
}

static bool btf_has(const struct btf *btf, const char *name, int kind)
{
	return btf && btf__find_by_name_kind(btf, name, kind) > 0;
}

/* The per-syscall tracepoints, where libbpf looks for them: under debugfs
 * when that has a tracing directory, else tracefs. Their ids are readable
 * only by root (tracefs is mode 0700): with capabilities alone, socktrace
 * uses the raw dispatch. */
static bool syscall_events(void)
{
	const char *dir = access("/sys/kernel/debug/tracing", F_OK) ? "/sys/kernel/tracing" :
				 "/sys/kernel/debug/tracing";
	char path[128];

	snprintf(path, sizeof(path), "%s/events/syscalls/sys_enter_connect/id", dir);
	return access(path, R_OK) == 0;
}

/* Probed, not inferred from a failure: the kprobe PMU is registered
 * exactly when the kernel has kprobes; BTF names every tracepoint and
 * iterator the kernel has; helpers are probed by loading a tiny program.
 * Iterators attach by the kernel's own BTF, which --btf cannot stand in for. */
static void probe_features(struct features *f, const struct btf *btf)
{
	bool own_btf = access(VMLINUX_BTF, R_OK) == 0;

	f->kprobes = access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
	f->sock_tracepoints = btf_has(btf, "btf_trace_sock_send_length", BTF_KIND_TYPEDEF) &&
			      btf_has(btf, "btf_trace_sock_recv_length", BTF_KIND_TYPEDEF);
	f->syscall_tracepoints = syscall_events();
	f->bpf_loop = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, NULL) == 1;
	f->task_file_iter = own_btf && btf_has(btf, "bpf_iter__task_file", BTF_KIND_STRUCT);
	f->map_iter = own_btf && btf_has(btf, "bpf_iter__bpf_map_elem", BTF_KIND_STRUCT);
}

static void no_btf(char *err, size_t errlen)
{
	snprintf(err, errlen, "this kernel has no BTF (" VMLINUX_BTF "): use a kernel built with "
		 "CONFIG_DEBUG_INFO_BTF=y, or give its BTF with --btf FILE (BTFHub has files for many "
		 "distribution kernels)");
}

/* The kernel's BTF: its own, or --btf FILE. NULL with one line in err. */
static struct btf *kernel_btf(const struct opts *o, char *err, size_t errlen)
{
	struct btf *btf;

	if (o->btf) {
		btf = btf__parse(o->btf, NULL);
		if (!btf)
			snprintf(err, errlen, "--btf %s: cannot read BTF from it: %s", o->btf, strerror(errno));
		return btf;
	}
	if (access(VMLINUX_BTF, R_OK)) {
		no_btf(err, errlen);
		return NULL;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf)
		snprintf(err, errlen, "cannot read the kernel's BTF (" VMLINUX_BTF "): %s", strerror(errno));
	return btf;
}

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Tracepoint mode hooks each followed syscall's own tracepoints when the
 * sock tracepoints count the bytes (else every read and write would need
 * one) and tracefs lets it; otherwise the raw sys_enter/sys_exit dispatch. */
static bool per_syscall(const struct features *f)
{
	return f->sock_tracepoints && f->syscall_tracepoints;
}

const char *tracer_syscall_hooks(const struct tracer *t)
{
	if (t->mode == ATTACH_KPROBE)
		return "ksyscall";
	return per_syscall(&t->feat) ? "per-syscall" : "raw";
}

/* Whether program p belongs in this run: one attach mode's hooks, one
 * variant of the process hooks, what the kernel can load. */
static bool wanted(const struct bpf_program *p, enum attach_mode mode, const struct features *f)
{
	const char *sec = bpf_program__section_name(p), *name = bpf_program__name(p);
	bool kp = mode == ATTACH_KPROBE;

	if (starts(sec, "ksyscall/") || starts(sec, "kretsyscall/") || starts(sec, "kprobe/") ||
	    starts(sec, "kretprobe/"))
		return kp;
	if (starts(sec, "tp/syscalls/"))
		return !kp && per_syscall(f);
	if (starts(sec, "raw_tp/sys_"))
		return !kp && !per_syscall(f);
	if (starts(sec, "raw_tp/sock_"))
		return !kp && f->sock_tracepoints;
	if (starts(sec, "raw_tp/sched_"))
		return strstr(name, f->bpf_loop ? "_loop" : "_bounded") != NULL;
	if (!strcmp(name, "iter_existing"))
		return f->task_file_iter;
	if (!strcmp(name, "iter_open"))
		return f->map_iter;
	return true;
}

/* Probes attached by hand, where the kernel has their function. */
static bool optional(const struct bpf_program *p)
{
	return starts(bpf_program__section_name(p), "kprobe/__ia32_") ||
	       starts(bpf_program__section_name(p), "iter/");
}

/* socktrace's own pid namespace (its inode number), 0 when it is the
 * initial one (whose inode number Linux fixes): pids are told, and --pid
 * matched, as seen from where it runs. */
#define INIT_PIDNS_INO 0xEFFFFFFCu
static unsigned int own_pidns(void)
{
	struct stat st;

	return stat("/proc/self/ns/pid", &st) || st.st_ino == INIT_PIDNS_INO ? 0 : st.st_ino;
}

static void set_ports(volatile __u16 *dst, volatile __u8 *n, const struct ports *p)
{
	for (unsigned int i = 0; i < p->n; i++)
		dst[i] = p->port[i];
	*n = p->n;
}

static void set_filters(struct socktrace_bpf *s, const struct opts *o)
{
	s->rodata->filter_pid = o->pid;
	memcpy((char *)s->rodata->filter_comm, o->comm, sizeof(o->comm));
	s->rodata->filter_uid_set = o->uid_set;
	s->rodata->filter_uid = o->uid;
	s->rodata->filter_cgroup = o->cgroup;
	s->rodata->filter_follow = o->follow;
	s->rodata->viewer_pidns = own_pidns();
	s->rodata->filter_family = o->family;
	s->rodata->filter_proto = o->proto;
	set_ports(s->rodata->filter_ports, &s->rodata->nports, &o->ports);
	set_ports(s->rodata->filter_sports, &s->rodata->nsports, &o->sports);
	set_ports(s->rodata->filter_dports, &s->rodata->ndports, &o->dports);
	for (unsigned int i = 0; i < o->nprefixes; i++)
		memcpy((void *)&s->rodata->filter_prefixes[i], &o->prefixes[i], sizeof(o->prefixes[i]));
	s->rodata->nprefixes = o->nprefixes;
	s->rodata->filter_failed = o->failed;
}

/* The kernel's pid_max: no more threads than that can be in a call. */
static unsigned int pid_max(void)
{
	unsigned int n = 32768;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = 32768;
		fclose(f);
	}
	return n < 1024 ? 1024 : n;
}

/* One entry per thread that can be inside a call. Past 64K entries the
 * table allocates as it fills rather than all at once. */
static void size_calls(struct bpf_map *calls)
{
	unsigned int n = pid_max();

	bpf_map__set_max_entries(calls, n);
	if (n > 65536)
		bpf_map__set_map_flags(calls, bpf_map__map_flags(calls) | BPF_F_NO_PREALLOC);
}

static int load(struct tracer *t, const struct opts *o, char *err, size_t errlen)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = o->btf);
	struct socktrace_bpf *s = socktrace_bpf__open_opts(&open_opts);
	struct bpf_program *p;
	int rc, n = 0;

	if (!s) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	t->skel = s;
	set_filters(s, o);
	s->rodata->event_mask = o->events;
	/* A close tells user space when to forget a socket it holds for the
	 * brief records: without close events it would hold every one. */
	s->rodata->brief_io = o->events & EV_BIT(EV_CLOSE);
	s->rodata->wakeup_bytes = o->ring_size / 4;
	s->rodata->syscall_io = t->mode == ATTACH_TRACEPOINT && !t->feat.sock_tracepoints;
	s->rodata->syscall_tps = t->mode == ATTACH_TRACEPOINT && per_syscall(&t->feat);
	s->rodata->kernel_btf = !access(VMLINUX_BTF, R_OK);
	bpf_map__set_max_entries(s->maps.events, o->ring_size);
	size_calls(s->maps.calls);
	bpf_object__for_each_program(p, s->obj) {
		bpf_program__set_autoload(p, wanted(p, t->mode, &t->feat));
		if (optional(p))
			bpf_program__set_autoattach(p, false);
	}

	rc = socktrace_bpf__load(s);
	/* EACCES is also how the verifier refuses a program: not a matter
	 * of privilege, which was checked before. */
	if (rc == -EACCES) {
		snprintf(err, errlen, "this kernel's verifier refused a BPF program (--verbose shows "
			 "its log): please report it with the output of --check");
		return -1;
	}
	if (rc == -EPERM) {
		snprintf(err, errlen, "not allowed to load BPF programs (%s): run as root, or with "
			 "CAP_BPF and CAP_PERFMON; in a user namespace, BPF is not available",
			 strerror(-rc));
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
	bpf_object__for_each_program(p, s->obj) {
		/* The last slot is the snapshot's. */
		if (!bpf_program__autoload(p) || !starts(bpf_program__section_name(p), "kprobe/") ||
		    !optional(p) || n >= (int)(sizeof(t->extra) / sizeof(t->extra[0])) - 1)
			continue;
		t->extra[n] = bpf_program__attach(p);
		if (t->extra[n])
			n++;
	}
	return 0;
}

/* The attach mode for o on a kernel with features f; -1 (err) if none. */
static int choose_mode(const struct opts *o, const struct features *f, char *err, size_t errlen)
{
	enum attach_mode mode = o->attach;

	if (mode == ATTACH_AUTO)
		mode = f->kprobes ? ATTACH_KPROBE : ATTACH_TRACEPOINT;
	if (mode == ATTACH_KPROBE && !f->kprobes) {
		snprintf(err, errlen, "this kernel has no kprobes (CONFIG_KPROBES): use "
			 "--attach tracepoint or auto");
		return -1;
	}
	return mode;
}

int tracer_start(struct tracer *t, const struct opts *o, char *err, size_t errlen)
{
	struct btf *btf;
	int mode;

	memset(t, 0, sizeof(*t));
	t->snapshot_fd = -1;
	/* BTF first: the one cause no privilege can help. */
	if (!o->btf && access(VMLINUX_BTF, R_OK)) {
		no_btf(err, errlen);
		return -1;
	}
	if (!may_trace()) {
		snprintf(err, errlen, "tracing needs root (CAP_BPF and CAP_PERFMON, or "
			 "CAP_SYS_ADMIN): run it with sudo");
		return -1;
	}
	if (check_limits(o, err, errlen) || check_bpf(err, errlen))
		return -1;
	btf = kernel_btf(o, err, errlen);
	if (!btf)
		return -1;
	probe_features(&t->feat, btf);
	btf__free(btf);
	mode = choose_mode(o, &t->feat, err, errlen);
	if (mode < 0)
		return -1;
	t->mode = mode;
	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 0) {
		snprintf(err, errlen, "this kernel has no BPF ring buffer: socktrace needs "
			 "Linux 5.8 or later");
		return -1;
	}
	return load(t, o, err, errlen);
}

int tracer_check(const struct opts *o, FILE *f)
{
	struct features feat = { 0 };
	struct utsname u;
	char err[512] = "";
	struct btf *btf;
	bool ringbuf;
	int mode;

	uname(&u);
	fprintf(f, "kernel:                  Linux %s (%s)\n", u.release, u.machine);
	fprintf(f, "kernel BTF:              %s\n", o->btf ? o->btf : access(VMLINUX_BTF, R_OK) ?
		"none (" VMLINUX_BTF " missing: give one with --btf FILE)" : VMLINUX_BTF);
	fprintf(f, "kprobes:                 %s\n", access("/sys/bus/event_source/devices/kprobe/type",
		F_OK) ? "no (kernel without CONFIG_KPROBES): tracepoint mode only" : "yes");
	if (!may_trace()) {
		fprintf(f, "privileges:              not enough to probe or load BPF programs: run it "
			"as root\n");
		return 1;
	}
	btf = kernel_btf(o, err, sizeof(err));
	if (!btf) {
		fprintf(f, "result:                  cannot trace: %s\n", err);
		return 1;
	}
	probe_features(&feat, btf);
	btf__free(btf);
	ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	fprintf(f, "BPF ring buffer:         %s\n", ringbuf ? "yes" : "no (Linux 5.8 or later needed)");
	fprintf(f, "sends and receives:      kprobe mode: inet_sendmsg/inet6_sendmsg/inet_recvmsg/"
		"inet6_recvmsg kprobes;\n                         tracepoint mode: %s\n",
		feat.sock_tracepoints ? "sock:sock_send_length/sock_recv_length tracepoints" :
		"their syscalls (no sock tracepoints before Linux 6.3)");
	fprintf(f, "syscalls followed:       kprobe mode: ksyscall kprobes;\n                         "
		"tracepoint mode: %s\n", per_syscall(&feat) ? "their own syscalls:sys_enter_*/sys_exit_* "
		"tracepoints" : !feat.sock_tracepoints ? "raw sys_enter/sys_exit (no sock tracepoints)" :
		"raw sys_enter/sys_exit (tracefs's syscall events not readable)");
	fprintf(f, "descriptor walks:        %s\n", feat.bpf_loop ? "bpf_loop: any size" :
		"bounded at 1024 fds (no bpf_loop before Linux 5.17)");
	fprintf(f, "sockets open at start:   %s\n", feat.task_file_iter ? "task_file iterator" :
		"not listed (no task_file iterator): followed from their first use");
	fprintf(f, "open sockets at the end: %s\n", feat.map_iter ? "map iterator (exact summary)" :
		"not read (no map iterator): the summary counts ended sockets");
	mode = choose_mode(o, &feat, err, sizeof(err));
	if (!ringbuf || mode < 0) {
		fprintf(f, "result:                  cannot trace: %s\n", ringbuf ? err :
			"no BPF ring buffer");
		return 1;
	}
	fprintf(f, "result:                  can trace, with %s programs\n", attach_name(mode));
	return 0;
}

/* Reads an iterator to its end; after each chunk, drains rb (if any), so
 * that what the iterator puts in the ring never overflows it. */
static int read_iter(int fd, struct ring *rb, void (*fn)(const struct snapshot *, void *), void *arg)
{
	struct snapshot s[16];
	ssize_t n;
	size_t have = 0;

	for (;;) {
		n = read(fd, (char *)s + have, sizeof(s) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		have += n;
		for (size_t i = 0; fn && i < have / sizeof(s[0]); i++)
			fn(&s[i], arg);
		if (fn) {
			size_t used = have / sizeof(s[0]) * sizeof(s[0]);

			memmove(s, (char *)s + used, have - used);
			have -= used;
		} else {
			have = 0;
		}
		if (rb)
			ring_consume(rb);
	}
}

int tracer_scan_existing(struct tracer *t, struct ring *rb, char *err, size_t errlen)
{
	struct bpf_link *link;
	int fd, rc;

	/* The snapshot's iterator is made now, while it still may be. */
	if (t->feat.map_iter) {
		union bpf_iter_link_info info = { .map.map_fd = bpf_map__fd(t->skel->maps.socks) };
		DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info,
				    .link_info_len = sizeof(info));

		link = bpf_program__attach_iter(t->skel->progs.iter_open, &opts);
		t->extra[3] = link;
		if (link)
			t->snapshot_fd = bpf_iter_create(bpf_link__fd(link));
	}
	if (!t->feat.task_file_iter) {
		snprintf(err, errlen, "this kernel has no task_file iterator: sockets open before "
			 "tracing are followed from their first use");
		return -1;
	}
	link = bpf_program__attach_iter(t->skel->progs.iter_existing, NULL);
	fd = link ? bpf_iter_create(bpf_link__fd(link)) : -1;
	rc = fd < 0 ? -errno : read_iter(fd, rb, NULL, NULL);
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(link);
	if (rc) {
		snprintf(err, errlen, "cannot list the sockets open before tracing (%s): they are "
			 "followed from their first use", strerror(-rc));
		return -1;
	}
	return 0;
}

int tracer_snapshot(struct tracer *t, void (*fn)(const struct snapshot *s, void *arg), void *arg)
{
	int rc;

	if (t->snapshot_fd < 0)
		return -1;
	rc = read_iter(t->snapshot_fd, NULL, fn, arg);
	close(t->snapshot_fd);
	t->snapshot_fd = -1;
	return rc ? -1 : 0;
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

#define LOAD(field) __atomic_load_n(&t->skel->bss->field, __ATOMIC_RELAXED)

void tracer_tables(const struct tracer *t, struct kernel_tables *k)
{
	/* Counters the BPF side keeps in its mmap'ed .bss. */
	k->socks = LOAD(nsocks);
	k->tables = LOAD(ntables);
	k->untracked = LOAD(untracked);
	k->incomplete = LOAD(incomplete);
	k->unreturned = LOAD(unreturned);
	k->raced = LOAD(raced);
	k->unattributed = LOAD(unattributed);
	k->unswept = LOAD(unswept);
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/* Removing a per-syscall tracepoint waits for the kernel's grace periods
 * (tens of ms each on a busy machine): about a second for all of them one
 * after another. Done side by side, the waits partly overlap, and the
 * caller drains the ring meanwhile. Kprobes are left to come off in turn:
 * removed side by side, they locked up a two-CPU 5.10 guest. A thread
 * that cannot be made leaves its link to tracer_detach_wait. */
#define MAX_LINKS 64
struct detach {
	struct bpf_link **links[MAX_LINKS];
	pthread_t th[MAX_LINKS];
	bool started[MAX_LINKS];
	int n;
};

void tracer_detach_start(struct tracer *t)
{
	struct detach *d;
	pthread_attr_t attr;

	if (t->detach || !(d = calloc(1, sizeof(*d))))
		return;
	for (int i = 0; t->skel && i < t->skel->skeleton->prog_cnt && d->n < MAX_LINKS; i++) {
		const struct bpf_prog_skeleton *p = &t->skel->skeleton->progs[i];

		if (*p->link && starts(bpf_program__section_name(*p->prog), "tp/"))
			d->links[d->n++] = p->link;
	}
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < d->n; i++)
		d->started[i] = !pthread_create(&d->th[i], &attr, destroy_link, *d->links[i]);
	pthread_attr_destroy(&attr);
	t->detach = d;
}

void tracer_detach_wait(struct tracer *t)
{
	struct detach *d = t->detach;

	for (int i = 0; d && i < d->n; i++) {
		if (d->started[i])
			pthread_join(d->th[i], NULL);
		else
			bpf_link__destroy(*d->links[i]);
		*d->links[i] = NULL;
	}
	free(d);
	t->detach = NULL;
	/* Whatever is left (all of it if memory ran out), in turn. */
	for (size_t i = 0; i < sizeof(t->extra) / sizeof(t->extra[0]); i++) {
		bpf_link__destroy(t->extra[i]);
		t->extra[i] = NULL;
	}
	if (t->skel)
		socktrace_bpf__detach(t->skel);
}

void tracer_detach(struct tracer *t)
{
	tracer_detach_start(t);
	tracer_detach_wait(t);
}

void tracer_destroy(struct tracer *t)
{
	tracer_detach(t);
	if (t->snapshot_fd >= 0)
		close(t->snapshot_fd);
	t->snapshot_fd = -1;
	socktrace_bpf__destroy(t->skel);
	t->skel = NULL;
}
