// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Events as JSON lines: the members every event has, then its kind's. */
#include <errno.h>
#include <inttypes.h>
#include <time.h>
#include "cgnames.h"
#include "escape.h"
#include "format.h"
#include "hmap.h"
#include "kinds.h"
#include "names.h"
#include "procinfo.h"

static void (*const json_part[EV_KINDS])(struct buf *b, const struct event *e) = {
#define JSON_PART(ID, name, number, part, fields, socket, shown, help) [EV_##ID] = json_##fields,
	EVENT_KINDS(JSON_PART)
#undef JSON_PART
};

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

/* The second last formatted, as "YYYY-MM-DDTHH:MM:SS.": events come many
 * to a second. */
static struct {
	bool used;
	int64_t secs;
	char text[20];
} last_second;

void format_time(struct buf *b, int64_t real_ns)
{
	long nsec;
	int64_t secs = split_ns(real_ns, &nsec), days = secs / 86400, sod = secs % 86400, y;
	unsigned int m, d;
	size_t mark = b->len;

	if (last_second.used && last_second.secs == secs) {
		buf_add(b, last_second.text, sizeof(last_second.text));
		buf_num(b, nsec, 9);
		buf_char(b, 'Z');
		return;
	}
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
	if (!b->overflow && b->len - mark == sizeof(last_second.text)) {
		memcpy(last_second.text, b->p + mark, sizeof(last_second.text));
		last_second.secs = secs;
		last_second.used = true;
	}
	buf_num(b, nsec, 9);
	buf_char(b, 'Z');
}

/* Who the process is, as the kernel side told it: its name, parent,
 * executable and arguments, as JSON members. */
static void json_process_members(struct buf *b, const struct proc_info *p)
{
	buf_str(b, ",\"process\":");
	json_string(b, p->name, sizeof(p->name));
	if (p->ppid) {
		buf_str(b, ",\"ppid\":");
		buf_u64(b, p->ppid);
	}
	if (p->exe[0]) {
		buf_str(b, ",\"exe\":");
		json_string(b, p->exe, sizeof(p->exe));
	}
	if (p->cmdline[0]) {
		buf_str(b, ",\"cmdline\":");
		json_string(b, p->cmdline, sizeof(p->cmdline));
	}
}

/* Those members of the processes met last, escaped once rather than on
 * every event line (a command line is most of a line): by the proc_info
 * and its filling, which no other filling of any table shares. */
#define PROC_JSON_SLOTS 64
#define PROC_JSON_MAX (16 + 6 * COMM_LEN + 32 + 10 + 6 * EXE_LEN + 16 + 6 * CMDLINE_LEN)

static struct proc_json {
	uint64_t gen;	/* 0: empty */
	size_t len;
	char text[PROC_JSON_MAX];
} proc_json[PROC_JSON_SLOTS];

static void json_process(struct buf *b, const struct who *w, const struct fmt *f)
{
	const struct proc_info *p = procinfo_get(f->procs, w->pid, w->pstart);
	struct proc_json *c;
	struct buf cb;

	if (!p)
		return;
	c = &proc_json[p->gen % PROC_JSON_SLOTS];
	if (c->gen != p->gen) {
		buf_init(&cb, c->text, sizeof(c->text));
		json_process_members(&cb, p);
		c->gen = p->gen;
		c->len = cb.len;
		/* Sized for the longest escaping: never cut, but if it were,
		 * the line would carry the members whole. */
		if (cb.overflow) {
			c->gen = 0;
			json_process_members(b, p);
			return;
		}
	}
	buf_add(b, c->text, c->len);
}

static void json_error(struct buf *b, int64_t ret)
{
	char tmp[32];

	buf_str(b, ",\"ret\":");
	buf_i64(b, ret);
	buf_str(b, ",\"error\":\"");
	buf_str(b, errno_name(ret, tmp, sizeof(tmp)));
	buf_char(b, '"');
}

/* ,"key":v  and  ,"key":"s" */
static void field_num(struct buf *b, const char *key, uint64_t v)
{
	buf_str(b, key);
	buf_u64(b, v);
}

static void field_i64(struct buf *b, const char *key, int64_t v)
{
	buf_str(b, key);
	buf_i64(b, v);
}

static void field_str(struct buf *b, const char *key, const char *s)
{
	buf_str(b, key);
	buf_char(b, '"');
	buf_str(b, s);
	buf_char(b, '"');
}

/* The socket's members: its descriptor, id, protocol and ends. */
static void json_socket_members(struct buf *b, const struct sockinfo *s)
{
	const struct ends *n = &s->ends;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN], tmp[32];

	addr_str(n->saddr, n->family, saddr);
	addr_str(n->daddr, dfamily(n), daddr);
	buf_str(b, ",\"fd\":");
	buf_i64(b, s->fd);
	field_num(b, ",\"sock\":", s->id);
	field_str(b, ",\"family\":", family_name(n->family));
	field_str(b, ",\"proto\":", proto_name(n->proto, tmp, sizeof(tmp)));
	field_str(b, ",\"saddr\":", saddr);
	field_num(b, ",\"sport\":", n->sport);
	field_str(b, ",\"daddr\":", daddr);
	field_num(b, ",\"dport\":", n->dport);
	field_num(b, ",\"cgroup\":", s->cgroup);
	field_num(b, ",\"netns\":", s->netns);
}

/* Those members of the sockets met last: a socket's events repeat them
 * (a send's line is mostly its socket), so they are formatted once for
 * each state of it, the whole sockinfo being the key. */
#define SOCK_JSON_SLOTS 256
#define SOCK_JSON_MAX 384

static struct sock_json {
	bool used;
	struct sockinfo key;
	size_t len;
	char text[SOCK_JSON_MAX];
} sock_json[SOCK_JSON_SLOTS];

static void json_socket(struct buf *b, const struct sockinfo *s)
{
	struct sock_json *c = &sock_json[hash_bytes(HASH_SEED, &s->id, sizeof(s->id)) % SOCK_JSON_SLOTS];
	struct buf cb;

	if (!c->used || memcmp(&c->key, s, sizeof(*s))) {
		buf_init(&cb, c->text, sizeof(c->text));
		json_socket_members(&cb, s);
		c->used = !cb.overflow;
		c->key = *s;
		c->len = cb.len;
		if (cb.overflow) {
			json_socket_members(b, s);
			return;
		}
	}
	buf_add(b, c->text, c->len);
}

void format_json(struct buf *b, const struct event *e, const struct fmt *f)
{
	const struct kind_info *k = kind_info(e->h.kind);
	const struct event_head *h = &e->h;

	buf_str(b, "{\"time\":\"");
	format_time(b, wall_ns(h->who.ts_ns, f->realtime_off));
	buf_char(b, '"');
	field_str(b, ",\"event\":", k->name);
	field_num(b, ",\"pid\":", h->who.pid);
	/* Its pid in its own namespace, where that says more than pid. */
	if (h->who.nspid && h->who.nspid != h->who.pid)
		field_num(b, ",\"nspid\":", h->who.nspid);
	field_num(b, ",\"tid\":", h->who.tid);
	field_num(b, ",\"uid\":", h->who.uid);
	buf_str(b, ",\"comm\":");
	json_string(b, h->who.comm, sizeof(h->who.comm));
	json_process(b, &h->who, f);
	if (k->socket) {
		json_socket(b, &h->sock);
		if (cgnames_get(f->names, h->sock.cgroup)) {
			buf_str(b, ",\"container\":");
			json_string(b, cgnames_get(f->names, h->sock.cgroup), 80);
		}
	}
	json_part[e->h.kind](b, e);
	buf_str(b, "}\n");
}

void json_connect(struct buf *b, const struct event *e)
{
	bool async = e->h.flags & EVF_ASYNC;

	if (e->connect.ret < 0 && (e->connect.ret != -EINPROGRESS || async))
		json_error(b, e->connect.ret);
	else
		field_i64(b, ",\"ret\":", e->connect.ret);
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

void json_listen(struct buf *b, const struct event *e)
{
	if (e->listen.ret < 0)
		json_error(b, e->listen.ret);
	else
		buf_str(b, ",\"ret\":0");
	field_num(b, ",\"backlog\":", e->listen.backlog);
}

void json_disconnect(struct buf *b, const struct event *e)
{
	(void)b, (void)e;
}

void json_open(struct buf *b, const struct event *e)
{
	field_str(b, ",\"origin\":", origin_name(e->h.sock.origin));
	if (e->h.flags & EVF_LISTENING)
		buf_str(b, ",\"listening\":true");
}

void json_io(struct buf *b, const struct event *e)
{
	field_str(b, ",\"call\":", call_name(e->io.call));
	if (e->io.ret >= 0)
		field_num(b, ",\"bytes\":", e->io.ret);
	else
		json_error(b, e->io.ret);
	/* The peer the call named: a send's destination, a receive's
	 * source. */
	if (e->h.flags & EVF_DEST)
		buf_str(b, e->h.kind == EV_SEND ? ",\"dest_arg\":true" : ",\"source_arg\":true");
	if (e->h.flags & EVF_DEST_USER)
		buf_str(b, e->h.kind == EV_SEND ? ",\"dest_verified\":false" : ",\"source_verified\":false");
}

void json_close(struct buf *b, const struct event *e)
{
	const struct ev_close *c = &e->close;

	field_str(b, ",\"reason\":", reason_name(c->reason));
	field_str(b, ",\"origin\":", origin_name(e->h.sock.origin));
	field_str(b, ",\"dir\":", dir_name(e->h.sock.dir));
	field_num(b, ",\"duration_ns\":", c->duration_ns);
	field_num(b, ",\"sent_bytes\":", c->totals.sent_bytes);
	field_num(b, ",\"sends\":", c->totals.sends);
	field_num(b, ",\"recv_bytes\":", c->totals.recv_bytes);
	field_num(b, ",\"recvs\":", c->totals.recvs);
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

