// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Connects, sends and the ends of descriptors, one socket at a time. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sockdrive.h"

static int tcp(const char *arg)
{
	int family = arg && !strcmp(arg, "6") ? AF_INET6 : AF_INET;
	int port, lfd = bound(family, SOCK_STREAM, &port);
	struct sk s = connect_lo(family, SOCK_STREAM, port);

	send_bytes(&s, 5);
	send_bytes(&s, 7);
	usleep(2000);	/* a lifetime long enough to be measured */
	close_sock(&s);
	close(lfd);	/* never connected: no event */
	return 0;
}

static int refused(const char *arg)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port);
	struct sk s;

	(void)arg;
	close(lfd);	/* nothing listens on port now */
	s = connect_lo(AF_INET, SOCK_STREAM, port);
	/* A failed connect is not tracked: neither call may be reported. */
	if (sendto(s.fd, "x", 1, MSG_NOSIGNAL, NULL, 0) >= 0)
		die("send on a refused socket worked");
	close(s.fd);
	return 0;
}

static int udp(const char *arg)
{
	int family = arg && !strcmp(arg, "6") ? AF_INET6 : AF_INET;
	int port, rfd = bound(family, SOCK_DGRAM, &port);
	struct sk s = connect_lo(family, SOCK_DGRAM, port);

	send_bytes(&s, 1);
	send_bytes(&s, 100);
	send_bytes(&s, 1400);
	close_sock(&s);
	close(rfd);
	return 0;
}

/* An IPv6 socket to an IPv4 listener through an IPv4-mapped address. */
static int mapped(const char *arg)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port);
	struct sk s = connect_to(AF_INET6, SOCK_STREAM, "::ffff:127.0.0.1", port);

	(void)arg;
	send_bytes(&s, 3);
	close_sock(&s);
	close(lfd);
	return 0;
}

/* sendto with a destination on an unconnected UDP socket, as resolvers do:
 * tracked from that first use. */
static int dns(const char *arg)
{
	int port1, port2, r1 = bound(AF_INET, SOCK_DGRAM, &port1), r2 = bound(AF_INET, SOCK_DGRAM, &port2);
	int ports[] = { port1, port2, port2 }, sizes[] = { 29, 41, 7 };
	struct sockaddr_storage ss;
	struct sk s;

	(void)arg;
	s = adopted(socket(AF_INET, SOCK_DGRAM, 0), AF_INET, SOCK_DGRAM);
	for (int i = 0; i < 3; i++) {
		socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", ports[i], &ss);
		ssize_t rc = sendto(s.fd, (char[64]){ 0 }, sizes[i], 0, (struct sockaddr *)&ss, len);

		if (rc < 0)
			die("sendto");
		if (i == 0) {
			local_end(&s);	/* the first send bound the socket */
			snprintf(s.daddr, sizeof(s.daddr), "127.0.0.1");
			s.dport = ports[0];
			expect("open", &s, ",\"origin\":\"use\"");
		}
		expect_send_to(&s, "sendto", rc, "127.0.0.1", ports[i]);
	}
	close_sock(&s);	/* the close reports the last destination */
	close(r1);
	close(r2);
	return 0;
}

/* A regular file and a UNIX socket: never reported. */
static int nonsock(const char *arg)
{
	int fd = open("/proc/self/stat", O_RDONLY);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", 9, &ss);
	int sv[2];
	char c;

	(void)arg;
	if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("nonsock");
	if (sendto(fd, "x", 1, 0, NULL, 0) >= 0 || errno != ENOTSOCK)
		die("sendto on a file");
	/* Even with an IPv4 destination, a file is no socket. */
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&ss, len) >= 0 || errno != ENOTSOCK)
		die("sendto on a file");
	if (!connect(fd, (struct sockaddr *)&ss, len) || errno != ENOTSOCK)
		die("connect on a file");
	if (!connect(999, (struct sockaddr *)&ss, len) || errno != EBADF)
		die("connect on a closed fd");
	if (sendto(sv[0], "abc", 3, 0, NULL, 0) != 3 || write(sv[0], "d", 1) != 1 ||
	    read(sv[1], &c, 1) != 1 || read(fd, &c, 1) != 1)
		die("I/O on a socketpair or file");
	close(fd);
	close(sv[0]);
	close(sv[1]);
	return 0;
}

/* A process that exits with its sockets open. */
static int exit_case(const char *arg)
{
	/* The peers stay open too: exit ends them as well, untracked. */
	int port, uport;
	struct sk t, u;

	(void)arg;
	bound(AF_INET, SOCK_STREAM, &port);
	bound(AF_INET, SOCK_DGRAM, &uport);
	t = connect_lo(AF_INET, SOCK_STREAM, port);
	u = connect_lo(AF_INET, SOCK_DGRAM, uport);
	send_bytes(&t, 13);
	send_bytes(&u, 17);
	expect_close(&t, "exit");
	expect_close(&u, "exit");
	fflush(stdout);
	_exit(0);
}

/* The program's real path: exec'ing /proc/self/exe would name it "exe". */
static const char *self_path(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (n <= 0)
		die("readlink /proc/self/exe");
	path[n] = '\0';
	return path;
}

/* exec: a close-on-exec socket ends there; another one lives on. */
static int exec_case(const char *arg)
{
	const char *self = self_path();
	int port;
	struct sk a, b;
	char fd[16], bytes[32], sends[16];

	(void)arg;
	bound(AF_INET, SOCK_STREAM, &port);
	a = connect_lo(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, port);
	b = connect_lo(AF_INET, SOCK_STREAM, port);
	send_bytes(&a, 19);
	send_bytes(&b, 23);
	/* The close comes after exec, under the name exec gives. */
	prctl(PR_SET_NAME, strrchr(self, '/') ? strrchr(self, '/') + 1 : self);
	expect_close(&a, "exec");
	snprintf(fd, sizeof(fd), "%d", b.fd);
	snprintf(bytes, sizeof(bytes), "%ld", b.sent);
	snprintf(sends, sizeof(sends), "%ld", b.sends);
	fflush(stdout);
	execl(self, "sockdrive", "after-exec", fd, bytes, sends, (char *)NULL);
	die("exec");
	return 1;
}

/* The exec'd image: the socket that survived is used, then closed. */
int after_exec(char **argv)
{
	struct sk s = { .fd = atoi(argv[0]), .type = SOCK_STREAM, .family = AF_INET,
			.sent = atol(argv[1]), .sends = atoi(argv[2]), .origin = "connect", .dir = "out" };

	peer_end(&s);
	local_end(&s);
	send_bytes(&s, 29);
	close_sock(&s);
	return 0;
}

/* dup2 and dup3 putting another file on a socket's descriptor. */
static int dup2_case(const char *arg)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), uport, rfd = bound(AF_INET, SOCK_DGRAM, &uport);
	int null = open("/dev/null", O_RDONLY);
	struct sk t = connect_lo(AF_INET, SOCK_STREAM, port), u = connect_lo(AF_INET, SOCK_DGRAM, uport);

	(void)arg;
	send_bytes(&t, 31);
	send_bytes(&u, 37);
	expect_close(&t, "dup2");
	if (dup2(null, t.fd) != t.fd)
		die("dup2");
	expect_close(&u, "dup2");
	if (dup3(null, u.fd, O_CLOEXEC) != u.fd)
		die("dup3");
	/* Now plain files: closing them says nothing. */
	close(t.fd);
	close(u.fd);
	close(null);
	close(lfd);
	close(rfd);
	return 0;
}

static int close_range_case(const char *arg)
{
	int uport, rfd = bound(AF_INET, SOCK_DGRAM, &uport);
	struct sk a = connect_lo(AF_INET, SOCK_DGRAM, uport), b = connect_lo(AF_INET, SOCK_DGRAM, uport);

	(void)arg;
	send_bytes(&a, 41);
	send_bytes(&b, 43);
	expect_close(&a, "close_range");
	expect_close(&b, "close_range");
	if (syscall(SYS_close_range, a.fd, a.fd, 0) || syscall(SYS_close_range, b.fd, b.fd, 0))
		die("close_range");
	close(rfd);
	return 0;
}

/* The same descriptor number for one socket after another, at once. */
static int reuse(const char *arg)
{
	int n = arg ? atoi(arg) : 20, port, rfd = bound(AF_INET, SOCK_DGRAM, &port);

	for (int i = 0; i < n; i++) {
		struct sk s = connect_lo(AF_INET, SOCK_DGRAM, port);

		send_bytes(&s, 1 + i);
		send_bytes(&s, 100 + i);
		close_sock(&s);
	}
	close(rfd);
	return 0;
}

struct worker {
	pthread_t t;
	int i, udp_port;
	struct sk *shared;
	long shared_bytes;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct sk s = connect_lo(AF_INET, SOCK_DGRAM, w->udp_port);
	struct sk shared = *w->shared;	/* a copy: totals add up in main */

	send_bytes(&s, 10 + w->i);
	send_bytes(&s, 20 + w->i);
	close_sock(&s);
	send_bytes(&shared, 100 + w->i);
	w->shared_bytes = shared.sent - w->shared->sent;
	return NULL;
}

/* n threads, each with its own UDP socket, all sending on one TCP socket. */
static int threads(const char *arg)
{
	int n = arg ? atoi(arg) : 4, port, lfd = bound(AF_INET, SOCK_STREAM, &port);
	int udp_port, rfd = bound(AF_INET, SOCK_DGRAM, &udp_port);
	struct sk s = connect_lo(AF_INET, SOCK_STREAM, port);
	struct worker w[64];

	if (n < 1 || n > 64)
		n = 4;
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .i = i, .shared = &s, .udp_port = udp_port };
		if (pthread_create(&w[i].t, NULL, work, &w[i]))
			die("pthread_create");
	}
	for (int i = 0; i < n; i++)
		pthread_join(w[i].t, NULL);
	for (int i = 0; i < n; i++) {
		s.sent += w[i].shared_bytes;
		s.sends++;
	}
	close_sock(&s);
	close(rfd);
	close(lfd);
	return 0;
}

/* Pointers and lengths no sockaddr should have: nothing may be invented
 * from them. Only the last, real, connect is reported; an AF_INET address
 * with an oversized length is a real connect attempt the kernel refuses. */
static int hostile_addr(const char *arg)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), fd = socket(AF_INET, SOCK_STREAM, 0);
	int ufd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", port, &ss);
	struct sockaddr_in other = { .sin_family = AF_UNIX };
	void *unmapped = (void *)16;
	struct sk s;

	(void)arg;
	if (fd < 0 || ufd < 0)
		die("socket");
	if (!connect(fd, NULL, len) || !connect(fd, unmapped, len) ||
	    !connect(fd, (struct sockaddr *)&ss, 3) || !connect(fd, (struct sockaddr *)&ss, 0) ||
	    !connect(fd, (struct sockaddr *)&other, sizeof(other)) ||
	    !connect(fd, (struct sockaddr *)&ss, -1))
		die("a hostile connect worked");
	if (sendto(ufd, "x", 1, 0, NULL, len) >= 0 || sendto(ufd, "x", 1, 0, unmapped, len) >= 0 ||
	    sendto(ufd, "x", 1, 0, (struct sockaddr *)&ss, 3) >= 0 ||
	    sendto(ufd, "x", 1, 0, (struct sockaddr *)&other, sizeof(other)) >= 0)
		die("a hostile sendto worked");
	close(ufd);
	s = (struct sk){ .fd = fd, .family = AF_INET, .type = SOCK_STREAM, .dport = port };
	snprintf(s.daddr, sizeof(s.daddr), "127.0.0.1");
	if (!connect(fd, (struct sockaddr *)&ss, 1 << 20) || errno != EINVAL)
		die("an oversized connect worked");
	local_end(&s);
	expect("connect", &s, ",\"ret\":-22,\"error\":\"EINVAL\"");
	close(fd);
	s = connect_lo(AF_INET, SOCK_STREAM, port);
	close_sock(&s);
	close(lfd);
	return 0;
}

/* n sends, printing only how many events they make: the tracer is
 * stopped meanwhile, so the test counts delivered + lost. */
static int flood(const char *arg)
{
	int n = arg ? atoi(arg) : 20000, port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", port, &ss);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
		die("flood socket");
	for (int i = 0; i < n; i++)
		if (send(fd, "x", 1, 0) != 1)
			die("send");
	close(fd);
	close(rfd);
	printf("{\"generated\":%d}\n", n + 2);	/* + connect and close */
	return 0;
}

/* n sockets one after another: socket, connect, close. */
static int churn(const char *arg)
{
	int n = arg ? atoi(arg) : 1000, port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", port, &ss);

	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		/* One byte each: a UDP socket that never sends is a probe,
		 * which the summary does not count as a connection. */
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) || send(fd, "x", 1, 0) != 1)
			die("churn");
		close(fd);
	}
	close(rfd);
	printf("{\"generated\":%d}\n", 2 * n); /* sends are not in the default events */
	return 0;
}

/* Blocks inside a send (the peer never reads) until it is killed: a
 * sendfile, whose pending call sits in the call table in every mode. */
static int stuck(const char *arg)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), small = 4096;
	struct sk s = connect_lo(AF_INET, SOCK_STREAM, port);
	char path[] = "/tmp/sockdrive.XXXXXX";
	int file = mkstemp(path);

	(void)arg;
	if (file < 0 || ftruncate(file, 1 << 20))
		die("temporary file");
	unlink(path);
	setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	printf("{\"stuck\":true}\n");
	fflush(stdout);
	for (;;) {
		off_t off = 0;

		sendfile(s.fd, file, &off, 1 << 20);
	}
	close(lfd);
	return 0;
}

/* The tcp case from a process in a pid namespace of its own. */
static int pidns(const char *arg)
{
	int status;
	pid_t child;

	(void)arg;
	if (unshare(CLONE_NEWPID))
		die("unshare(CLONE_NEWPID)");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		read_ids();
		if (ns_pid != 1)
			die("not pid 1 in the new namespace");
		helper_line("pidns");
		tcp(NULL);
		exit(0);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

const struct sd_case basic_cases[] = {
	{ "tcp", tcp }, { "refused", refused }, { "udp", udp }, { "mapped", mapped },
	{ "dns", dns }, { "nonsock", nonsock }, { "exit", exit_case }, { "exec", exec_case },
	{ "dup2", dup2_case }, { "close_range", close_range_case }, { "reuse", reuse },
	{ "threads", threads }, { "hostile-addr", hostile_addr }, { "flood", flood },
	{ "churn", churn }, { "stuck", stuck }, { "pidns", pidns }, { NULL, NULL },
};
