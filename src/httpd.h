/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * The --metrics endpoint: a small HTTP/1.x server on the event loop's
 * thread that answers GET /metrics. Nothing it does blocks, and nothing a
 * client does can hold it: at most HTTPD_CLIENTS at once (a new one
 * pushes out the oldest that has not finished asking), a request of at
 * most HTTPD_REQUEST_MAX bytes, and HTTPD_DEADLINE_S for a whole exchange.
 * Memory is bounded by those and the size of the exposition.
 */
#ifndef HTTPD_H
#define HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HTTPD_CLIENTS 16
#define HTTPD_REQUEST_MAX 8192
#define HTTPD_DEADLINE_S 10

struct httpd;

/* Parses "ADDR:PORT" ("127.0.0.1:9477", "[::1]:9477", "0.0.0.0:9477"),
 * ":PORT" or "PORT" (127.0.0.1): 0, or -1 with a one-line reason. */
struct sockaddr_storage;
int httpd_parse_addr(const char *s, struct sockaddr_storage *ss, char *err, size_t errlen);

/* Listens on what httpd_parse_addr() made of addr: NULL with a one-line
 * reason in err. */
struct httpd *httpd_open(const char *addr, char *err, size_t errlen);
/* An epoll fd, readable when a client or the listener has something. */
int httpd_fd(const struct httpd *h);
/* The exposition: writes the body to f. */
typedef void (*httpd_body_fn)(FILE *f, void *arg);
/* Does all that can be done without blocking; closes clients past their
 * deadline. now_ns: CLOCK_MONOTONIC. */
void httpd_work(struct httpd *h, int64_t now_ns, httpd_body_fn body, void *arg);
/* Requests answered, and clients closed unanswered (too slow, too big,
 * pushed out). */
uint64_t httpd_served(const struct httpd *h);
uint64_t httpd_dropped(const struct httpd *h);
void httpd_close(struct httpd *h);

#endif
