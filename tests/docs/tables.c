// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * The shared tables (socktrace.h, kernel_features.h) as one JSON object,
 * for tests/docs/check.sh to hold the schema, README and man page against:
 * a row added to a table and not to the documents fails the check.
 */
#include <linux/types.h>
#include <stdio.h>
#include "kernel_features.h"
#include "socktrace.h"

static const char *sep, *list_sep = "";

static void item(const char *s)
{
	printf("%s\"%s\"", sep, s);
	sep = ",";
}

/* The start of the list named key; the caller ends it. */
static void list(const char *key)
{
	printf("%s\"%s\":[", list_sep, key);
	list_sep = ",";
	sep = "";
}

int main(void)
{
	printf("{");
	list("kinds");
#define KIND(ID, name, number, part, fields, socket, shown, help) item(#name);
	EVENT_KINDS(KIND)
#undef KIND
	printf("]");
	list("default_kinds");
#define SHOWN(ID, name, number, part, fields, socket, shown, help) if (shown) item(#name);
	EVENT_KINDS(SHOWN)
#undef SHOWN
	printf("]");
	list("socket_kinds");
#define SOCKET(ID, name, number, part, fields, socket, shown, help) if (socket) item(#name);
	EVENT_KINDS(SOCKET)
#undef SOCKET
	printf("]");
	list("reasons");
#define REASON(ID, name, help) item(name);
	CLOSE_REASONS(REASON)
#undef REASON
	printf("]");
	list("origins");
#define ORIGIN(ID, name, text) item(name);
	ORIGINS(ORIGIN)
#undef ORIGIN
	printf("]");
	list("dirs");
#define DIR(ID, name) item(name);
	DIRECTIONS(DIR)
#undef DIR
	printf("]");
	list("calls");
#define CALL(name, send, how) item(#name);
	IO_CALLS(CALL)
#undef CALL
	printf("]");
	list("counters");
#define COUNTER(name, help) item(#name);
	KERNEL_COUNTERS(COUNTER)
#undef COUNTER
	printf("]");
	list("features");
#define FEATURE(id, key, label, fallback) item(key);
	KERNEL_FEATURES(FEATURE)
#undef FEATURE
	printf("]}\n");
	return 0;
}
