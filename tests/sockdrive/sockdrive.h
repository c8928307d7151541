/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/*
 * sockdrive: makes real sockets for the end-to-end tests and prints, as JSON
 * lines, the events socktrace must report for them: every value comes from
 * what the syscalls really did (fds, return values, getsockname(), thread
 * ids, the comm the kernel holds), never from socktrace.
 */
#ifndef SOCKDRIVE_H
#define SOCKDRIVE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

/* A socket and what socktrace must say about it. */
struct sk {
	int fd, family, type, sport, dport;
	long sends, recvs, sent, recvd;
	const char *origin, *dir;
	bool tcp_exact;		/* its close names the kernel's TCP counters too */
	bool connected;		/* has a peer of its own: a destination given with a
				 * send is that call's, not the socket's */
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];
};

/* any_tid: the events expected from now on may come from any thread of
 * the process (tid -1 in them). */
extern int host_pid, ns_pid, raw_name, any_tid;

void die(const char *what);
void read_ids(void);
/* An event of socket s; fmt adds its own fields (with leading commas). */
void expect(const char *event, const struct sk *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An event of no socket (untraced). */
void expect_plain(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The close event a descriptor's end must produce, for reason. */
void expect_close(const struct sk *s, const char *reason);
void close_sock(struct sk *s);
/* A send or receive by call that moved rc bytes (or failed: rc < 0). */
void expect_io(struct sk *s, bool send, const char *call, long rc);
/* Same, with the destination given with the call: an unconnected
 * socket's close reports the last one. */
void expect_send_to(struct sk *s, const char *call, long rc, const char *ip, int port);
/* A receive that asked for the datagram's source (ip, port): the same. */
void expect_recv_from(struct sk *s, const char *call, long rc, const char *ip, int port);

socklen_t sockaddr_of(int family, const char *ip, int port, struct sockaddr_storage *ss);
void local_end(struct sk *s);
void peer_end(struct sk *s);
/* A bound loopback socket (listening if a stream); its port to *port,
 * and the listen event it makes. */
int bound(int family, int type, int *port);
/* The same; seen false: the listen is not traced (made before tracing, or
 * a filter leaves it out). */
int listener(int family, int type, int *port, bool seen);
/* listen(fd, backlog), and the listen event it makes if seen. */
void listen_on(int fd, int backlog, bool seen);
const char *loopback(int family);
/* connect() to ip:port and the connect event it must produce. */
struct sk connect_to(int family, int type, const char *ip, int port);
struct sk connect_lo(int family, int type, int port);
/* accept4() on lfd, and the accept event. */
struct sk accept_on(int lfd, int flags);
/* A socket tracked from its first use (origin "use"), set up from fd. */
struct sk adopted(int fd, int family, int type);
void send_bytes(struct sk *s, size_t n);
void wait_gate(const char *path);
void helper_line(const char *c);
/* Another process's first line, for a child that reports on its own. */
void child_ids(void);
const char *cgroup2_root(void);

/* The cases: name, and its function taking the case's argument. */
struct sd_case {
	const char *name;
	int (*run)(const char *arg);
};
extern const struct sd_case basic_cases[], io_cases[], life_cases[], filter_cases[];

#endif
