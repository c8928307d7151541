// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Who each process is: records kept, arguments joined, bounds held. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "format.h"
#include "procinfo.h"

static struct proc_record rec(uint32_t pid, uint64_t pstart, const char *name, const char *args, size_t n)
{
	struct proc_record r;

	memset(&r, 0xee, sizeof(r));	/* whatever the kernel left there */
	r.kind = REC_PROCESS;
	r.who.pid = pid;
	r.who.pstart = pstart;
	r.ppid = 1;
	memset(r.name, 0, sizeof(r.name));
	strncpy(r.name, name, sizeof(r.name) - 1);
	memcpy(r.exe, "dig\0", 4);
	memcpy(r.cmdline, args, n);
	r.cmdline_len = n;
	return r;
}

int main(void)
{
	struct procinfo *p = procinfo_new();
	struct proc_record r = rec(42, 7, "dig", "dig\0@127.0.0.1\0example.test\0", 29);
	struct fmt f = { .procs = p };
	struct who w = { .pid = 42, .pstart = 7, .comm = "isc-net-0000" };
	const struct proc_info *i;

	CHECK(procinfo_is_record(&r, sizeof(r)));
	CHECK(!procinfo_is_record(&r, sizeof(r) - 1));
	CHECK(procinfo_note(p, &r, sizeof(r), false) == 0);
	i = procinfo_get(p, 42, 7);
	CHECK(i && !strcmp(i->name, "dig") && !strcmp(i->exe, "dig") && i->ppid == 1);
	CHECK(i && !strcmp(i->cmdline, "dig @127.0.0.1 example.test"));
	/* Text names the process, not its thread. */
	CHECK(!strcmp(who_name(&w, &f), "dig"));
	/* Another process with the same pid (a reused one) is not it. */
	CHECK(procinfo_get(p, 42, 8) == NULL);
	w.pstart = 8;
	CHECK(!strcmp(who_name(&w, &f), "isc-net-0000"));
	/* Told again after an exec: the new program. */
	r = rec(42, 7, "curl", "curl\0-s\0", 8);
	procinfo_note(p, &r, sizeof(r), false);
	i = procinfo_get(p, 42, 7);
	CHECK(i && !strcmp(i->name, "curl") && !strcmp(i->cmdline, "curl -s"));
	/* Told again under the same name without arguments (read from /proc
	 * the first time): those are kept. */
	r = rec(42, 7, "curl", "", 0);
	procinfo_note(p, &r, sizeof(r), false);
	CHECK(!strcmp(procinfo_get(p, 42, 7)->cmdline, "curl -s"));
	/* Hostile lengths and unterminated names stay in bounds. */
	r = rec(43, 1, "0123456789abcdef", "x", 1);
	memset(r.name, 'n', sizeof(r.name));
	memset(r.exe, 'e', sizeof(r.exe));
	memset(r.cmdline, 'a', sizeof(r.cmdline));
	r.cmdline_len = 65535;
	procinfo_note(p, &r, sizeof(r), false);
	i = procinfo_get(p, 43, 1);
	CHECK(i && strlen(i->name) == COMM_LEN - 1 && strlen(i->exe) == EXE_LEN - 1 &&
	      strlen(i->cmdline) == CMDLINE_LEN);
	/* No arguments readable: none, and /proc read when allowed (our own). */
	r = rec((uint32_t)getpid(), 2, "test", "", 0);
	procinfo_note(p, &r, sizeof(r), true);
	i = procinfo_get(p, (uint32_t)getpid(), 2);
	CHECK(i && strstr(i->cmdline, "test_procinfo") != NULL);
	procinfo_free(p);
	return check_done("procinfo");
}
