// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * sockdrive: makes real sockets for the end-to-end tests and prints, as JSON
 * lines, the events socktrace must report for them: every value comes from
 * what the syscalls really did (fds, return values, thread ids, the comm
 * the kernel holds), never from socktrace.
 *
 *   sockdrive [--gate FILE] [--name NAME] CASE [N]
 *
 * First line: {"helper":CASE,"pid":..,"uid":..}; then one line per expected
 * event. With --gate it waits for FILE to exist before making sockets, so a
 * tracer can be started with its pid. With --name it renames itself first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what)
{
	fprintf(stderr, "sockdrive: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Prints one JSON line; the prefix names event, pid, tid, comm and fd. */
static void expect(const char *event, int fd, const char *fmt, ...)
{
	char comm[17] = "";
	va_list ap;

	prctl(PR_GET_NAME, comm);
	pthread_mutex_lock(&out_lock);
	printf("{\"event\":\"%s\",\"pid\":%d,\"tid\":%d,\"comm\":\"", event, getpid(), gettid());
	for (const unsigned char *c = (const unsigned char *)comm; *c; c++) {
		if (*c == '"' || *c == '\\')
			printf("\\%c", *c);
		else if (*c < 0x20 || *c >= 0x7f)
			printf("\\u%04x", *c);	/* tests keep names ASCII */
		else
			putchar(*c);
	}
	printf("\",\"fd\":%d", fd);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("}\n");
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* A bound loopback socket of type; its port goes to *port. */
static int bound(int type, int *port)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 64)) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		die("listener");
	*port = ntohs(a.sin_port);
	return fd;
}

/* connect() to 127.0.0.1:port and the connect event it must produce. */
static int connect_to(int type, int port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, type, 0);
	int rc;

	if (fd < 0)
		die("socket");
	rc = connect(fd, (struct sockaddr *)&a, sizeof(a)) ? -errno : 0;
	if (rc)
		expect("connect", fd, ",\"family\":\"ipv4\",\"daddr\":\"127.0.0.1\",\"dport\":%d,"
		       "\"ret\":%d,\"error\":\"%s\"", port, rc, strerrorname_np(-rc));
	else
		expect("connect", fd, ",\"family\":\"ipv4\",\"daddr\":\"127.0.0.1\",\"dport\":%d,"
		       "\"ret\":0", port);
	return fd;
}

static long send_bytes(int fd, int port, size_t n)
{
	char data[4096] = { 0 };
	ssize_t rc = sendto(fd, data, n, 0, NULL, 0);

	if (rc < 0)
		die("sendto");
	expect("send", fd, ",\"daddr\":\"127.0.0.1\",\"dport\":%d,\"bytes\":%zd", port, rc);
	return rc;
}

static void close_sock(int fd, int port, long bytes, int sends)
{
	expect("close", fd, ",\"daddr\":\"127.0.0.1\",\"dport\":%d,\"sent_bytes\":%ld,"
	       "\"sends\":%d", port, bytes, sends);
	close(fd);
}

static void case_tcp(void)
{
	int port, lfd = bound(SOCK_STREAM, &port);
	int fd = connect_to(SOCK_STREAM, port);
	long bytes = send_bytes(fd, port, 5) + send_bytes(fd, port, 7);

	usleep(2000);	/* a lifetime long enough to be measured */
	close_sock(fd, port, bytes, 2);
	close(lfd);	/* never connected: no event */
}

static void case_refused(void)
{
	int port, lfd = bound(SOCK_STREAM, &port), fd;

	close(lfd);	/* nothing listens on port now */
	fd = connect_to(SOCK_STREAM, port);
	/* A failed connect is not tracked: neither call may be reported. */
	if (sendto(fd, "x", 1, MSG_NOSIGNAL, NULL, 0) >= 0)
		die("send on a refused socket worked");
	close(fd);
}

static void case_udp(void)
{
	int port, rfd = bound(SOCK_DGRAM, &port);
	int fd = connect_to(SOCK_DGRAM, port);
	long bytes = send_bytes(fd, port, 1) + send_bytes(fd, port, 100) + send_bytes(fd, port, 1400);

	close_sock(fd, port, bytes, 3);
	close(rfd);
}

/* A regular file and a UNIX socket: never reported. */
static void case_nonsock(void)
{
	int fd = open("/proc/self/stat", O_RDONLY);
	int sv[2];

	if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("nonsock");
	if (sendto(fd, "x", 1, 0, NULL, 0) >= 0 || errno != ENOTSOCK)
		die("sendto on a file");
	if (sendto(sv[0], "abc", 3, 0, NULL, 0) != 3)
		die("sendto on a socketpair");
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

struct worker {
	pthread_t t;
	int i, shared_fd, shared_port, udp_port;
	long shared_bytes;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int fd = connect_to(SOCK_DGRAM, w->udp_port);
	long bytes = send_bytes(fd, w->udp_port, 10 + w->i) + send_bytes(fd, w->udp_port, 20 + w->i);

	close_sock(fd, w->udp_port, bytes, 2);
	w->shared_bytes = send_bytes(w->shared_fd, w->shared_port, 100 + w->i);
	return NULL;
}

/* n threads, each with its own UDP socket, all sending on one TCP socket. */
static void case_threads(int n)
{
	int port, lfd = bound(SOCK_STREAM, &port), udp_port, rfd = bound(SOCK_DGRAM, &udp_port);
	int fd = connect_to(SOCK_STREAM, port);
	struct worker w[64];
	long bytes = 0;

	if (n < 1 || n > 64)
		n = 4;
	for (int i = 0; i < n; i++) {
		w[i] = (struct worker){ .i = i, .shared_fd = fd, .shared_port = port, .udp_port = udp_port };
		if (pthread_create(&w[i].t, NULL, work, &w[i]))
			die("pthread_create");
	}
	for (int i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		bytes += w[i].shared_bytes;
	}
	close_sock(fd, port, bytes, n);
	close(rfd);
	close(lfd);
}

static void wait_gate(const char *path)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	struct stat st;

	for (int i = 0; i < 6000 && stat(path, &st); i++)
		nanosleep(&tick, NULL);
}

int main(int argc, char **argv)
{
	const char *gate = NULL, *name = NULL, *c;
	int i = 1;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--gate"))
			gate = argv[i + 1];
		else if (!strcmp(argv[i], "--name"))
			name = argv[i + 1];
	}
	if (i >= argc) {
		fprintf(stderr, "usage: sockdrive [--gate FILE] [--name NAME] "
			"tcp|refused|udp|nonsock|threads [N]\n");
		return 2;
	}
	c = argv[i];
	if (name && prctl(PR_SET_NAME, name))
		die("PR_SET_NAME");
	printf("{\"helper\":\"%s\",\"pid\":%d,\"uid\":%d}\n", c, getpid(), getuid());
	fflush(stdout);
	if (gate)
		wait_gate(gate);
	if (!strcmp(c, "tcp"))
		case_tcp();
	else if (!strcmp(c, "refused"))
		case_refused();
	else if (!strcmp(c, "udp"))
		case_udp();
	else if (!strcmp(c, "nonsock"))
		case_nonsock();
	else if (!strcmp(c, "threads"))
		case_threads(i + 1 < argc ? atoi(argv[i + 1]) : 4);
	else
		return 2;
	return 0;
}
