// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * Loading and attaching. What the kernel seems to offer is looked up first
 * (features.c); then the programs of the attach mode are loaded and
 * attached, and where the kernel refuses an optional one, socktrace drops
 * it for its fallback and tries again: a machine is never judged by names
 * in BTF alone. Only what a mode cannot trace without stops it.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
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
#include "iters.h"
#include "socktrace.h"
#include "socktrace.skel.h"
#include "tracer.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* ---- libbpf's messages: which program the kernel refused ---- */

static struct {
	bool verbose;
	char failed[64];	/* the program libbpf last failed to load */
	bool verified;		/* the verifier got into it (its log counts instructions) */
} lib;

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *full = fmt;
	va_list cp;

	(void)level;
	if (!strncmp(fmt, "libbpf: ", 8))
		fmt += 8;
	/* "prog '%s': failed to load: %d" (or %s in later libbpf) names the
	 * refused program; its verifier log, whether it got that far. */
	if (!strncmp(fmt, "prog '%s': failed to load", 25)) {
		va_copy(cp, ap);
		snprintf(lib.failed, sizeof(lib.failed), "%s", va_arg(cp, const char *));
		va_end(cp);
	} else if (!strncmp(fmt, "prog '%s': -- BEGIN PROG LOAD LOG --", 36)) {
		const char *log;

		va_copy(cp, ap);
		(void)va_arg(cp, const char *);
		log = va_arg(cp, const char *);
		lib.verified = log && !strstr(log, "processed 0 insns");
		va_end(cp);
	}
	return lib.verbose ? vfprintf(stderr, full, ap) : 0;
}

void tracer_set_verbose(bool verbose)
{
	lib.verbose = verbose;
	libbpf_set_print(on_libbpf_print);
}

/* ---- what comes before loading ---- */

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

/* The first line of a small file, without its newline; "" if unreadable. */
static void read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (!f)
		return;
	if (!fgets(out, len, f))
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/*
 * Why a process with every capability BPF needs is refused: a policy of
 * the kernel's. Names what securityfs shows of it (kernel lockdown, the
 * LSMs), when it is mounted.
 */
static void kernel_policy(char *out, size_t len)
{
	char lockdown[128], lsm[200];
	const char *mode;

	read_line("/sys/kernel/security/lockdown", lockdown, sizeof(lockdown));
	read_line("/sys/kernel/security/lsm", lsm, sizeof(lsm));
	mode = strchr(lockdown, '[');
	if (mode && strncmp(mode, "[none]", 6)) {
		snprintf(out, len, "kernel lockdown (%.*s) forbids it", (int)strcspn(mode + 1, "]") % 32,
			 mode + 1);
		return;
	}
	snprintf(out, len, "a security policy of the kernel forbids it (%s%.100s), though socktrace "
		 "has the capabilities BPF needs", lsm[0] ? "LSMs: " : "an LSM, lockdown or a hardened kernel",
		 lsm);
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
	char policy[256];

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EPERM && in_user_namespace()) {
		snprintf(err, errlen, "the kernel refuses BPF in a user namespace (unshare -U, rootless "
			 "containers): run socktrace as root in the initial user namespace");
	} else if (errno == EPERM || errno == EACCES) {
		kernel_policy(policy, sizeof(policy));
		snprintf(err, errlen, "the kernel refuses to make a BPF map (%s): %s",
			 strerrorname_np(errno), policy);
	} else {
		snprintf(err, errlen, "the kernel refuses to make a BPF map: %s", strerror(errno));
	}
	return -1;
}

static void no_btf(char *err, size_t errlen)
{
	snprintf(err, errlen, "this kernel has no BTF (" VMLINUX_BTF "): use a kernel built with "
		 "CONFIG_DEBUG_INFO_BTF=y, or give its BTF with --btf FILE (BTFHub has files for many "
		 "distribution kernels)");
}

/* Why the BTF file path could not be read (e: errno from libbpf, whose
 * own codes, 4000 and up, have no strerror text). */
static const char *btf_error(const char *path, int e)
{
	struct stat st;

	if (stat(path, &st))
		return strerror(errno);
	if (S_ISDIR(st.st_mode))
		return "it is a directory";
	if (e == EACCES || e == EPERM || e == ENOMEM)
		return strerror(e);
	return "not a BTF file, nor an ELF file with a .BTF section";
}

/* The kernel's BTF: its own, or --btf FILE. NULL with one line in err. */
static struct btf *kernel_btf(const struct opts *o, char *err, size_t errlen)
{
	struct btf *btf;

	if (o->btf) {
		btf = btf__parse(o->btf, NULL);
		if (!btf)
			snprintf(err, errlen, "--btf %s: cannot read BTF from it: %s", o->btf, btf_error(o->btf, errno));
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

/* ---- which programs a run loads ---- */

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool is_kprobe(const char *sec)
{
	return starts(sec, "ksyscall/") || starts(sec, "kretsyscall/") || starts(sec, "kprobe/") ||
	       starts(sec, "kretprobe/");
}

/* Tracepoint mode hooks each followed syscall's own tracepoints when the
 * sock tracepoints count the bytes (else every read and write would need
 * one) and tracefs lets it; otherwise the raw sys_enter/sys_exit dispatch. */
static bool per_syscall(const struct features *f)
{
	return f->on[FEAT_SOCK_TPS] && f->on[FEAT_SYSCALL_TPS];
}

const char *tracer_syscall_hooks(const struct tracer *t)
{
	if (t->mode == ATTACH_KPROBE)
		return "ksyscall";
	return per_syscall(&t->feat) ? "per-syscall" : "raw";
}

/* The programs that stand for a feature beyond their mode's core, by
 * section (and name); FEAT_KPROBES for the kprobe mode's core. */
static const struct {
	const char *sec, *name;
	enum feature feat;
} stands_for[] = {
	{ "iter/task_file", NULL, FEAT_TASK_FILE_ITER },
	{ "iter/bpf_map_elem", NULL, FEAT_MAP_ITER },
	{ "raw_tp/sock_", NULL, FEAT_SOCK_TPS },
	{ "tp/syscalls/", NULL, FEAT_SYSCALL_TPS },
	{ "kprobe/__ia32_", NULL, FEAT_COMPAT_PROBES },
	{ "raw_tp/inet_sock_set_state", NULL, FEAT_CONNECT_OUTCOMES },
	{ "raw_tp/sched_", "_loop", FEAT_BPF_LOOP },
	{ "ksyscall/", NULL, FEAT_KPROBES },
	{ "kretsyscall/", NULL, FEAT_KPROBES },
	{ "kprobe/", NULL, FEAT_KPROBES },
	{ "kretprobe/", NULL, FEAT_KPROBES },
};

/* The feature p stands for; FEAT_NONE for the core of the tracepoint mode
 * and what both modes need. */
static enum feature prog_feature(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p), *name = bpf_program__name(p);

	for (size_t i = 0; i < sizeof(stands_for) / sizeof(stands_for[0]); i++)
		if (starts(sec, stands_for[i].sec) && (!stands_for[i].name || strstr(name, stands_for[i].name)))
			return stands_for[i].feat;
	return FEAT_NONE;
}

/* Whether program p belongs in this run: one attach mode's hooks, one
 * variant of the process hooks, what the kernel offers. */
static bool wanted(const struct bpf_program *p, enum attach_mode mode, const struct features *f)
{
	const char *sec = bpf_program__section_name(p), *name = bpf_program__name(p);
	bool kp = mode == ATTACH_KPROBE;
	enum feature need = prog_feature(p);

	if (is_kprobe(sec))
		return kp && (need == FEAT_KPROBES || f->on[need]);
	if (starts(sec, "tp/syscalls/"))
		return !kp && per_syscall(f);
	if (starts(sec, "raw_tp/sys_"))
		return !kp && !per_syscall(f);
	if (starts(sec, "raw_tp/sock_"))
		return !kp && f->on[FEAT_SOCK_TPS];
	if (starts(sec, "raw_tp/sched_"))
		return strstr(name, f->on[FEAT_BPF_LOOP] ? "_loop" : "_bounded") != NULL;
	return need == FEAT_NONE || f->on[need];
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

static void set_filter(struct socktrace_bpf *s, const struct opts *o)
{
	memcpy((void *)&s->rodata->filter, &o->filter, sizeof(o->filter));
	s->rodata->viewer_pidns = own_pidns();
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

/* ---- loading and attaching, proven ---- */

/* The program the kernel refused, and how. */
struct culprit {
	char name[64];		/* "" when libbpf did not say */
	char sec[64];
	int err;		/* errno */
	bool attach;		/* at attach, not load */
	bool verified;		/* the verifier got into it */
	enum feature feat;	/* what it stands for */
};

static void blame(struct culprit *c, const struct bpf_program *p, int err, bool attach)
{
	snprintf(c->name, sizeof(c->name), "%s", bpf_program__name(p));
	snprintf(c->sec, sizeof(c->sec), "%s", bpf_program__section_name(p));
	c->err = err;
	c->attach = attach;
	c->feat = prog_feature(p);
}

static int open_configured(struct tracer *t, const struct opts *o)
{
	DECLARE_LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = o->btf);
	const struct features *f = &t->feat;
	struct socktrace_bpf *s = socktrace_bpf__open_opts(&open_opts);
	struct bpf_program *p;

	if (!s)
		return -errno;
	t->skel = s;
	set_filter(s, o);
	s->rodata->event_mask = o->events;
	/* A close tells user space when to forget a socket it holds for the
	 * brief records: without close events it would hold every one. */
	s->rodata->brief_io = o->events & EV_BIT(EV_CLOSE);
	s->rodata->wakeup_bytes = o->ring_size / 4;
	s->rodata->syscall_io = t->mode == ATTACH_TRACEPOINT && !f->on[FEAT_SOCK_TPS];
	s->rodata->syscall_tps = t->mode == ATTACH_TRACEPOINT && per_syscall(f);
	s->rodata->kernel_btf = f->on[FEAT_BTF_LOADS];
	s->rodata->connect_outcomes = f->on[FEAT_CONNECT_OUTCOMES];
	s->rodata->cgroup_names = o->containers || o->metrics;
	bpf_map__set_max_entries(s->maps.events, o->ring_size);
	size_calls(s->maps.calls);
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, wanted(p, t->mode, f));
	return 0;
}

/* A program at the exit of a call, which consumes what an entry program
 * leaves (calls.h). */
static bool is_exit(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return starts(sec, "kretsyscall/") || starts(sec, "kretprobe/") || starts(sec, "tp/syscalls/sys_exit_") ||
	       starts(sec, "raw_tp/sys_exit");
}

static bool is_kretprobe(const struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);

	return starts(sec, "kretsyscall/") || starts(sec, "kretprobe/");
}

/*
 * A return probe with room for many calls in flight (kretprobes.h). Where
 * tracefs cannot make one, with --attach kprobe: the usual kind, and the
 * refusal said; with auto, NULL and the culprit in c, so that the
 * tracepoint mode, which loses no return, is chosen instead.
 */
static struct bpf_link *attach_kretprobe(struct tracer *t, const struct opts *o, struct bpf_program *p,
					 struct culprit *c)
{
	const char *sec = bpf_program__section_name(p);
	char func[96];
	struct bpf_link *link;
	int err = 0;

	if (t->kret.fd < 0 && !t->kret.n)
		err = -kretprobes_open(&t->kret);
	if (starts(sec, "kretsyscall/"))
		snprintf(func, sizeof(func), "%s%s", t->feat.syscall_prefix, sec + strlen("kretsyscall/"));
	else
		snprintf(func, sizeof(func), "%s", sec + strlen("kretprobe/"));
	link = err ? NULL : kretprobe_attach(&t->kret, p, func);
	if (link)
		return link;
	err = errno;
	if (o->attach == ATTACH_AUTO) {
		blame(c, p, err, true);
		c->feat = FEAT_KRETPROBE_ROOM;
		errno = err;
		return NULL;
	}
	features_refuse(&t->feat, FEAT_KRETPROBE_ROOM, t->kret.fd < 0 ? "kprobe_events" : bpf_program__name(p),
			err, true);
	return bpf_program__attach(p);
}

/*
 * One try: open, load and attach every program this run wants. 0, or a
 * negative errno with the program the kernel refused in c (name empty
 * when libbpf did not say which).
 */
static int load_attach(struct tracer *t, const struct opts *o, struct culprit *c)
{
	struct bpf_program *p;
	int rc;

	memset(c, 0, sizeof(*c));
	c->feat = FEAT_NONE;
	rc = open_configured(t, o);
	if (rc) {
		c->err = -rc;
		return rc;
	}
	lib.failed[0] = '\0';
	lib.verified = false;
	rc = socktrace_bpf__load(t->skel);
	if (rc) {
		c->err = -rc;
		c->verified = lib.verified;
		p = lib.failed[0] ? bpf_object__find_program_by_name(t->skel->obj, lib.failed) : NULL;
		if (p)
			blame(c, p, -rc, false);
		return rc;
	}
	/* Each program on its own, so that a refusal names it; the exits
	 * first, so that no call an entry program saves misses its exit
	 * (it would count as unreturned). The iterators are attached apart
	 * (iters.c). */
	for (int i = 0; i < 2 * t->skel->skeleton->prog_cnt; i++) {
		const struct bpf_prog_skeleton *ps = &t->skel->skeleton->progs[i % t->skel->skeleton->prog_cnt];

		p = *ps->prog;
		if (!bpf_program__autoload(p) || starts(bpf_program__section_name(p), "iter/") ||
		    is_exit(p) != (i < t->skel->skeleton->prog_cnt))
			continue;
		*ps->link = is_kretprobe(p) && t->feat.on[FEAT_KRETPROBE_ROOM] ?
			    attach_kretprobe(t, o, p, c) : bpf_program__attach(p);
		if (!*ps->link) {
			rc = -errno;
			if (!c->name[0])
				blame(c, p, -rc, true);
			return rc;
		}
	}
	return 0;
}

/* The optional features in the order they are given up when libbpf did
 * not say which program the kernel refused: the least missed first. */
static const enum feature give_up[] = {
	FEAT_MAP_ITER, FEAT_TASK_FILE_ITER, FEAT_COMPAT_PROBES, FEAT_BPF_LOOP, FEAT_SYSCALL_TPS,
	FEAT_CONNECT_OUTCOMES, FEAT_SOCK_TPS,
};

/* Whether feature id has programs (or settings) in this run. */
static bool in_play(const struct tracer *t, enum feature id)
{
	switch (id) {
	case FEAT_SOCK_TPS:
	case FEAT_SYSCALL_TPS:
		return t->mode == ATTACH_TRACEPOINT && t->feat.on[id];
	case FEAT_COMPAT_PROBES:
		return t->mode == ATTACH_KPROBE && t->feat.on[id];
	default:
		return t->feat.on[id];
	}
}

/* One line: which program, the errno, and the cause. */
static void say_fatal(const struct culprit *c, char *err, size_t errlen)
{
	char cause[256];

	if ((c->err == EPERM || c->err == EACCES) && !c->verified && may_trace())
		kernel_policy(cause, sizeof(cause));
	else if (!c->attach && (c->err == EACCES || c->err == EINVAL) && c->verified)
		snprintf(cause, sizeof(cause), "this kernel's verifier refused it (--verbose shows its "
			 "log): please report it with the output of --check");
	else
		snprintf(cause, sizeof(cause), "%s (--verbose shows libbpf's log)", strerror(c->err));
	if (c->name[0])
		snprintf(err, errlen, "the kernel refused to %s %s (%s): %s: %s", c->attach ? "attach" : "load",
			 c->name, c->sec, strerrorname_np(c->err) ?: "?", cause);
	else
		snprintf(err, errlen, "cannot load the BPF programs: %s: %s", strerrorname_np(c->err) ?: "?",
			 cause);
}

/*
 * Loads and attaches, giving up what the kernel refuses: for a refused
 * optional program, its feature; for a refused core program, the kprobe
 * mode when auto chose it. Each refusal costs one more try. BTF pointer
 * loads are in every program, so the first program refused at load is
 * first tried again without them: if it is refused again they were not
 * the cause, and its own feature goes instead.
 */
static int load_proven(struct tracer *t, const struct opts *o, char *err, size_t errlen)
{
	enum { UNTESTED, TESTING, DONE } btf = t->feat.on[FEAT_BTF_LOADS] ? UNTESTED : DONE;
	struct culprit c, suspect;

	for (int tries = 0; tries <= FEATURES_N + 2; tries++) {
		enum feature give = FEAT_NONE;

		if (!load_attach(t, o, &c))
			return 0;
		socktrace_bpf__destroy(t->skel);
		t->skel = NULL;
		kretprobes_remove(&t->kret);
		/* The iterators make no BTF pointer loads. */
		if (btf == UNTESTED && !c.attach && c.feat != FEAT_MAP_ITER && c.feat != FEAT_TASK_FILE_ITER) {
			suspect = c;
			btf = TESTING;
			features_refuse(&t->feat, FEAT_BTF_LOADS, c.name, c.err, false);
			continue;
		}
		if (btf == TESTING) {
			btf = DONE;
			if (!c.attach && !strcmp(c.name, suspect.name))
				features_unrefuse(&t->feat, FEAT_BTF_LOADS);
		}
		if (!c.name[0]) {
			/* Unnamed: give up features one at a time. */
			for (size_t i = 0; i < sizeof(give_up) / sizeof(give_up[0]) && give < 0; i++)
				if (in_play(t, give_up[i]))
					give = give_up[i];
		} else if (c.feat != FEAT_NONE && c.feat != FEAT_KPROBES) {
			give = c.feat;
		} else if ((c.feat == FEAT_KPROBES || c.feat == FEAT_KRETPROBE_ROOM) && o->attach == ATTACH_AUTO) {
			give = c.feat;
		}
		if (give == FEAT_NONE) {
			say_fatal(&c, err, errlen);
			return -1;
		}
		features_refuse(&t->feat, give, c.name, c.err, c.attach);
		if (give == FEAT_KPROBES || give == FEAT_KRETPROBE_ROOM)
			t->mode = ATTACH_TRACEPOINT;
	}
	say_fatal(&c, err, errlen);
	return -1;
}

/* The attach mode for o on a kernel with features f; -1 (err) if none. */
static int choose_mode(const struct opts *o, const struct features *f, char *err, size_t errlen)
{
	enum attach_mode mode = o->attach;

	if (mode == ATTACH_AUTO)
		mode = f->on[FEAT_KPROBES] ? ATTACH_KPROBE : ATTACH_TRACEPOINT;
	if (mode == ATTACH_KPROBE && !f->on[FEAT_KPROBES]) {
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
	t->kret.fd = -1;
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
	features_probe(&t->feat, btf);
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
	/* Without tracefs the per-syscall tracepoints cannot be found. */
	if (mode == ATTACH_TRACEPOINT && t->feat.on[FEAT_SOCK_TPS] && t->feat.tracefs == TRACEFS_NONE)
		features_refuse(&t->feat, FEAT_SYSCALL_TPS, "tracefs", t->feat.tracefs_err, false);
	if (load_proven(t, o, err, errlen))
		return -1;
	iters_attach(t);
	return 0;
}

int tracer_check(const struct opts *o, FILE *f)
{
	struct tracer t;
	struct utsname u;
	char err[512] = "";
	int rc;

	uname(&u);
	fprintf(f, "kernel:                  Linux %s (%s)\n", u.release, u.machine);
	fprintf(f, "kernel BTF:              %s\n", o->btf ? o->btf : access(VMLINUX_BTF, R_OK) ?
		"none (" VMLINUX_BTF " missing: give one with --btf FILE)" : VMLINUX_BTF);
	rc = tracer_start(&t, o, err, sizeof(err));
	if (t.feat.nrefused || !rc) {
		/* What the kernel offers, as loading proved it. */
		features_report(&t.feat, f);
	}
	if (rc) {
		fprintf(f, "result:                  cannot trace: %s\n", err);
		tracer_destroy(&t);
		return 1;
	}
	fprintf(f, "sends and receives:      %s\n", t.mode == ATTACH_KPROBE ?
		"inet_sendmsg/inet6_sendmsg/inet_recvmsg/inet6_recvmsg kprobes" :
		t.feat.on[FEAT_SOCK_TPS] ? "sock:sock_send_length/sock_recv_length tracepoints" :
		"their syscalls (no sock tracepoints before Linux 6.3)");
	fprintf(f, "syscalls followed:       %s\n", t.mode == ATTACH_KPROBE ? "ksyscall kprobes" :
		per_syscall(&t.feat) ? "their own syscalls:sys_enter_*/sys_exit_* tracepoints" :
		"raw sys_enter/sys_exit");
	fprintf(f, "result:                  can trace, with %s programs\n", attach_name(t.mode));
	tracer_destroy(&t);
	return 0;
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
#define COUNTER_LOAD(name, help) k->name = LOAD(name);
	KERNEL_COUNTERS(COUNTER_LOAD)
#undef COUNTER_LOAD
}
