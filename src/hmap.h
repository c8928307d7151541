/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* An intrusive hash map keyed by uint64_t; it grows as entries are added. */
#ifndef HMAP_H
#define HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hnode {
	uint64_t key;
	struct hnode *next;
};

struct hmap {
	struct hnode **slots;
	size_t nslots;	/* a power of two */
	size_t count;
};

/* FNV-1a of n bytes, h the hash so far (HASH_SEED to begin): keys of
 * more than 64 bits, whose clashes the caller tells apart by its own
 * copy of the key. */
#define HASH_SEED 0xcbf29ce484222325ULL
uint64_t hash_bytes(uint64_t h, const void *p, size_t n);

struct hnode *hmap_find(const struct hmap *m, uint64_t key);
/* Adds n (whose key is set and not yet present); -1 if memory ran out. */
int hmap_add(struct hmap *m, struct hnode *n);
/* Unlinks and returns the node with key, or NULL. */
struct hnode *hmap_del(struct hmap *m, uint64_t key);
/* Calls fn on every node; fn may free the node. */
void hmap_each(const struct hmap *m, void (*fn)(struct hnode *n, void *arg), void *arg);
/* Every node's payload (offset bytes into the node), in cmp's order (a
 * qsort comparator of pointers to payloads); their number to *n. NULL if
 * memory ran out; free the array. */
const void **hmap_sorted(const struct hmap *m, size_t offset, int (*cmp)(const void *, const void *),
			 size_t *n);
void hmap_free(struct hmap *m);
/* Frees every node (each allocated whole with malloc) and the map. */
void hmap_free_all(struct hmap *m);

#endif
