// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* The iterators: the sockets open before tracing, and those still open at
 * the end (the socket table, read after the probes are off). */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "iters.h"
#include "ring.h"
#include "socktrace.skel.h"

void iters_attach(struct tracer *t)
{
	struct socktrace_bpf *s = t->skel;

	if (t->feat.on[FEAT_TASK_FILE_ITER]) {
		t->existing = bpf_program__attach_iter(s->progs.iter_existing, NULL);
		if (!t->existing)
			features_refuse(&t->feat, FEAT_TASK_FILE_ITER, "iter_existing", errno, true);
	}
	if (t->feat.on[FEAT_MAP_ITER]) {
		union bpf_iter_link_info info = { .map.map_fd = bpf_map__fd(s->maps.socks) };
		DECLARE_LIBBPF_OPTS(bpf_iter_attach_opts, opts, .link_info = &info,
				    .link_info_len = sizeof(info));

		t->open_at_end = bpf_program__attach_iter(s->progs.iter_open, &opts);
		if (!t->open_at_end)
			features_refuse(&t->feat, FEAT_MAP_ITER, "iter_open", errno, true);
	}
}

void iters_detach(struct tracer *t)
{
	bpf_link__destroy(t->existing);
	t->existing = NULL;
	/* An iterator's fd holds its link: the snapshot can still be read. */
	bpf_link__destroy(t->open_at_end);
	t->open_at_end = NULL;
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
	int fd, rc;

	/* The snapshot's iterator is made now, while the sandbox still
	 * allows bpf(); it is read at the end. */
	if (t->open_at_end)
		t->snapshot_fd = bpf_iter_create(bpf_link__fd(t->open_at_end));
	if (!t->existing) {
		/* A refusal is said with the others (features_say). */
		if (features_refused(&t->feat, FEAT_TASK_FILE_ITER))
			return 0;
		snprintf(err, errlen, "this kernel has no task_file iterator: %s",
			 feature_fallback(FEAT_TASK_FILE_ITER));
		return -1;
	}
	fd = bpf_iter_create(bpf_link__fd(t->existing));
	rc = fd < 0 ? -errno : read_iter(fd, rb, NULL, NULL);
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(t->existing);
	t->existing = NULL;
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
