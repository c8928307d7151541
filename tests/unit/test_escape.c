// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include "check.h"
#include "escape.h"

/* One escaper's output for s, as a C string. */
static const char *run(void (*escape)(struct buf *, const char *, size_t), const char *s, size_t n)
{
	static char mem[256];
	struct buf b;

	buf_init(&b, mem, sizeof(mem) - 1);
	escape(&b, s, n);
	mem[b.len] = '\0';
	return mem;
}

#define json(s, n) run(json_string, s, n)
#define text(s, n) run(text_string, s, n)

int main(void)
{
	CHECK_STR(json("curl", 16), "\"curl\"");
	CHECK_STR(json("a\"b\\c", 16), "\"a\\\"b\\\\c\"");
	CHECK_STR(json("\n\r\t\b\f", 16), "\"\\n\\r\\t\\b\\f\"");
	CHECK_STR(json("\x01\x1f\x7f", 16), "\"\\u0001\\u001f\\u007f\"");
	/* Valid UTF-8 stays; invalid bytes are replaced, one each. */
	CHECK_STR(json("caf\xc3\xa9", 16), "\"caf\xc3\xa9\"");
	CHECK_STR(json("\xff\xfe", 16), "\"\\ufffd\\ufffd\"");
	CHECK_STR(json("\xc3", 16), "\"\\ufffd\"");		/* cut sequence */
	CHECK_STR(json("\xc0\xaf", 16), "\"\\ufffd\\ufffd\"");	/* overlong '/' */
	CHECK_STR(json("\xed\xa0\x80", 16), "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	CHECK_STR(json("\xf4\x90\x80\x80", 16), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");	/* > U+10FFFF */
	CHECK_STR(json("\xf0\x9f\x98\x80", 16), "\"\xf0\x9f\x98\x80\"");
	/* Bounded by n when there is no NUL, as with a full comm. */
	CHECK_STR(json("0123456789abcdefXYZ", 16), "\"0123456789abcdef\"");
	CHECK_STR(json("ab\0cd", 16), "\"ab\"");

	CHECK_STR(text("curl", 16), "curl");
	CHECK_STR(text("a b\\c", 16), "a b\\\\c");
	CHECK_STR(text("\x1b[2J\n", 16), "\\x1b[2J\\x0a");
	CHECK_STR(text("caf\xc3\xa9\xff", 16), "caf\xc3\xa9\\xff");
	CHECK_STR(text("\xc2\x9b", 16), "\\u009b");	/* C1 control CSI */
	/* Text that reorders or breaks a line: U+202E, U+2028, U+2066, U+200F. */
	CHECK_STR(text("a\xe2\x80\xae" "b\xe2\x80\xa8" "c", 16), "a\\u202eb\\u2028c");
	CHECK_STR(text("\xe2\x81\xa6\xe2\x80\x8f", 16), "\\u2066\\u200f");
	CHECK_STR(text("\xe2\x80\x94", 16), "\xe2\x80\x94");	/* an em dash is only text */

	/* Within a width of columns: whole if it fits, else cut at a whole
	 * character or escape, with a '~'; the columns it took. */
	{
		char mem[64];
		struct buf b;
		size_t cols;

#define FIELD(s, w, want, wcols) do {						\
		buf_init(&b, mem, sizeof(mem) - 1);				\
		cols = text_field(&b, s, 16, w);				\
		mem[b.len] = '\0';						\
		CHECK_STR(mem, want);						\
		CHECK(cols == (wcols));						\
	} while (0)
		FIELD("curl", 15, "curl", 4);
		FIELD("0123456789abcde", 15, "0123456789abcde", 15);
		FIELD("\x1b[2J\n", 15, "\\x1b[2J\\x0a", 11);
		FIELD("a\x01\x02\x03\x04", 15, "a\\x01\\x02\\x03~", 14);
		FIELD("caf\xc3\xa9", 4, "caf\xc3\xa9", 4);	/* é: 2 bytes, 1 column */
		FIELD("\xe4\xb8\xad\xe6\x96\x87x", 4, "\xe4\xb8\xad~", 3);	/* 中文: 2 columns each */
		FIELD("abcdef", 0, "abcdef", 6);
#undef FIELD
	}

	/* A full buffer cuts, never overflows. */
	{
		char mem[4];
		struct buf b;

		buf_init(&b, mem, sizeof(mem));
		json_string(&b, "abcdef", 16);
		CHECK(b.len == 4 && b.overflow);
	}
	return check_done("escape");
}
