// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <stdlib.h>
#include "hmap.h"

static size_t slot(const struct hmap *m, uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;	/* a 64-bit finalizer mix */
	key ^= key >> 33;
	return key & (m->nslots - 1);
}

struct hnode *hmap_find(const struct hmap *m, uint64_t key)
{
	struct hnode *n;

	if (!m->nslots)
		return NULL;
	for (n = m->slots[slot(m, key)]; n; n = n->next)
		if (n->key == key)
			return n;
	return NULL;
}

static int grow(struct hmap *m)
{
	size_t nslots = m->nslots ? m->nslots * 2 : 64;
	struct hnode **slots = calloc(nslots, sizeof(*slots));
	struct hmap bigger = { slots, nslots, m->count };

	if (!slots)
		return -1;
	for (size_t i = 0; i < m->nslots; i++) {
		struct hnode *n = m->slots[i], *next;

		for (; n; n = next) {
			size_t s = slot(&bigger, n->key);

			next = n->next;
			n->next = slots[s];
			slots[s] = n;
		}
	}
	free(m->slots);
	*m = bigger;
	return 0;
}

int hmap_add(struct hmap *m, struct hnode *n)
{
	size_t s;

	if (m->count >= m->nslots && grow(m))
		return -1;
	s = slot(m, n->key);
	n->next = m->slots[s];
	m->slots[s] = n;
	m->count++;
	return 0;
}

struct hnode *hmap_del(struct hmap *m, uint64_t key)
{
	struct hnode **pp, *n;

	if (!m->nslots)
		return NULL;
	for (pp = &m->slots[slot(m, key)]; (n = *pp); pp = &n->next) {
		if (n->key == key) {
			*pp = n->next;
			m->count--;
			return n;
		}
	}
	return NULL;
}

void hmap_each(const struct hmap *m, void (*fn)(struct hnode *n, void *arg), void *arg)
{
	for (size_t i = 0; i < m->nslots; i++) {
		struct hnode *n = m->slots[i], *next;

		for (; n; n = next) {
			next = n->next;
			fn(n, arg);
		}
	}
}

const void **hmap_sorted(const struct hmap *m, size_t offset, int (*cmp)(const void *, const void *),
			 size_t *n)
{
	const void **v = calloc(m->count + 1, sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < m->nslots; i++)
		for (struct hnode *h = m->slots[i]; h; h = h->next)
			v[k++] = (const char *)h + offset;
	qsort(v, k, sizeof(*v), cmp);
	*n = k;
	return v;
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->nslots = m->count = 0;
}

static void free_node(struct hnode *n, void *arg)
{
	(void)arg;
	free(n);
}

uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

void hmap_free_all(struct hmap *m)
{
	hmap_each(m, free_node, NULL);
	hmap_free(m);
}
