// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* --metrics: what events add to which series, the caps and the expiry,
 * label escaping, and the endpoint's answers to requests good and bad. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "check.h"
#include "httpd.h"
#include "metrics.h"

#define HAS(s, part) CHECK(strstr((s), (part)) != NULL)
#define HASNT(s, part) CHECK(strstr((s), (part)) == NULL)
#define SEC 1000000000LL

static char *exposition(const struct metrics *m)
{
	static char *mem;
	struct metrics_health h = { .received = 7, .lost = 3, .untracked = 2 };
	size_t len = 0;
	FILE *f;

	free(mem);
	mem = NULL;
	f = open_memstream(&mem, &len);
	metrics_write(m, &h, f);
	fclose(f);
	return mem;
}

static char *label(const char *s, size_t n)
{
	static char mem[256];
	FILE *f = fmemopen(mem, sizeof(mem), "w");

	metrics_label(f, s, n);
	fputc('\0', f);
	fclose(f);
	return mem;
}

static struct event ev(uint8_t kind, int64_t ret, uint8_t peer, uint16_t dport)
{
	struct event e = { 0 };

	e.h.kind = kind;
	e.h.sock.id = 1;
	e.h.sock.ends = (struct ends){ .sport = 40000, .dport = dport, .proto = IPPROTO_TCP, .family = AF_INET };
	e.h.sock.ends.daddr[0] = 10;
	e.h.sock.ends.daddr[3] = peer;
	if (kind == EV_CONNECT)
		e.connect.ret = ret;
	else
		e.io.ret = ret;
	return e;
}

static void one(struct metrics *m, struct event e, const char *process, const char *cgroup, int64_t now)
{
	metrics_event(m, &e, process, cgroup, now);
}

static void counting(void)
{
	struct metrics *m = metrics_new(4, 60);
	struct event e;
	char *x;

	one(m, ev(EV_CONNECT, 0, 1, 80), "curl", "systemd:a.service", 1);
	one(m, ev(EV_CONNECT, -ECONNREFUSED, 1, 81), "curl", "systemd:a.service", 1);
	one(m, ev(EV_CONNECT, -ETIMEDOUT, 1, 80), "curl", "systemd:a.service", 1);
	one(m, ev(EV_CONNECT, -EHOSTUNREACH, 1, 80), "curl", "systemd:a.service", 1);
	one(m, ev(EV_CONNECT, -EACCES, 1, 80), "curl", "systemd:a.service", 1);
	/* In progress: counted when its outcome comes. */
	one(m, ev(EV_CONNECT, -EINPROGRESS, 1, 80), "curl", "systemd:a.service", 1);
	e = ev(EV_CONNECT, 0, 1, 80);
	e.h.flags = EVF_ASYNC;
	metrics_event(m, &e, "curl", "systemd:a.service", 1);
	e = ev(EV_ACCEPT, 0, 2, 50000);
	e.h.sock.ends.sport = 443;
	e.h.sock.dir = DIR_IN;
	metrics_event(m, &e, "nginx", NULL, 1);
	one(m, ev(EV_SEND, 100, 1, 80), "curl", "systemd:a.service", 1);
	one(m, ev(EV_SEND, 50, 1, 80), "curl", "systemd:a.service", 1);
	one(m, ev(EV_SEND, -EPIPE, 1, 80), "curl", "systemd:a.service", 1);
	one(m, ev(EV_RECV, 7, 1, 80), "curl", "systemd:a.service", 1);
	e = ev(EV_RECV, 9, 2, 50000);
	e.h.sock.ends.sport = 443;
	e.h.sock.dir = DIR_IN;
	metrics_event(m, &e, "nginx", NULL, 1);
	x = exposition(m);
	HAS(x, "# TYPE socktrace_connections_total counter\n");
	HAS(x, "socktrace_connections_total{process=\"curl\",cgroup=\"systemd:a.service\",proto=\"tcp\","
	       "direction=\"out\",result=\"ok\"} 2\n");
	HAS(x, "result=\"refused\"} 1\n");
	HAS(x, "result=\"timed_out\"} 1\n");
	HAS(x, "result=\"unreachable\"} 1\n");
	HAS(x, "result=\"other\"} 1\n");
	HAS(x, "socktrace_connections_total{process=\"nginx\",cgroup=\"\",proto=\"tcp\",direction=\"in\","
	       "result=\"ok\"} 1\n");
	HAS(x, "socktrace_sent_bytes_total{process=\"curl\",cgroup=\"systemd:a.service\",proto=\"tcp\"} 150\n");
	HAS(x, "socktrace_sends_total{process=\"curl\",cgroup=\"systemd:a.service\",proto=\"tcp\"} 2\n");
	HAS(x, "socktrace_received_bytes_total{process=\"curl\",cgroup=\"systemd:a.service\",proto=\"tcp\"} 7\n");
	/* Peers: the service's port, theirs or ours. */
	HAS(x, "socktrace_peer_connections_total{peer=\"10.0.0.1\",port=\"80\",proto=\"tcp\",direction=\"out\","
	       "result=\"ok\"} 2\n");
	HAS(x, "socktrace_peer_connections_total{peer=\"10.0.0.2\",port=\"443\",proto=\"tcp\",direction=\"in\","
	       "result=\"ok\"} 1\n");
	HAS(x, "socktrace_peer_received_bytes_total{peer=\"10.0.0.2\",port=\"443\",proto=\"tcp\"} 9\n");
	/* Health. */
	HAS(x, "socktrace_events_lost_total 3\n");
	HAS(x, "socktrace_kernel_untracked_total 2\n");
	HAS(x, "# TYPE socktrace_kernel_untracked_total counter\n");
	metrics_free(m);
}

static void caps(void)
{
	struct metrics *m = metrics_new(2, 60);
	char name[16], *x;

	/* Past the cap, processes add up in the overflow series. */
	for (int i = 0; i < METRICS_PROCS_MAX + 10; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		one(m, ev(EV_CONNECT, 0, (uint8_t)(1 + i % 5), 80), name, NULL, 1);
	}
	x = exposition(m);
	HAS(x, "socktrace_metrics_series{of=\"processes\"} 2000\n");
	HAS(x, "socktrace_connections_total{process=\"\",cgroup=\"\",proto=\"tcp\",overflow=\"true\","
	       "direction=\"out\",result=\"ok\"} 11\n");
	/* Two peers of their own, the other three as "other". */
	HAS(x, "socktrace_metrics_series{of=\"peers\"} 3\n");
	HAS(x, "peer=\"other\",port=\"\",proto=\"tcp\",direction=\"out\",result=\"ok\"}");
	metrics_free(m);
}

static void expiry(void)
{
	struct metrics *m = metrics_new(0, 10);
	char *x;

	one(m, ev(EV_CONNECT, 0, 1, 80), "old", NULL, 1 * SEC);
	one(m, ev(EV_CONNECT, 0, 1, 80), "new", NULL, 5 * SEC);
	metrics_expire(m, 12 * SEC);
	x = exposition(m);
	HASNT(x, "process=\"old\"");
	HAS(x, "process=\"new\"");
	HAS(x, "socktrace_metrics_series_expired_total 1\n");
	/* No peer series unless asked for. */
	HASNT(x, "socktrace_peer_");
	metrics_free(m);
}

static void labels(void)
{
	CHECK_STR(label("nginx", 16), "nginx");
	CHECK_STR(label("a\"b\\c\nd", 16), "a\\\"b\\\\c\\nd");
	/* Not UTF-8, or a control: as text Prometheus keeps. */
	CHECK_STR(label("x\xff\x01y", 16), "x\\\\xff\\\\x01y");
	/* UTF-8 kept whole; a sequence cut short is not UTF-8. */
	CHECK_STR(label("caf\xc3\xa9", 16), "caf\xc3\xa9");
	CHECK_STR(label("caf\xc3", 16), "caf\\\\xc3");
	/* At most n bytes. */
	CHECK_STR(label("abcdef", 3), "abc");
}

/* The endpoint, over loopback: what a request gets back. */
static int port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	getsockname(fd, (struct sockaddr *)&a, &len);
	return ntohs(a.sin_port);
}

static void body(FILE *f, void *arg)
{
	fprintf(f, "m %d\n", *(int *)arg);
}

static char *exchange(struct httpd *h, int port, const char *const *parts, int n)
{
	static char reply[4096];
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), v = 42;
	size_t got = 0;

	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		return strcpy(reply, "connect failed");
	for (int i = 0; i < n; i++) {
		if (write(fd, parts[i], strlen(parts[i])) < 0)
			break;
		usleep(2000);
		httpd_work(h, 1, body, &v);
	}
	for (int i = 0; i < 50 && got < sizeof(reply) - 1; i++) {
		ssize_t r;

		httpd_work(h, 1, body, &v);
		r = recv(fd, reply + got, sizeof(reply) - 1 - got, MSG_DONTWAIT);
		if (r == 0)
			break;
		if (r > 0)
			got += (size_t)r;
		else
			usleep(2000);
	}
	reply[got] = '\0';
	close(fd);
	return reply;
}

static void endpoint(void)
{
	char err[256], addr[32];
	struct sockaddr_storage ss;
	int probe = socket(AF_INET, SOCK_STREAM, 0), port;
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct httpd *h;
	char big[HTTPD_REQUEST_MAX + 100];
	const char *ok[] = { "GET /metr", "ics?x=1 HTTP/1.1\r\nHost: a\r\n", "\r\n" };

	/* A free port, then the endpoint on it. */
	bind(probe, (struct sockaddr *)&a, sizeof(a));
	port = port_of(probe);
	close(probe);
	snprintf(addr, sizeof(addr), ":%d", port);
	h = httpd_open(addr, err, sizeof(err));
	CHECK(h != NULL);
	if (!h)
		return;
	HAS(exchange(h, port, ok, 3), "HTTP/1.1 200 OK\r\n");
	HAS(exchange(h, port, ok, 3), "\r\n\r\nm 42\n");
	HAS(exchange(h, port, ok, 3), "Content-Length: 5\r\n");
	HAS(exchange(h, port, (const char *[]){ "HEAD /metrics HTTP/1.0\n\n" }, 1), "Content-Length: 5\r\n");
	HASNT(exchange(h, port, (const char *[]){ "HEAD /metrics HTTP/1.0\n\n" }, 1), "m 42");
	HAS(exchange(h, port, (const char *[]){ "GET / HTTP/1.1\r\n\r\n" }, 1), "HTTP/1.1 404 ");
	HAS(exchange(h, port, (const char *[]){ "DELETE /metrics HTTP/1.1\r\n\r\n" }, 1), "HTTP/1.1 405 ");
	HAS(exchange(h, port, (const char *[]){ "\x01\x02garbage\r\n\r\n" }, 1), "HTTP/1.1 400 ");
	HAS(exchange(h, port, (const char *[]){ "GET /metrics SPDY/3\r\n\r\n" }, 1), "HTTP/1.1 400 ");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	HAS(exchange(h, port, (const char *[]){ big }, 1), "HTTP/1.1 431 ");
	CHECK(httpd_served(h) == 10);
	httpd_close(h);

	/* Addresses. */
	CHECK(httpd_parse_addr("[::1]:9477", &ss, err, sizeof(err)) == 0 && ss.ss_family == AF_INET6);
	CHECK(httpd_parse_addr("0.0.0.0:9477", &ss, err, sizeof(err)) == 0 && ss.ss_family == AF_INET);
	CHECK(httpd_parse_addr("9477", &ss, err, sizeof(err)) == 0 && ss.ss_family == AF_INET &&
	      ((struct sockaddr_in *)&ss)->sin_addr.s_addr == htonl(INADDR_LOOPBACK));
	CHECK(httpd_parse_addr("localhost:9477", &ss, err, sizeof(err)) == -1);
	CHECK(httpd_parse_addr("1.2.3.4:", &ss, err, sizeof(err)) == -1);
	CHECK(httpd_parse_addr("1.2.3.4:65536", &ss, err, sizeof(err)) == -1);
	CHECK(httpd_parse_addr("[::1:80", &ss, err, sizeof(err)) == -1);
}

int main(void)
{
	counting();
	caps();
	expiry();
	labels();
	endpoint();
	return check_done("test_metrics");
}
