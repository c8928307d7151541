// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>
#include "output.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void output_init(struct output *out, int fd, bool json)
{
	out->fd = fd;
	out->json = json;
	out->broken = false;
	buf_init(&out->b, out->mem, sizeof(out->mem));
	output_sync_clock(out);
}

void output_sync_clock(struct output *out)
{
	out->realtime_off = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
}

/* Keeps room for one more line, so no line is ever cut. */
static void make_room(struct output *out)
{
	if (out->b.cap - out->b.len < LINE_MAX_LEN)
		output_flush(out);
}

void output_event(struct output *out, const struct event *e)
{
	make_room(out);
	if (out->json)
		format_json(&out->b, e, out->realtime_off);
	else
		format_text(&out->b, e, out->realtime_off);
}

void output_lost(struct output *out, uint64_t count)
{
	int64_t now = clock_ns(CLOCK_REALTIME);

	make_room(out);
	if (out->json)
		format_lost_json(&out->b, count, now);
	else
		format_lost_text(&out->b, count, now);
}

void output_header(struct output *out)
{
	if (!out->json)
		format_text_header(&out->b);
}

bool output_flush(struct output *out)
{
	size_t off = 0;

	while (off < out->b.len && !out->broken) {
		ssize_t n = write(out->fd, out->b.p + off, out->b.len - off);

		if (n > 0) {
			off += n;
		} else if (n < 0 && errno == EAGAIN) {
			/* A non-blocking stdout handed to us: wait, don't spin. */
			struct pollfd p = { .fd = out->fd, .events = POLLOUT };

			poll(&p, 1, 100);
		} else if (n == 0 || errno != EINTR) {
			out->broken = true;
		}
	}
	out->b.len = 0;
	return !out->broken;
}

bool output_hung_up(const struct output *out)
{
	struct pollfd p = { .fd = out->fd, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}
