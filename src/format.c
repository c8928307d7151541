// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "cgnames.h"
#include "escape.h"
#include "format.h"
#include "kinds.h"

#define NAME(table, i) ((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "unknown")

const char *errno_name(int64_t ret, char *tmp, size_t len)
{
	const char *name = NULL;

	if (ret < 0 && ret > -4096)
		name = strerrorname_np((int)-ret);
	if (name)
		return name;
	snprintf(tmp, len, "errno %" PRIu64, -(uint64_t)ret);	/* no overflow at INT64_MIN */
	return tmp;
}

void addr_str(const uint8_t *addr, uint8_t family, char out[INET6_ADDRSTRLEN])
{
	struct buf b;

	if (family == AF_INET6) {
		if (!inet_ntop(AF_INET6, addr, out, INET6_ADDRSTRLEN))
			snprintf(out, INET6_ADDRSTRLEN, "?");
		return;
	}
	/* inet_ntop's IPv4 text, without the sprintf it makes it with. */
	buf_init(&b, out, INET6_ADDRSTRLEN - 1);
	for (int i = 0; i < 4; i++) {
		if (i)
			buf_char(&b, '.');
		buf_u64(&b, addr[i]);
	}
	out[b.len] = '\0';
}

const char *family_name(uint8_t family)
{
	return family == AF_INET6 ? "ipv6" : family == AF_INET ? "ipv4" : "unknown";
}

const char *proto_name(uint16_t proto, char *tmp, size_t len)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_MPTCP: return "mptcp";
	}
	snprintf(tmp, len, "%u", proto);
	return tmp;
}

const char *reason_name(uint8_t reason)
{
	static const char *const names[] = {
		[REASON_CLOSE] = "close", [REASON_EXIT] = "exit", [REASON_EXEC] = "exec",
		[REASON_DUP2] = "dup2", [REASON_CLOSE_RANGE] = "close_range", [REASON_UNSEEN] = "unseen",
	};

	return NAME(names, reason);
}

const char *origin_name(uint8_t origin)
{
	static const char *const names[] = {
		[ORIGIN_CONNECT] = "connect", [ORIGIN_ACCEPT] = "accept", [ORIGIN_EXISTING] = "existing",
		[ORIGIN_USE] = "use", [ORIGIN_FORK] = "fork",
	};

	return NAME(names, origin);
}

const char *dir_name(uint8_t dir)
{
	static const char *const names[] = { [DIR_UNKNOWN] = "unknown", [DIR_OUT] = "out", [DIR_IN] = "in" };

	return NAME(names, dir);
}

const char *call_name(uint8_t call)
{
	static const char *const names[] = {
		[CALL_OTHER] = "other", [CALL_WRITE] = "write", [CALL_WRITEV] = "writev",
		[CALL_PWRITEV] = "pwritev", [CALL_PWRITEV2] = "pwritev2", [CALL_SENDTO] = "sendto",
		[CALL_SENDMSG] = "sendmsg", [CALL_SENDMMSG] = "sendmmsg", [CALL_SENDFILE] = "sendfile",
		[CALL_SPLICE] = "splice", [CALL_READ] = "read", [CALL_READV] = "readv",
		[CALL_PREADV] = "preadv", [CALL_PREADV2] = "preadv2", [CALL_RECVFROM] = "recvfrom",
		[CALL_RECVMSG] = "recvmsg", [CALL_RECVMMSG] = "recvmmsg", [CALL_IO_URING] = "io_uring",
	};

	return NAME(names, call);
}

/* The destination's family: the socket's unless a call asked for another. */
static uint8_t dfamily(const struct ends *n)
{
	return n->dfamily ? n->dfamily : n->family;
}

/* A kernel stamp on the wall clock. Wrapping, not overflowing: the stamp
 * comes from a ring buffer record, which this code does not trust. */
static int64_t wall_ns(uint64_t ts_ns, int64_t realtime_off)
{
	return (int64_t)(ts_ns + (uint64_t)realtime_off);
}

/* Seconds and nanoseconds, the latter always in 0..999999999. */
static time_t split_ns(int64_t ns, long *nsec)
{
	int64_t secs = ns / 1000000000, rem = ns % 1000000000;

	if (rem < 0) {
		rem += 1000000000;
		secs--;
	}
	*nsec = rem;
	return secs;
}

/* Days since 1970-01-01 to a date of the proleptic Gregorian calendar
 * (H. Hinnant's civil_from_days): no gmtime_r, which takes a lock. */
static void civil(int64_t days, int64_t *y, unsigned int *m, unsigned int *d)
{
	int64_t era;
	unsigned int doe, yoe, doy, mp;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned int)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

void format_time(struct buf *b, int64_t real_ns)
{
	long nsec;
	int64_t secs = split_ns(real_ns, &nsec), days = secs / 86400, sod = secs % 86400, y;
	unsigned int m, d;

	if (sod < 0) {
		sod += 86400;
		days--;
	}
	/* Any int64 of nanoseconds is a year from 1677 to 2262: four digits,
	 * whatever stamp a ring record holds. */
	civil(days, &y, &m, &d);
	buf_num(b, y, 4);
	buf_char(b, '-');
	buf_num(b, m, 2);
	buf_char(b, '-');
	buf_num(b, d, 2);
	buf_char(b, 'T');
	buf_num(b, sod / 3600, 2);
	buf_char(b, ':');
	buf_num(b, sod / 60 % 60, 2);
	buf_char(b, ':');
	buf_num(b, sod % 60, 2);
	buf_char(b, '.');
	buf_num(b, nsec, 9);
	buf_char(b, 'Z');
}

static void json_error(struct buf *b, int64_t ret)
{
	char tmp[32];

	buf_fmt(b, ",\"ret\":%" PRId64 ",\"error\":\"%s\"", ret, errno_name(ret, tmp, sizeof(tmp)));
}

/* ,"key":v  and  ,"key":"s" */
static void field_num(struct buf *b, const char *key, uint64_t v)
{
	buf_str(b, key);
	buf_u64(b, v);
}

static void field_str(struct buf *b, const char *key, const char *s)
{
	buf_str(b, key);
	buf_char(b, '"');
	buf_str(b, s);
	buf_char(b, '"');
}

void format_json(struct buf *b, const struct event *e, const struct fmt *f)
{
	const struct kind_info *k = kind_info(e->h.kind);
	const struct event_head *h = &e->h;
	const struct ends *n = &h->ends;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], tmp[32];

	buf_str(b, "{\"time\":\"");
	format_time(b, wall_ns(h->ts_ns, f->realtime_off));
	buf_char(b, '"');
	field_str(b, ",\"event\":", k->name);
	field_num(b, ",\"pid\":", h->pid);
	/* Its pid in its own namespace, where that says more than pid. */
	if (h->nspid && h->nspid != h->pid)
		field_num(b, ",\"nspid\":", h->nspid);
	field_num(b, ",\"tid\":", h->tid);
	field_num(b, ",\"uid\":", h->uid);
	buf_str(b, ",\"comm\":");
	json_string(b, h->comm, sizeof(h->comm));
	if (k->socket) {
		addr_str(n->saddr, n->family, saddr);
		addr_str(n->daddr, dfamily(n), daddr);
		buf_str(b, ",\"fd\":");
		buf_i64(b, h->fd);
		field_num(b, ",\"sock\":", h->sock);
		field_str(b, ",\"family\":", family_name(n->family));
		field_str(b, ",\"proto\":", proto_name(n->proto, tmp, sizeof(tmp)));
		field_str(b, ",\"saddr\":", saddr);
		field_num(b, ",\"sport\":", n->sport);
		field_str(b, ",\"daddr\":", daddr);
		field_num(b, ",\"dport\":", n->dport);
		field_num(b, ",\"cgroup\":", h->cgroup);
		field_num(b, ",\"netns\":", h->netns);
		if (cgnames_get(f->names, h->cgroup)) {
			buf_str(b, ",\"container\":");
			json_string(b, cgnames_get(f->names, h->cgroup), 80);
		}
	}
	k->json(b, e);
	buf_str(b, "}\n");
}

void json_connect(struct buf *b, const struct event *e)
{
	bool async = e->h.flags & EVF_ASYNC;

	if (e->connect.ret < 0 && (e->connect.ret != -EINPROGRESS || async))
		json_error(b, e->connect.ret);
	else
		buf_fmt(b, ",\"ret\":%" PRId64, (int64_t)e->connect.ret);
	if (async)
		buf_str(b, ",\"async\":true");
	/* A connect in progress is timed by its outcome. */
	if (async || e->connect.ret != -EINPROGRESS)
		field_num(b, ",\"latency_ns\":", e->connect.latency_ns);
}

void json_accept(struct buf *b, const struct event *e)
{
	(void)b, (void)e;
}

void json_open(struct buf *b, const struct event *e)
{
	buf_fmt(b, ",\"origin\":\"%s\"", origin_name(e->h.origin));
}

void json_io(struct buf *b, const struct event *e)
{
	field_str(b, ",\"call\":", call_name(e->io.call));
	if (e->io.ret >= 0)
		field_num(b, ",\"bytes\":", e->io.ret);
	else
		json_error(b, e->io.ret);
	if (e->h.flags & EVF_DEST)
		buf_str(b, ",\"dest_arg\":true");
	if (e->h.flags & EVF_DEST_USER)
		buf_str(b, ",\"dest_verified\":false");
}

bool close_is_probe(const struct event *e)
{
	return e->h.kind == EV_CLOSE && e->h.ends.proto == IPPROTO_UDP && e->h.origin == ORIGIN_CONNECT &&
	       !e->close.sends && !e->close.recvs;
}

void json_close(struct buf *b, const struct event *e)
{
	const struct ev_close *c = &e->close;

	field_str(b, ",\"reason\":", reason_name(c->reason));
	field_str(b, ",\"origin\":", origin_name(e->h.origin));
	field_str(b, ",\"dir\":", dir_name(e->h.dir));
	field_num(b, ",\"duration_ns\":", c->duration_ns);
	field_num(b, ",\"sent_bytes\":", c->sent_bytes);
	field_num(b, ",\"sends\":", c->sends);
	field_num(b, ",\"recv_bytes\":", c->recv_bytes);
	field_num(b, ",\"recvs\":", c->recvs);
	if (e->h.flags & EVF_TCP) {
		field_num(b, ",\"tcp_bytes_acked\":", c->tcp_bytes_acked);
		field_num(b, ",\"tcp_bytes_received\":", c->tcp_bytes_received);
	}
	if (e->h.flags & EVF_CONNECTING)
		buf_str(b, ",\"connecting\":true");
	if (e->h.flags & EVF_INCOMPLETE)
		buf_str(b, ",\"incomplete\":true");
	if (close_is_probe(e))
		buf_str(b, ",\"probe\":true");
}

static const char *untraced_why(uint32_t why)
{
	return why == UNTRACED_COMPAT ? "32-bit syscalls" : "unknown";
}

void json_untraced(struct buf *b, const struct event *e)
{
	buf_fmt(b, ",\"why\":\"%s\"", untraced_why(e->untraced.why));
}

void format_lost_json(struct buf *b, uint64_t count, int64_t real_ns)
{
	buf_str(b, "{\"time\":\"");
	format_time(b, real_ns);
	buf_fmt(b, "\",\"event\":\"lost\",\"count\":%" PRIu64 "}\n", count);
}

/* Column widths of the text format; a line stays within 100 columns. */
#define W_TIME 13
#define W_PID 8
#define W_COMM 16
#define W_FD 5
#define W_EVENT 8

/* HH:MM:SS.mmm in local time. */
static void text_time(char out[16], int64_t real_ns)
{
	/* localtime_r is slow; events come in bursts within a second. */
	static time_t last_secs = -1;
	static char hms[9] = "??:??:??";
	long nsec;
	time_t secs = split_ns(real_ns, &nsec);

	if (secs != last_secs) {
		struct tm tm;

		if (localtime_r(&secs, &tm))
			strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		else
			memcpy(hms, "??:??:??", sizeof(hms));
		last_secs = secs;
	}
	snprintf(out, 16, "%s.%03ld", hms, nsec / 1000000);
}

/* The columns before the detail; comm_len 0: comm is a trusted label. */
static void text_cols(struct buf *b, const char *time, const char *pid, const char *comm,
		      size_t comm_len, const char *fd, const char *event)
{
	size_t mark = b->len;

	buf_str(b, time);
	buf_pad(b, mark, W_TIME);
	buf_str(b, pid);
	buf_pad(b, mark, W_TIME + W_PID);
	/* An escaped name may be wider than its column; what follows moves
	 * right rather than the name being cut. */
	if (comm_len)
		text_string(b, comm, comm_len);
	else
		buf_str(b, comm);
	buf_char(b, ' ');
	buf_pad(b, mark, W_TIME + W_PID + W_COMM);
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

/* "tcp 10.0.0.2:40000 SEP 93.184.216.34:80", or "tcp 0.0.0.0:80 (no peer)"
 * for a listening or unconnected socket, whose peer reads as all zeros. */
static void text_ends(struct buf *b, const struct ends *n, const char *sep)
{
	static const uint8_t zero[sizeof(n->daddr)];
	char tmp[32];

	buf_fmt(b, "%s ", proto_name(n->proto, tmp, sizeof(tmp)));
	text_endpoint(b, n->saddr, n->family, n->sport);
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

	if (e->h.cgroup != f->own_cgroup) {
		name = cgnames_get(f->names, e->h.cgroup);
		if (name) {
			buf_str(b, " [");
			text_string(b, name, 80);
			buf_char(b, ']');
		} else {
			buf_fmt(b, " [cgroup %" PRIu64 "]", (uint64_t)e->h.cgroup);
		}
	}
	if (e->h.netns != f->own_netns)
		buf_fmt(b, " [netns %u]", e->h.netns);
}

void format_text(struct buf *b, const struct event *e, const struct fmt *f)
{
	const struct kind_info *k = kind_info(e->h.kind);
	char time[16], pid[12], fd[12];

	text_time(time, wall_ns(e->h.ts_ns, f->realtime_off));
	snprintf(pid, sizeof(pid), "%u", e->h.pid);
	snprintf(fd, sizeof(fd), k->socket ? "%d" : "-", e->h.fd);
	text_cols(b, time, pid, e->h.comm, sizeof(e->h.comm), fd, k->name);
	k->text(b, e);
	if (k->socket)
		text_context(b, e, f);
	buf_char(b, '\n');
}

void text_connect(struct buf *b, const struct event *e)
{
	char tmp[32];
	int64_t ret = e->connect.ret;

	text_ends(b, &e->h.ends, " > ");
	if (ret == -EINPROGRESS && !(e->h.flags & EVF_ASYNC)) {
		buf_str(b, " in progress");
		return;
	}
	if (e->h.flags & EVF_ASYNC)
		buf_fmt(b, " %s after ", ret == 0 ? "established" : errno_name(ret, tmp, sizeof(tmp)));
	else
		buf_fmt(b, " %s after ", ret == 0 ? "ok" : errno_name(ret, tmp, sizeof(tmp)));
	text_duration(b, e->connect.latency_ns);
}

void text_disconnect(struct buf *b, const struct event *e)
{
	text_ends(b, &e->h.ends, " > ");
	buf_str(b, " disconnected");
}

void text_accept(struct buf *b, const struct event *e)
{
	text_ends(b, &e->h.ends, " < ");
}

void text_open(struct buf *b, const struct event *e)
{
	static const char *const how[] = {
		[ORIGIN_EXISTING] = "open before tracing", [ORIGIN_USE] = "first use",
		[ORIGIN_FORK] = "inherited",
	};

	text_ends(b, &e->h.ends, " > ");
	buf_fmt(b, " (%s)", NAME(how, e->h.origin));
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
		text_endpoint(b, e->h.ends.daddr, dfamily(&e->h.ends), e->h.ends.dport);
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
	buf_fmt(b, ", %" PRIu64 " B out, %" PRIu64 " B in", (uint64_t)c->sent_bytes,
		(uint64_t)c->recv_bytes);
	if (e->h.flags & EVF_CONNECTING)
		buf_str(b, ", still connecting");
	if (close_is_probe(e))
		buf_str(b, " (connect only: a probe)");
}

void text_untraced(struct buf *b, const struct event *e)
{
	buf_fmt(b, "%s: its sockets are not traced", untraced_why(e->untraced.why));
}

void format_lost_text(struct buf *b, uint64_t count, int64_t real_ns)
{
	char time[16];

	text_time(time, real_ns);
	text_cols(b, time, "-", "-", 0, "-", "lost");
	buf_fmt(b, "%" PRIu64 " %s the kernel could not deliver (ring buffer full)\n", count,
		plural(count, "event", "events"));
}

void format_text_header(struct buf *b)
{
	text_cols(b, "TIME", "PID", "COMM", 0, "FD", "EVENT");
	buf_str(b, "DETAIL\n");
}
