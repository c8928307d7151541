// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "escape.h"

size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned int c = s[0], min, cp;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF
	 * are not UTF-8. */
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static size_t bounded_len(const char *s, size_t n)
{
	const char *end = memchr(s, '\0', n);

	return end ? (size_t)(end - s) : n;
}

void json_string(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	n = bounded_len(s, n);
	buf_char(b, '"');
	while (i < n) {
		unsigned char c = u[i];

		/* A run of printable ASCII, which most names are: at once. */
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			k = i + 1;
			while (k < n && u[k] >= 0x20 && u[k] < 0x7f && u[k] != '"' && u[k] != '\\')
				k++;
			buf_add(b, u + i, k - i);
			i = k;
			continue;
		}
		switch (c) {
		case '"': buf_str(b, "\\\""); break;
		case '\\': buf_str(b, "\\\\"); break;
		case '\b': buf_str(b, "\\b"); break;
		case '\f': buf_str(b, "\\f"); break;
		case '\n': buf_str(b, "\\n"); break;
		case '\r': buf_str(b, "\\r"); break;
		case '\t': buf_str(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char esc[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

				buf_add(b, esc, sizeof(esc));
			} else if (c < 0x80) {
				buf_char(b, c);
			} else if ((k = utf8_len(u + i, n - i))) {
				buf_add(b, u + i, k);
				i += k;
				continue;
			} else {
				buf_str(b, "\\ufffd");
			}
		}
		i++;
	}
	buf_char(b, '"');
}

/* The code point of a valid UTF-8 sequence of k bytes. */
static unsigned int utf8_cp(const unsigned char *s, size_t k)
{
	unsigned int cp = k == 1 ? s[0] : s[0] & (0x3f >> (k - 1));

	for (size_t i = 1; i < k; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/* Printable, yet able to deceive on a terminal: the C1 controls, which
 * terminals obey, and the characters that reorder text (bidi controls)
 * or break or hide it (line and paragraph separators, zero-width ones). */
static bool deceives(unsigned int cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff ||
	       (cp >= 0xfff9 && cp <= 0xfffb);
}

/* Terminal columns of a printable code point: 2 for the wide ones of
 * East Asian scripts and emoji, 1 otherwise. */
static size_t cp_cols(unsigned int cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	       (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	       (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	       (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	       (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd) ? 2 : 1;
}

/* The next unit of s for a terminal (a character, or its escape) into
 * out; its bytes in s to *used; its columns returned. */
static size_t text_unit(const unsigned char *u, size_t n, char out[8], size_t *len, size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = u[0];
	size_t k;

	*used = 1;
	if (c == '\\') {
		memcpy(out, "\\\\", 2);
		*len = 2;
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = c;
		*len = 1;
		return 1;
	}
	if (c >= 0x80 && (k = utf8_len(u, n)) > 1) {
		unsigned int cp = utf8_cp(u, k);

		*used = k;
		if (deceives(cp)) {
			*len = snprintf(out, 8, "\\u%04x", cp);
			return *len;
		}
		memcpy(out, u, k);
		*len = k;
		return cp_cols(cp);
	}
	out[0] = '\\', out[1] = 'x', out[2] = hex[c >> 4], out[3] = hex[c & 15];
	*len = 4;
	return 4;
}

size_t text_field(struct buf *b, const char *s, size_t n, size_t width)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, cols = 0, total = 0, len, used;
	char unit[8];

	n = bounded_len(s, n);
	for (i = 0; i < n; i += used)
		total += text_unit(u + i, n - i, unit, &len, &used);
	for (i = 0; i < n; i += used) {
		size_t c = text_unit(u + i, n - i, unit, &len, &used);

		/* Cut: what fits before a '~' that says so. */
		if (width && total > width && cols + c > width - 1) {
			buf_char(b, '~');
			return cols + 1;
		}
		buf_add(b, unit, len);
		cols += c;
	}
	return cols;
}

size_t text_width(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, total = 0, len, used;
	char unit[8];

	n = bounded_len(s, n);
	for (i = 0; i < n; i += used)
		total += text_unit(u + i, n - i, unit, &len, &used);
	return total;
}

void text_string(struct buf *b, const char *s, size_t n)
{
	text_field(b, s, n, 0);
}
