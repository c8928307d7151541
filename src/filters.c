// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "filters.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

/* A whole decimal number in [min, max]. */
static bool number(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return !*end && !errno && *v >= min && *v <= max;
}

int parse_uid(const char *s, __u32 *uid, char *err, size_t errlen)
{
	unsigned long v;
	struct passwd *pw;

	if (number(s, 0, 4294967294UL, &v)) {
		*uid = v;
		return 0;
	}
	pw = *s ? getpwnam(s) : NULL;
	if (!pw) {
		snprintf(err, errlen, "--uid: '%s' is neither a user id nor a user name here", s);
		return 2;
	}
	*uid = pw->pw_uid;
	return 0;
}

int parse_ports(const char *opt, const char *s, struct ports *p, char *err, size_t errlen)
{
	char item[16];
	unsigned long v;

	for (const char *q = s;; q += strcspn(q, ",") + 1) {
		size_t n = strcspn(q, ",");

		if (n >= sizeof(item) || (memcpy(item, q, n), item[n] = '\0', !number(item, 1, 65535, &v))) {
			snprintf(err, errlen, "--%s: '%.*s' is not a port (1 to 65535)", opt, (int)(n > 16 ? 16 : n), q);
			return 2;
		}
		if (p->n >= PORTS_MAX) {
			snprintf(err, errlen, "--%s: at most %d ports", opt, PORTS_MAX);
			return 2;
		}
		p->port[p->n++] = v;
		if (!q[n])
			return 0;
	}
}

int parse_prefix(const char *s, struct prefix *p, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long bits;

	memset(p, 0, sizeof(*p));
	if (n < sizeof(addr)) {
		memcpy(addr, s, n);
		addr[n] = '\0';
		if (inet_pton(AF_INET, addr, p->addr) == 1)
			p->family = AF_INET;
		else if (inet_pton(AF_INET6, addr, p->addr) == 1)
			p->family = AF_INET6;
	}
	bits = p->family == AF_INET ? 32 : 128;
	if (!p->family || (slash && !number(slash + 1, 0, bits, &bits))) {
		snprintf(err, errlen, "--addr: '%s' is not an IPv4 or IPv6 address or prefix (ADDRESS[/BITS])", s);
		return 2;
	}
	p->bits = bits;
	/* Host bits past the prefix do not count. */
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = bits >= 8 ? 8 : bits;

		p->addr[i] &= (uint8_t)(0xff00 >> keep);
		bits -= keep;
	}
	return 0;
}

int parse_proto(const char *s, __u8 *proto, char *err, size_t errlen)
{
	if (!strcmp(s, "tcp"))
		*proto = IPPROTO_TCP;
	else if (!strcmp(s, "udp"))
		*proto = IPPROTO_UDP;
	else {
		snprintf(err, errlen, "--proto: '%s' is not tcp or udp", s);
		return 2;
	}
	return 0;
}

static bool is_cgroup2(const char *path)
{
	struct statfs fs;

	return !statfs(path, &fs) && fs.f_type == CGROUP2_SUPER_MAGIC;
}

const char *cgroup2_root(void)
{
	return is_cgroup2("/sys/fs/cgroup") ? "/sys/fs/cgroup" :
	       is_cgroup2("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : NULL;
}

int parse_cgroup(const char *s, __u64 *id, char *err, size_t errlen)
{
	const char *root = cgroup2_root();
	char path[4096];
	struct stat st;

	/* A path as given, or under the cgroup v2 root (as /proc/PID/cgroup
	 * shows them). */
	if (stat(s, &st) && root && snprintf(path, sizeof(path), "%s%s%s", root, *s == '/' ? "" : "/", s) <
				    (int)sizeof(path) && !stat(path, &st))
		s = path;
	if (stat(s, &st) || !S_ISDIR(st.st_mode) || !is_cgroup2(s)) {
		snprintf(err, errlen, "--cgroup: '%s' is not a cgroup v2 directory (a path under %s, as "
			 "/proc/PID/cgroup shows it)", s, root ? root : "a cgroup2 mount");
		return 2;
	}
	*id = st.st_ino;
	return 0;
}
