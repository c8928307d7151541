// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * The benchmark's floor: every program socktrace has, under the same name
 * and section, returning at once (floor_progs.h, written by floorgen from
 * socktrace's own object), beside socktrace's maps and settings, which its
 * loader sets and reads. Nothing in socktrace itself exists for it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "calls.h"
#include "connect.h"
#include "emit.h"
#include "filter.h"
#include "io.h"
#include "lifecycle.h"
#include "state.h"
#include "table.h"
#include "untraced.h"
#include "floor_progs.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
