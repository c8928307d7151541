// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Taking the programs off: the per-syscall tracepoints side by side, the
 * rest in turn. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "iters.h"
#include "socktrace.skel.h"

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
	/* The sock tracepoints first, at once: a receive they leave for its
	 * syscall's exit (io.h, recv_at_exit()) must find the exit still
	 * there, or count as unreturned. */
	for (int i = 0; t->skel && i < t->skel->skeleton->prog_cnt; i++) {
		const struct bpf_prog_skeleton *p = &t->skel->skeleton->progs[i];

		if (*p->link && !strncmp(bpf_program__section_name(*p->prog), "raw_tp/sock_", 12)) {
			bpf_link__destroy(*p->link);
			*p->link = NULL;
		}
	}
	for (int i = 0; t->skel && i < t->skel->skeleton->prog_cnt && d->n < MAX_LINKS; i++) {
		const struct bpf_prog_skeleton *p = &t->skel->skeleton->progs[i];

		if (*p->link && !strncmp(bpf_program__section_name(*p->prog), "tp/", 3))
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
	iters_detach(t);
	if (t->skel)
		socktrace_bpf__detach(t->skel);
	/* Their links are gone: the return probes made through tracefs go. */
	kretprobes_remove(&t->kret);
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
