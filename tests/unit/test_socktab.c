// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <stdlib.h>
#include "check.h"
#include "socktab.h"

int main(void)
{
	struct socktab *t = socktab_new();
	const struct proc_stats *p;
	const struct sock *s;
	struct sock last;

	CHECK(t != NULL);
	CHECK(socktab_connect(t, 100, 3, "curl", 0x0100007f, 80, 1000, 1) == 0);
	CHECK(socktab_connect(t, 100, 4, "curl", 0x0100007f, 81, 1000, 0) == 0);
	CHECK(socktab_connect(t, 200, 3, "wget", 0x0200007f, 443, 2000, 1) == 0);
	/* Same fd number, other process: another socket. */
	CHECK(socktab_nsocks(t) == 2);
	CHECK(socktab_send(t, 100, 3, 81) == 0);
	CHECK(socktab_send(t, 100, 3, 19) == 0);
	CHECK(socktab_send(t, 100, 3, -EPIPE) == 0);
	CHECK(socktab_send(t, 200, 3, 5) == 0);
	s = socktab_find(t, 100, 3);
	CHECK(s && s->bytes == 100 && s->sends == 2 && s->dport == 80);
	s = socktab_find(t, 200, 3);
	CHECK(s && s->bytes == 5 && s->sends == 1);
	CHECK(socktab_find(t, 100, 4) == NULL);	/* failed connect */

	p = socktab_proc(t, 100);
	CHECK(p && p->opened == 1 && p->failed == 1 && p->bytes == 100 && p->open_now == 1);
	CHECK(socktab_close(t, 100, 3, &last) == 0);
	CHECK(last.bytes == 100 && last.sends == 2 && last.start_ns == 1000);
	CHECK(socktab_find(t, 100, 3) == NULL);
	CHECK(p->open_now == 0 && p->opened == 1);
	/* The fd number is reused at once: a new socket, totals from zero. */
	CHECK(socktab_connect(t, 100, 3, "curl", 0x0100007f, 8080, 3000, 1) == 0);
	s = socktab_find(t, 100, 3);
	CHECK(s && s->bytes == 0 && s->sends == 0 && s->dport == 8080);
	CHECK(p->opened == 2 && p->open_now == 1);
	/* A close of an fd that was never tracked changes nothing. */
	CHECK(socktab_close(t, 100, 9, NULL) == 0 && p->open_now == 1);
	/* A process that renames itself is shown by its last name. */
	CHECK(socktab_connect(t, 100, 5, "renamed", 0x0100007f, 80, 4000, 1) == 0);
	CHECK_STR(p->comm, "renamed");

	/* Many sockets: the table grows and stays exact. */
	for (int fd = 10; fd < 5000; fd++)
		socktab_connect(t, 300, fd, "many", 1, fd, fd, 1);
	CHECK(socktab_nsocks(t) == 4990 + 3);
	for (int fd = 10; fd < 5000; fd += 2)
		socktab_close(t, 300, fd, NULL);
	CHECK(socktab_nsocks(t) == 2495 + 3);
	s = socktab_find(t, 300, 4999);
	CHECK(s && s->dport == 4999);
	CHECK(socktab_nprocs(t) == 3);
	socktab_free(t);
	return check_done("socktab");
}
