// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* What every case uses: ids, the expected events, sockets. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "sockdrive.h"

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
/* The ids socktrace reports: the initial namespace's, from /proc. */
int host_pid, ns_pid;
/* Set with --name-hex: the comm is hostile bytes, checked by the test. */
int raw_name;
int any_tid;

void die(const char *what)
{
	int err = errno;

	fprintf(stderr, "sockdrive: %s: %s\n", what, strerror(err));
	/* Said where the checker reads too: a case cut short expects less. */
	printf("{\"sockdrive_failed\":\"%s: %s\"}\n", what, strerror(err));
	exit(1);
}

/* Tgid and the last NSpid of /proc/self/status: /proc belongs to the
 * initial pid namespace, so Tgid is the pid socktrace sees. */
void read_ids(void)
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
static void expect_head(const char *event)
{
	char comm[17] = "";

	prctl(PR_GET_NAME, comm);
	printf("{\"event\":\"%s\",\"pid\":%d", event, host_pid);
	if (any_tid)
		printf("%s,\"tid\":-1", ns_pid != host_pid ? ",\"nspid\":0" : "");
	else if (ns_pid != host_pid)
		printf(",\"nspid\":%d,\"tid\":%d", ns_pid, host_pid);
	else
		printf(",\"tid\":%d", gettid());
	/* Other names are plain ASCII: no escaping to get wrong here. */
	if (!raw_name)
		printf(",\"comm\":\"%s\"", comm);
}

/* One expected event: the head, the socket's fields if s, fmt's own. */
static void vexpect(const char *event, const struct sk *s, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&out_lock);
	expect_head(event);
	if (s)
		printf(",\"fd\":%d,\"family\":\"%s\",\"proto\":\"%s\",\"saddr\":\"%s\",\"sport\":%d,"
		       "\"daddr\":\"%s\",\"dport\":%d", s->fd, s->family == AF_INET6 ? "ipv6" : "ipv4",
		       s->type == SOCK_STREAM ? "tcp" : "udp", s->saddr, s->sport, s->daddr, s->dport);
	vprintf(fmt, ap);
	printf("}\n");
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

void expect(const char *event, const struct sk *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vexpect(event, s, fmt, ap);
	va_end(ap);
}

void expect_plain(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vexpect(event, NULL, fmt, ap);
	va_end(ap);
}

void expect_close(const struct sk *s, const char *reason)
{
	char tcp[80] = "";

	/* Where everything sent was acked and everything received was read,
	 * the kernel's counters equal the syscalls'. */
	if (s->tcp_exact)
		snprintf(tcp, sizeof(tcp), ",\"tcp_bytes_acked\":%ld,\"tcp_bytes_received\":%ld", s->sent,
			 s->recvd);
	expect("close", s, ",\"reason\":\"%s\",\"origin\":\"%s\",\"dir\":\"%s\",\"sent_bytes\":%ld,"
	       "\"sends\":%ld,\"recv_bytes\":%ld,\"recvs\":%ld%s", reason, s->origin, s->dir,
	       s->sent, s->sends, s->recvd, s->recvs, tcp);
}

void close_sock(struct sk *s)
{
	expect_close(s, "close");
	close(s->fd);
}

/* A send or receive; to, port: the destination given with a send, or the
 * source a receive asked for, which the event names instead of the
 * socket's peer. */
static void print_io(struct sk *s, bool send, const char *call, long rc, const char *to, int port)
{
	struct sk shown;
	char extra[160] = "";

	if (rc >= 0) {
		if (send)
			s->sent += rc, s->sends++;
		else
			s->recvd += rc, s->recvs++;
	}
	shown = *s;
	if (to) {
		snprintf(extra, sizeof(extra), send ? ",\"dest_arg\":true" : ",\"source_arg\":true");
		snprintf(shown.daddr, sizeof(shown.daddr), "%s", to);
		shown.dport = port;
	}
	if (rc >= 0)
		expect(send ? "send" : "recv", &shown, ",\"call\":\"%s\",\"bytes\":%ld%s", call, rc, extra);
	else
		expect(send ? "send" : "recv", &shown, ",\"call\":\"%s\",\"ret\":%ld,\"error\":\"%s\"%s", call,
		       rc, strerrorname_np(-rc), extra);
}

void expect_io(struct sk *s, bool send, const char *call, long rc)
{
	print_io(s, send, call, rc, NULL, 0);
}

void expect_send_to(struct sk *s, const char *call, long rc, const char *ip, int port)
{
	print_io(s, true, call, rc, ip, port);
	if (!s->connected) {
		snprintf(s->daddr, sizeof(s->daddr), "%s", ip);
		s->dport = port;
	}
}

void expect_recv_from(struct sk *s, const char *call, long rc, const char *ip, int port)
{
	print_io(s, false, call, rc, rc >= 0 ? ip : NULL, port);
	if (!s->connected && rc >= 0) {
		snprintf(s->daddr, sizeof(s->daddr), "%s", ip);
		s->dport = port;
	}
}

socklen_t sockaddr_of(int family, const char *ip, int port, struct sockaddr_storage *ss)
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

static void end_of(const struct sockaddr_storage *ss, char *addr, int *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, addr, INET6_ADDRSTRLEN);
		*port = ntohs(a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &a->sin_addr, addr, INET6_ADDRSTRLEN);
		*port = ntohs(a->sin_port);
	}
}

void local_end(struct sk *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(s->fd, (struct sockaddr *)&ss, &len))
		die("getsockname");
	end_of(&ss, s->saddr, &s->sport);
}

/* The peer as getpeername() says, or none for an unconnected socket. */
void peer_end(struct sk *s)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getpeername(s->fd, (struct sockaddr *)&ss, &len)) {
		snprintf(s->daddr, sizeof(s->daddr), "%s", s->family == AF_INET6 ? "::" : "0.0.0.0");
		s->dport = 0;
		return;
	}
	end_of(&ss, s->daddr, &s->dport);
}

const char *loopback(int family)
{
	return family == AF_INET6 ? "::1" : "127.0.0.1";
}

/* listen(fd, backlog), and the listen event it makes if seen. */
void listen_on(int fd, int backlog, bool seen)
{
	struct sk s = { .fd = fd, .type = SOCK_STREAM };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (listen(fd, backlog) || getsockname(fd, (struct sockaddr *)&ss, &len))
		die("listen");
	if (!seen)
		return;
	s.family = ss.ss_family;
	local_end(&s);
	snprintf(s.daddr, sizeof(s.daddr), "%s", s.family == AF_INET6 ? "::" : "0.0.0.0");
	expect("listen", &s, ",\"ret\":0,\"backlog\":%d", backlog);
}

int listener(int family, int type, int *port, bool seen)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, loopback(family), 0, &ss);
	int fd = socket(family, type, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len))
		die("listener");
	if ((type & 0xf) == SOCK_STREAM)
		listen_on(fd, 64, seen);
	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		die("listener");
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);	/* same place in both */
	return fd;
}

int bound(int family, int type, int *port)
{
	return listener(family, type, port, true);
}

struct sk connect_to(int family, int type, const char *ip, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, ip, port, &ss);
	struct sk s = { .family = family, .type = type & 0xf, .dport = port, .origin = "connect",
			.dir = "out" };
	int rc;

	s.fd = socket(family, type, 0);
	if (s.fd < 0)
		die("socket");
	snprintf(s.daddr, sizeof(s.daddr), "%s", ip);
	rc = connect(s.fd, (struct sockaddr *)&ss, len) ? -errno : 0;
	local_end(&s);
	s.connected = rc == 0 || rc == -EINPROGRESS;
	if (rc && rc != -EINPROGRESS)
		expect("connect", &s, ",\"ret\":%d,\"error\":\"%s\"", rc, strerrorname_np(-rc));
	else
		expect("connect", &s, ",\"ret\":%d", rc);
	return s;
}

struct sk connect_lo(int family, int type, int port)
{
	return connect_to(family, type, loopback(family), port);
}

struct sk accept_on(int lfd, int flags)
{
	struct sk s = { .type = SOCK_STREAM, .origin = "accept", .dir = "in" };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	s.fd = accept4(lfd, NULL, NULL, flags);
	if (s.fd < 0 || getsockname(s.fd, (struct sockaddr *)&ss, &len))
		die("accept4");
	s.family = ss.ss_family;
	local_end(&s);
	peer_end(&s);
	expect("accept", &s, "%s", "");	/* nothing of its own */
	return s;
}

struct sk adopted(int fd, int family, int type)
{
	struct sk s = { .fd = fd, .family = family, .type = type, .origin = "use", .dir = "unknown" };

	local_end(&s);
	peer_end(&s);
	return s;
}

void send_bytes(struct sk *s, size_t n)
{
	char data[4096] = { 0 };

	expect_io(s, true, "sendto", sendto(s->fd, data, n, 0, NULL, 0) < 0 ? -errno : (long)n);
}

void wait_gate(const char *path)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	struct stat st;

	for (int i = 0; i < 6000 && stat(path, &st); i++)
		nanosleep(&tick, NULL);
}

/* Where the cgroup v2 hierarchy is: alone, or beside v1 (hybrid). */
const char *cgroup2_root(void)
{
	struct stat st;

	return !stat("/sys/fs/cgroup/unified/cgroup.procs", &st) ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
}

/* The first line: who this helper is, and the namespace and cgroup
 * every event of its sockets must name. */
void helper_line(const char *c)
{
	char cg[4096] = "", path[4200];
	struct stat ns, cgs;
	FILE *f;

	if (stat("/proc/self/ns/net", &ns))
		ns.st_ino = 0;
	f = fopen("/proc/self/cgroup", "r");
	/* The cgroup v2 line, "0::/path", is the last on a hybrid layout. */
	while (f && fgets(cg, sizeof(cg), f) && strncmp(cg, "0::", 3))
		;
	if (f)
		fclose(f);
	cg[strcspn(cg, "\n")] = '\0';
	/* cgroup v2: the id is the inode of the cgroup's directory. */
	snprintf(path, sizeof(path), "%s%s", cgroup2_root(), strncmp(cg, "0::", 3) ? "/-" : cg + 3);
	printf("{\"helper\":\"%s\",\"pid\":%d,\"uid\":%d,\"netns\":%lu", c, host_pid, getuid(),
	       (unsigned long)ns.st_ino);
	if (!stat(path, &cgs))
		printf(",\"cgroup\":%lu", (unsigned long)cgs.st_ino);
	printf("%s}\n", raw_name ? ",\"raw_name\":true" : "");
	fflush(stdout);
}

void child_ids(void)
{
	read_ids();
}
