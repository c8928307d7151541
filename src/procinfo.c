// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hmap.h"
#include "procinfo.h"

struct proc_node {
	struct hnode node;	/* key: pstart << 22 ^ pid, as proctab's */
	struct proc_info info;
};

struct procinfo {
	struct hmap procs;
};

struct procinfo *procinfo_new(void)
{
	return calloc(1, sizeof(struct procinfo));
}

void procinfo_free(struct procinfo *p)
{
	if (!p)
		return;
	hmap_free_all(&p->procs);
	free(p);
}

bool procinfo_is_record(const void *data, size_t size)
{
	const struct proc_record *r = data;

	return size == sizeof(*r) && r->kind == REC_PROCESS;
}

/* n bytes of NUL-ended arguments as one line: NULs become spaces, the
 * last one (and any after the end of the arguments) goes. */
static void join_args(char *out, const char *in, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < CMDLINE_LEN; i++)
		out[i] = in[i] ? in[i] : ' ';
	while (i > 0 && out[i - 1] == ' ')
		i--;
	out[i] = '\0';
}

/* The arguments of pid from /proc, when the record could not read them. */
static void read_args(struct proc_info *info)
{
	char path[64], mem[CMDLINE_LEN];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", info->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, mem, sizeof(mem));
	close(fd);
	if (n > 0)
		join_args(info->cmdline, mem, n);
}

/* Every filling of a proc_info, of any table: its gen. */
static uint64_t fillings;

int procinfo_note(struct procinfo *p, const void *data, size_t size, bool read_proc)
{
	const struct proc_record *r = data;
	uint64_t key = proc_key(r->who.pid, r->who.pstart);
	struct proc_node *n;

	if (!procinfo_is_record(data, size))
		return 0;
	n = (struct proc_node *)hmap_find(&p->procs, key);
	if (!n) {
		if (p->procs.count >= PROC_INFOS_MAX)
			return 0;
		n = calloc(1, sizeof(*n));
		if (!n)
			return -1;
		n->node.key = key;
		if (hmap_add(&p->procs, &n->node)) {
			free(n);
			return -1;
		}
	}
	/* Seen again before the sandbox (main.c) with its arguments read from
	 * /proc: kept. Told again: it runs another program now. */
	if (n->info.cmdline[0] && !r->cmdline_len && !strncmp(n->info.name, r->name, sizeof(r->name)))
		return 0;
	memset(&n->info, 0, sizeof(n->info));
	n->info.gen = ++fillings;
	n->info.pid = r->who.pid;
	n->info.pstart = r->who.pstart;
	n->info.ppid = r->ppid;
	memcpy(n->info.name, r->name, sizeof(r->name));
	n->info.name[sizeof(n->info.name) - 1] = '\0';
	memcpy(n->info.exe, r->exe, sizeof(r->exe));
	n->info.exe[sizeof(n->info.exe) - 1] = '\0';
	join_args(n->info.cmdline, r->cmdline, r->cmdline_len < CMDLINE_LEN ? r->cmdline_len : CMDLINE_LEN);
	if (!n->info.cmdline[0] && read_proc)
		read_args(&n->info);
	return 0;
}

const struct proc_info *procinfo_get(const struct procinfo *p, uint32_t pid, uint64_t pstart)
{
	const struct proc_node *n;

	if (!p)
		return NULL;
	n = (const struct proc_node *)hmap_find(&p->procs, proc_key(pid, pstart));
	return n && n->info.pid == pid && n->info.pstart == pstart ? &n->info : NULL;
}
