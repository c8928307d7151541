// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <stdio.h>
#include <string.h>
#include "format.h"
#include "kinds.h"

/* send and recv are not shown unless asked for: a line per read and
 * write floods a terminal, and the close event carries the totals. */
static const struct kind_info kinds[EV_KINDS] = {
	[EV_CONNECT] = { "connect", EVENT_SIZE(struct ev_connect), true, true, json_connect, text_connect,
			 "connect() results, and how a connect in progress ended" },
	[EV_ACCEPT] = { "accept", sizeof(struct event_head), true, true, json_accept, text_accept,
			"connections accepted" },
	[EV_OPEN] = { "open", sizeof(struct event_head), true, true, json_open, text_open,
		      "sockets followed from before tracing, from first use, or inherited" },
	[EV_SEND] = { "send", EVENT_SIZE(struct ev_io), true, false, json_io, text_io,
		      "each send, whatever the syscall" },
	[EV_RECV] = { "recv", EVENT_SIZE(struct ev_io), true, false, json_io, text_io,
		      "each receive, whatever the syscall" },
	[EV_CLOSE] = { "close", EVENT_SIZE(struct ev_close), true, true, json_close, text_close,
		       "the end of a socket's descriptor, with its totals" },
	[EV_UNTRACED] = { "untraced", EVENT_SIZE(struct ev_untraced), false, true, json_untraced,
			  text_untraced, "processes using sockets where socktrace cannot follow" },
	[EV_DISCONNECT] = { "disconnect", sizeof(struct event_head), true, true, json_accept, text_disconnect,
			    "connect(AF_UNSPEC): a socket's peer dissolved" },
};

bool event_decode(const void *data, size_t size, struct event *e)
{
	const struct kind_info *k;

	memset(e, 0, sizeof(*e));
	memcpy(e, data, size < sizeof(*e) ? size : sizeof(*e));
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
			snprintf(err, errlen, "--events: unknown kind '%.*s' (kinds: %s, or all)",
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
