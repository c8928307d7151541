// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "kretprobes.h"

#define GROUP "socktrace_"

/* Where libbpf and the kernel keep it (see kernel_features.c). */
static const char *tracefs_dir(void)
{
	return access("/sys/kernel/debug/tracing", F_OK) ? "/sys/kernel/tracing" : "/sys/kernel/debug/tracing";
}

/* Writes one command line to kprobe_events: 0 or -errno. */
static int command(int fd, const char *line)
{
	size_t n = strlen(line);
	ssize_t w = write(fd, line, n);

	return w == (ssize_t)n ? 0 : w < 0 ? -errno : -EIO;
}

/* "r4096:socktrace_123/kr_connect __x64_sys_connect" of a process that
 * is gone: its probe, taken out. */
static void remove_stale(int fd, const char *line)
{
	const char *colon = strchr(line, ':');
	char event[64], cmd[80], proc[32];
	unsigned long pid;
	char *end;

	if (!colon || strncmp(colon + 1, GROUP, strlen(GROUP)))
		return;
	pid = strtoul(colon + 1 + strlen(GROUP), &end, 10);
	if (*end != '/' || !pid)
		return;
	snprintf(proc, sizeof(proc), "/proc/%lu", pid);
	if (!access(proc, F_OK))
		return;
	snprintf(event, sizeof(event), "%.*s", (int)strcspn(colon + 1, " \n"), colon + 1);
	snprintf(cmd, sizeof(cmd), "-:%s\n", event);
	command(fd, cmd);
}

int kretprobes_open(struct kretprobes *k)
{
	char path[160], line[256];
	FILE *f;

	k->n = 0;
	snprintf(path, sizeof(path), "%s/kprobe_events", tracefs_dir());
	k->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		remove_stale(k->fd, line);
	if (f)
		fclose(f);
	return 0;
}

static int read_id(const char *event)
{
	char path[200];
	int id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/events/%s/id", tracefs_dir(), event);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &id) != 1)
		id = -1;
	fclose(f);
	return id;
}

struct bpf_link *kretprobe_attach(struct kretprobes *k, struct bpf_program *p, const char *func)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(attr),
					.sample_period = 1, .wakeup_events = 1 };
	char *event, cmd[160];
	struct bpf_link *link;
	int rc, pfd, err;

	if (k->fd < 0 || k->n >= KRETPROBES_MAX) {
		errno = k->fd < 0 ? EBADF : ENOSPC;
		return NULL;
	}
	event = k->made[k->n];
	snprintf(event, sizeof(k->made[0]), GROUP "%d/%.24s", getpid(), bpf_program__name(p));
	snprintf(cmd, sizeof(cmd), "r%d:%s %s\n", KRETPROBE_MAXACTIVE, event, func);
	rc = command(k->fd, cmd);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	k->n++;
	attr.config = read_id(event);
	pfd = (int)attr.config < 0 ? -1 :
	      syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		errno = (int)attr.config < 0 ? ENOENT : errno;
		return NULL;
	}
	/* The link owns pfd from here: destroying it closes it. */
	link = bpf_program__attach_perf_event(p, pfd);
	if (!link) {
		err = errno;
		close(pfd);
		errno = err;
	}
	return link;
}

void kretprobes_remove(struct kretprobes *k)
{
	struct timespec wait = { 0, 10 * 1000 * 1000 };
	char cmd[64];

	for (int i = 0; i < k->n; i++) {
		snprintf(cmd, sizeof(cmd), "-:%s\n", k->made[i]);
		/* The kernel lets go of a probe when its last event closes,
		 * which may come a little after the close. */
		for (int tries = 0; tries < 50 && command(k->fd, cmd) == -EBUSY; tries++)
			nanosleep(&wait, NULL);
	}
	k->n = 0;
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}
