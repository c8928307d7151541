// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "buf.h"
#include "names.h"

#define NAME(table, i) ((i) < sizeof(table) / sizeof(table[0]) && table[i] ? table[i] : "unknown")

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
	struct buf b;

	if (family == AF_INET6) {
		if (!inet_ntop(AF_INET6, addr, out, INET6_ADDRSTRLEN))
			snprintf(out, INET6_ADDRSTRLEN, "?");
		return;
	}
	/* inet_ntop's IPv4 text, without the sprintf it makes it with. */
	buf_init(&b, out, INET6_ADDRSTRLEN - 1);
	for (int i = 0; i < 4; i++) {
		if (i)
			buf_char(&b, '.');
		buf_u64(&b, addr[i]);
	}
	out[b.len] = '\0';
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

/* fn(i): the word of the row numbered i of a shared table, "unknown" for a
 * number no row has (a record is not to be trusted). */
#define WORDS(fn, TABLE, ROW)							\
	const char *fn(uint8_t i)						\
	{									\
		static const char *const words[] = { TABLE(ROW) };		\
										\
		return NAME(words, i);						\
	}

#define REASON_WORD(ID, name, help) [REASON_##ID] = name,
#define ORIGIN_WORD(ID, name, text) [ORIGIN_##ID] = name,
#define ORIGIN_TEXT(ID, name, text) [ORIGIN_##ID] = text,
#define DIR_WORD(ID, name) [DIR_##ID] = name,
#define CALL_WORD(name, send, how) [CALL_##name] = #name,

WORDS(reason_name, CLOSE_REASONS, REASON_WORD)
WORDS(origin_name, ORIGINS, ORIGIN_WORD)
WORDS(origin_text, ORIGINS, ORIGIN_TEXT)
WORDS(dir_name, DIRECTIONS, DIR_WORD)
WORDS(call_name, IO_CALLS, CALL_WORD)

const char *untraced_why(uint32_t why)
{
	return why == UNTRACED_COMPAT ? "32-bit syscalls" : "unknown";
}
