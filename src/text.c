// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Events as lines for a terminal: columns, then each kind's detail. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cgnames.h"
#include "escape.h"
#include "format.h"
#include "kinds.h"
#include "names.h"

static void (*const text_part[EV_KINDS])(struct buf *b, const struct event *e) = {
#define TEXT_PART(ID, name, number, part, fields, socket, shown, help) [EV_##ID] = text_##fields,
	EVENT_KINDS(TEXT_PART)
#undef TEXT_PART
};

/* Column widths of the text format; a line stays within 100 columns
 * (more with --time date or --show-uid). */
#define W_PID 8
#define W_UID 7
#define W_COMM 16
#define W_FD 5
#define W_EVENT 8

static size_t time_width(const struct fmt *f)
{
	return f->time == TIME_DATE ? 24 : f->time == TIME_RELATIVE ? 11 : 13;
}

/* The time column as --time picks: HH:MM:SS.mmm in local time, with the
 * date before it, or seconds since tracing began. */
static void text_time(char out[32], int64_t real_ns, const struct fmt *f)
{
	/* localtime_r is slow; events come in bursts within a second. */
	static time_t last_secs = -1;
	static char when[24] = "?";
	long nsec;
	time_t secs;

	if (f->time == TIME_RELATIVE) {
		int64_t ns = real_ns > f->start_real_ns ? real_ns - f->start_real_ns : 0;

		snprintf(out, 32, "%" PRId64 ".%03" PRId64, ns / 1000000000, ns / 1000000 % 1000);
		return;
	}
	secs = split_ns(real_ns, &nsec);
	if (secs != last_secs) {
		struct tm tm;

		if (!localtime_r(&secs, &tm) ||
		    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
			snprintf(when, sizeof(when), "0000-00-00 ??:??:??");
		last_secs = secs;
	}
	snprintf(out, 32, "%.23s.%03d", f->time == TIME_DATE ? when : when + 11, (int)(nsec / 1000000 % 1000));
}

/* The columns before the detail; comm_len 0: comm is a trusted label. */
static void text_cols(struct buf *b, const struct fmt *f, const char *time, const char *pid,
		      const char *uid, const char *comm, size_t comm_len, const char *fd,
		      const char *event)
{
	size_t mark = b->len, cols;

	buf_str(b, time);
	buf_pad(b, mark, time_width(f));
	mark = b->len;
	buf_str(b, pid);
	buf_pad(b, mark, W_PID);
	if (f->uid) {
		mark = b->len;
		buf_str(b, uid);
		buf_char(b, ' ');
		buf_pad(b, mark, W_UID);
	}
	/* A name keeps to its column, whatever its escapes or wide
	 * characters: cut with a '~' if it is longer (JSON has it whole). */
	cols = comm_len ? text_field(b, comm, comm_len, W_COMM - 1) : (buf_str(b, comm), strlen(comm));
	do
		buf_char(b, ' ');
	while (++cols < W_COMM);
	mark = b->len;
	buf_str(b, fd);
	buf_pad(b, mark, W_FD);
	buf_str(b, event);
	buf_char(b, ' ');	/* a kind longer than its column still has one */
	buf_pad(b, mark, W_FD + W_EVENT);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void text_duration(struct buf *b, uint64_t ns)
{
	if (ns < 1000000)
		buf_fmt(b, "%" PRIu64 " us", ns / 1000);
	else if (ns < 10000000000ULL)
		buf_fmt(b, "%" PRIu64 " ms", ns / 1000000);
	else
		buf_fmt(b, "%" PRIu64 " s", ns / 1000000000);
}

/* 1.2.3.4:80 or [::1]:80 */
static void text_endpoint(struct buf *b, const uint8_t *addr, uint8_t family, uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(addr, family, a);
	buf_fmt(b, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

/* "tcp 10.0.0.2:40000": a socket's own end alone (a listener). */
static void text_local(struct buf *b, const struct ends *n)
{
	char tmp[32];

	buf_fmt(b, "%s ", proto_name(n->proto, tmp, sizeof(tmp)));
	text_endpoint(b, n->saddr, n->family, n->sport);
}

/* "tcp 10.0.0.2:40000 SEP 93.184.216.34:80", or "tcp 0.0.0.0:80 (no peer)"
 * for a listening or unconnected socket, whose peer reads as all zeros. */
static void text_ends(struct buf *b, const struct ends *n, const char *sep)
{
	static const uint8_t zero[sizeof(n->daddr)];

	text_local(b, n);
	if (!n->dport && !memcmp(n->daddr, zero, sizeof(zero))) {
		buf_str(b, ", no peer");
		return;
	}
	buf_str(b, sep);
	text_endpoint(b, n->daddr, dfamily(n), n->dport);
}

/* Where the socket is, when that is not where socktrace is. */
static void text_context(struct buf *b, const struct event *e, const struct fmt *f)
{
	const char *name;

	if (e->h.sock.cgroup != f->own_cgroup) {
		name = cgnames_get(f->names, e->h.sock.cgroup);
		if (name) {
			buf_str(b, " [");
			text_string(b, name, 80);
			buf_char(b, ']');
		} else {
			buf_fmt(b, " [cgroup %" PRIu64 "]", (uint64_t)e->h.sock.cgroup);
		}
	}
	if (e->h.sock.netns != f->own_netns)
		buf_fmt(b, " [netns %u]", e->h.sock.netns);
}

/* SGR colours, for a terminal only: what failed, and what was lost. */
#define RED "\033[31m"
#define YELLOW "\033[33m"
#define PLAIN "\033[0m"

/* Whether e tells of a failure: a connect or a listen that failed. */
static bool failed(const struct event *e)
{
	if (e->h.kind == EV_CONNECT)
		return e->connect.ret < 0 && (e->connect.ret != -EINPROGRESS || (e->h.flags & EVF_ASYNC));
	return e->h.kind == EV_LISTEN && e->listen.ret < 0;
}

void format_text(struct buf *b, const struct event *e, const struct fmt *f)
{
	const struct kind_info *k = kind_info(e->h.kind);
	char time[32], pid[12], uid[12], fd[12];
	bool red = f->colour && failed(e);

	text_time(time, wall_ns(e->h.who.ts_ns, f->realtime_off), f);
	snprintf(pid, sizeof(pid), "%u", e->h.who.pid);
	snprintf(uid, sizeof(uid), "%u", e->h.who.uid);
	snprintf(fd, sizeof(fd), k->socket ? "%d" : "-", e->h.sock.fd);
	if (red)
		buf_str(b, RED);
	text_cols(b, f, time, pid, uid, e->h.who.comm, sizeof(e->h.who.comm), fd, k->name);
	text_part[e->h.kind](b, e);
	if (k->socket)
		text_context(b, e, f);
	if (red)
		buf_str(b, PLAIN);
	buf_char(b, '\n');
}

void text_connect(struct buf *b, const struct event *e)
{
	char tmp[32];
	int64_t ret = e->connect.ret;

	text_ends(b, &e->h.sock.ends, " > ");
	if (ret == -EINPROGRESS && !(e->h.flags & EVF_ASYNC)) {
		buf_str(b, " in progress");
		return;
	}
	/* How long: since the call, for a connect in progress; the call's
	 * own time, for one that returned its result. */
	if (e->h.flags & EVF_ASYNC)
		buf_fmt(b, " %s after ", ret == 0 ? "established" : errno_name(ret, tmp, sizeof(tmp)));
	else
		buf_fmt(b, " %s in ", ret == 0 ? "ok" : errno_name(ret, tmp, sizeof(tmp)));
	text_duration(b, e->connect.latency_ns);
}

void text_disconnect(struct buf *b, const struct event *e)
{
	text_ends(b, &e->h.sock.ends, " > ");
	buf_str(b, " disconnected");
}

void text_listen(struct buf *b, const struct event *e)
{
	char tmp[32];

	text_local(b, &e->h.sock.ends);
	if (e->listen.ret < 0)
		buf_fmt(b, " %s,", errno_name(e->listen.ret, tmp, sizeof(tmp)));
	else
		buf_str(b, " listening,");
	buf_fmt(b, " backlog %u", e->listen.backlog);
}

void text_accept(struct buf *b, const struct event *e)
{
	text_ends(b, &e->h.sock.ends, " < ");
}

void text_open(struct buf *b, const struct event *e)
{
	if (e->h.flags & EVF_LISTENING) {
		text_local(b, &e->h.sock.ends);
		buf_str(b, " listening");
	} else {
		text_ends(b, &e->h.sock.ends, " > ");
	}
	buf_fmt(b, " (%s)", origin_text(e->h.sock.origin));
}

void text_io(struct buf *b, const struct event *e)
{
	char tmp[32];

	if (e->io.ret >= 0)
		buf_fmt(b, "%" PRId64 " %s", (int64_t)e->io.ret, plural(e->io.ret, "byte", "bytes"));
	else
		buf_str(b, errno_name(e->io.ret, tmp, sizeof(tmp)));
	buf_fmt(b, " (%s)", call_name(e->io.call));
	if (e->h.flags & EVF_DEST) {
		buf_str(b, " to ");
		text_endpoint(b, e->h.sock.ends.daddr, dfamily(&e->h.sock.ends), e->h.sock.ends.dport);
		if (e->h.flags & EVF_DEST_USER)
			buf_str(b, " (unverified)");
	}
}

void text_close(struct buf *b, const struct event *e)
{
	const struct ev_close *c = &e->close;

	buf_str(b, "closed ");
	if (c->reason != REASON_CLOSE)
		buf_fmt(b, "by %s ", reason_name(c->reason));
	buf_str(b, "after ");
	text_duration(b, c->duration_ns);
	buf_fmt(b, ", %" PRIu64 " B out, %" PRIu64 " B in", (uint64_t)c->totals.sent_bytes,
		(uint64_t)c->totals.recv_bytes);
	if (e->h.flags & EVF_CONNECTING)
		buf_str(b, ", still connecting");
	if (close_is_probe(e))
		buf_str(b, " (connect only: a probe)");
}

void text_untraced(struct buf *b, const struct event *e)
{
	buf_fmt(b, "%s: its sockets are not traced", untraced_why(e->untraced.why));
}

void format_lost_text(struct buf *b, uint64_t count, int64_t real_ns, const struct fmt *f)
{
	char time[32];

	text_time(time, real_ns, f);
	if (f->colour)
		buf_str(b, YELLOW);
	text_cols(b, f, time, "-", "-", "-", 0, "-", "lost");
	buf_fmt(b, "%" PRIu64 " %s the kernel could not deliver (ring buffer full)%s\n", count,
		plural(count, "event", "events"), f->colour ? PLAIN : "");
}

void format_text_header(struct buf *b, const struct fmt *f)
{
	text_cols(b, f, "TIME", "PID", "UID", "COMM", 0, "FD", "EVENT");
	buf_str(b, "DETAIL\n");
}
