// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "httpd.h"

enum client_state { FREE, READING, WRITING };

struct client {
	int fd;
	enum client_state state;
	int64_t deadline_ns;
	int64_t since_ns;	/* accepted: the oldest is pushed out first */
	size_t got;		/* bytes of the request read */
	char req[HTTPD_REQUEST_MAX];
	char *out;		/* the response, and how much of it is sent */
	size_t out_len, out_sent;
};

struct httpd {
	int listen_fd, epoll_fd;
	struct client clients[HTTPD_CLIENTS];
	uint64_t served, dropped;
};

int httpd_parse_addr(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2] = "127.0.0.1";
	const char *port = s, *colon = strrchr(s, ':');
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char *end;
	long p;

	memset(ss, 0, sizeof(*ss));
	if (colon) {
		size_t n = (size_t)(colon - s);

		port = colon + 1;
		if (n && s[0] == '[' && s[n - 1] == ']')
			s++, n -= 2;
		if (n >= sizeof(host))
			goto bad;
		if (n) {
			memcpy(host, s, n);
			host[n] = '\0';
		}
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (!*port || *end || errno || p < 1 || p > 65535)
		goto bad;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(p);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(p);
		return 0;
	}
bad:
	snprintf(err, errlen, "--metrics: '%.64s' is not ADDR:PORT (an IP address and a port: 127.0.0.1:9477, "
		 "[::1]:9477, or :9477 for 127.0.0.1)", s);
	return -1;
}

struct httpd *httpd_open(const char *addr, char *err, size_t errlen)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = HTTPD_CLIENTS };
	struct sockaddr_storage ss;
	struct httpd *h;
	int one = 1;

	if (httpd_parse_addr(addr, &ss, err, errlen))
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "--metrics: %s", strerror(errno));
		return NULL;
	}
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		h->clients[i].fd = -1;
	h->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	h->listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->epoll_fd < 0 || h->listen_fd < 0 ||
	    setsockopt(h->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(h->listen_fd, (struct sockaddr *)&ss,
		 ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) ||
	    listen(h->listen_fd, HTTPD_CLIENTS) ||
	    epoll_ctl(h->epoll_fd, EPOLL_CTL_ADD, h->listen_fd, &ev)) {
		snprintf(err, errlen, "--metrics: cannot listen on %s: %s", addr, strerror(errno));
		httpd_close(h);
		return NULL;
	}
	return h;
}

int httpd_fd(const struct httpd *h)
{
	return h->epoll_fd;
}

uint64_t httpd_served(const struct httpd *h)
{
	return h->served;
}

uint64_t httpd_dropped(const struct httpd *h)
{
	return h->dropped;
}

static void client_end(struct httpd *h, struct client *c, bool answered)
{
	if (c->state == FREE)
		return;
	epoll_ctl(h->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	if (answered)
		h->served++;
	else
		h->dropped++;
	c->fd = -1;
	c->out = NULL;
	c->state = FREE;
}

/* A free slot; when there is none, the oldest client still asking is
 * pushed out (a client that holds its slot by asking slowly cannot keep
 * a scraper out), NULL when all are being answered. */
static struct client *slot(struct httpd *h)
{
	struct client *oldest = NULL;

	for (int i = 0; i < HTTPD_CLIENTS; i++) {
		struct client *c = &h->clients[i];

		if (c->state == FREE)
			return c;
		if (c->state == READING && (!oldest || c->since_ns < oldest->since_ns))
			oldest = c;
	}
	if (oldest)
		client_end(h, oldest, false);
	return oldest;
}

static void accept_all(struct httpd *h, int64_t now_ns)
{
	for (;;) {
		int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct client *c;

		if (fd < 0)
			return;
		c = slot(h);
		ev.data.u32 = c ? (uint32_t)(c - h->clients) : 0;
		if (!c || epoll_ctl(h->epoll_fd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			h->dropped++;
			continue;
		}
		c->fd = fd;
		c->state = READING;
		c->since_ns = now_ns;
		c->deadline_ns = now_ns + (int64_t)HTTPD_DEADLINE_S * 1000000000;
		c->got = 0;
	}
}

/* What a read or send of a client's that returned n means: MOVED bytes,
 * AGAIN (try again now: a signal), WAIT (for epoll), or END (the client
 * closed, or failed: it is ended). */
enum moved { MOVED, AGAIN, WAIT, END };

static enum moved moved(struct httpd *h, struct client *c, ssize_t n)
{
	if (n > 0)
		return MOVED;
	if (n < 0 && errno == EINTR)
		return AGAIN;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return WAIT;
	client_end(h, c, false);
	return END;
}

/* Sends what it can of the response; ends the exchange once all is sent. */
static void send_some(struct httpd *h, struct client *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);

		switch (moved(h, c, n)) {
		case AGAIN:
			continue;
		case WAIT:
		case END:
			return;
		case MOVED:
			c->out_sent += (size_t)n;
		}
	}
	client_end(h, c, true);
}

static void respond(struct httpd *h, struct client *c, int status, const char *reason, const char *type,
		    httpd_body_fn body, void *arg, bool head)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)(c - h->clients) };
	char *text = NULL, *mem = NULL;
	size_t text_len = 0, len = 0;
	FILE *f;

	if (body) {
		f = open_memstream(&text, &text_len);
		if (f) {
			body(f, arg);
			if (fclose(f))
				text_len = 0;
		}
	} else {
		text = strdup(reason);
		text_len = text ? strlen(text) : 0;
	}
	f = open_memstream(&mem, &len);
	if (!f || !text) {
		if (f)
			fclose(f);
		free(text);
		free(mem);
		client_end(h, c, false);
		return;
	}
	fprintf(f, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
		status, reason, type, text_len);
	if (!head)
		fwrite(text, 1, text_len, f);
	free(text);
	if (fclose(f)) {
		free(mem);
		client_end(h, c, false);
		return;
	}
	c->out = mem;
	c->out_len = len;
	c->out_sent = 0;
	c->state = WRITING;
	epoll_ctl(h->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
	send_some(h, c);
}

#define TEXT_PLAIN "text/plain; charset=utf-8"
#define EXPOSITION "text/plain; version=0.0.4; charset=utf-8"

/* A whole request (its head) in c->req: the answer. */
static void answer(struct httpd *h, struct client *c, httpd_body_fn body, void *arg)
{
	char method[8], path[64], version[16];
	char *line_end = memchr(c->req, '\n', c->got);
	bool head;

	*line_end = '\0';
	if (sscanf(c->req, "%7s %63s %15s", method, path, version) != 3 || strncmp(version, "HTTP/1.", 7)) {
		respond(h, c, 400, "Bad Request", TEXT_PLAIN, NULL, NULL, false);
		return;
	}
	head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !head) {
		respond(h, c, 405, "Method Not Allowed", TEXT_PLAIN, NULL, NULL, false);
		return;
	}
	path[strcspn(path, "?")] = '\0';
	if (strcmp(path, "/metrics")) {
		respond(h, c, 404, "Not Found", TEXT_PLAIN, NULL, NULL, head);
		return;
	}
	respond(h, c, 200, "OK", EXPOSITION, body, arg, head);
}

static void read_some(struct httpd *h, struct client *c, httpd_body_fn body, void *arg)
{
	for (;;) {
		ssize_t n = read(c->fd, c->req + c->got, sizeof(c->req) - 1 - c->got);

		switch (moved(h, c, n)) {
		case AGAIN:
			continue;
		case WAIT:
		case END:
			return;
		case MOVED:
			break;
		}
		c->got += (size_t)n;
		c->req[c->got] = '\0';
		/* The head ends at an empty line. */
		if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n")) {
			answer(h, c, body, arg);
			return;
		}
		if (c->got == sizeof(c->req) - 1) {
			respond(h, c, 431, "Request Header Fields Too Large", TEXT_PLAIN, NULL, NULL, false);
			return;
		}
	}
}

void httpd_work(struct httpd *h, int64_t now_ns, httpd_body_fn body, void *arg)
{
	struct epoll_event evs[HTTPD_CLIENTS + 1];
	int n = epoll_wait(h->epoll_fd, evs, HTTPD_CLIENTS + 1, 0);

	for (int i = 0; i < n; i++) {
		uint32_t k = evs[i].data.u32;
		struct client *c;

		if (k == HTTPD_CLIENTS) {
			accept_all(h, now_ns);
			continue;
		}
		c = &h->clients[k];
		if (c->state == READING)
			read_some(h, c, body, arg);
		else if (c->state == WRITING)
			send_some(h, c);
	}
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		if (h->clients[i].state != FREE && now_ns >= h->clients[i].deadline_ns)
			client_end(h, &h->clients[i], false);
}

void httpd_close(struct httpd *h)
{
	if (!h)
		return;
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		client_end(h, &h->clients[i], false);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	if (h->epoll_fd >= 0)
		close(h->epoll_fd);
	free(h);
}
