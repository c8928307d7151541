// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <ftw.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cgnames.h"
#include "hmap.h"

struct cgname {
	struct hnode node;	/* key: the cgroup id (the directory's inode) */
	char name[80];
};

struct cgnames {
	struct hmap ids;
};

/* The id of a container runtime's scope: "<prefix><hex>.scope". */
static const char *scope_id(const char *base, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(base, prefix, n) || !strstr(base + n, ".scope"))
		return NULL;
	return base + n;
}

void cgroup_label(const char *path, char *out, size_t len)
{
	static const struct { const char *prefix, *runtime; } scopes[] = {
		{ "docker-", "docker" }, { "cri-containerd-", "containerd" },
		{ "crio-", "cri-o" }, { "libpod-", "podman" },
	};
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *id;
	size_t blen = strlen(base);

	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		if ((id = scope_id(base, scopes[i].prefix))) {
			snprintf(out, len, "%s:%.12s", scopes[i].runtime, id);
			return;
		}
	}
	/* cgroupfs-driver docker: /docker/<64 hex> */
	if (blen == 64 && strspn(base, "0123456789abcdef") == 64 && strstr(path, "/docker/")) {
		snprintf(out, len, "docker:%.12s", base);
		return;
	}
	if (blen > 8 && !strcmp(base + blen - 8, ".service")) {
		snprintf(out, len, "systemd:%s", base);
		return;
	}
	snprintf(out, len, "%s", *path ? path : "/");
}

static struct cgnames *loading;	/* nftw() takes no argument */
static size_t root_len;

static int add(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	struct cgname *n;

	(void)ftw;
	if (type != FTW_D)
		return 0;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -1;
	n->node.key = st->st_ino;
	cgroup_label(path + root_len, n->name, sizeof(n->name));
	if (hmap_find(&loading->ids, n->node.key) || hmap_add(&loading->ids, &n->node))
		free(n);
	return 0;
}

struct cgnames *cgnames_load(const char *root)
{
	struct cgnames *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	loading = c;
	root_len = strlen(root);
	nftw(root, add, 16, FTW_PHYS | FTW_MOUNT);
	loading = NULL;
	return c;
}

const char *cgnames_get(const struct cgnames *c, uint64_t id)
{
	struct hnode *h = c ? hmap_find(&c->ids, id) : NULL;

	return h ? ((struct cgname *)h)->name : NULL;
}

int cgnames_learn(struct cgnames *c, const struct proc_record *r)
{
	char path[CGROUP_LEAF_LEN + CGROUP_UP * CGROUP_UP_LEN + 8], part[CGROUP_LEAF_LEN];
	struct cgname *n;
	size_t len = 0;

	if (!c || !r->cgroup || hmap_find(&c->ids, r->cgroup))
		return 0;
	/* The path from the root down, as far up as the record names it. */
	path[0] = '\0';
	for (int i = CGROUP_UP; i >= 0; i--) {
		const char *name = i == 0 ? r->cgroup_leaf : r->cgroup_up[i - 1];
		size_t cap = i == 0 ? CGROUP_LEAF_LEN : CGROUP_UP_LEN;

		memcpy(part, name, cap);
		part[cap - 1] = '\0';
		/* The root's own name is empty, or "/"; a name never has a '/'. */
		if (!part[0] || strchr(part, '/'))
			continue;
		len += snprintf(path + len, sizeof(path) - len, "/%s", part);
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -1;
	n->node.key = r->cgroup;
	cgroup_label(path, n->name, sizeof(n->name));
	if (hmap_add(&c->ids, &n->node)) {
		free(n);
		return -1;
	}
	return 0;
}

uint64_t cgroup_self(const char *root)
{
	char line[4096], path[4200];
	struct stat st;
	FILE *f = fopen("/proc/self/cgroup", "re");
	uint64_t id = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "0::", 3) && snprintf(path, sizeof(path), "%s%s", root, line + 3) <
		    (int)sizeof(path) && !stat(path, &st))
			id = st.st_ino;
	}
	fclose(f);
	return id;
}

void cgnames_free(struct cgnames *c)
{
	if (!c)
		return;
	hmap_free_all(&c->ids);
	free(c);
}
