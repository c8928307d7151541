// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * Reader of the socktrace benchmark's latency test: reads lines from stdin
 * (socktrace's stdout, through a pipe) and prints each one prefixed with the
 * CLOCK_REALTIME, in ns, at which the read that completed it returned:
 *
 *   socktrace | stamp > FILE      FILE: "<arrival_ns> <line>" per line
 *
 * Lines are written out only at end of input, so that writing does not
 * delay reading.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct line {
	int64_t t;
	char *s;
};

int main(void)
{
	static char buf[1 << 16];
	struct line *lines = NULL;
	size_t n = 0, cap = 0, have = 0;
	char *partial = NULL;
	size_t plen = 0;

	for (;;) {
		ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
		struct timespec ts;
		int64_t t;
		char *p, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("stamp: read");
			return 1;
		}
		if (r == 0)
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		t = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		have = (size_t)r;
		p = buf;
		while ((nl = memchr(p, '\n', have - (size_t)(p - buf)))) {
			size_t len = (size_t)(nl - p);
			char *s = malloc(plen + len + 1);

			if (!s)
				return 1;
			if (plen)
				memcpy(s, partial, plen);
			memcpy(s + plen, p, len);
			s[plen + len] = 0;
			free(partial);
			partial = NULL;
			plen = 0;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				lines = realloc(lines, cap * sizeof(*lines));
				if (!lines)
					return 1;
			}
			lines[n].t = t;
			lines[n].s = s;
			n++;
			p = nl + 1;
		}
		if (p < buf + have) {
			size_t len = have - (size_t)(p - buf);

			partial = realloc(partial, plen + len);
			if (!partial)
				return 1;
			memcpy(partial + plen, p, len);
			plen += len;
		}
	}
	for (size_t i = 0; i < n; i++)
		printf("%lld %s\n", (long long)lines[i].t, lines[i].s);
	return fflush(stdout) ? 1 : 0;
}
