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
#include "procinfo.h"
#include "text.h"

static void (*const text_part[EV_KINDS])(struct buf *b, const struct event *e, const struct fmt *f) = {
#define TEXT_PART(ID, name, number, part, fields, socket, shown, help) [EV_##ID] = text_##fields,
	EVENT_KINDS(TEXT_PART)
#undef TEXT_PART
};

/* The stream's columns before the detail: wide (--wide), and narrow
 * enough that the detail keeps 43 of 80 columns (no FD: the ends say
 * which socket; the time to the second). */
struct layout {
	size_t pid, uid, comm, fd, event;
};
static const struct layout wide_cols = { 8, 7, 16, 5, 8 }, narrow_cols = { 8, 7, 12, 0, 8 };

size_t text_time_width(const struct fmt *f)
{
	return (f->time == TIME_DATE ? 24 : f->time == TIME_RELATIVE ? 11 : 13) - (f->width ? 4 : 0);
}

/* The time column as --time picks: HH:MM:SS.mmm in local time, with the
 * date before it, or seconds since tracing began. */
void text_time(char out[32], int64_t real_ns, const struct fmt *f)
{
	/* localtime_r is slow; events come in bursts within a second. */
	static time_t last_secs = -1;
	static char when[24] = "?";
	long nsec;
	time_t secs;

	if (f->time == TIME_RELATIVE) {
		int64_t ns = real_ns > f->start_real_ns ? real_ns - f->start_real_ns : 0;

		if (f->width)
			snprintf(out, 32, "%" PRId64 ".%" PRId64, ns / 1000000000, ns / 100000000 % 10);
		else
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
	if (f->width)	/* a narrow line: to the second */
		snprintf(out, 32, "%.19s", f->time == TIME_DATE ? when : when + 11);
	else
		snprintf(out, 32, "%.23s.%03d", f->time == TIME_DATE ? when : when + 11,
			 (int)(nsec / 1000000 % 1000));
}

const char *who_name(const struct who *w, const struct fmt *f)
{
	const struct proc_info *p = procinfo_get(f->procs, w->pid, w->pstart);

	return p ? p->name : w->comm;
}

size_t text_pad(struct buf *b, size_t cols, size_t width)
{
	do
		buf_char(b, ' ');
	while (++cols < width);
	return cols;
}

/* The stream's columns before the detail; comm_len 0: comm is a trusted
 * label. Returns the columns written. */
static size_t stream_cols(struct buf *b, const struct fmt *f, const char *time, const char *pid,
			  const char *uid, const char *comm, size_t comm_len, const char *fd,
			  const char *event)
{
	const struct layout *l = f->width ? &narrow_cols : &wide_cols;
	size_t cols = 0, at;

	buf_str(b, time);
	cols = text_pad(b, strlen(time), at = text_time_width(f));
	buf_str(b, pid);
	cols = text_pad(b, cols + strlen(pid), at += l->pid);
	if (f->uid) {
		buf_str(b, uid);
		cols = text_pad(b, cols + strlen(uid), at += l->uid);
	}
	cols += comm_len ? text_field(b, comm, comm_len, l->comm - 1) : (buf_str(b, comm), strlen(comm));
	cols = text_pad(b, cols, at += l->comm);
	if (l->fd) {
		buf_str(b, fd);
		cols = text_pad(b, cols + strlen(fd), at += l->fd);
	}
	buf_str(b, event);
	/* a kind longer than its column still has a space after it */
	return text_pad(b, cols + strlen(event), at + l->event);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void text_duration(struct buf *b, uint64_t ns)
{
	if (ns < 1000000)
		buf_fmt(b, "%" PRIu64 " us", ns / 1000);
	else if (ns < 10000000000ULL)
		buf_fmt(b, "%" PRIu64 " ms", ns / 1000000);
	else
		buf_fmt(b, "%" PRIu64 " s", ns / 1000000000);
}

void text_short_duration(struct buf *b, uint64_t ns)
{
	uint64_t s = ns / 1000000000;

	if (ns < 1000)
		buf_str(b, "<1us");
	else if (ns < 1000000)
		buf_fmt(b, "%" PRIu64 "us", ns / 1000);
	else if (ns < 1000000000)
		buf_fmt(b, "%" PRIu64 "ms", ns / 1000000);
	else if (s < 60)
		buf_fmt(b, "%" PRIu64 ".%" PRIu64 "s", s, ns / 100000000 % 10);
	else if (s < 3600)
		buf_fmt(b, "%" PRIu64 "m", s / 60);
	else if (s < 100 * 3600)
		buf_fmt(b, "%" PRIu64 "h", s / 3600);
	else
		buf_fmt(b, "%" PRIu64 "d", s / 86400);
}

void text_short_bytes(struct buf *b, uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	uint64_t scaled = bytes, tenths = 0;
	int u = -1;

	if (bytes < 1024) {
		buf_fmt(b, "%" PRIu64 "B", bytes);
		return;
	}
	/* 1.2K below 10 of a unit, 34K below 1024 of it. */
	while (scaled >= 1024 && u < 5) {
		tenths = scaled % 1024 * 10 / 1024;
		scaled /= 1024;
		u++;
	}
	if (scaled < 10)
		buf_fmt(b, "%" PRIu64 ".%" PRIu64 "%c", scaled, tenths, units[u]);
	else
		buf_fmt(b, "%" PRIu64 "%c", scaled, units[u]);
}

/* 1.2.3.4:80 or [::1]:80, the address part cut to keep characters with a
 * '~' in its middle (0: whole). */
static void endpoint(struct buf *b, const uint8_t *addr, uint8_t family, uint16_t port, size_t keep)
{
	char a[INET6_ADDRSTRLEN];
	size_t len;

	addr_str(addr, family, a);
	len = strlen(a);
	if (keep && keep + 1 < len) {
		size_t head = (keep + 1) / 2, tail = keep - head;

		a[head] = '~';
		memmove(a + head + 1, a + len - tail, tail + 1);
	}
	buf_fmt(b, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

/* How much of the own end a narrowed line keeps. */
enum own { OWN_WHOLE, OWN_PORT, OWN_NONE };

/* The ends in one form: the own end whole, as its port, or left out; the
 * other address (or the own, for a listener) cut to keep characters. */
static void ends_form(struct buf *b, const struct ends *n, uint8_t dir, bool local_only,
		      enum own own, size_t keep)
{
	static const uint8_t zero[sizeof(n->daddr)];
	char tmp[32];

	buf_str(b, proto_name(n->proto, tmp, sizeof(tmp)));
	if (local_only) {
		buf_char(b, ' ');
		endpoint(b, n->saddr, n->family, n->sport, keep);
		return;
	}
	if (own == OWN_PORT)
		buf_fmt(b, " :%u", n->sport);
	else if (own == OWN_WHOLE) {
		buf_char(b, ' ');
		endpoint(b, n->saddr, n->family, n->sport, 0);
	}
	/* A listening or unconnected socket's peer reads as all zeros. */
	if (!n->dport && !memcmp(n->daddr, zero, sizeof(zero))) {
		if (own == OWN_NONE)
			buf_fmt(b, " :%u", n->sport);
		buf_str(b, ", no peer");
		return;
	}
	buf_str(b, dir == DIR_IN ? " < " : " > ");
	endpoint(b, n->daddr, dfamily(n), n->dport, keep);
}

size_t text_ends(struct buf *b, const struct ends *n, uint8_t dir, bool local_only, size_t width)
{
	char mem[160], a[INET6_ADDRSTRLEN];
	enum own own = OWN_WHOLE;
	struct buf t;
	size_t addr_len;

	buf_init(&t, mem, sizeof(mem));
	ends_form(&t, n, dir, local_only, own, 0);
	/* Narrowed: the own address gives way to its port, then the port. */
	while (width && t.len > width && !local_only && own != OWN_NONE) {
		t.len = 0;
		ends_form(&t, n, dir, local_only, ++own, 0);
	}
	if (width && t.len > width) {
		/* Still too long: the address that is left, if IPv6, cut in
		 * its middle by what is over, keeping 12 characters of it at
		 * least (an IPv4 address cut would mislead). */
		if (local_only)
			addr_str(n->saddr, n->family, a);
		else
			addr_str(n->daddr, dfamily(n), a);
		addr_len = strlen(a);
		if (addr_len > 15) {
			size_t over = t.len - width, keep = addr_len > over + 1 ? addr_len - over - 1 : 0;

			t.len = 0;
			ends_form(&t, n, dir, local_only, own, keep < 12 ? 12 : keep);
		}
	}
	buf_add(b, t.p, t.len);
	return t.len;
}

void text_context(struct buf *b, const struct event *e, const struct fmt *f)
{
	const char *name;

	/* A narrow line names a cgroup only when --containers can; a bare id
	 * would be on most lines of a systemd host. */
	if (e->h.sock.cgroup != f->own_cgroup && (f->names || !f->width)) {
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

bool text_failed(const struct event *e)
{
	if (e->h.kind == EV_CONNECT)
		return e->connect.ret < 0 && (e->connect.ret != -EINPROGRESS || (e->h.flags & EVF_ASYNC));
	return e->h.kind == EV_LISTEN && e->listen.ret < 0;
}

/* A listener has its own end only. */
static bool listener(const struct event *e)
{
	return e->h.kind == EV_LISTEN || (e->h.kind == EV_OPEN && (e->h.flags & EVF_LISTENING));
}

/*
 * A line: the columns, the socket's ends, then the kind's own detail and
 * where the socket is. Within f->width, the ends take what the detail
 * leaves them; what still does not fit is cut with a '~'.
 */
void format_text(struct buf *b, const struct event *e, const struct fmt *f)
{
	const struct kind_info *k = kind_info(e->h.kind);
	char time[32], pid[12], uid[12], fd[12], mem[LINE_MAX_LEN];
	bool red = f->colour && text_failed(e);
	size_t cols, left, detail_cols;
	struct buf d;

	text_time(time, wall_ns(e->h.who.ts_ns, f->realtime_off), f);
	snprintf(pid, sizeof(pid), "%u", e->h.who.pid);
	snprintf(uid, sizeof(uid), "%u", e->h.who.uid);
	snprintf(fd, sizeof(fd), k->socket ? "%d" : "-", e->h.sock.fd);
	if (red)
		buf_str(b, RED);
	cols = stream_cols(b, f, time, pid, uid, who_name(&e->h.who, f), COMM_LEN, fd, k->name);
	buf_init(&d, mem, sizeof(mem));
	text_part[e->h.kind](&d, e, f);
	detail_cols = text_width(d.p, d.len);
	/* 0: no limit; otherwise one column at least. */
	left = !f->width ? 0 : f->width > cols + 1 ? f->width - cols : 1;
	if (k->socket) {
		size_t room = !left ? 0 : left > detail_cols + 16 ? left - detail_cols : 16;
		size_t used = text_ends(b, &e->h.sock.ends, e->h.kind == EV_ACCEPT ? DIR_IN : e->h.sock.dir,
					listener(e), room);

		left = !left ? 0 : left > used + 1 ? left - used : 1;
	}
	text_field(b, d.p, d.len, left);
	/* Where the socket is comes whole, past the width if need be: it was
	 * asked for (--containers), or it is not socktrace's namespace. */
	if (k->socket)
		text_context(b, e, f);
	if (red)
		buf_str(b, PLAIN);
	buf_char(b, '\n');
}

void text_connect(struct buf *b, const struct event *e, const struct fmt *f)
{
	char tmp[32];
	int64_t ret = e->connect.ret;

	if (ret == -EINPROGRESS && !(e->h.flags & EVF_ASYNC)) {
		buf_str(b, " in progress");
		return;
	}
	/* How long: since the call, for a connect in progress; the call's
	 * own time, for one that returned its result. */
	if (f->width) {
		buf_fmt(b, " %s ", ret == 0 ? (e->h.flags & EVF_ASYNC ? "established" : "ok") :
				  errno_name(ret, tmp, sizeof(tmp)));
		text_short_duration(b, e->connect.latency_ns);
		return;
	}
	if (e->h.flags & EVF_ASYNC)
		buf_fmt(b, " %s after ", ret == 0 ? "established" : errno_name(ret, tmp, sizeof(tmp)));
	else
		buf_fmt(b, " %s in ", ret == 0 ? "ok" : errno_name(ret, tmp, sizeof(tmp)));
	text_duration(b, e->connect.latency_ns);
}

void text_disconnect(struct buf *b, const struct event *e, const struct fmt *f)
{
	(void)f;
	(void)e;
	buf_str(b, " disconnected");
}

void text_listen(struct buf *b, const struct event *e, const struct fmt *f)
{
	(void)f;
	char tmp[32];

	if (e->listen.ret < 0)
		buf_fmt(b, " %s,", errno_name(e->listen.ret, tmp, sizeof(tmp)));
	else
		buf_str(b, " listening,");
	buf_fmt(b, " backlog %u", e->listen.backlog);
}

void text_accept(struct buf *b, const struct event *e, const struct fmt *f)
{
	(void)f;
	(void)b;
	(void)e;
}

void text_open(struct buf *b, const struct event *e, const struct fmt *f)
{
	/* Narrow, the kind says open already. */
	if (f->width && e->h.sock.origin == ORIGIN_EXISTING)
		buf_str(b, e->h.flags & EVF_LISTENING ? " listening before tracing" : " (before tracing)");
	else
		buf_fmt(b, "%s (%s)", e->h.flags & EVF_LISTENING ? " listening" : "", origin_text(e->h.sock.origin));
}

void text_io(struct buf *b, const struct event *e, const struct fmt *f)
{
	(void)f;
	char tmp[32];

	if (e->io.ret >= 0)
		buf_fmt(b, ", %" PRId64 " %s", (int64_t)e->io.ret, plural(e->io.ret, "byte", "bytes"));
	else
		buf_fmt(b, ", %s", errno_name(e->io.ret, tmp, sizeof(tmp)));
	/* With EVF_DEST the peer is the destination the call named; read
	 * from the process's memory, the kernel may have used another. */
	buf_fmt(b, " (%s%s)", call_name(e->io.call),
		(e->h.flags & (EVF_DEST | EVF_DEST_USER)) == (EVF_DEST | EVF_DEST_USER) ? ", unverified" : "");
}

void text_close(struct buf *b, const struct event *e, const struct fmt *f)
{
	const struct ev_close *c = &e->close;

	if (f->width) {
		/* The kind says closed: how, bytes each way, how long. */
		if (c->reason != REASON_CLOSE)
			buf_fmt(b, " by %s,", reason_name(c->reason));
		buf_char(b, ' ');
		text_short_bytes(b, c->totals.sent_bytes);
		buf_str(b, " out ");
		text_short_bytes(b, c->totals.recv_bytes);
		buf_str(b, " in, ");
		text_short_duration(b, c->duration_ns);
		if (e->h.flags & EVF_CONNECTING)
			buf_str(b, ", still connecting");
		if (close_is_probe(e))
			buf_str(b, " (a probe)");
		return;
	}
	buf_str(b, " closed ");
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

void text_untraced(struct buf *b, const struct event *e, const struct fmt *f)
{
	(void)f;
	buf_fmt(b, "%s: its sockets are not traced", untraced_why(e->untraced.why));
}

void format_lost_text(struct buf *b, uint64_t count, int64_t real_ns, const struct fmt *f)
{
	char time[32];

	text_time(time, real_ns, f);
	if (f->colour)
		buf_str(b, YELLOW);
	stream_cols(b, f, time, "-", "-", "-", 0, "-", "lost");
	buf_fmt(b, "%" PRIu64 " %s the kernel could not deliver (ring buffer full)%s\n", count,
		plural(count, "event", "events"), f->colour ? PLAIN : "");
}

void format_text_header(struct buf *b, const struct fmt *f)
{
	stream_cols(b, f, "TIME", "PID", "UID", "COMM", 0, "FD", "EVENT");
	buf_str(b, "DETAIL\n");
}
