// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * The kprobe mode's hooks as fentry/fexit programs that return at once
 * (fentry_progs.h, written by floorgen --fentry from socktrace's object):
 * beside the floor, what the same hooks cost through the kernel's BPF
 * trampolines instead of kprobes and kretprobes (bench/fentry.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#if defined(__TARGET_ARCH_x86)
#define SYS_PREFIX "__x64_sys_"
#elif defined(__TARGET_ARCH_arm64)
#define SYS_PREFIX "__arm64_sys_"
#endif

#include "fentry_progs.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
