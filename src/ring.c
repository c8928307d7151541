// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include "ring.h"

int ring_open(struct ring *r, int map_fd, ring_fn fn, void *ctx)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct epoll_event ev = { .events = EPOLLIN };
	void *p;

	memset(r, 0, sizeof(*r));
	r->map_fd = map_fd;
	r->epoll_fd = -1;
	r->fn = fn;
	r->ctx = ctx;
	r->page = sysconf(_SC_PAGESIZE);
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len))
		return -errno;
	r->size = info.max_entries;
	if (info.type != BPF_MAP_TYPE_RINGBUF || !r->size || (r->size & (r->size - 1)))
		return -EINVAL;
	/* The consumer page, ours to write; then the producer page and the
	 * data, read-only, the data mapped twice in a row. */
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer_pos = p;
	p = mmap(NULL, r->page + 2 * r->size, PROT_READ, MAP_SHARED, map_fd, r->page);
	if (p == MAP_FAILED) {
		ring_close(r);
		return -errno;
	}
	r->producer_pos = p;
	r->data = (const uint8_t *)p + r->page;
	r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epoll_fd < 0 || epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, map_fd, &ev)) {
		int err = -errno;

		ring_close(r);
		return err;
	}
	return 0;
}

int ring_consume(struct ring *r)
{
	unsigned long cons = *r->consumer_pos, told = cons;
	unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	/* Room goes back to the producer at least this often. */
	unsigned long step = r->size / 16;
	int n = 0, rc = 0;

	while (cons < prod) {
		const uint32_t *hdr = (const uint32_t *)(r->data + (cons & (r->size - 1)));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		uint32_t body = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

		if (len & BPF_RINGBUF_BUSY_BIT)
			break;		/* still being written: the next poll */
		if (body > r->size - BPF_RINGBUF_HDR_SZ) {
			rc = -EBADMSG;
			break;
		}
		cons += (BPF_RINGBUF_HDR_SZ + body + 7) & ~7UL;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			n++;
			rc = r->fn(r->ctx, (void *)(hdr + 2), body);
			if (rc < 0)
				break;
		}
		if (cons - told >= step || cons >= prod) {
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
			told = cons;
			prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		}
	}
	if (cons != told)
		__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	return rc < 0 ? rc : n;
}

int ring_peek(struct ring *r, ring_fn fn, void *ctx)
{
	unsigned long cons = *r->consumer_pos;
	unsigned long prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
	int n = 0;

	while (cons < prod) {
		const uint32_t *hdr = (const uint32_t *)(r->data + (cons & (r->size - 1)));
		uint32_t len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
		uint32_t body = len & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);

		if ((len & BPF_RINGBUF_BUSY_BIT) || body > r->size - BPF_RINGBUF_HDR_SZ)
			break;
		cons += (BPF_RINGBUF_HDR_SZ + body + 7) & ~7UL;
		if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
			n++;
			fn(ctx, (void *)(hdr + 2), body);
		}
	}
	return n;
}

#define WATCHED 1	/* epoll data of the watched fd; the ring's is 0 */

int ring_poll(struct ring *r, int ms)
{
	struct epoll_event ev[2];
	int n = epoll_wait(r->epoll_fd, ev, 2, ms);

	if (n < 0)
		return -errno;
	r->watched_ready = false;
	for (int i = 0; i < n; i++)
		r->watched_ready |= ev[i].data.u32 == WATCHED;
	return ring_consume(r);
}

int ring_watch(struct ring *r, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = WATCHED };

	return epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

void ring_close(struct ring *r)
{
	if (r->epoll_fd >= 0)
		close(r->epoll_fd);
	if (r->producer_pos)
		munmap((void *)r->producer_pos, r->page + 2 * r->size);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	r->epoll_fd = -1;
	r->producer_pos = NULL;
	r->consumer_pos = NULL;
}
