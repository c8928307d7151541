// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * The fentry floor: the kprobe mode's hooks through BPF trampolines
 * (fentry/fexit), with programs that return at once (bench/fentry.bpf.c).
 * Set beside the floor's kprobe pairs in `make bench-vm`, it says what
 * socktrace's hooks would cost where the kernel offers trampolines.
 *
 *   fentry     until SIGINT or SIGTERM; 1 if any hook does not attach
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "fentry.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct bpf_program *p;
	struct fentry_bpf *s;
	int n = 0, err;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: fentry\n");
		return 2;
	}
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return 1;
	s = fentry_bpf__open_and_load();
	if (!s) {
		fprintf(stderr, "fentry: cannot load: %s\n", strerror(errno));
		return 1;
	}
	bpf_object__for_each_program(p, s->obj) {
		struct bpf_link *l = bpf_program__attach(p);

		err = -errno;
		if (!l) {
			fprintf(stderr, "fentry: cannot attach %s (%s): %s\n", bpf_program__name(p),
				bpf_program__section_name(p), strerror(-err));
			fentry_bpf__destroy(s);
			return 1;
		}
		n++;
	}
	fprintf(stderr, "fentry: attached with fentry programs (%d)\n", n);
	while (!stop)
		pause();
	/* The links go with the process: nothing stays attached. */
	return 0;
}
