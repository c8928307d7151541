// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* Every send and receive path, on TCP and UDP, IPv4 and IPv6: each call
 * printed with the bytes it really moved. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <unistd.h>
#include "sockdrive.h"

static char data[4096];

static long rc_of(long rc)
{
	return rc < 0 ? -errno : rc;
}

/* A file of n bytes, to sendfile from. */
static int file_of(size_t n)
{
	char path[] = "/tmp/sockdrive.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, data, n) != (ssize_t)n || lseek(fd, 0, SEEK_SET))
		die("temporary file");
	unlink(path);
	return fd;
}

static struct msghdr msg_of(struct iovec *iov, struct sockaddr_storage *to, socklen_t tolen)
{
	return (struct msghdr){ .msg_iov = iov, .msg_iovlen = 1, .msg_name = to, .msg_namelen = tolen };
}

/* Each send path once, n0 bytes and more, from s; sendmmsg sends two. */
static void send_all(struct sk *s, int n0)
{
	struct iovec iov[2] = { { data, 50 }, { data, n0 + 1 - 50 } };
	struct mmsghdr mm[2] = { { .msg_hdr = { .msg_iov = &iov[0], .msg_iovlen = 1 } },
				 { .msg_hdr = { .msg_iov = &iov[1], .msg_iovlen = 1 } } };
	struct iovec one = { data, n0 + 4 };
	struct msghdr m = msg_of(&one, NULL, 0);
	int file = file_of(n0 + 7), pipefd[2];
	long n;

	expect_io(s, true, "write", rc_of(write(s->fd, data, n0)));
	expect_io(s, true, "writev", rc_of(writev(s->fd, iov, 2)));
	iov[0].iov_len = n0 + 2;
	expect_io(s, true, "pwritev2", rc_of(pwritev2(s->fd, iov, 1, -1, 0)));
	expect_io(s, true, "sendto", rc_of(sendto(s->fd, data, n0 + 3, 0, NULL, 0)));
	expect_io(s, true, "sendmsg", rc_of(sendmsg(s->fd, &m, 0)));
	iov[0].iov_len = n0 + 5;
	iov[1].iov_len = n0 + 6;
	n = sendmmsg(s->fd, mm, 2, 0);
	if (n != 2)
		die("sendmmsg");
	expect_io(s, true, "sendmmsg", mm[0].msg_len);
	expect_io(s, true, "sendmmsg", mm[1].msg_len);
	expect_io(s, true, "sendfile", rc_of(sendfile(s->fd, file, NULL, n0 + 7)));
	if (pipe(pipefd) || write(pipefd[1], data, n0 + 8) != n0 + 8)
		die("pipe");
	expect_io(s, true, "splice", rc_of(splice(pipefd[0], NULL, s->fd, NULL, n0 + 8, 0)));
	close(pipefd[0]);
	close(pipefd[1]);
	close(file);
}

/* Each receive path once, taking what send_all(n0) sent, in order. */
static void recv_all(struct sk *s, int n0)
{
	char buf[4096];
	struct iovec iov[2] = { { buf, 60 }, { buf + 60, n0 + 1 - 60 } };
	struct mmsghdr mm[2] = { { .msg_hdr = { .msg_iov = &iov[0], .msg_iovlen = 1 } },
				 { .msg_hdr = { .msg_iov = &iov[1], .msg_iovlen = 1 } } };
	struct iovec one = { buf, n0 + 4 };
	struct msghdr m = msg_of(&one, NULL, 0);
	int pipefd[2];
	long n;

	expect_io(s, false, "read", rc_of(read(s->fd, buf, n0)));
	expect_io(s, false, "readv", rc_of(readv(s->fd, iov, 2)));
	iov[0].iov_len = n0 + 2;
	expect_io(s, false, "preadv2", rc_of(preadv2(s->fd, iov, 1, -1, 0)));
	/* A peek leaves the data queued: not a receive. */
	if (recv(s->fd, buf, n0 + 3, MSG_PEEK) != n0 + 3)
		die("recv MSG_PEEK");
	expect_io(s, false, "recvfrom", rc_of(recvfrom(s->fd, buf, n0 + 3, 0, NULL, NULL)));
	expect_io(s, false, "recvmsg", rc_of(recvmsg(s->fd, &m, 0)));
	iov[0].iov_len = n0 + 5;
	iov[1].iov_len = n0 + 6;
	n = recvmmsg(s->fd, mm, 2, 0, NULL);
	if (n != 2)
		die("recvmmsg");
	expect_io(s, false, "recvmmsg", mm[0].msg_len);
	expect_io(s, false, "recvmmsg", mm[1].msg_len);
	if (pipe(pipefd))
		die("pipe");
	expect_io(s, false, "splice", rc_of(splice(s->fd, NULL, pipefd[1], NULL, n0 + 7, 0)));
	expect_io(s, false, "read", rc_of(read(s->fd, buf, n0 + 8)));
	close(pipefd[0]);
	close(pipefd[1]);
}

/* Client and server of one TCP connection, in one process. */
static int io_tcp(const char *arg)
{
	int family = arg && !strcmp(arg, "6") ? AF_INET6 : AF_INET;
	int port, lfd = bound(family, SOCK_STREAM, &port);
	struct sk c = connect_lo(family, SOCK_STREAM, port), a = accept_on(lfd, SOCK_CLOEXEC);

	c.tcp_exact = a.tcp_exact = true;
	send_all(&c, 100);
	recv_all(&a, 100);
	send_all(&a, 300);
	recv_all(&c, 300);
	close_sock(&c);
	close_sock(&a);
	close(lfd);
	return 0;
}

/* Both sides of a TCP connection close it in turn with shutdown() before
 * close(), so both FINs are exchanged and acked by then: the kernel's
 * counters, less the SYN and the FINs, equal the syscalls' totals. */
static int tcp_fin(const char *arg)
{
	int family = arg && !strcmp(arg, "6") ? AF_INET6 : AF_INET;
	int port, lfd = bound(family, SOCK_STREAM, &port);
	struct sk c = connect_lo(family, SOCK_STREAM, port), a = accept_on(lfd, 0);
	char buf[64];

	c.tcp_exact = a.tcp_exact = true;
	expect_io(&c, true, "write", rc_of(write(c.fd, data, 10)));
	expect_io(&a, false, "read", rc_of(read(a.fd, buf, 10)));
	if (shutdown(c.fd, SHUT_WR))
		die("shutdown");
	expect_io(&a, false, "read", rc_of(read(a.fd, buf, sizeof(buf))));	/* the end: 0 */
	expect_io(&a, true, "write", rc_of(write(a.fd, data, 5)));
	expect_io(&c, false, "read", rc_of(read(c.fd, buf, 5)));
	if (shutdown(a.fd, SHUT_WR))
		die("shutdown");
	expect_io(&c, false, "read", rc_of(read(c.fd, buf, sizeof(buf))));
	usleep(20000);	/* the last ACK, on loopback */
	close_sock(&a);
	close_sock(&c);
	close(lfd);
	return 0;
}

/* Receives on the unconnected r that ask for each datagram's source,
 * which c sends: each names c's end (one that fails, none). */
static void recv_sources(struct sk *r, struct sk *c)
{
	struct sockaddr_storage from[2];
	socklen_t fromlen = sizeof(from[0]);
	char buf[512];
	struct iovec iov[2] = { { buf, 256 }, { buf + 256, 256 } };
	struct mmsghdr mm[2];
	struct msghdr m;
	long n;

	for (int i = 0; i < 4; i++)
		expect_io(c, true, "write", rc_of(write(c->fd, data, 40 + i)));
	expect_recv_from(r, "recvfrom", rc_of(recvfrom(r->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from[0],
						       &fromlen)), c->saddr, c->sport);
	m = msg_of(&iov[0], &from[0], sizeof(from[0]));
	expect_recv_from(r, "recvmsg", rc_of(recvmsg(r->fd, &m, 0)), c->saddr, c->sport);
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 2; i++)
		mm[i].msg_hdr = msg_of(&iov[i], &from[i], sizeof(from[i]));
	n = recvmmsg(r->fd, mm, 2, 0, NULL);
	if (n != 2)
		die("recvmmsg with sources");
	expect_recv_from(r, "recvmmsg", mm[0].msg_len, c->saddr, c->sport);
	expect_recv_from(r, "recvmmsg", mm[1].msg_len, c->saddr, c->sport);
	/* Nothing left: a failed receive names no source. */
	fromlen = sizeof(from[0]);
	expect_recv_from(r, "recvfrom", rc_of(recvfrom(r->fd, buf, sizeof(buf), MSG_DONTWAIT,
						       (struct sockaddr *)&from[0], &fromlen)), c->saddr, c->sport);
}

/* A connected UDP client and an unconnected server, which is tracked from
 * its first receive and answers with destinations. */
static int io_udp(const char *arg)
{
	int family = arg && !strcmp(arg, "6") ? AF_INET6 : AF_INET;
	int port, rfd = bound(family, SOCK_DGRAM, &port);
	struct sk c = connect_lo(family, SOCK_DGRAM, port), r = adopted(rfd, family, SOCK_DGRAM);
	struct sockaddr_storage to;
	socklen_t tolen = sockaddr_of(family, loopback(family), c.sport, &to);
	struct iovec one = { data, 302 };
	struct msghdr m = msg_of(&one, &to, tolen);
	char buf[512];

	send_all(&c, 200);
	expect("open", &r, ",\"origin\":\"use\"");
	recv_all(&r, 200);
	expect_send_to(&r, "sendto", rc_of(sendto(rfd, data, 301, 0, (struct sockaddr *)&to, tolen)),
		       loopback(family), c.sport);
	expect_send_to(&r, "sendmsg", rc_of(sendmsg(rfd, &m, 0)), loopback(family), c.sport);
	expect_io(&c, false, "recvfrom", rc_of(recvfrom(c.fd, buf, sizeof(buf), 0, NULL, NULL)));
	expect_io(&c, false, "read", rc_of(read(c.fd, buf, sizeof(buf))));
	recv_sources(&r, &c);
	close_sock(&c);
	close_sock(&r);
	return 0;
}

/* One socket whose sends go in brief records once socktrace has shown it
 * in full: between them the thread renames itself, then the socket
 * connects again, to another port. Each send must say the name and the
 * peer of its own moment. */
static int io_change(const char *arg)
{
	int family = arg && !strcmp(arg, "6") ? AF_INET6 : AF_INET;
	int p1, p2, r1 = bound(family, SOCK_DGRAM, &p1), r2 = bound(family, SOCK_DGRAM, &p2);
	struct sk c = connect_lo(family, SOCK_DGRAM, p1);
	struct sockaddr_storage to;
	socklen_t tolen = sockaddr_of(family, loopback(family), p2, &to);

	for (int i = 0; i < 3; i++)
		expect_io(&c, true, "write", rc_of(write(c.fd, data, 10 + i)));
	if (prctl(PR_SET_NAME, "st-renamed"))
		die("PR_SET_NAME");
	for (int i = 0; i < 3; i++)
		expect_io(&c, true, "write", rc_of(write(c.fd, data, 20 + i)));
	if (connect(c.fd, (struct sockaddr *)&to, tolen))
		die("connect again");
	c.dport = p2;
	local_end(&c);
	expect("connect", &c, ",\"ret\":0");
	for (int i = 0; i < 3; i++)
		expect_io(&c, true, "write", rc_of(write(c.fd, data, 30 + i)));
	/* A destination given with one send is that send's: the next ones
	 * go to the connected peer, as the kernel sends them. */
	tolen = sockaddr_of(family, loopback(family), p1, &to);
	expect_send_to(&c, "sendto", rc_of(sendto(c.fd, data, 40, 0, (struct sockaddr *)&to, tolen)),
		       loopback(family), p1);
	for (int i = 0; i < 3; i++)
		expect_io(&c, true, "write", rc_of(write(c.fd, data, 50 + i)));
	close_sock(&c);
	close(r1);
	close(r2);
	return 0;
}

/* connect() with an AF_UNSPEC address dissolves a socket's association
 * (UDP; TCP too, with a reset): a disconnect naming the peer it had. The
 * UDP socket then goes where each send says, from the port the kernel
 * binds it to then. */
static int disconnect_case(const char *arg)
{
	int family = arg && !strcmp(arg, "6") ? AF_INET6 : AF_INET;
	int p1, p2, lp, r1 = bound(family, SOCK_DGRAM, &p1), r2 = bound(family, SOCK_DGRAM, &p2);
	int lfd = bound(family, SOCK_STREAM, &lp);
	struct sockaddr_storage to;
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	socklen_t tolen = sockaddr_of(family, loopback(family), p2, &to);
	struct sk u = connect_lo(family, SOCK_DGRAM, p1), t = connect_lo(family, SOCK_STREAM, lp), a;
	const char *any = family == AF_INET6 ? "::" : "0.0.0.0";

	long rc;

	expect_io(&u, true, "write", rc_of(write(u.fd, data, 5)));
	if (connect(u.fd, &unspec, sizeof(unspec)))
		die("connect(AF_UNSPEC)");
	expect("disconnect", &u, "%s", "");
	u.connected = false;
	rc = rc_of(sendto(u.fd, data, 6, 0, (struct sockaddr *)&to, tolen));
	local_end(&u);	/* bound again by that send */
	expect_send_to(&u, "sendto", rc, loopback(family), p2);
	close_sock(&u);

	a = accept_on(lfd, 0);
	send_bytes(&t, 7);
	if (connect(t.fd, &unspec, sizeof(unspec)))
		die("connect(AF_UNSPEC) tcp");
	expect("disconnect", &t, "%s", "");
	local_end(&t);
	snprintf(t.daddr, sizeof(t.daddr), "%s", any);
	t.dport = 0;
	t.connected = false;
	close_sock(&t);
	close_sock(&a);
	close(lfd);
	close(r1);
	close(r2);
	return 0;
}

const struct sd_case io_cases[] = {
	{ "io-tcp", io_tcp }, { "io-udp", io_udp }, { "io-change", io_change },
	{ "disconnect", disconnect_case }, { "tcp-fin", tcp_fin }, { NULL, NULL },
};
