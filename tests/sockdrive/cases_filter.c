// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Sockets for the filter sessions: each case makes sockets that a filter
 * must keep and sockets it must drop, and prints the events of the kept
 * ones only, so it belongs in its filter's session. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sockdrive.h"

/* connect, a send and close, printed or not. */
static void session(struct sk *s, bool print)
{
	char data[16] = { 0 };

	if (!print) {
		if (send(s->fd, data, 9, 0) != 9)
			die("send");
		close(s->fd);
		return;
	}
	send_bytes(s, 9);
	close_sock(s);
}

/* A TCP connection to a listener on port p, both ends kept or not. */
static void pair(int p, bool client, bool server)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", p, &ss);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sk c = { .family = AF_INET, .type = SOCK_STREAM, .dport = p, .origin = "connect", .dir = "out" };
	struct sk a = { .type = SOCK_STREAM, .origin = "accept", .dir = "in" };

	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, len))
		die("listener");
	/* The listener's own end is the server's: kept with it. */
	listen_on(lfd, 4, server);
	c.fd = socket(AF_INET, SOCK_STREAM, 0);
	snprintf(c.daddr, sizeof(c.daddr), "127.0.0.1");
	if (connect(c.fd, (struct sockaddr *)&ss, len))
		die("connect");
	local_end(&c);
	if (client)
		expect("connect", &c, ",\"ret\":0");
	a.fd = accept4(lfd, NULL, NULL, 0);
	a.family = AF_INET;
	local_end(&a);
	peer_end(&a);
	if (server)
		expect("accept", &a, "%s", "");
	session(&c, client);
	session(&a, server);
	close(lfd);
}

/* ports MODE PORT: --port PORT (either end), --sport PORT or --dport PORT
 * keeps the client, the server or both of a connection to PORT; one to
 * PORT + 1 is dropped. */
static int ports(const char *arg)
{
	char mode[16];
	int p;

	if (!arg || sscanf(arg, "%15[a-z]:%d", mode, &p) != 2)
		die("ports MODE:PORT");
	pair(p, strcmp(mode, "sport") != 0, strcmp(mode, "dport") != 0);
	pair(p + 1, false, false);
	return 0;
}

/* For --addr 127.0.0.2/32: to 127.0.0.2 kept, from an IPv6 socket to
 * ::ffff:127.0.0.2 kept (an IPv4-mapped peer is in an IPv4 prefix), to
 * 127.0.0.1 dropped. */
static int addrs(const char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.2", 0, &ss);
	int port, lfd = socket(AF_INET, SOCK_STREAM, 0), other, ofd = listener(AF_INET, SOCK_STREAM, &other, false);
	struct sk s;

	(void)arg;
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, len))
		die("listener on 127.0.0.2");
	listen_on(lfd, 4, true);
	if (getsockname(lfd, (struct sockaddr *)&ss, &len))
		die("listener on 127.0.0.2");
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	s = connect_to(AF_INET, SOCK_STREAM, "127.0.0.2", port);
	session(&s, true);
	s = connect_to(AF_INET6, SOCK_STREAM, "::ffff:127.0.0.2", port);
	session(&s, true);
	fflush(stdout);
	/* Printed by nobody: this one must not show. */
	{
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		len = sockaddr_of(AF_INET, "127.0.0.1", other, &ss);
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
			die("connect");
		close(fd);
	}
	close(lfd);
	close(ofd);
	return 0;
}

/* A parent that only starts a child, which does the networking: with
 * --pid of the parent and --follow, the child's sockets are kept. */
static int spawn(const char *arg)
{
	pid_t child;
	int status;

	(void)arg;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		int port, lfd;
		struct sk s;

		read_ids();
		helper_line("spawn-child");
		lfd = bound(AF_INET, SOCK_STREAM, &port);
		s = connect_lo(AF_INET, SOCK_STREAM, port);
		session(&s, true);
		close(lfd);
		_exit(0);
	}
	if (child < 0 || waitpid(child, &status, 0) != child)
		die("fork");
	return 0;
}

static void *thread_named(void *arg)
{
	int port, lfd;
	struct sk s;

	prctl(PR_SET_NAME, (const char *)arg);
	lfd = bound(AF_INET, SOCK_STREAM, &port);
	s = connect_lo(AF_INET, SOCK_STREAM, port);
	session(&s, true);
	close(lfd);
	return NULL;
}

/* A worker thread named otherwise than its process connects: --comm
 * matches the process's name or the thread's. */
static int named_thread(const char *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, thread_named, (void *)(arg ? arg : "st-thread")))
		die("pthread_create");
	pthread_join(t, NULL);
	return 0;
}

/* What glibc does to sort a name's addresses: a UDP socket connected,
 * never used, closed. Its close says it was a probe. */
static int probe(const char *arg)
{
	int port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
	struct sk s = connect_lo(AF_INET, SOCK_DGRAM, port);

	(void)arg;
	expect("close", &s, ",\"reason\":\"close\",\"origin\":\"connect\",\"dir\":\"out\",\"sent_bytes\":0,"
	       "\"sends\":0,\"recv_bytes\":0,\"recvs\":0,\"probe\":true");
	close(s.fd);
	close(rfd);
	return 0;
}

const struct sd_case filter_cases[] = {
	{ "ports", ports }, { "addrs", addrs }, { "spawn", spawn }, { "named-thread", named_thread },
	{ "probe", probe }, { NULL, NULL },
};
