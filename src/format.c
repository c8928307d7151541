// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "escape.h"
#include "format.h"

static const char *const kind_names[] = {
	[EV_CONNECT] = "connect",
	[EV_SEND] = "send",
	[EV_CLOSE] = "close",
};

static const char *kind_name(const struct event *e)
{
	if (e->kind < sizeof(kind_names) / sizeof(kind_names[0]) && kind_names[e->kind])
		return kind_names[e->kind];
	return "unknown";
}

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
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, out, INET6_ADDRSTRLEN))
		snprintf(out, INET6_ADDRSTRLEN, "?");
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

static const char *const reason_names[] = {
	[REASON_CLOSE] = "close",
	[REASON_EXIT] = "exit",
	[REASON_EXEC] = "exec",
	[REASON_DUP2] = "dup2",
	[REASON_CLOSE_RANGE] = "close_range",
};

const char *reason_name(uint8_t reason)
{
	if (reason < sizeof(reason_names) / sizeof(reason_names[0]))
		return reason_names[reason];
	return "unknown";
}

static bool connect_failed(const struct event *e)
{
	return e->ret < 0 && e->ret != -EINPROGRESS;
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

static void rfc3339(struct buf *b, int64_t real_ns)
{
	long nsec;
	time_t secs = split_ns(real_ns, &nsec);
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		memset(&tm, 0, sizeof(tm)), tm.tm_year = 70, tm.tm_mday = 1, nsec = 0;
	buf_fmt(b, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, nsec);
}

void format_json(struct buf *b, const struct event *e, int64_t realtime_off)
{
	const struct ends *n = &e->ends;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], tmp[32];

	buf_str(b, "{\"time\":\"");
	rfc3339(b, wall_ns(e->ts_ns, realtime_off));
	buf_fmt(b, "\",\"event\":\"%s\",\"pid\":%u,", kind_name(e), e->pid);
	if (e->nspid)
		buf_fmt(b, "\"nspid\":%u,", e->nspid);
	buf_fmt(b, "\"tid\":%u,\"uid\":%u,\"comm\":", e->tid, e->uid);
	json_string(b, e->comm, sizeof(e->comm));
	addr_str(n->saddr, n->family, saddr);
	addr_str(n->daddr, n->family, daddr);
	buf_fmt(b, ",\"fd\":%d,\"family\":\"%s\",\"proto\":\"%s\",\"saddr\":\"%s\",\"sport\":%u,"
		"\"daddr\":\"%s\",\"dport\":%u", e->fd, family_name(n->family),
		proto_name(n->proto, tmp, sizeof(tmp)), saddr, n->sport, daddr, n->dport);
	switch (e->kind) {
	case EV_CONNECT:
		buf_fmt(b, ",\"ret\":%lld", (long long)e->ret);
		if (connect_failed(e))
			buf_fmt(b, ",\"error\":\"%s\"", errno_name(e->ret, tmp, sizeof(tmp)));
		break;
	case EV_SEND:
		if (e->ret >= 0)
			buf_fmt(b, ",\"bytes\":%lld", (long long)e->ret);
		else
			buf_fmt(b, ",\"ret\":%lld,\"error\":\"%s\"", (long long)e->ret,
				errno_name(e->ret, tmp, sizeof(tmp)));
		break;
	case EV_CLOSE:
		buf_fmt(b, ",\"reason\":\"%s\",\"duration_ns\":%llu,\"sent_bytes\":%llu,\"sends\":%llu",
			reason_name(e->reason), (unsigned long long)e->duration_ns,
			(unsigned long long)e->sent_bytes, (unsigned long long)e->sends);
		break;
	}
	buf_str(b, "}\n");
}

void format_lost_json(struct buf *b, uint64_t count, int64_t real_ns)
{
	buf_str(b, "{\"time\":\"");
	rfc3339(b, real_ns);
	buf_fmt(b, "\",\"event\":\"lost\",\"count\":%llu}\n", (unsigned long long)count);
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
	buf_pad(b, mark, W_FD + W_EVENT);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void text_duration(struct buf *b, uint64_t ns)
{
	if (ns < 1000000)
		buf_fmt(b, "%llu us", (unsigned long long)(ns / 1000));
	else if (ns < 10000000000ULL)
		buf_fmt(b, "%llu ms", (unsigned long long)(ns / 1000000));
	else
		buf_fmt(b, "%llu s", (unsigned long long)(ns / 1000000000));
}

/* 1.2.3.4:80 or [::1]:80 */
static void text_endpoint(struct buf *b, const uint8_t *addr, uint8_t family, uint16_t port)
{
	char a[INET6_ADDRSTRLEN];

	addr_str(addr, family, a);
	buf_fmt(b, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, port);
}

void format_text(struct buf *b, const struct event *e, int64_t realtime_off)
{
	const struct ends *n = &e->ends;
	char time[16], pid[12], fd[12], tmp[32];

	text_time(time, wall_ns(e->ts_ns, realtime_off));
	snprintf(pid, sizeof(pid), "%u", e->pid);
	snprintf(fd, sizeof(fd), "%d", e->fd);
	text_cols(b, time, pid, e->comm, sizeof(e->comm), fd, kind_name(e));
	switch (e->kind) {
	case EV_CONNECT:
		buf_fmt(b, "%s ", proto_name(n->proto, tmp, sizeof(tmp)));
		text_endpoint(b, n->saddr, n->family, n->sport);
		buf_str(b, " > ");
		text_endpoint(b, n->daddr, n->family, n->dport);
		if (e->ret == 0)
			buf_str(b, " ok");
		else if (e->ret == -EINPROGRESS)
			buf_str(b, " in progress");
		else
			buf_fmt(b, " %s", errno_name(e->ret, tmp, sizeof(tmp)));
		break;
	case EV_SEND:
		if (e->ret >= 0)
			buf_fmt(b, "%lld %s", (long long)e->ret, plural(e->ret, "byte", "bytes"));
		else
			buf_str(b, errno_name(e->ret, tmp, sizeof(tmp)));
		if (e->flags & EVF_DEST_ARG) {
			buf_str(b, " to ");
			text_endpoint(b, n->daddr, n->family, n->dport);
		}
		break;
	case EV_CLOSE:
		buf_str(b, "closed ");
		if (e->reason != REASON_CLOSE)
			buf_fmt(b, "by %s ", reason_name(e->reason));
		buf_str(b, "after ");
		text_duration(b, e->duration_ns);
		buf_fmt(b, ", %llu %s in %llu %s", (unsigned long long)e->sent_bytes,
			plural(e->sent_bytes, "byte", "bytes"), (unsigned long long)e->sends,
			plural(e->sends, "send", "sends"));
		break;
	}
	buf_char(b, '\n');
}

void format_lost_text(struct buf *b, uint64_t count, int64_t real_ns)
{
	char time[16];

	text_time(time, real_ns);
	text_cols(b, time, "-", "-", 0, "-", "lost");
	buf_fmt(b, "%llu %s the kernel could not deliver (ring buffer full)\n",
		(unsigned long long)count, plural(count, "event", "events"));
}

void format_text_header(struct buf *b)
{
	text_cols(b, "TIME", "PID", "COMM", 0, "FD", "EVENT");
	buf_str(b, "DETAIL\n");
}
