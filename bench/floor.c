// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * The benchmark's floor: socktrace's own hooks, chosen as socktrace
 * chooses them for the kernel and the attach mode, with programs that
 * return at once (bench/floor.bpf.c). What
 * it costs a traced program is what merely attaching costs; socktrace's
 * own work is what socktrace costs above it.
 *
 *   floor [--attach auto|kprobe|tracepoint]     until SIGINT or SIGTERM
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include "opts.h"
#include "tracer.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct tracer t;
	struct opts o;
	char err[512];

	if (opts_parse(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "floor: %s\n", err);
		return 2;
	}
	tracer_set_verbose(o.verbose);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return 1;
	if (tracer_start(&t, &o, err, sizeof(err))) {
		fprintf(stderr, "floor: %s\n", err);
		return 1;
	}
	fprintf(stderr, "floor: attached with %s programs\n", attach_name(t.mode));
	while (!stop)
		pause();
	tracer_destroy(&t);
	return 0;
}
