// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 *   sockdrive [--gate FILE] [--name NAME|--name-hex HEX] [--uid UID] [--cgroup DIR] CASE [ARG]
 *
 * First line: {"helper":CASE,"pid":..,"uid":..,...}; then one line per
 * expected event. With --gate it waits for FILE to exist before making
 * sockets, so a tracer can be started with its pid. With --name it renames
 * itself first; with --uid it becomes that user, with --cgroup it moves
 * into that cgroup v2 directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "sockdrive.h"

int after_exec(char **argv);

/* "4142" -> "AB", for names a shell cannot pass. */
static char *unhex(const char *h)
{
	static char out[64];
	size_t i = 0;

	for (; h[0] && h[1] && i < sizeof(out) - 1; h += 2)
		sscanf(h, "%2hhx", (unsigned char *)&out[i++]);
	out[i] = '\0';
	raw_name = 1;
	return out;
}

/* Moves this process into the cgroup v2 directory dir. */
static int join_cgroup(const char *dir)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "0\n");
	return fclose(f);
}

static const struct sd_case *find(const char *name)
{
	const struct sd_case *tables[] = { basic_cases, io_cases, life_cases, filter_cases };

	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct sd_case *c = tables[t]; c->name; c++)
			if (!strcmp(c->name, name))
				return c;
	return NULL;
}

int main(int argc, char **argv)
{
	const char *gate = NULL, *name = NULL, *cgroup = NULL;
	int uid = -1;
	const struct sd_case *c;
	int i = 1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--gate"))
			gate = argv[i + 1];
		else if (!strcmp(argv[i], "--name"))
			name = argv[i + 1];
		else if (!strcmp(argv[i], "--name-hex"))
			name = unhex(argv[i + 1]);
		else if (!strcmp(argv[i], "--uid"))
			uid = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--cgroup"))
			cgroup = argv[i + 1];
	}
	if (i >= argc) {
		fprintf(stderr, "usage: sockdrive [--gate FILE] [--name NAME] CASE [ARG]\n");
		return 2;
	}
	read_ids();
	if (!strcmp(argv[i], "after-exec"))
		return argc < i + 4 ? 2 : after_exec(argv + i + 1);
	c = find(argv[i]);
	if (!c)
		return 2;
	if (name && prctl(PR_SET_NAME, name))
		die("PR_SET_NAME");
	if (cgroup && join_cgroup(cgroup))
		die(cgroup);
	if (uid >= 0 && (setgid(uid) || setuid(uid)))
		die("setuid");
	/* preexisting waits on its gate itself, after making its sockets. */
	if (gate && strcmp(c->name, "preexisting"))
		wait_gate(gate);
	if (strcmp(c->name, "pidns"))
		helper_line(c->name);
	return c->run(i + 1 < argc ? argv[i + 1] : gate);
}
