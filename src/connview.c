// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* The connection view: a line per connection, failed attempt or listener. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "connview.h"
#include "escape.h"
#include "hmap.h"
#include "kinds.h"
#include "names.h"
#include "text.h"

/* Sockets whose connect the view remembers at most: past that a line
 * lacks the connect's time, and a failed attempt's close may get a line
 * of its own. Each is closed or dropped at the end. */
#define REMEMBERED_MAX 65536

/* What a socket's close line needs from its connect. */
struct connected {
	struct hnode node;	/* keyed by the socket's id */
	uint64_t latency_ns;
	int64_t ret;
	bool told;		/* its failure has had its line */
};

struct connview {
	struct hmap socks;
};

/* Columns: PID, UID, COMM; then the connection, which takes what is left
 * of a narrow line; then RESULT (the longest errno name, ECONNREFUSED,
 * fits) and the numbers, right-aligned. */
#define W_PID 8
#define W_UID 7
#define W_COMM_NARROW 11	/* tcplife's 10 characters */
#define W_COMM_WIDE 16
#define W_CONN_WIDE 48
#define W_RESULT 12
#define W_SHORT 5	/* text_short_*() */
#define W_BYTES_WIDE 10
#define W_CONN_MIN 20

struct connview *connview_new(void)
{
	return calloc(1, sizeof(struct connview));
}

void connview_free(struct connview *v)
{
	if (!v)
		return;
	hmap_free_all(&v->socks);
	free(v);
}

/* The columns before the connection; comm_len 0: comm is a trusted label. */
static size_t who_cols(struct buf *b, const struct fmt *f, const char *time, const char *pid,
		       const char *uid, const char *comm, size_t comm_len)
{
	size_t cols = 0, at = 0;

	if (f->time_shown) {
		buf_str(b, time);
		cols = text_pad(b, strlen(time), at = text_time_width(f));
	}
	buf_str(b, pid);
	cols = text_pad(b, cols + strlen(pid), at += W_PID);
	if (f->uid) {
		buf_str(b, uid);
		cols = text_pad(b, cols + strlen(uid), at += W_UID);
	}
	at += f->width ? W_COMM_NARROW : W_COMM_WIDE;
	cols += comm_len ? text_field(b, comm, comm_len, at - cols - 1) : (buf_str(b, comm), strlen(comm));
	return text_pad(b, cols, at);
}

/* The columns after the connection, in a narrow line. */
static size_t tail_cols(void)
{
	return W_RESULT + 3 * (1 + W_SHORT);
}

/* The connection column's width: what a narrow line leaves it. */
static size_t conn_width(const struct fmt *f, size_t cols)
{
	if (!f->width)
		return W_CONN_WIDE;
	return f->width > cols + tail_cols() + W_CONN_MIN ? f->width - cols - tail_cols() : W_CONN_MIN;
}

/* A right-aligned value in width columns, with a space before it. */
static void right(struct buf *b, const char *s, size_t width)
{
	size_t n = strlen(s);

	buf_char(b, ' ');
	while (n++ < width)
		buf_char(b, ' ');
	buf_str(b, s);
}

enum number { N_NONE, N_SHORT_NS, N_BYTES };

/* A number for its column: "-" for none, short in a narrow line, bytes
 * exact in a wide one. */
static void number(struct buf *b, const struct fmt *f, enum number kind, uint64_t v, size_t wide)
{
	char mem[32];
	struct buf t;

	buf_init(&t, mem, sizeof(mem) - 1);
	if (kind == N_NONE)
		buf_char(&t, '-');
	else if (kind == N_SHORT_NS)
		text_short_duration(&t, v);
	else if (f->width)
		text_short_bytes(&t, v);
	else
		buf_u64(&t, v);
	mem[t.len] = '\0';
	right(b, mem, f->width ? W_SHORT : wide);
}

/* One line: who, the socket, what came of it, the numbers. lat and dur
 * are 0 when not known (a narrow line shows the attempt's time as its
 * duration). */
struct line {
	const char *result;
	bool failed;
	bool has_lat;		/* wide: a LAT column value */
	uint64_t lat_ns;
	bool has_bytes;
	uint64_t out, in;
	bool has_dur;
	uint64_t dur_ns;
};

static void write_line(struct buf *b, const struct event *e, const struct fmt *f, const struct line *l)
{
	char time[32] = "", pid[12], uid[12];
	size_t cols, width, used;
	bool red = f->colour && l->failed;

	if (f->time_shown)
		text_time(time, wall_ns(e->h.who.ts_ns, f->realtime_off), f);
	snprintf(pid, sizeof(pid), "%u", e->h.who.pid);
	snprintf(uid, sizeof(uid), "%u", e->h.who.uid);
	if (red)
		buf_str(b, RED);
	cols = who_cols(b, f, time, pid, uid, who_name(&e->h.who, f), COMM_LEN);
	width = conn_width(f, cols);
	used = text_ends(b, &e->h.sock.ends, e->h.sock.dir,
			 e->h.kind == EV_LISTEN || (e->h.flags & EVF_LISTENING), f->width ? width - 1 : 0);
	text_pad(b, used, width);
	buf_fmt(b, "%-*s", W_RESULT, l->result);
	if (!f->width)
		number(b, f, l->has_lat ? N_SHORT_NS : N_NONE, l->lat_ns, 6);
	number(b, f, l->has_bytes ? N_BYTES : N_NONE, l->out, W_BYTES_WIDE);
	number(b, f, l->has_bytes ? N_BYTES : N_NONE, l->in, W_BYTES_WIDE);
	/* Narrow, a failed attempt's time stands where a duration would. */
	if (f->width && !l->has_dur && l->has_lat)
		number(b, f, N_SHORT_NS, l->lat_ns, 6);
	else
		number(b, f, l->has_dur ? N_SHORT_NS : N_NONE, l->dur_ns, 6);
	/* Whole, past the width if need be (text.h). */
	text_context(b, e, f);
	if (red)
		buf_str(b, PLAIN);
	buf_char(b, '\n');
}

static struct connected *remember(struct connview *v, uint64_t id)
{
	struct connected *c = (struct connected *)hmap_find(&v->socks, id);

	if (c || !id || v->socks.count >= REMEMBERED_MAX)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->node.key = id;
	if (hmap_add(&v->socks, &c->node)) {
		free(c);
		return NULL;
	}
	return c;
}

static void on_connect(struct connview *v, struct buf *b, const struct event *e, const struct fmt *f)
{
	struct connected *c = remember(v, e->h.sock.id);
	char tmp[32];
	struct line l = { 0 };

	if (!text_failed(e)) {
		/* Under way, or made: the close will tell the rest. */
		if (c && e->connect.ret == 0) {
			c->ret = 0;
			c->latency_ns = e->connect.latency_ns;
			c->told = false;
		}
		return;
	}
	if (c) {
		c->ret = e->connect.ret;
		c->told = true;
	}
	l.result = errno_name(e->connect.ret, tmp, sizeof(tmp));
	l.failed = true;
	l.has_lat = true;
	l.lat_ns = e->connect.latency_ns;
	write_line(b, e, f, &l);
}

static void on_close(struct connview *v, struct buf *b, const struct event *e, const struct fmt *f)
{
	struct connected *c = (struct connected *)hmap_del(&v->socks, e->h.sock.id);
	const struct totals *t = &e->close.totals;
	struct line l = { 0 };

	/* A failed attempt that moved nothing has had its line. */
	if (c && c->told && !t->sent_bytes && !t->recv_bytes) {
		free(c);
		return;
	}
	if (e->h.flags & EVF_CONNECTING)
		l.result = "connecting";
	else if (e->close.reason == REASON_CLOSE)
		l.result = "closed";
	else
		l.result = reason_name(e->close.reason);
	l.has_lat = c && c->ret == 0 && c->latency_ns;
	l.lat_ns = c ? c->latency_ns : 0;
	l.has_bytes = true;
	l.out = t->sent_bytes;
	l.in = t->recv_bytes;
	l.has_dur = true;
	l.dur_ns = e->close.duration_ns;
	free(c);
	write_line(b, e, f, &l);
}

static void on_listen(struct buf *b, const struct event *e, const struct fmt *f)
{
	char tmp[32];
	struct line l = { 0 };

	l.failed = text_failed(e);
	l.result = e->h.kind == EV_LISTEN && e->listen.ret < 0 ? errno_name(e->listen.ret, tmp, sizeof(tmp)) :
								  "listening";
	write_line(b, e, f, &l);
}

static void on_untraced(struct buf *b, const struct event *e, const struct fmt *f)
{
	char time[32] = "", pid[12], uid[12];

	if (f->time_shown)
		text_time(time, wall_ns(e->h.who.ts_ns, f->realtime_off), f);
	snprintf(pid, sizeof(pid), "%u", e->h.who.pid);
	snprintf(uid, sizeof(uid), "%u", e->h.who.uid);
	who_cols(b, f, time, pid, uid, who_name(&e->h.who, f), COMM_LEN);
	buf_fmt(b, "%s: its sockets are not traced\n", untraced_why(e->untraced.why));
}

void connview_event(struct connview *v, struct buf *b, const struct event *e, const struct fmt *f)
{
	switch (e->h.kind) {
	case EV_CONNECT:
		on_connect(v, b, e, f);
		break;
	case EV_CLOSE:
		on_close(v, b, e, f);
		break;
	case EV_LISTEN:
		on_listen(b, e, f);
		break;
	case EV_OPEN:
		if (e->h.flags & EVF_LISTENING)
			on_listen(b, e, f);
		break;
	case EV_UNTRACED:
		on_untraced(b, e, f);
		break;
	default:
		/* accept, open, disconnect, send, recv: the close tells. */
		break;
	}
}

void connview_header(struct buf *b, const struct fmt *f)
{
	size_t cols = who_cols(b, f, "TIME", "PID", "UID", "COMM", 0);

	buf_str(b, "CONNECTION");
	text_pad(b, strlen("CONNECTION"), conn_width(f, cols));
	buf_fmt(b, "%-*s", W_RESULT, "RESULT");
	if (!f->width)
		right(b, "LAT", 6);
	right(b, "OUT", f->width ? W_SHORT : W_BYTES_WIDE);
	right(b, "IN", f->width ? W_SHORT : W_BYTES_WIDE);
	right(b, "DUR", f->width ? W_SHORT : 6);
	buf_char(b, '\n');
}

void connview_lost(struct buf *b, uint64_t count, int64_t real_ns, const struct fmt *f)
{
	char time[32] = "";

	if (f->time_shown)
		text_time(time, real_ns, f);
	if (f->colour)
		buf_str(b, YELLOW);
	who_cols(b, f, time, "-", "-", "-", 0);
	buf_fmt(b, "lost %" PRIu64 " event%s the kernel could not deliver (ring buffer full)%s\n", count,
		count == 1 ? "" : "s", f->colour ? PLAIN : "");
}
