// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * sockdrive: makes real sockets for the end-to-end tests and prints, as JSON
 * lines, the events socktrace must report for them: every value comes from
 * what the syscalls really did (fds, return values, getsockname(), thread
 * ids, the comm the kernel holds), never from socktrace.
 *
 *   sockdrive [--gate FILE] [--name NAME] CASE [ARG]
 *
 * First line: {"helper":CASE,"pid":..,"uid":..}; then one line per expected
 * event. With --gate it waits for FILE to exist before making sockets, so a
 * tracer can be started with its pid. With --name it renames itself first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
/* The ids socktrace reports: the initial namespace's, from /proc. */
static int host_pid, ns_pid;
/* Set with --name-hex: the comm is hostile bytes, checked by the test. */
static int raw_name;

/* A socket and what socktrace must say about it. */
struct sk {
	int fd, family, type, sport, dport, sends;
	long bytes;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];
};

static void die(const char *what)
{
	fprintf(stderr, "sockdrive: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Tgid and the last NSpid of /proc/self/status: /proc belongs to the
 * initial pid namespace, so Tgid is the pid socktrace sees. */
static void read_ids(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Tgid:", 5))
			host_pid = atoi(line + 5);
		if (!strncmp(line, "NSpid:", 6)) {
			char *last = strrchr(line, '\t');

			ns_pid = atoi(last ? last : line + 6);
		}
	}
	fclose(f);
}

/* Prints the fields every event has; the caller adds the rest and "}". */
static void expect_head(const char *event, int fd)
{
	char comm[17] = "";

	prctl(PR_GET_NAME, comm);
	printf("{\"event\":\"%s\",\"pid\":%d,", event, host_pid);
	if (ns_pid != host_pid)
		printf("\"nspid\":%d,\"tid\":%d,", ns_pid, host_pid);
	else
		printf("\"tid\":%d,", gettid());
	/* Other names are plain ASCII: no escaping to get wrong here. */
	if (!raw_name)
		printf("\"comm\":\"%s\",", comm);
	printf("\"fd\":%d", fd);
}

/* An event of socket s; fmt adds its own fields. */
static void expect(const char *event, const struct sk *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&out_lock);
	expect_head(event, s->fd);
	printf(",\"family\":\"%s\",\"proto\":\"%s\",\"saddr\":\"%s\",\"sport\":%d,"
	       "\"daddr\":\"%s\",\"dport\":%d", s->family == AF_INET6 ? "ipv6" : "ipv4",
	       s->type == SOCK_STREAM ? "tcp" : "udp", s->saddr, s->sport, s->daddr, s->dport);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("}\n");
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* Fills addr for family ("127.0.0.1", "::1", "::ffff:127.0.0.1"...). */
static socklen_t sockaddr_of(int family, const char *ip, int port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &a->sin6_addr);
		return sizeof(*a);
	}
	struct sockaddr_in *a = (struct sockaddr_in *)ss;

	a->sin_family = AF_INET;
	a->sin_port = htons(port);
	inet_pton(AF_INET, ip, &a->sin_addr);
	return sizeof(*a);
}

/* The local end of fd, as getsockname() says. */
static void local_end(struct sk *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(s->fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, s->saddr, sizeof(s->saddr));
		s->sport = ntohs(a->sin6_port);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, s->saddr, sizeof(s->saddr));
		s->sport = ntohs(a->sin_port);
	}
}

/* A bound loopback socket; its port goes to *port. */
static int bound(int family, int type, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, family == AF_INET6 ? "::1" : "127.0.0.1", 0, &ss);
	int fd = socket(family, type, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) ||
	    (type == SOCK_STREAM && listen(fd, 64)) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len))
		die("listener");
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);	/* same place in both */
	return fd;
}

/* connect() to ip:port and the connect event it must produce. */
static struct sk connect_to(int family, int type, const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, ip, port, &ss);
	struct sk s = { .family = family, .type = type & 0xf, .dport = port };
	int rc;

	s.fd = socket(family, type, 0);
	if (s.fd < 0)
		die("socket");
	snprintf(s.daddr, sizeof(s.daddr), "%s", ip);
	rc = connect(s.fd, (struct sockaddr *)&ss, len) ? -errno : 0;
	local_end(&s);
	if (rc && rc != -EINPROGRESS)
		expect("connect", &s, ",\"ret\":%d,\"error\":\"%s\"", rc, strerrorname_np(-rc));
	else
		expect("connect", &s, ",\"ret\":%d", rc);
	return s;
}

static struct sk connect4(int type, int port)
{
	return connect_to(AF_INET, type, "127.0.0.1", port);
}

static void send_bytes(struct sk *s, size_t n)
{
	char data[4096] = { 0 };
	ssize_t rc = sendto(s->fd, data, n, 0, NULL, 0);

	if (rc < 0)
		die("sendto");
	s->bytes += rc;
	s->sends++;
	expect("send", s, ",\"bytes\":%zd", rc);
}

/* The close event a descriptor's end must produce, for reason. */
static void expect_close(const struct sk *s, const char *reason)
{
	expect("close", s, ",\"reason\":\"%s\",\"sent_bytes\":%ld,\"sends\":%d", reason, s->bytes, s->sends);
}

static void close_sock(struct sk *s)
{
	expect_close(s, "close");
	close(s->fd);
}

static void case_tcp(int family)
{
	int port, lfd = bound(family, SOCK_STREAM, &port);
	struct sk s = connect_to(family, SOCK_STREAM, family == AF_INET6 ? "::1" : "127.0.0.1", port);

	send_bytes(&s, 5);
	send_bytes(&s, 7);
	usleep(2000);	/* a lifetime long enough to be measured */
	close_sock(&s);
	close(lfd);	/* never connected: no event */
}

static void case_refused(void)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port);
	struct sk s;

	close(lfd);	/* nothing listens on port now */
	s = connect4(SOCK_STREAM, port);
	/* A failed connect is not tracked: neither call may be reported. */
	if (sendto(s.fd, "x", 1, MSG_NOSIGNAL, NULL, 0) >= 0)
		die("send on a refused socket worked");
	close(s.fd);
}

static void case_udp(int family)
{
	int port, rfd = bound(family, SOCK_DGRAM, &port);
	struct sk s = connect_to(family, SOCK_DGRAM, family == AF_INET6 ? "::1" : "127.0.0.1", port);

	send_bytes(&s, 1);
	send_bytes(&s, 100);
	send_bytes(&s, 1400);
	close_sock(&s);
	close(rfd);
}

/* An IPv6 socket to an IPv4 listener through an IPv4-mapped address. */
static void case_mapped(void)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port);
	struct sk s = connect_to(AF_INET6, SOCK_STREAM, "::ffff:127.0.0.1", port);

	send_bytes(&s, 3);
	close_sock(&s);
	close(lfd);
}

/* A non-blocking connect: in progress, tracked, then used. */
static void case_nonblock(void)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port);
	struct sk s = connect4(SOCK_STREAM | SOCK_NONBLOCK, port);
	struct pollfd p = { .fd = s.fd, .events = POLLOUT };

	if (poll(&p, 1, 5000) != 1)
		die("poll");
	send_bytes(&s, 11);
	close_sock(&s);
	close(lfd);
}

/* sendto with a destination on an unconnected UDP socket, as resolvers do. */
static void case_dns(void)
{
	int port1, port2, r1 = bound(AF_INET, SOCK_DGRAM, &port1), r2 = bound(AF_INET, SOCK_DGRAM, &port2);
	struct sk s = { .family = AF_INET, .type = SOCK_DGRAM };
	struct sockaddr_storage ss;
	int ports[] = { port1, port2, port2 }, sizes[] = { 29, 41, 7 };

	s.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (s.fd < 0)
		die("socket");
	snprintf(s.daddr, sizeof(s.daddr), "127.0.0.1");
	for (int i = 0; i < 3; i++) {
		socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", ports[i], &ss);
		ssize_t rc = sendto(s.fd, (char[64]){ 0 }, sizes[i], 0, (struct sockaddr *)&ss, len);

		if (rc < 0)
			die("sendto");
		local_end(&s);	/* the first send bound the socket */
		s.dport = ports[i];
		s.bytes += rc;
		s.sends++;
		expect("send", &s, ",\"bytes\":%zd", rc);
	}
	close_sock(&s);	/* the close reports the last destination */
	close(r1);
	close(r2);
}

/* A regular file and a UNIX socket: never reported. */
static void case_nonsock(void)
{
	int fd = open("/proc/self/stat", O_RDONLY);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", 9, &ss);
	int sv[2];

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
	if (sendto(sv[0], "abc", 3, 0, NULL, 0) != 3)
		die("sendto on a socketpair");
	close(fd);
	close(sv[0]);
	close(sv[1]);
}

/* A process that exits with its sockets open. */
static void case_exit(void)
{
	/* The peers stay open too: exit ends them as well, untracked. */
	int port, uport;
	struct sk t, u;

	bound(AF_INET, SOCK_STREAM, &port);
	bound(AF_INET, SOCK_DGRAM, &uport);
	t = connect4(SOCK_STREAM, port);
	u = connect4(SOCK_DGRAM, uport);
	send_bytes(&t, 13);
	send_bytes(&u, 17);
	expect_close(&t, "exit");
	expect_close(&u, "exit");
	_exit(0);
}

/* exec: a close-on-exec socket ends there; another one lives on. */
static void case_exec(const char *self)
{
	int port;
	struct sk a, b;
	char fd[16], bytes[32], sends[16];

	bound(AF_INET, SOCK_STREAM, &port);
	a = connect4(SOCK_STREAM | SOCK_CLOEXEC, port);
	b = connect4(SOCK_STREAM, port);
	send_bytes(&a, 19);
	send_bytes(&b, 23);
	/* The close comes after exec, under the name exec gives. */
	prctl(PR_SET_NAME, strrchr(self, '/') ? strrchr(self, '/') + 1 : self);
	expect_close(&a, "exec");
	snprintf(fd, sizeof(fd), "%d", b.fd);
	snprintf(bytes, sizeof(bytes), "%ld", b.bytes);
	snprintf(sends, sizeof(sends), "%d", b.sends);
	fflush(stdout);
	execl(self, "sockdrive", "after-exec", fd, bytes, sends, (char *)NULL);
	die("exec");
}

/* The exec'd image: the socket that survived is used, then closed. */
static void case_after_exec(char **argv)
{
	struct sk s = { .fd = atoi(argv[0]), .type = SOCK_STREAM, .family = AF_INET,
			.bytes = atol(argv[1]), .sends = atoi(argv[2]) };
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getpeername(s.fd, (struct sockaddr *)&a, &len))
		die("getpeername");
	inet_ntop(AF_INET, &a.sin_addr, s.daddr, sizeof(s.daddr));
	s.dport = ntohs(a.sin_port);
	local_end(&s);
	send_bytes(&s, 29);
	close_sock(&s);
}

/* dup2 and dup3 putting another file on a socket's descriptor. */
static void case_dup2(void)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), uport, rfd = bound(AF_INET, SOCK_DGRAM, &uport);
	int null = open("/dev/null", O_RDONLY);
	struct sk t = connect4(SOCK_STREAM, port), u = connect4(SOCK_DGRAM, uport);

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
}

static void case_close_range(void)
{
	int uport, rfd = bound(AF_INET, SOCK_DGRAM, &uport);
	struct sk a = connect4(SOCK_DGRAM, uport), b = connect4(SOCK_DGRAM, uport);

	send_bytes(&a, 41);
	send_bytes(&b, 43);
	expect_close(&a, "close_range");
	expect_close(&b, "close_range");
	if (syscall(SYS_close_range, a.fd, a.fd, 0) || syscall(SYS_close_range, b.fd, b.fd, 0))
		die("close_range");
	close(rfd);
}

/* The same descriptor number for one socket after another, at once. */
static void case_reuse(int n)
{
	int port, rfd = bound(AF_INET, SOCK_DGRAM, &port);

	for (int i = 0; i < n; i++) {
		struct sk s = connect4(SOCK_DGRAM, port);

		send_bytes(&s, 1 + i);
		send_bytes(&s, 100 + i);
		close_sock(&s);
	}
	close(rfd);
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
	struct sk s = connect4(SOCK_DGRAM, w->udp_port);
	struct sk shared = *w->shared;	/* a copy: totals add up in main */

	send_bytes(&s, 10 + w->i);
	send_bytes(&s, 20 + w->i);
	close_sock(&s);
	send_bytes(&shared, 100 + w->i);
	w->shared_bytes = shared.bytes - w->shared->bytes;
	return NULL;
}

/* n threads, each with its own UDP socket, all sending on one TCP socket. */
static void case_threads(int n)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), udp_port, rfd = bound(AF_INET, SOCK_DGRAM, &udp_port);
	struct sk s = connect4(SOCK_STREAM, port);
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
		s.bytes += w[i].shared_bytes;
		s.sends++;
	}
	close_sock(&s);
	close(rfd);
	close(lfd);
}

/* Pointers and lengths no sockaddr should have: nothing may be invented
 * from them. Only the last, real, connect is reported; an AF_INET address
 * with an oversized length is a real connect attempt the kernel refuses. */
static void case_hostile_addr(void)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), fd = socket(AF_INET, SOCK_STREAM, 0);
	int ufd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", port, &ss);
	struct sockaddr_in other = { .sin_family = AF_UNIX };
	void *unmapped = (void *)16;
	struct sk s;

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
	s = connect4(SOCK_STREAM, port);
	close_sock(&s);
	close(lfd);
}

/* n sends, printing only how many events they make: the tracer is
 * stopped meanwhile, so the test counts delivered + lost. */
static void case_flood(int n)
{
	int port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
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
}

/* n sockets one after another: socket, connect, close. */
static void case_churn(int n)
{
	int port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", port, &ss);

	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len))
			die("churn");
		close(fd);
	}
	close(rfd);
	printf("{\"generated\":%d}\n", 2 * n);
}

/* Blocks inside sendto (the peer never reads) until it is killed. */
static void case_stuck(void)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), small = 4096;
	struct sk s = connect4(SOCK_STREAM, port);
	static char big[1 << 20];

	setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	printf("{\"stuck\":true}\n");
	fflush(stdout);
	for (;;)
		sendto(s.fd, big, sizeof(big), 0, NULL, 0);
	close(lfd);
}

static void wait_gate(const char *path)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	struct stat st;

	for (int i = 0; i < 6000 && stat(path, &st); i++)
		nanosleep(&tick, NULL);
}

/* "4142" -> "AB", for names a shell cannot pass. */
static char *unhex(const char *h)
{
	static char out[64];
	size_t i = 0;

	for (; h[0] && h[1] && i < sizeof(out) - 1; h += 2)
		sscanf(h, "%2hhx", (unsigned char *)&out[i++]);
	out[i] = '\0';
	raw_name = 1;
	return out;
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

static void helper_line(const char *c)
{
	printf("{\"helper\":\"%s\",\"pid\":%d,\"uid\":%d%s}\n", c, host_pid, getuid(),
	       raw_name ? ",\"raw_name\":true" : "");
	fflush(stdout);
}

/* The tcp case from a process in a pid namespace of its own. */
static int case_pidns(void)
{
	int status;
	pid_t child;

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
		case_tcp(AF_INET);
		exit(0);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	const char *gate = NULL, *name = NULL, *c;
	int i = 1, arg;

	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "--gate"))
			gate = argv[i + 1];
		else if (!strcmp(argv[i], "--name"))
			name = argv[i + 1];
		else if (!strcmp(argv[i], "--name-hex"))
			name = unhex(argv[i + 1]);
	}
	if (i >= argc) {
		fprintf(stderr, "usage: sockdrive [--gate FILE] [--name NAME] CASE [N]\n");
		return 2;
	}
	c = argv[i];
	arg = i + 1 < argc ? atoi(argv[i + 1]) : 0;
	read_ids();
	if (!strcmp(c, "after-exec")) {
		if (argc < i + 4)
			return 2;
		case_after_exec(argv + i + 1);
		return 0;
	}
	if (name && prctl(PR_SET_NAME, name))
		die("PR_SET_NAME");
	if (gate)
		wait_gate(gate);
	if (!strcmp(c, "pidns"))
		return case_pidns();
	helper_line(c);
	if (!strcmp(c, "tcp"))
		case_tcp(AF_INET);
	else if (!strcmp(c, "tcp6"))
		case_tcp(AF_INET6);
	else if (!strcmp(c, "refused"))
		case_refused();
	else if (!strcmp(c, "udp"))
		case_udp(AF_INET);
	else if (!strcmp(c, "udp6"))
		case_udp(AF_INET6);
	else if (!strcmp(c, "mapped"))
		case_mapped();
	else if (!strcmp(c, "nonblock"))
		case_nonblock();
	else if (!strcmp(c, "dns"))
		case_dns();
	else if (!strcmp(c, "nonsock"))
		case_nonsock();
	else if (!strcmp(c, "exit"))
		case_exit();
	else if (!strcmp(c, "exec"))
		case_exec(self_path());
	else if (!strcmp(c, "dup2"))
		case_dup2();
	else if (!strcmp(c, "close_range"))
		case_close_range();
	else if (!strcmp(c, "reuse"))
		case_reuse(arg ? arg : 20);
	else if (!strcmp(c, "threads"))
		case_threads(arg ? arg : 4);
	else if (!strcmp(c, "hostile-addr"))
		case_hostile_addr();
	else if (!strcmp(c, "flood"))
		case_flood(arg ? arg : 20000);
	else if (!strcmp(c, "churn"))
		case_churn(arg ? arg : 1000);
	else if (!strcmp(c, "stuck"))
		case_stuck();
	else
		return 2;
	return 0;
}
