// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "output.h"

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void output_init(struct output *out, int fd, bool json, const volatile sig_atomic_t *stopping)
{
	memset(out, 0, sizeof(*out) - sizeof(out->mem));
	out->fd = fd;
	out->json = json;
	out->stopping = stopping;
	out->wait_left_ns = -1;
	buf_init(&out->b, out->mem, sizeof(out->mem));
	output_sync_clock(out);
}

void output_sync_clock(struct output *out)
{
	out->fmt.realtime_off = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
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
		format_json(&out->b, e, &out->fmt);
	else if (out->view)
		connview_event(out->view, &out->b, e, &out->fmt);
	else
		format_text(&out->b, e, &out->fmt);
	out->pending++;
}

void output_lost(struct output *out, uint64_t count)
{
	int64_t now = clock_ns(CLOCK_REALTIME);

	make_room(out);
	if (out->json)
		format_lost_json(&out->b, count, now);
	else if (out->view)
		connview_lost(&out->b, count, now, &out->fmt);
	else
		format_lost_text(&out->b, count, now, &out->fmt);
}

void output_text(struct output *out, const char *s, size_t n)
{
	while (n) {
		size_t k = n < LINE_MAX_LEN ? n : LINE_MAX_LEN;

		make_room(out);
		buf_add(&out->b, s, k);
		s += k;
		n -= k;
	}
}

void output_header(struct output *out)
{
	if (out->view)
		connview_header(&out->b, &out->fmt);
	else if (!out->json)
		format_text_header(&out->b, &out->fmt);
}

/*
 * Once a stop is asked for, a reader that does not take the output must
 * not hold socktrace: wait for room STOP_MS at most in all (a file never
 * makes it wait), and write no more than a pipe takes at once (PIPE_BUF),
 * so write() cannot block.
 */
static bool room_before_deadline(struct output *out)
{
	struct pollfd p = { .fd = out->fd, .events = POLLOUT };
	int64_t t0 = clock_ns(CLOCK_MONOTONIC);
	int n;

	if (out->wait_left_ns < 0) {
		out->wait_left_ns = (int64_t)STOP_MS * 1000000;
		if (out->on_stop)
			out->on_stop(out->on_stop_arg);
		out->on_stop = NULL;
	}
	if (out->wait_left_ns == 0)
		return false;
	n = poll(&p, 1, out->wait_left_ns / 1000000 + 1);
	out->wait_left_ns -= clock_ns(CLOCK_MONOTONIC) - t0;
	if (out->wait_left_ns < 0 || n != 1)
		out->wait_left_ns = 0;
	return n == 1 && (p.revents & POLLOUT);
}

/* The bytes of p up to its last newline within max (a line is never
 * longer: LINE_MAX_LEN), so that a write of them ends a line. Written so
 * once a stop is asked for, a deadline that passes between two writes
 * leaves no line cut for the reader (a 4096-byte cut was seen by jq as
 * an unfinished string). */
static size_t whole_lines(const char *p, size_t max)
{
	const char *nl = memrchr(p, '\n', max);

	return nl ? (size_t)(nl - p) + 1 : max;
}

static size_t count_lines(const char *p, size_t n)
{
	size_t lines = 0;

	for (const char *end = p + n; (p = memchr(p, '\n', end - p)); p++)
		lines++;
	return lines;
}

bool output_flush(struct output *out)
{
	size_t off = 0, len = out->b.len;
	uint64_t lost_lines;

	while (off < len && !out->broken) {
		bool stopping = out->stopping && *out->stopping;
		size_t n = len - off;
		ssize_t w;

		if (stopping) {
			if (!room_before_deadline(out))
				break;
			if (n > PIPE_BUF)
				n = whole_lines(out->b.p + off, PIPE_BUF);
		}
		w = write(out->fd, out->b.p + off, n);
		if (w > 0) {
			off += w;
		} else if (w < 0 && errno == EAGAIN) {
			/* A non-blocking stdout handed to us: wait, don't spin. */
			struct pollfd p = { .fd = out->fd, .events = POLLOUT };

			poll(&p, 1, 100);
		} else if (w == 0 || errno != EINTR) {
			out->broken = true;
			out->err = w == 0 ? EIO : errno;
		}
	}
	/* Events whose line did not go out whole were not delivered. */
	lost_lines = count_lines(out->b.p + off, len - off);
	if (lost_lines > out->pending)
		lost_lines = out->pending;
	out->unwritten += lost_lines;
	out->written += out->pending - lost_lines;
	out->pending = 0;
	out->b.len = 0;
	return !out->broken;
}

bool output_hung_up(const struct output *out)
{
	struct pollfd p = { .fd = out->fd, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}
