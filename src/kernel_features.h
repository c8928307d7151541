/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * What a kernel may offer socktrace beyond the core of an attach mode, one
 * row each. A feature is first looked for (a PMU, a name in BTF, a helper,
 * a tracefs file), then proven by loading and attaching the programs that
 * use it (tracer.c): a kernel that has a feature and refuses it gets the
 * fallback, said in one line, and tracing goes on.
 *
 *   X(ID, key, label, fallback)
 *   key: its name in --status; label: --check's; fallback: what socktrace
 *   does without it.
 */
#ifndef KERNEL_FEATURES_H
#define KERNEL_FEATURES_H

#include <stdbool.h>
#include <stdio.h>
#include "buf.h"

#define KERNEL_FEATURES(X)										\
	X(KPROBES, "kprobes", "kprobes",								\
	  "tracepoint mode only")									\
	X(SOCK_TPS, "sock_tracepoints", "sock tracepoints",						\
	  "tracepoint mode takes sends and receives from their syscalls")				\
	X(SYSCALL_TPS, "syscall_tracepoints", "per-syscall tps",				\
	  "tracepoint mode hooks the raw sys_enter/sys_exit dispatch")					\
	X(BPF_LOOP, "bpf_loop", "bpf_loop",								\
	  "walks of a process's descriptors stop at fd 1023")						\
	X(TASK_FILE_ITER, "task_file_iter", "task_file iterator",					\
	  "sockets open before tracing are followed from their first use")				\
	X(MAP_ITER, "map_iter", "map iterator",								\
	  "the summary counts the sockets that ended, not those still open")				\
	X(BTF_LOADS, "btf_loads", "BTF pointer loads",					\
	  "task fields are read with a helper call each (about 30 ns more per send or receive)")	\
	X(COMPAT_PROBES, "compat_probes", "__ia32_ kprobes",						\
	  "in kprobe mode a 32-bit close shows as unseen and 32-bit socket calls go unreported")	\
	X(CONNECT_OUTCOMES, "connect_outcomes", "connect outcomes",			\
	  "the outcome of a connect in progress is not reported")					\
	X(KRETPROBE_ROOM, "kretprobe_room", "kretprobe room",						\
	  "kretprobes hold the kernel's default of calls in flight (the CPUs, or twice as many, "	\
	  "at least 10): returns past that are lost, and counted as unreturned")

enum feature {
#define FEATURE_ENUM(id, key, label, fallback) FEAT_##id,
	KERNEL_FEATURES(FEATURE_ENUM)
#undef FEATURE_ENUM
	FEATURES_N,
	FEAT_NONE = -1,		/* what a mode cannot trace without */
};

/* Why a feature the kernel has is not used. */
struct refusal {
	enum feature feat;
	char what[40];		/* the program refused, or "tracefs" */
	int err;		/* errno */
	bool attach;		/* refused at attach, not at load */
};

enum tracefs_state {
	TRACEFS_HOST,		/* mounted where libbpf looks for it */
	TRACEFS_OWN,		/* mounted by socktrace in a mount namespace of its own */
	TRACEFS_NONE,		/* neither: tracefs_err says why */
};

struct features {
	bool on[FEATURES_N];	/* offered, and not refused (yet) */
	struct refusal refused[FEATURES_N];
	int nrefused;
	enum tracefs_state tracefs;
	int tracefs_err;
	const char *syscall_prefix;	/* of the kernel's syscall functions: "__x64_sys_" */
};

struct btf;

/*
 * What the kernel seems to offer, from what it registers and names:
 * nothing is loaded yet. Where tracefs is not mounted, mounts it in a
 * mount namespace of socktrace's own (root only): the per-syscall
 * tracepoints' ids are read there.
 */
void features_probe(struct features *f, const struct btf *btf);
/* f's feature id was refused: what (a program), err, at load or attach. */
void features_refuse(struct features *f, enum feature id, const char *what, int err, bool attach);
/* Takes back the refusal of id (it was not the cause after all). */
void features_unrefuse(struct features *f, enum feature id);
/* Whether the kernel has id and refused it. */
bool features_refused(const struct features *f, enum feature id);
const char *feature_key(enum feature id);
const char *feature_fallback(enum feature id);

/* One line per refusal, "socktrace: ..." (for stderr at start). */
void features_say(const struct features *f, FILE *out);
/* "kernel":{...} members of the status file: each feature, and the
 * refusals as "refused":[{"feature":...,"program":...,"error":...}]. */
void features_json(const struct features *f, struct buf *b);
/* --check's lines: each feature, used or not and why. */
void features_report(const struct features *f, FILE *out);

#endif
