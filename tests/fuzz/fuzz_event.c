// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * libFuzzer target: arbitrary bytes as ring buffer records (and as comm
 * strings) through the decoder (brief records too, against the sockets of
 * earlier inputs), the summary table and both output formats.
 * Every JSON line must parse, every text line must hold no control byte,
 * and nothing may overflow (the build adds ASan and UBSan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "briefs.h"
#include "connview.h"
#include "escape.h"
#include "format.h"
#include "kinds.h"
#include "peertab.h"
#include "procinfo.h"
#include "proctab.h"
#include "top.h"
#include "metrics.h"
#include "escape.h"

/* An independent strict checker for the JSON our formats produce: one
 * object of string and integer values. */
struct cur {
	const unsigned char *p, *end;
};

static int utf8_ok(struct cur *c)
{
	unsigned int b = *c->p, n, cp, min;

	if (b < 0x80)
		return ++c->p, 1;
	if ((b & 0xe0) == 0xc0)
		n = 1, cp = b & 0x1f, min = 0x80;
	else if ((b & 0xf0) == 0xe0)
		n = 2, cp = b & 0x0f, min = 0x800;
	else if ((b & 0xf8) == 0xf0)
		n = 3, cp = b & 0x07, min = 0x10000;
	else
		return 0;
	if (c->end - c->p <= (long)n)
		return 0;
	for (unsigned int i = 1; i <= n; i++) {
		if ((c->p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (c->p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	c->p += n + 1;
	return 1;
}

static int string_ok(struct cur *c)
{
	if (c->p >= c->end || *c->p++ != '"')
		return 0;
	while (c->p < c->end && *c->p != '"') {
		if (*c->p < 0x20)
			return 0;
		if (*c->p == '\\') {
			c->p++;
			if (c->p >= c->end)
				return 0;
			if (*c->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (c->p + i >= c->end || !strchr("0123456789abcdefABCDEF", c->p[i]) || !c->p[i])
						return 0;
				c->p += 5;
			} else if (strchr("\"\\/bfnrt", *c->p) && *c->p) {
				c->p++;
			} else {
				return 0;
			}
		} else if (!utf8_ok(c)) {
			return 0;
		}
	}
	return c->p++ < c->end;
}

static int number_ok(struct cur *c)
{
	const unsigned char *start;

	if (c->p < c->end && *c->p == '-')
		c->p++;
	start = c->p;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

static int object_ok(struct cur *c)
{
	if (c->p >= c->end || *c->p++ != '{')
		return 0;
	for (;;) {
		if (!string_ok(c) || c->p >= c->end || *c->p++ != ':')
			return 0;
		if (c->end - c->p >= 4 && !memcmp(c->p, "true", 4))
			c->p += 4;
		else if (c->end - c->p >= 5 && !memcmp(c->p, "false", 5))
			c->p += 5;
		else if (c->p < c->end && *c->p == '"' ? !string_ok(c) : !number_ok(c))
			return 0;
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		return c->p < c->end && *c->p++ == '}';
	}
}

static void check_json_line(const char *s, size_t n)
{
	struct cur c = { (const unsigned char *)s, (const unsigned char *)s + n };

	if (n < 2 || s[n - 1] != '\n')
		abort();
	c.end--;
	if (!object_ok(&c) || c.p != c.end)
		abort();
}

/* A --top JSON frame: one line, no raw control byte (its own values
 * were checked as the events' are: the same writers). */
static void check_json_frame(const char *s, size_t n)
{
	if (n < 3 || s[0] != '{' || s[n - 2] != '}' || s[n - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)s[i] < 0x20)
			abort();
}

static void check_text_line(const char *s, size_t n)
{
	if (n < 1 || s[n - 1] != '\n')
		abort();
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct proctab *tab;
	static struct peertab *peers;
	static struct briefs *briefs;
	static struct connview *view;
	static struct top *top;
	static struct procinfo *procs;
	static struct metrics *metrics;
	struct snapshot snap = { 0 };
	char mem[LINE_MAX_LEN];
	struct event e;
	struct buf b;

	if (!tab || proctab_nprocs(tab) > 100000) {
		proctab_free(tab);
		tab = proctab_new();
		peertab_free(peers);
		peers = peertab_new();
	}
	if (!briefs || briefs_count(briefs) > 100000) {
		briefs_free(briefs);
		briefs = briefs_new();
		connview_free(view);
		view = connview_new();
		top_free(top);
		top = top_new();
		procinfo_free(procs);
		procs = procinfo_new();
		metrics_free(metrics);
		metrics = metrics_new(3, 60);
	}
	memcpy(&snap, data, size < sizeof(snap) ? size : sizeof(snap));
	proctab_open_at_end(tab, &snap);
	if (briefs_take(briefs, data, size, &e) == RECORD_BAD)
		return 0;
	proctab_event(tab, &e);
	peertab_event(peers, &e);
	/* The bytes as who the event's process is, too: names, lengths. */
	{
		struct proc_record r;

		memset(&r, 0, sizeof(r));
		memcpy(&r, data, size < sizeof(r) ? size : sizeof(r));
		r.kind = REC_PROCESS;
		r.who.pid = e.h.who.pid;
		r.who.pstart = e.h.who.pstart;
		procinfo_note(procs, &r, sizeof(r), false);
	}

	buf_init(&b, mem, sizeof(mem));
	struct fmt f = { .realtime_off = (int64_t)(size > sizeof(e) ? data[sizeof(e)] : 0) << 40 };
	unsigned char style = size > sizeof(e) + 1 ? data[sizeof(e) + 1] : 0;

	/* Every time column and the UID column, narrow or wide lines (the
	 * connection view's time column too), from the input. */
	f.time = style % 3;
	f.uid = style & 4;
	f.width = style & 8 ? 0 : 80 + (style >> 6) * 30;
	f.time_shown = style & 16;
	f.procs = style & 2 ? procs : NULL;
	f.start_real_ns = (int64_t)(style >> 3) << 36;

	format_json(&b, &e, &f);
	if (b.overflow)
		abort();	/* LINE_MAX_LEN must hold any event */
	check_json_line(mem, b.len);

	buf_init(&b, mem, sizeof(mem));
	format_text(&b, &e, &f);
	if (b.overflow)
		abort();
	check_text_line(mem, b.len);

	/* The connection view: a line, or none, or one per event it ends. */
	buf_init(&b, mem, sizeof(mem));
	connview_event(view, &b, &e, &f);
	if (b.overflow)
		abort();
	if (b.len)
		check_text_line(mem, b.len);

	/* --top: the event counted; now and then a frame of what it holds. */
	top_event(top, &e);
	if (style & 32) {
		struct top_view tv = { .json = style & 64, .redraw = style & 128, .rows = 1 + style % 5,
				       .sort = style % TOP_SORTS_N, .interval = 1 };
		char *frame = NULL;
		size_t frame_len = 0;
		FILE *fm = open_memstream(&frame, &frame_len);

		if (fm) {
			top_frame(top, fm, &tv, f.realtime_off);
			fclose(fm);
			/* JSON: one line, which must parse. */
			if (tv.json && frame)
				check_json_frame(frame, frame_len);
		}
		free(frame);
	}

	/* --metrics: the event counted under names of any bytes; now and
	 * then the exposition, which must stay valid UTF-8 without a control
	 * character but the line ends, whatever the names. */
	{
		char cgroup[24] = "";

		memcpy(cgroup, data, size < sizeof(cgroup) - 1 ? size : sizeof(cgroup) - 1);
		metrics_event(metrics, &e, e.h.who.comm, style & 2 ? cgroup : NULL, (int64_t)(style & 7) * 1000000000);
	}
	if ((style & 0x18) == 0x18) {
		struct metrics_health h = { 0 };
		char *text = NULL;
		size_t len = 0;
		FILE *fm = open_memstream(&text, &len);

		if (fm) {
			metrics_expire(metrics, 61000000000LL);
			metrics_write(metrics, &h, fm);
			fclose(fm);
			for (size_t i = 0; text && i < len;) {
				const unsigned char *u = (const unsigned char *)text + i;
				size_t n = *u < 0x80 ? 1 : utf8_len(u, len - i);

				if (!n || (*u < 0x20 && *u != '\n') || *u == 0x7f)
					abort();
				i += n;
			}
		}
		free(text);
	}

	/* The bytes as a comm of any length. */
	buf_init(&b, mem, sizeof(mem) - 1);
	json_string(&b, (const char *)data, size < 64 ? size : 64);
	mem[b.len++] = '\n';
	{
		struct cur c = { (const unsigned char *)mem, (const unsigned char *)mem + b.len - 1 };

		if (!string_ok(&c) || c.p != c.end)
			abort();
	}
	return 0;
}
