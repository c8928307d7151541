// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_features.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static const struct {
	const char *key, *label, *fallback;
} rows[FEATURES_N] = {
#define FEATURE_ROW(id, key, label, fallback) [FEAT_##id] = { key, label, fallback },
	KERNEL_FEATURES(FEATURE_ROW)
#undef FEATURE_ROW
};

const char *feature_key(enum feature id)
{
	return id >= 0 && id < FEATURES_N ? rows[id].key : "core";
}

const char *feature_fallback(enum feature id)
{
	return id >= 0 && id < FEATURES_N ? rows[id].fallback : "";
}

static bool btf_has(const struct btf *btf, const char *name, int kind)
{
	return btf && btf__find_by_name_kind(btf, name, kind) > 0;
}

/* Where libbpf looks for tracefs: under debugfs when that has a tracing
 * directory, else /sys/kernel/tracing. */
static const char *tracefs_dir(void)
{
	return access("/sys/kernel/debug/tracing", F_OK) ? "/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
}

static bool tracefs_has(const char *rel, int mode)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", tracefs_dir(), rel);
	return access(path, mode) == 0;
}

/*
 * tracefs where it is not mounted (a machine without systemd): in a mount
 * namespace of socktrace's own, private so that nothing reaches the
 * host's, which stays as it was. Needs CAP_SYS_ADMIN; 0 or -errno.
 */
static int mount_own_tracefs(void)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL))
		return -errno;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
		return -errno;
	return 0;
}

void features_probe(struct features *f, const struct btf *btf)
{
	bool own_btf = access(VMLINUX_BTF, R_OK) == 0;
	int err;

	memset(f, 0, sizeof(*f));
	f->tracefs = TRACEFS_HOST;
	if (!tracefs_has("events", F_OK)) {
		err = mount_own_tracefs();
		f->tracefs = err ? TRACEFS_NONE : TRACEFS_OWN;
		f->tracefs_err = -err;
	}
	/* The kprobe PMU is registered exactly when the kernel has kprobes. */
	f->on[FEAT_KPROBES] = access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0;
	f->on[FEAT_SOCK_TPS] = btf_has(btf, "btf_trace_sock_send_length", BTF_KIND_TYPEDEF) &&
			       btf_has(btf, "btf_trace_sock_recv_length", BTF_KIND_TYPEDEF);
	/* Their ids are readable by root only (tracefs is mode 0700). */
	f->on[FEAT_SYSCALL_TPS] = tracefs_has("events/syscalls/sys_enter_connect/id", R_OK);
	f->on[FEAT_BPF_LOOP] = libbpf_probe_bpf_helper(BPF_PROG_TYPE_KPROBE, BPF_FUNC_loop, NULL) == 1;
	/* Iterators attach by the kernel's own BTF, which --btf cannot stand in for. */
	f->on[FEAT_TASK_FILE_ITER] = own_btf && btf_has(btf, "bpf_iter__task_file", BTF_KIND_STRUCT);
	f->on[FEAT_MAP_ITER] = own_btf && btf_has(btf, "bpf_iter__bpf_map_elem", BTF_KIND_STRUCT);
	/* The verifier reads the kernel's own BTF for these; the helpers'
	 * presence is checked by the programs themselves (CO-RE). */
	f->on[FEAT_BTF_LOADS] = own_btf;
#if defined(__x86_64__)
	f->on[FEAT_COMPAT_PROBES] = btf_has(btf, "__ia32_sys_close", BTF_KIND_FUNC);
#endif
	f->on[FEAT_CONNECT_OUTCOMES] = btf_has(btf, "btf_trace_inet_sock_set_state", BTF_KIND_TYPEDEF);
	/* Made through tracefs's kprobe_events: proven by making them. */
	f->on[FEAT_KRETPROBE_ROOM] = f->on[FEAT_KPROBES];
	/* The syscalls' functions behind the kernel's syscall wrapper. */
	f->syscall_prefix = btf_has(btf, "__x64_sys_close", BTF_KIND_FUNC) ? "__x64_sys_" :
			    btf_has(btf, "__arm64_sys_close", BTF_KIND_FUNC) ? "__arm64_sys_" : "sys_";
}

void features_refuse(struct features *f, enum feature id, const char *what, int err, bool attach)
{
	struct refusal *r;

	if (id < 0 || id >= FEATURES_N || f->nrefused >= FEATURES_N)
		return;
	f->on[id] = false;
	r = &f->refused[f->nrefused++];
	r->feat = id;
	snprintf(r->what, sizeof(r->what), "%s", what && *what ? what : "?");
	r->err = err;
	r->attach = attach;
}

void features_unrefuse(struct features *f, enum feature id)
{
	for (int i = 0; i < f->nrefused; i++) {
		if (f->refused[i].feat != id)
			continue;
		memmove(&f->refused[i], &f->refused[i + 1], (f->nrefused - i - 1) * sizeof(f->refused[0]));
		f->nrefused--;
		f->on[id] = true;
		return;
	}
}

static const struct refusal *refusal_of(const struct features *f, enum feature id)
{
	for (int i = 0; i < f->nrefused; i++)
		if (f->refused[i].feat == id)
			return &f->refused[i];
	return NULL;
}

bool features_refused(const struct features *f, enum feature id)
{
	return refusal_of(f, id) != NULL;
}

static const char *err_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "unknown errno";
}

/* "the kernel refused iter_open (EPERM, Operation not permitted, at load)" */
static void say_refusal(const struct refusal *r, char *out, size_t len)
{
	if (!strcmp(r->what, "tracefs"))
		snprintf(out, len, "tracefs is not mounted and socktrace could not mount its own (%s, %s)",
			 err_name(r->err), strerror(r->err));
	else
		snprintf(out, len, "the kernel refused %s%s (%s, %s, at %s)", r->what,
			 r->feat == FEAT_BTF_LOADS ? " with its BTF pointer loads" : "", err_name(r->err),
			 strerror(r->err), r->attach ? "attach" : "load");
}

void features_say(const struct features *f, FILE *out)
{
	char why[160];

	for (int i = 0; i < f->nrefused; i++) {
		say_refusal(&f->refused[i], why, sizeof(why));
		fprintf(out, "socktrace: %s: %s\n", why, rows[f->refused[i].feat].fallback);
	}
}

void features_json(const struct features *f, struct buf *b)
{
	for (int i = 0; i < FEATURES_N; i++)
		buf_fmt(b, "%s\"%s\":%s", i ? "," : "", rows[i].key, f->on[i] ? "true" : "false");
	buf_fmt(b, ",\"tracefs\":\"%s\",\"refused\":[",
		f->tracefs == TRACEFS_HOST ? "host" : f->tracefs == TRACEFS_OWN ? "own" : "none");
	for (int i = 0; i < f->nrefused; i++) {
		const struct refusal *r = &f->refused[i];

		/* Program names are socktrace's own: nothing to escape. */
		buf_fmt(b, "%s{\"feature\":\"%s\",\"program\":\"%s\",\"error\":\"%s\",\"at\":\"%s\"}",
			i ? "," : "", rows[r->feat].key, r->what, err_name(r->err), r->attach ? "attach" : "load");
	}
	buf_char(b, ']');
}

void features_report(const struct features *f, FILE *out)
{
	char why[160];

	for (int i = 0; i < FEATURES_N; i++) {
		const struct refusal *r = refusal_of(f, i);
		int pad = 23 - (int)strlen(rows[i].label);

		fprintf(out, "%s:%*s ", rows[i].label, pad > 0 ? pad : 0, "");
		if (f->on[i]) {
			fputs("yes\n", out);
		} else if (r) {
			say_refusal(r, why, sizeof(why));
			fprintf(out, "refused: %s: %s\n", why, rows[i].fallback);
		} else {
			fprintf(out, "no: %s\n", rows[i].fallback);
		}
	}
	if (f->tracefs == TRACEFS_OWN)
		fprintf(out, "tracefs:                  not mounted: socktrace mounts its own, in a mount "
			"namespace of its own\n");
}
