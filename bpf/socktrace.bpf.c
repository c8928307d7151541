// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/*
 * Kernel side of socktrace: connect, sendto and close of IPv4 sockets.
 *
 * Each syscall has one handler body; the kprobe (ksyscall) and the syscall
 * tracepoint programs at the bottom are thin wrappers around it, and user
 * space loads only one of the two sets.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "socktrace.h"

#define AF_INET 2
#define EINPROGRESS 115

/* Set by user space through the skeleton's rodata before load. */
const volatile __u32 filter_pid = 0;
const volatile char filter_comm[COMM_LEN] = {};
/* Wake the consumer early only when this much data is waiting; otherwise
 * it drains the ring on its own short poll timeout. */
const volatile __u64 wakeup_bytes = 1 << 20;

/* Events that found the ring buffer full; user space reports them. */
__u64 lost = 0;

struct sock_key {
	__u32 tgid;
	__s32 fd;
};

/* A tracked socket, from a connect that succeeded or is in progress. */
struct sock_val {
	__u64 start_ns;
	__u64 bytes;
	__u64 sends;
	__u32 daddr;
	__u16 dport;
	__u16 pad;
};

/* What an entry probe leaves for the matching exit probe of the thread. */
struct call {
	const void *uaddr;	/* connect: sockaddr to read at exit if unread */
	__s32 fd;
	__u32 daddr;
	__u16 dport;
	__u8 kind;		/* enum event_kind of the pending call */
	__u8 addr_read;		/* connect: daddr/dport already read */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct sock_key);
	__type(value, struct sock_val);
} socks SEC(".maps");

/* LRU: a thread killed between entry and exit must not leak its entry. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct call);
} calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);	/* resized by user space before load */
} events SEC(".maps");

static __always_inline bool comm_matches(void)
{
	char comm[COMM_LEN];

	bpf_get_current_comm(comm, sizeof(comm));
	for (int i = 0; i < COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline bool traced(__u32 tgid)
{
	if (filter_pid && tgid != filter_pid)
		return false;
	if (filter_comm[0] && !comm_matches())
		return false;
	return true;
}

static __always_inline struct event *reserve(__u8 kind, __u64 pid_tgid, int fd)
{
	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&lost, 1);
		return NULL;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->fd = fd;
	e->kind = kind;
	e->pad = 0;
	e->ret = 0;
	e->duration_ns = 0;
	e->sent_bytes = 0;
	e->sends = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	return e;
}

static __always_inline void submit(struct event *e)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* Reads an IPv4 destination; false if unreadable or not AF_INET. */
static __always_inline bool read_sockaddr_in(const void *uaddr, struct call *c)
{
	struct sockaddr_in sin;

	if (bpf_probe_read_user(&sin, sizeof(sin), uaddr) || sin.sin_family != AF_INET)
		return false;
	c->daddr = sin.sin_addr.s_addr;
	c->dport = bpf_ntohs(sin.sin_port);
	c->addr_read = 1;
	return true;
}

static __always_inline int connect_enter(int fd, const void *uaddr, int addrlen)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call c = { .uaddr = uaddr, .fd = fd, .kind = EV_CONNECT };
	__u16 family;

	if (!traced(id >> 32) || addrlen < (int)sizeof(struct sockaddr_in))
		return 0;
	if (!read_sockaddr_in(uaddr, &c)) {
		/* Readable but of another family: not ours. Unreadable: the
		 * page may just not be in yet; the kernel faults it in for its
		 * own copy, so exit tries again. */
		if (!bpf_probe_read_user(&family, sizeof(family), uaddr))
			return 0;
	}
	bpf_map_update_elem(&calls, &id, &c, BPF_ANY);
	return 0;
}

static __always_inline int connect_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &id);
	struct event *e;

	if (!c || c->kind != EV_CONNECT)
		return 0;
	if (!c->addr_read && !read_sockaddr_in(c->uaddr, c))
		goto out;
	if (ret == 0 || ret == -EINPROGRESS) {
		struct sock_key k = { .tgid = id >> 32, .fd = c->fd };
		struct sock_val v = {
			.start_ns = bpf_ktime_get_ns(),
			.daddr = c->daddr,
			.dport = c->dport,
		};
		bpf_map_update_elem(&socks, &k, &v, BPF_ANY);
	}
	e = reserve(EV_CONNECT, id, c->fd);
	if (e) {
		e->ret = ret;
		e->daddr = c->daddr;
		e->dport = c->dport;
		submit(e);
	}
out:
	bpf_map_delete_elem(&calls, &id);
	return 0;
}

static __always_inline int send_enter(int fd)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sock_key k = { .tgid = id >> 32, .fd = fd };
	struct sock_val *s = bpf_map_lookup_elem(&socks, &k);
	struct call c = { .fd = fd, .kind = EV_SEND };

	if (!s)
		return 0;
	/* Kept in the call so a send that races a close is still reported. */
	c.daddr = s->daddr;
	c.dport = s->dport;
	bpf_map_update_elem(&calls, &id, &c, BPF_ANY);
	return 0;
}

static __always_inline int send_exit(long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct call *c = bpf_map_lookup_elem(&calls, &id);
	struct sock_key k;
	struct sock_val *s;
	struct event *e;

	if (!c || c->kind != EV_SEND)
		return 0;
	k.tgid = id >> 32;
	k.fd = c->fd;
	s = bpf_map_lookup_elem(&socks, &k);
	if (s && ret >= 0) {
		__sync_fetch_and_add(&s->bytes, ret);
		__sync_fetch_and_add(&s->sends, 1);
	}
	e = reserve(EV_SEND, id, c->fd);
	if (e) {
		e->ret = ret;
		e->daddr = c->daddr;
		e->dport = c->dport;
		submit(e);
	}
	bpf_map_delete_elem(&calls, &id);
	return 0;
}

/*
 * close() is handled at entry only: Linux releases the descriptor whatever
 * close returns, and skipping a return probe keeps the cost of the hottest
 * hooked syscall (mostly non-socket fds) to one hash lookup.
 */
static __always_inline int close_enter(int fd)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct sock_key k = { .tgid = id >> 32, .fd = fd };
	struct sock_val *s = bpf_map_lookup_elem(&socks, &k);
	struct event *e;

	if (!s)
		return 0;
	e = reserve(EV_CLOSE, id, fd);
	if (e) {
		e->daddr = s->daddr;
		e->dport = s->dport;
		e->duration_ns = e->ts_ns - s->start_ns;
		e->sent_bytes = s->bytes;
		e->sends = s->sends;
		submit(e);
	}
	bpf_map_delete_elem(&socks, &k);
	return 0;
}

/* kprobe mode */

SEC("ksyscall/connect")
int BPF_KSYSCALL(kp_connect, int fd, const void *uaddr, int addrlen)
{
	return connect_enter(fd, uaddr, addrlen);
}

SEC("kretsyscall/connect")
int BPF_KRETPROBE(kr_connect, long ret)
{
	return connect_exit(ret);
}

SEC("ksyscall/sendto")
int BPF_KSYSCALL(kp_sendto, int fd)
{
	return send_enter(fd);
}

SEC("kretsyscall/sendto")
int BPF_KRETPROBE(kr_sendto, long ret)
{
	return send_exit(ret);
}

SEC("ksyscall/close")
int BPF_KSYSCALL(kp_close, int fd)
{
	return close_enter(fd);
}

/* tracepoint mode */

SEC("tracepoint/syscalls/sys_enter_connect")
int tp_connect(struct trace_event_raw_sys_enter *ctx)
{
	return connect_enter(ctx->args[0], (const void *)ctx->args[1], ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tr_connect(struct trace_event_raw_sys_exit *ctx)
{
	return connect_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int tp_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return send_enter(ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int tr_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_close")
int tp_close(struct trace_event_raw_sys_enter *ctx)
{
	return close_enter(ctx->args[0]);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
