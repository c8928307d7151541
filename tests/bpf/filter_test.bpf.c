// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * The socket filters of bpf/filter.h, run in the kernel on ends the test
 * writes (tests/bpf/filter_test.c, through BPF_PROG_TEST_RUN): the
 * verifier's and the kernel's view of the same code socktrace loads.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "filter.h"

struct ends subject = {};
int verdict;

SEC("raw_tp")
int judge(void *ctx)
{
	verdict = ends_pass(&subject);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
