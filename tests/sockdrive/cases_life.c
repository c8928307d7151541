// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* The whole life of sockets: open before tracing, inherited, passed to
 * another process, connects that finish later, ends no hook sees, races. */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sockdrive.h"

static int wait_child(pid_t child)
{
	int status;

	if (child < 0 || waitpid(child, &status, 0) != child)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* A child that reports on its own: its ids and first line. */
static void child_start(const char *name)
{
	read_ids();
	helper_line(name);
}

/* Sockets made, then a wait on GATE (after writing GATE.ready): a tracer
 * started meanwhile finds them open and follows them from then on. */
static int preexisting(const char *gate)
{
	int port, uport, lfd = listener(AF_INET, SOCK_STREAM, &port, false), rfd = bound(AF_INET, SOCK_DGRAM, &uport);
	struct sk l = adopted(lfd, AF_INET, SOCK_STREAM), r = adopted(rfd, AF_INET, SOCK_DGRAM);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", port, &ss);
	struct sk c = adopted(socket(AF_INET, SOCK_STREAM, 0), AF_INET, SOCK_STREAM), a, u;
	char ready[4096], buf[64];

	if (!gate || connect(c.fd, (struct sockaddr *)&ss, len))
		die("preexisting");
	a = adopted(accept(lfd, NULL, NULL), AF_INET, SOCK_STREAM);
	u = adopted(socket(AF_INET, SOCK_DGRAM, 0), AF_INET, SOCK_DGRAM);
	len = sockaddr_of(AF_INET, "127.0.0.1", uport, &ss);
	if (connect(u.fd, (struct sockaddr *)&ss, len))
		die("connect");
	local_end(&c), peer_end(&c), local_end(&u), peer_end(&u);
	/* Which side opened them is told by the kernel's socket (a
	 * listener's backlog): the SYN the connecting one sent is not a byte. */
	c.tcp_exact = a.tcp_exact = true;
	snprintf(ready, sizeof(ready), "%s.ready", gate);
	close(open(ready, O_CREAT | O_WRONLY, 0644));
	wait_gate(gate);
	for (struct sk *s = &l; s; s = s == &l ? &r : s == &r ? &c : s == &c ? &a : s == &a ? &u : NULL) {
		s->origin = "existing";
		expect("open", s, ",\"origin\":\"existing\"%s", s == &l ? ",\"listening\":true" : "");
	}
	send_bytes(&c, 50);
	expect_io(&a, false, "read", read(a.fd, buf, 50));
	send_bytes(&u, 10);
	expect_io(&r, false, "read", read(r.fd, buf, 10));
	close_sock(&c);
	close_sock(&a);
	close_sock(&u);
	close_sock(&r);
	close_sock(&l);
	return 0;
}

/* A child inherits a tracked socket: its use and close are its own; a
 * child that never uses its copy says nothing. */
static int fork_case(const char *arg)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port);
	struct sk s = connect_lo(AF_INET, SOCK_STREAM, port);
	pid_t child;

	(void)arg;
	send_bytes(&s, 5);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		struct sk c = s;

		child_start("fork-child");
		c.origin = "fork";
		c.sent = c.sends = 0;
		expect("open", &c, ",\"origin\":\"fork\"");
		send_bytes(&c, 7);
		close_sock(&c);
		_exit(0);
	}
	if (wait_child(child) || (child = fork()) == 0)
		_exit(0);
	wait_child(child);
	send_bytes(&s, 9);
	close_sock(&s);
	close(lfd);
	return 0;
}

static struct sk cfiles_sock;

static int cfiles_child(void *arg)
{
	(void)arg;
	child_start("cfiles-child");
	/* The same descriptor, not a copy: its totals go on. */
	send_bytes(&cfiles_sock, 4);
	close_sock(&cfiles_sock);
	return 0;
}

/* A thread of a process about to die: busy until the exit takes it. */
static void *spin(void *arg)
{
	for (;;)
		sched_yield();
	return arg;
}

/* Processes whose threads all die at once with sockets open (exit_group
 * while eight threads run): each socket ends once, by exit, under its own
 * process, in every one of ARG (default 10) processes, one after another:
 * the descriptor table's memory goes to the next one. */
static int exit_threads(const char *arg)
{
	int n = arg ? atoi(arg) : 10, port, uport;
	int lfd = bound(AF_INET, SOCK_STREAM, &port), rfd = bound(AF_INET, SOCK_DGRAM, &uport);

	fflush(stdout);
	for (int i = 0; i < n && i < 100; i++) {
		pid_t child = fork();

		if (child == 0) {
			struct sk t, u;
			pthread_t th;

			child_start("exit-threads-child");
			t = connect_lo(AF_INET, SOCK_STREAM, port);
			u = connect_lo(AF_INET, SOCK_DGRAM, uport);
			send_bytes(&t, 3);
			send_bytes(&u, 4);
			/* Ended by whichever of its threads goes last. */
			any_tid = true;
			expect_close(&t, "exit");
			expect_close(&u, "exit");
			fflush(stdout);
			for (int k = 0; k < 8; k++)
				if (pthread_create(&th, NULL, spin, NULL))
					die("pthread_create");
			usleep(1000);
			_exit(0);
		}
		wait_child(child);
	}
	close(lfd);
	close(rfd);
	return 0;
}

/* clone(CLONE_FILES) without CLONE_THREAD: one descriptor table, two
 * processes; the child's send and close are the same descriptor's. */
static int cfiles(const char *arg)
{
	int port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
	static char stack[256 * 1024];
	pid_t child;

	(void)arg;
	cfiles_sock = connect_lo(AF_INET, SOCK_DGRAM, port);
	send_bytes(&cfiles_sock, 3);
	fflush(stdout);
	child = clone(cfiles_child, stack + sizeof(stack), CLONE_FILES | SIGCHLD, NULL);
	wait_child(child);
	close(rfd);
	return 0;
}

/* A socket passed to another process over a UNIX socket (SCM_RIGHTS): it
 * is tracked there from its first use. */
static int scm(const char *arg)
{
	int sv[2], port, lfd;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, byte = 0;
	struct iovec iov = { &byte, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	pid_t child;
	struct sk t;

	(void)arg;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		die("socketpair");
	fflush(stdout);
	child = fork();
	if (child == 0) {
		struct sk s;
		int fd;

		child_start("scm-child");
		if (recvmsg(sv[1], &m, 0) != 1 || !(cm = CMSG_FIRSTHDR(&m)))
			die("recvmsg SCM_RIGHTS");
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		s = adopted(fd, AF_INET, SOCK_STREAM);
		expect("open", &s, ",\"origin\":\"use\"");
		send_bytes(&s, 21);
		close_sock(&s);
		_exit(0);
	}
	lfd = bound(AF_INET, SOCK_STREAM, &port);
	t = connect_lo(AF_INET, SOCK_STREAM, port);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &t.fd, sizeof(int));
	if (sendmsg(sv[0], &m, 0) != 1)
		die("sendmsg SCM_RIGHTS");
	close_sock(&t);
	wait_child(child);
	close(lfd);
	return 0;
}

/* A non-blocking connect; with wait, how it ended, as SO_ERROR tells. */
static struct sk connect_async(int family, const char *ip, int port, int syncnt, bool wait)
{
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(family, ip, port, &ss), elen = sizeof(int);
	struct sk s = { .family = family, .type = SOCK_STREAM, .dport = port, .origin = "connect", .dir = "out" };
	struct pollfd p = { .events = POLLOUT };
	int rc, err = 0;

	s.fd = p.fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s.fd < 0 || (syncnt && setsockopt(s.fd, IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof(syncnt))))
		die("socket");
	snprintf(s.daddr, sizeof(s.daddr), "%s", ip);
	rc = connect(s.fd, (struct sockaddr *)&ss, len) ? -errno : 0;
	local_end(&s);
	if (rc == 0)
		expect("connect", &s, ",\"ret\":0");
	else if (rc != -EINPROGRESS)
		expect("connect", &s, ",\"ret\":%d,\"error\":\"%s\"", rc, strerrorname_np(-rc));
	else
		expect("connect", &s, ",\"ret\":-115");
	if (rc != -EINPROGRESS || !wait)
		return s;
	if (poll(&p, 1, 20000) != 1 || getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &elen))
		die("poll");
	if (err)
		expect("connect", &s, ",\"ret\":%d,\"error\":\"%s\",\"async\":true", -err, strerrorname_np(err));
	else
		expect("connect", &s, ",\"ret\":0,\"async\":true");
	return s;
}

/* Non-blocking connects: one that succeeds, one refused. */
static int nonblock(const char *arg)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), closed, cfd = bound(AF_INET, SOCK_STREAM, &closed);
	struct sk s, r;

	(void)arg;
	close(cfd);
	s = connect_async(AF_INET, "127.0.0.1", port, 0, true);
	send_bytes(&s, 11);
	close_sock(&s);
	r = connect_async(AF_INET, "127.0.0.1", closed, 0, true);
	close_sock(&r);
	close(lfd);
	return 0;
}

/* In a network namespace of its own, 10/8 goes out over loopback, where
 * nothing answers: a connect there times out, as to a host that drops
 * SYNs. TCP_SYNCNT 1 makes that take 3 s, not 2 minutes. */
static void silent_net(void)
{
	struct rtentry rt = { .rt_flags = RTF_UP, .rt_dev = "lo" };
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;

	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	((struct sockaddr_in *)&rt.rt_dst)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_dst)->sin_addr.s_addr = htonl(0x0a000000);
	((struct sockaddr_in *)&rt.rt_genmask)->sin_family = AF_INET;
	((struct sockaddr_in *)&rt.rt_genmask)->sin_addr.s_addr = htonl(0xff000000);
	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		die("SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) || ioctl(fd, SIOCADDRT, &rt))
		die("network namespace set-up");
	close(fd);
}

static int timeout(const char *arg)
{
	struct sk s;
	pid_t child;

	(void)arg;
	fflush(stdout);
	child = fork();
	if (child)
		return wait_child(child);
	silent_net();
	child_start("timeout-child");
	s = connect_async(AF_INET, "10.1.2.3", 80, 1, true);
	close_sock(&s);
	/* Closed while still connecting. */
	s = connect_async(AF_INET, "10.1.2.4", 80, 0, false);
	expect("close", &s, ",\"reason\":\"close\",\"origin\":\"connect\",\"dir\":\"out\",\"sent_bytes\":0,"
	       "\"sends\":0,\"recv_bytes\":0,\"recvs\":0,\"connecting\":true");
	close(s.fd);
	_exit(0);
}

/* ARG (default 9000) non-blocking connects in progress at once, to hosts
 * that never answer: each is followed to its outcome (ETIMEDOUT, 3 s on),
 * however many wait together. */
static int pending(const char *arg)
{
	int n = arg ? atoi(arg) : 9000, one = 1, left;
	struct rlimit lim;
	struct pollfd *p;
	struct sk *s;
	pid_t child;

	if (n < 1 || n > 60000)
		n = 9000;
	fflush(stdout);
	child = fork();
	if (child)
		return wait_child(child);
	silent_net();
	/* Root may raise the hard limit; without CAP_SYS_RESOURCE, up to it. */
	lim.rlim_cur = lim.rlim_max = n + 64;
	if (setrlimit(RLIMIT_NOFILE, &lim) &&
	    (getrlimit(RLIMIT_NOFILE, &lim) || (lim.rlim_cur = lim.rlim_max) < (rlim_t)n + 64 ||
	     setrlimit(RLIMIT_NOFILE, &lim)))
		die("RLIMIT_NOFILE: the hard limit is too low for so many sockets");
	child_start("pending-child");
	s = calloc(n, sizeof(*s));
	p = calloc(n, sizeof(*p));
	if (!s || !p)
		die("calloc");
	for (int i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		socklen_t len;

		s[i] = (struct sk){ .family = AF_INET, .type = SOCK_STREAM, .dport = 80, .origin = "connect",
				    .dir = "out", .connected = true };
		snprintf(s[i].daddr, sizeof(s[i].daddr), "10.9.%d.%d", i / 250, i % 250 + 1);
		len = sockaddr_of(AF_INET, s[i].daddr, 80, &ss);
		s[i].fd = p[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		p[i].events = POLLOUT;
		if (s[i].fd < 0 || setsockopt(s[i].fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one)) ||
		    !connect(s[i].fd, (struct sockaddr *)&ss, len) || errno != EINPROGRESS)
			die("connect in progress");
		local_end(&s[i]);
		expect("connect", &s[i], ",\"ret\":-115");
	}
	for (left = n; left > 0;) {
		int ready = poll(p, n, 20000);

		if (ready <= 0)
			die("poll");
		for (int i = 0; i < n; i++) {
			int err = 0;
			socklen_t elen = sizeof(err);

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			if (getsockopt(p[i].fd, SOL_SOCKET, SO_ERROR, &err, &elen))
				die("SO_ERROR");
			expect("connect", &s[i], ",\"ret\":%d,\"error\":\"%s\",\"async\":true", -err,
			       strerrorname_np(err));
			close_sock(&s[i]);
			p[i].fd = -1;
			left--;
		}
	}
	_exit(0);
}

/* close() through io_uring (IORING_OP_CLOSE), which no hook sees. */
static int uring_close(int fd)
{
	struct io_uring_params p = { 0 };
	int ring = syscall(__NR_io_uring_setup, 4, &p), res = -1;
	size_t sqsz, cqsz;
	void *sq, *cq;
	struct io_uring_sqe *sqes;
	unsigned int *tail, idx;
	struct io_uring_cqe *cqe;

	if (ring < 0)
		return -1;
	sqsz = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cqsz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if (p.features & IORING_FEAT_SINGLE_MMAP)
		sqsz = cqsz = sqsz > cqsz ? sqsz : cqsz;
	sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	cq = p.features & IORING_FEAT_SINGLE_MMAP ? sq :
	     mmap(NULL, cqsz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		    ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		goto out;
	tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	idx = *tail & *(unsigned int *)((char *)sq + p.sq_off.ring_mask);
	memset(&sqes[idx], 0, sizeof(sqes[idx]));
	sqes[idx].opcode = IORING_OP_CLOSE;
	sqes[idx].fd = fd;
	((unsigned int *)((char *)sq + p.sq_off.array))[idx] = idx;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) != 1)
		goto out;
	cqe = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	res = cqe[*(unsigned int *)((char *)cq + p.cq_off.head) & *(unsigned int *)((char *)cq + p.cq_off.ring_mask)].res;
out:
	close(ring);
	return res;
}

/* Descriptors io_uring closes: found at the next use of the number, by a
 * file's close or a new socket, each starting from zero. */
static int iouring(const char *arg)
{
	int port, rfd = bound(AF_INET, SOCK_DGRAM, &port), probe = socket(AF_INET, SOCK_DGRAM, 0), f;
	struct sk a, b, c;

	(void)arg;
	if (uring_close(probe)) {
		printf("{\"skip\":\"io_uring\"}\n");
		return 0;
	}
	a = connect_lo(AF_INET, SOCK_DGRAM, port);
	send_bytes(&a, 5);
	if (uring_close(a.fd))
		die("io_uring close");
	f = open("/dev/null", O_RDONLY);
	if (f != a.fd)
		die("/dev/null did not take the number");
	expect_close(&a, "unseen");
	close(f);
	b = connect_lo(AF_INET, SOCK_DGRAM, port);
	send_bytes(&b, 6);
	if (uring_close(b.fd))
		die("io_uring close");
	expect_close(&b, "unseen");
	c = connect_lo(AF_INET, SOCK_DGRAM, port);
	if (c.fd != b.fd)
		die("the new socket did not take the number");
	send_bytes(&c, 7);
	close_sock(&c);
	close(rfd);
	return 0;
}

#if defined(__x86_64__)
/* A 32-bit syscall from this 64-bit process (IA32 emulation). */
static long int80(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

/* A close socktrace sees although it is 32-bit, and a 32-bit socket that
 * connects and sends, which it says it cannot follow. Tracepoint mode on
 * per-syscall tracepoints (SOCKDRIVE_SYSCALL_HOOKS, from socktrace's
 * status) sees no 32-bit call: the close shows as unseen, and the send at
 * the socket layer tells it of the 32-bit process. */
static int compat(const char *arg)
{
	const char *hooks = getenv("SOCKDRIVE_SYSCALL_HOOKS");
	int port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
	pid_t child = fork();
	struct sockaddr_in *to;
	char *low;
	struct sk s;
	long fd;

	(void)arg;
	if (child == 0)
		_exit(int80(20, 0, 0, 0) == getpid() ? 0 : 1);	/* getpid */
	if (wait_child(child)) {
		printf("{\"skip\":\"int80\"}\n");
		return 0;
	}
	/* 32-bit calls take 32-bit pointers. */
	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		die("mmap MAP_32BIT");
	s = connect_lo(AF_INET, SOCK_DGRAM, port);
	send_bytes(&s, 8);
	expect_close(&s, hooks && !strcmp(hooks, "per-syscall") ? "unseen" : "close");
	if (int80(6, s.fd, 0, 0))
		die("int $0x80 close");
	fd = int80(359, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		die("int $0x80 socket");
	to = (struct sockaddr_in *)low;
	to->sin_family = AF_INET;
	to->sin_port = htons(port);
	to->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(low + 64, "32-bit", 6);
	if (int80(362, fd, (long)to, sizeof(*to)))	/* connect */
		die("int $0x80 connect");
	if (int80(4, fd, (long)(low + 64), 6) != 6)	/* write */
		die("int $0x80 write");
	expect_plain("untraced", ",\"why\":\"32-bit syscalls\"");
	close(fd);
	close(rfd);
	munmap(low, 4096);
	return 0;
}
#else
static int compat(const char *arg)
{
	(void)arg;
	printf("{\"skip\":\"int80\"}\n");
	return 0;
}
#endif

/* A failed connect of a socket of family to port 9 of ip, given in
 * family as_family; its event names the address as shown. */
static void refused_other(int family, int as_family, const char *ip, const char *shown)
{
	struct sk t = { .family = family, .type = SOCK_STREAM, .dport = 9 };
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(as_family, ip, 9, &ss);
	long rc;

	t.fd = socket(family, SOCK_STREAM, 0);
	rc = connect(t.fd, (struct sockaddr *)&ss, len) ? -errno : 0;
	local_end(&t);
	snprintf(t.daddr, sizeof(t.daddr), "%s", shown);
	expect("connect", &t, ",\"ret\":%ld,\"error\":\"%s\"", rc, strerrorname_np(-rc));
	close(t.fd);
}

/* Addresses of the other family: the socket's family decides. */
static int family(const char *arg)
{
	int port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", port, &ss);
	struct sk s = adopted(socket(AF_INET6, SOCK_DGRAM, 0), AF_INET6, SOCK_DGRAM);
	long rc;

	(void)arg;
	/* An IPv6 socket sending to an AF_INET address: IPv4-mapped. */
	rc = sendto(s.fd, "abc", 3, 0, (struct sockaddr *)&ss, len);
	local_end(&s);
	snprintf(s.daddr, sizeof(s.daddr), "::ffff:127.0.0.1");
	s.dport = port;
	expect("open", &s, ",\"origin\":\"use\"");
	expect_send_to(&s, "sendto", rc < 0 ? -errno : rc, "::ffff:127.0.0.1", port);
	close_sock(&s);
	/* An IPv4 socket asked for [::1]:9, and an IPv6 one for 127.0.0.1:9
	 * with an AF_INET length: each shown as asked, whatever the kernel
	 * makes of it (older kernels refuse the first, newer ones read it as
	 * 0.0.0.0:9). */
	refused_other(AF_INET, AF_INET6, "::1", "::1");
	refused_other(AF_INET6, AF_INET, "127.0.0.1", "::ffff:127.0.0.1");
	close(rfd);
	return 0;
}

struct sender {
	int fd;
	size_t n;
	long rc;
	volatile int done;
};

static void *send_big(void *arg)
{
	struct sender *s = arg;

	s->rc = send(s->fd, calloc(1, s->n), s->n, 0);
	s->done = 1;
	return NULL;
}

/* A send blocked on a socket that another thread closes and whose number
 * a UDP socket then takes: when the send ends, its bytes are not the UDP
 * socket's, and nothing is reported for it. */
static int race_send(const char *arg)
{
	int port, lfd = bound(AF_INET, SOCK_STREAM, &port), uport, rfd = bound(AF_INET, SOCK_DGRAM, &uport);
	struct sk t = connect_lo(AF_INET, SOCK_STREAM, port), a = accept_on(lfd, 0), u;
	/* More than the peer's receive queue takes unread: the send blocks. */
	struct sender x = { .fd = t.fd, .n = 4 << 20 };
	pthread_t th;
	char buf[65536];

	(void)arg;
	if (pthread_create(&th, NULL, send_big, &x))
		die("pthread_create");
	usleep(200 * 1000);	/* the send is blocked by now */
	if (x.done)
		die("the send did not block");
	close_sock(&t);
	u = connect_lo(AF_INET, SOCK_DGRAM, uport);
	if (u.fd != t.fd)
		die("the UDP socket did not take the number");
	send_bytes(&u, 1);
	while (a.recvd < (long)x.n) {
		long n = read(a.fd, buf, sizeof(buf));

		if (n <= 0)
			die("read");
		expect_io(&a, false, "read", n);
	}
	pthread_join(th, NULL);
	if (x.rc != (long)x.n)
		die("the big send");
	close_sock(&u);
	close_sock(&a);
	close(lfd);
	close(rfd);
	return 0;
}

static struct sockaddr_in race_dest;
static volatile int race_stop;

static void *flip_dest(void *arg)
{
	int *ports = arg;

	for (unsigned int i = 0; !race_stop; i++)
		race_dest.sin_port = htons(ports[i & 1]);
	return NULL;
}

/* One thread sends datagrams numbered i while another rewrites the
 * destination: the test checks each send event against the port that
 * datagram i really reached. */
static int dest_race(const char *arg)
{
	int n = arg ? atoi(arg) : 2000, ports[2], r[2], fd = socket(AF_INET, SOCK_DGRAM, 0), got = 0;
	int *where = calloc(n, sizeof(int));
	pthread_t th;

	r[0] = bound(AF_INET, SOCK_DGRAM, &ports[0]);
	r[1] = bound(AF_INET, SOCK_DGRAM, &ports[1]);
	/* Room for every datagram: they are read only at the end. */
	for (int k = 0, big = 16 << 20; k < 2; k++)
		setsockopt(r[k], SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	race_dest.sin_family = AF_INET;
	race_dest.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	race_dest.sin_port = htons(ports[0]);
	if (fd < 0 || !where || pthread_create(&th, NULL, flip_dest, ports))
		die("dest-race");
	for (int i = 0; i < n; i++)
		if (sendto(fd, &i, sizeof(i), 0, (struct sockaddr *)&race_dest, sizeof(race_dest)) != sizeof(i))
			die("sendto");
	race_stop = 1;
	pthread_join(th, NULL);
	for (int k = 0; k < 2; k++) {
		int i;

		fcntl(r[k], F_SETFL, O_NONBLOCK);
		while (recv(r[k], &i, sizeof(i), 0) == sizeof(i))
			if (i >= 0 && i < n && !where[i])
				where[i] = ports[k], got++;
	}
	printf("{\"dest_race\":{\"pid\":%d,\"fd\":%d,\"received\":%d,\"ports\":[", host_pid, fd, got);
	for (int i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", where[i]);
	printf("]}}\n");
	close(fd);
	return 0;
}

struct first_user {
	int fd, port, n;
	pthread_barrier_t *go;
};

static void *first_use(void *arg)
{
	struct first_user *u = arg;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", u->port, &ss);

	pthread_barrier_wait(u->go);
	for (int i = 0; i < u->n; i++)
		if (sendto(u->fd, "xxxxxxxx", 8, 0, (struct sockaddr *)&ss, len) != 8)
			die("sendto");
	return NULL;
}

/* Two threads make the first send on one unconnected socket at once:
 * one of them starts its tracking, and every send counts. */
static int udp_race(const char *arg)
{
	int n = arg ? atoi(arg) : 500, port, rfd = bound(AF_INET, SOCK_DGRAM, &port);
	pthread_barrier_t go;
	struct first_user u = { socket(AF_INET, SOCK_DGRAM, 0), port, n, &go };
	pthread_t th[2];

	pthread_barrier_init(&go, NULL, 2);
	for (int i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, first_use, &u))
			die("pthread_create");
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	printf("{\"udp_race\":{\"pid\":%d,\"fd\":%d,\"sends\":%d,\"bytes\":%d}}\n", host_pid, u.fd,
	       2 * n, 16 * n);
	close(u.fd);
	close(rfd);
	return 0;
}

/* More threads blocked in recv() at once than a kretprobe holds calls in
 * flight (as many as the CPUs on 5.10, at least 10 later): each then gets
 * a byte and sends one back. Each socket's close must count both, or say
 * incomplete and be counted as unreturned: never short without a word. */
#define INFLIGHT_MAX 64

static void *wait_recv(void *arg)
{
	int fd = *(int *)arg;
	char c;

	if (recv(fd, &c, 1, 0) != 1 || send(fd, &c, 1, 0) != 1)
		die("inflight");
	return NULL;
}

static int inflight(const char *arg)
{
	int n = arg ? atoi(arg) : 16, port, rfd = bound(AF_INET, SOCK_DGRAM, &port), fd[INFLIGHT_MAX];
	struct sockaddr_storage ss, peer;
	socklen_t len = sockaddr_of(AF_INET, "127.0.0.1", port, &ss), plen;
	pthread_t th[INFLIGHT_MAX];
	char c;

	if (n < 1 || n > INFLIGHT_MAX)
		die("inflight: 1 to 64 threads");
	for (int i = 0; i < n; i++) {
		fd[i] = socket(AF_INET, SOCK_DGRAM, 0);
		if (fd[i] < 0 || connect(fd[i], (struct sockaddr *)&ss, len) ||
		    pthread_create(&th[i], NULL, wait_recv, &fd[i]))
			die("inflight: set-up");
	}
	usleep(300 * 1000);	/* every thread is inside recv() by now */
	for (int i = 0; i < n; i++) {
		plen = sizeof(peer);
		if (getsockname(fd[i], (struct sockaddr *)&peer, &plen) ||
		    sendto(rfd, "x", 1, 0, (struct sockaddr *)&peer, plen) != 1)
			die("inflight: wake");
	}
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		if (recv(rfd, &c, 1, 0) != 1)
			die("inflight: reply");
	}
	printf("{\"inflight\":{\"pid\":%d,\"fds\":[", host_pid);
	for (int i = 0; i < n; i++) {
		printf("%s%d", i ? "," : "", fd[i]);
		close(fd[i]);
	}
	printf("]}}\n");
	close(rfd);
	return 0;
}

/* Blocked threads: in recv() on a socket each, in accept() on one
 * listener, in connect() to a host that never answers. */
struct blocked {
	pthread_t th;
	struct sk s;
	int lfd;
};

static void *blocked_recv(void *arg)
{
	struct blocked *b = arg;
	char buf[128];

	expect_io(&b->s, false, "recvfrom", recv(b->s.fd, buf, sizeof(buf), 0));
	return NULL;
}

static void *blocked_accept(void *arg)
{
	struct blocked *b = arg;

	b->s = accept_on(b->lfd, 0);
	return NULL;
}

static void *blocked_connect(void *arg)
{
	struct blocked *b = arg;
	struct sockaddr_storage ss;
	socklen_t len = sockaddr_of(AF_INET, b->s.daddr, 80, &ss);
	int one = 1, rc;

	b->s.fd = socket(AF_INET, SOCK_STREAM, 0);
	if (b->s.fd < 0 || setsockopt(b->s.fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one)))
		die("socket");
	rc = connect(b->s.fd, (struct sockaddr *)&ss, len) ? -errno : 0;
	local_end(&b->s);
	if (rc)
		expect("connect", &b->s, ",\"ret\":%d,\"error\":\"%s\"", rc, strerrorname_np(-rc));
	else
		expect("connect", &b->s, ",\"ret\":0");
	return NULL;
}

/* ARG (default 64) threads blocked at once in each of recv(), accept()
 * and connect(): more than a kretprobe holds in flight by default, every
 * call still counted, in each attach mode. */
static int blocked(const char *arg)
{
	int n = arg ? atoi(arg) : 64, port, aport, lfd, alfd;
	struct blocked *r, *a, *c;
	struct sk *w, *k;
	pid_t child;

	if (n < 1 || n > 256)
		n = 64;
	fflush(stdout);
	child = fork();
	if (child)
		return wait_child(child);
	silent_net();
	child_start("blocked-child");
	r = calloc(n, sizeof(*r)), a = calloc(n, sizeof(*a)), c = calloc(n, sizeof(*c));
	w = calloc(n, sizeof(*w)), k = calloc(n, sizeof(*k));
	lfd = bound(AF_INET, SOCK_STREAM, &port);
	alfd = bound(AF_INET, SOCK_STREAM, &aport);
	if (!r || !a || !c || !w || !k)
		die("blocked: set-up");
	listen_on(lfd, 256, true);
	listen_on(alfd, 256, true);
	/* recv: a connection each, its accepted end's reader blocked. */
	for (int i = 0; i < n; i++) {
		w[i] = connect_lo(AF_INET, SOCK_STREAM, port);
		r[i].s = accept_on(lfd, 0);
		if (pthread_create(&r[i].th, NULL, blocked_recv, &r[i]))
			die("pthread_create");
	}
	/* accept: every thread on one listener. */
	for (int i = 0; i < n; i++) {
		a[i].lfd = alfd;
		if (pthread_create(&a[i].th, NULL, blocked_accept, &a[i]))
			die("pthread_create");
	}
	/* connect: to hosts that never answer (TCP_SYNCNT 1: 3 s). */
	for (int i = 0; i < n; i++) {
		c[i].s = (struct sk){ .family = AF_INET, .type = SOCK_STREAM, .dport = 80, .origin = "connect",
				      .dir = "out" };
		snprintf(c[i].s.daddr, sizeof(c[i].s.daddr), "10.8.%d.%d", i / 250, i % 250 + 1);
		if (pthread_create(&c[i].th, NULL, blocked_connect, &c[i]))
			die("pthread_create");
	}
	usleep(500 * 1000);	/* every thread is blocked by now */
	for (int i = 0; i < n; i++)
		expect_io(&w[i], true, "write", write(w[i].fd, "0123456789", 10));
	for (int i = 0; i < n; i++)
		k[i] = connect_lo(AF_INET, SOCK_STREAM, aport);
	for (int i = 0; i < n; i++) {
		pthread_join(r[i].th, NULL);
		pthread_join(a[i].th, NULL);
		pthread_join(c[i].th, NULL);
	}
	/* Every tracked socket ends with the process (a failed connect is
	 * not tracked). */
	any_tid = 1;
	for (int i = 0; i < n; i++) {
		expect_close(&w[i], "exit");
		expect_close(&r[i].s, "exit");
		expect_close(&k[i], "exit");
		expect_close(&a[i].s, "exit");
	}
	fflush(stdout);
	_exit(0);
}

const struct sd_case life_cases[] = {
	{ "preexisting", preexisting }, { "fork", fork_case }, { "cfiles", cfiles }, { "scm", scm },
	{ "nonblock", nonblock }, { "timeout", timeout }, { "iouring", iouring }, { "compat", compat },
	{ "family", family }, { "race-send", race_send }, { "dest-race", dest_race },
	{ "udp-race", udp_race }, { "inflight", inflight }, { "exit-threads", exit_threads },
	{ "pending", pending }, { "blocked", blocked }, { NULL, NULL },
};
