// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <arpa/inet.h>
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
	snprintf(tmp, len, "errno %" PRId64, -ret);
	return tmp;
}

void ipv4_str(uint32_t addr_be, char out[16])
{
	const unsigned char *a = (const unsigned char *)&addr_be;

	snprintf(out, 16, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static bool connect_failed(const struct event *e)
{
	return e->ret < 0 && e->ret != -EINPROGRESS;
}

static void rfc3339(struct buf *b, int64_t real_ns)
{
	time_t secs = real_ns / 1000000000;
	struct tm tm;

	gmtime_r(&secs, &tm);
	buf_fmt(b, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRId64 "Z", tm.tm_year + 1900, tm.tm_mon + 1,
		tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, real_ns % 1000000000);
}

void format_json(struct buf *b, const struct event *e, int64_t realtime_off)
{
	char addr[16], tmp[32];

	buf_str(b, "{\"time\":\"");
	rfc3339(b, (int64_t)e->ts_ns + realtime_off);
	buf_fmt(b, "\",\"event\":\"%s\",\"pid\":%u,\"tid\":%u,\"uid\":%u,\"comm\":",
		kind_name(e), e->pid, e->tid, e->uid);
	json_string(b, e->comm, sizeof(e->comm));
	ipv4_str(e->daddr, addr);
	buf_fmt(b, ",\"fd\":%d", e->fd);
	if (e->kind == EV_CONNECT)
		buf_str(b, ",\"family\":\"ipv4\"");
	buf_fmt(b, ",\"daddr\":\"%s\",\"dport\":%u", addr, e->dport);
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
		buf_fmt(b, ",\"duration_ns\":%llu,\"sent_bytes\":%llu,\"sends\":%llu",
			(unsigned long long)e->duration_ns, (unsigned long long)e->sent_bytes,
			(unsigned long long)e->sends);
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
	static char hms[9];
	time_t secs = real_ns / 1000000000;

	if (secs != last_secs) {
		struct tm tm;

		localtime_r(&secs, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		last_secs = secs;
	}
	snprintf(out, 16, "%s.%03d", hms, (int)(real_ns % 1000000000 / 1000000));
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

void format_text(struct buf *b, const struct event *e, int64_t realtime_off)
{
	char time[16], pid[12], fd[12], addr[16], tmp[32];

	text_time(time, (int64_t)e->ts_ns + realtime_off);
	snprintf(pid, sizeof(pid), "%u", e->pid);
	snprintf(fd, sizeof(fd), "%d", e->fd);
	text_cols(b, time, pid, e->comm, sizeof(e->comm), fd, kind_name(e));
	ipv4_str(e->daddr, addr);
	switch (e->kind) {
	case EV_CONNECT:
		buf_fmt(b, "%s:%u ", addr, e->dport);
		if (e->ret == 0)
			buf_str(b, "ok");
		else if (e->ret == -EINPROGRESS)
			buf_str(b, "in progress");
		else
			buf_str(b, errno_name(e->ret, tmp, sizeof(tmp)));
		break;
	case EV_SEND:
		if (e->ret >= 0)
			buf_fmt(b, "%lld %s", (long long)e->ret, plural(e->ret, "byte", "bytes"));
		else
			buf_str(b, errno_name(e->ret, tmp, sizeof(tmp)));
		break;
	case EV_CLOSE:
		buf_str(b, "closed after ");
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
