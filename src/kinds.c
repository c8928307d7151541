// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include "kinds.h"

static const struct kind_info kinds[EV_KINDS] = {
#define KIND_ROW(ID, name, number, part, fields, socket, shown, help) \
	[EV_##ID] = { #name, EVENT_SIZE(part), socket, shown, help },
	EVENT_KINDS(KIND_ROW)
#undef KIND_ROW
};

bool event_decode(const void *data, size_t size, struct event *e)
{
	const struct kind_info *k;
	size_t n = size < sizeof(*e) ? size : sizeof(*e);

	/* The record, then zeros past it, each by the C library's small
	 * copies: a size the compiler knows the bound of, it writes with rep
	 * movs and rep stos, whose start-up was 6% of the reader's time
	 * (perf). The empty asm hides the bound. */
	__asm__("" : "+r"(n));
	memcpy(e, data, n);
	memset((char *)e + n, 0, sizeof(*e) - n);
	k = size >= sizeof(e->h) ? kind_info(e->h.kind) : NULL;
	return k && size >= k->size;
}

const struct kind_info *kind_info(unsigned int kind)
{
	return kind < EV_KINDS && kinds[kind].name ? &kinds[kind] : NULL;
}

uint32_t kinds_default(void)
{
	uint32_t mask = 0;

	for (unsigned int i = 0; i < EV_KINDS; i++)
		if (kinds[i].name && kinds[i].shown)
			mask |= EV_BIT(i);
	return mask;
}

static int kind_by_name(const char *s, size_t n)
{
	for (unsigned int i = 0; i < EV_KINDS; i++)
		if (kinds[i].name && strlen(kinds[i].name) == n && !strncmp(kinds[i].name, s, n))
			return i;
	return -1;
}

int kinds_parse(const char *list, uint32_t *mask, char *err, size_t errlen)
{
	const char *p = list;
	uint32_t m = 0;

	if (!strcmp(list, "none")) {
		*mask = 0;
		return 0;
	}
	if (!strcmp(list, "all")) {
		for (unsigned int i = 0; i < EV_KINDS; i++)
			if (kinds[i].name)
				m |= EV_BIT(i);
		*mask = m;
		return 0;
	}
	for (;;) {
		size_t n = strcspn(p, ",");
		int k = kind_by_name(p, n);

		if (k < 0) {
			char names[256];
			struct buf b;

			buf_init(&b, names, sizeof(names) - 1);
			kinds_names(&b, false);
			names[b.len] = '\0';
			snprintf(err, errlen, "--events: unknown kind '%.*s' (kinds: %s, or all, or none)",
				 (int)(n > 32 ? 32 : n), p, names);
			return 2;
		}
		m |= EV_BIT(k);
		if (!p[n])
			break;
		p += n + 1;
	}
	*mask = m;
	return 0;
}

void kinds_names(struct buf *b, bool shown_only)
{
	const char *sep = "";

	for (unsigned int i = 0; i < EV_KINDS; i++) {
		if (!kinds[i].name || (shown_only && !kinds[i].shown))
			continue;
		buf_fmt(b, "%s%s", sep, kinds[i].name);
		sep = ",";
	}
}

void kinds_help(struct buf *b)
{
	for (unsigned int i = 0; i < EV_KINDS; i++)
		if (kinds[i].name)
			buf_fmt(b, "  %-11s %s%s\n", kinds[i].name, kinds[i].help, kinds[i].shown ? "" : " (not by default)");
}

bool close_is_probe(const struct event *e)
{
	return e->h.kind == EV_CLOSE && e->h.sock.ends.proto == IPPROTO_UDP && e->h.sock.origin == ORIGIN_CONNECT &&
	       !e->close.totals.sends && !e->close.totals.recvs;
}
