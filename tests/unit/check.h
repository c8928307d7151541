/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* The unit tests' only machinery: CHECK, and a closing tally line. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int checks_passed, checks_failed;

#define CHECK(cond) do { \
	if (cond) { \
		checks_passed++; \
	} else { \
		checks_failed++; \
		fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!strcmp(g_, w_)) { \
		checks_passed++; \
	} else { \
		checks_failed++; \
		fprintf(stderr, "%s:%d: got  '%s'\n%*swant '%s'\n", __FILE__, __LINE__, \
			g_, (int)strlen(__FILE__) + 8, "", w_); \
	} \
} while (0)

static inline int check_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, checks_passed, checks_failed);
	return checks_failed ? 1 : 0;
}

#endif
