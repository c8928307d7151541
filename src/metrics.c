// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "escape.h"
#include "hmap.h"
#include "metrics.h"
#include "names.h"

#define CGROUP_LABEL_LEN 80	/* cgnames' names fit */
#define SEND 0
#define RECV 1
#define OUT 0
#define IN 1

/* A process's series: its name, its cgroup, the protocol. other: the
 * series of every process past METRICS_PROCS_MAX (labels empty), one per
 * protocol. */
struct proc_key {
	char process[COMM_LEN];
	char cgroup[CGROUP_LABEL_LEN];
	uint16_t proto;
	uint8_t other;
};

/* A peer's series: its address, the service's port (the peer's for a
 * connection made, the local one for a connection accepted), the
 * protocol. family 0: the series of every peer past the cap, one per
 * protocol. */
struct peer_key {
	uint8_t addr[16];
	uint16_t port;
	uint16_t proto;
	uint8_t family;
};

/* What both count. */
struct counts {
	uint64_t conns[2][RESULTS_N];	/* [OUT or IN][result] */
	uint64_t bytes[2], calls[2];	/* [SEND or RECV] */
	int64_t touched_ns;
};

struct proc_series {
	struct hnode node;	/* keyed by the key's hash */
	struct proc_key key;
	struct counts c;
};

struct peer_series {
	struct hnode node;
	struct peer_key key;
	struct counts c;
};

struct metrics {
	struct hmap procs, peers;
	unsigned int peers_max;
	int64_t expiry_ns;
	uint64_t dropped;	/* series expired */
	struct metrics_info info;
};

static const char *const result_names[] = {
#define RESULT_NAME(name, e1, e2) #name,
	CONNECT_RESULTS(RESULT_NAME)
#undef RESULT_NAME
};

struct metrics *metrics_new(unsigned int peers, unsigned int expiry_s)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->peers_max = peers > METRICS_PEERS_MAX ? METRICS_PEERS_MAX : peers;
	m->expiry_ns = (int64_t)(expiry_s ? expiry_s : METRICS_EXPIRY_DEFAULT) * 1000000000;
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	hmap_free_all(&m->procs);
	hmap_free_all(&m->peers);
	free(m);
}

void metrics_set_info(struct metrics *m, const struct metrics_info *info)
{
	m->info = *info;
}

static enum connect_result result_of(int64_t ret)
{
	int e = ret < 0 ? (int)-ret : 0;

#define RESULT_MATCH(name, e1, e2) \
	if ((e1) >= 0 && (e == (e1) || e == (e2))) \
		return RESULT_##name;
	CONNECT_RESULTS(RESULT_MATCH)
#undef RESULT_MATCH
	return RESULT_other;
}

/* Where a series type keeps its key and counts. */
struct layout {
	size_t size, key_at, counts_at;
	size_t max;		/* series at most, the overflow's included */
	const void *overflow;	/* the overflow series' key */
};

/* The counts of the series of key (n bytes, hashed whole), made
 * if new; past the cap, or on a clash of hashes, the overflow series'. */
static struct counts *series_get(struct hmap *map, const void *key, size_t n, const struct layout *l)
{
	uint64_t h = hash_bytes(HASH_SEED, key, n);
	struct hnode *node = hmap_find(map, h);

	if (node && memcmp((char *)node + l->key_at, key, n))
		node = NULL, key = l->overflow;
	else if (!node && map->count + 1 >= l->max)
		key = l->overflow;
	if (!node) {
		h = hash_bytes(HASH_SEED, key, n);
		node = hmap_find(map, h);
	}
	if (!node) {
		node = calloc(1, l->size);
		if (!node)
			return NULL;
		node->key = h;
		memcpy((char *)node + l->key_at, key, n);
		if (hmap_add(map, node)) {
			free(node);
			return NULL;
		}
	}
	return (struct counts *)((char *)node + l->counts_at);
}

static struct counts *proc_counts(struct metrics *m, const char *process, const char *cgroup, uint16_t proto)
{
	struct proc_key k, other;

	memset(&k, 0, sizeof(k));
	memset(&other, 0, sizeof(other));
	other.other = 1;
	other.proto = proto;
	strncpy(k.process, process ? process : "", sizeof(k.process) - 1);
	strncpy(k.cgroup, cgroup ? cgroup : "", sizeof(k.cgroup) - 1);
	k.proto = proto;
	const struct layout l = { sizeof(struct proc_series), offsetof(struct proc_series, key),
				  offsetof(struct proc_series, c), METRICS_PROCS_MAX, &other };

	return series_get(&m->procs, &k, sizeof(k), &l);
}

/* The peer of e's socket, and the port of the service between them. */
static struct counts *peer_counts(struct metrics *m, const struct event *e)
{
	const struct ends *x = &e->h.sock.ends;
	struct peer_key k, other;

	if (!m->peers_max)
		return NULL;
	memset(&k, 0, sizeof(k));
	memset(&other, 0, sizeof(other));
	k.family = x->dfamily ? x->dfamily : x->family;
	memcpy(k.addr, x->daddr, 16);
	k.port = e->h.kind == EV_ACCEPT || e->h.sock.dir == DIR_IN ? x->sport : x->dport;
	k.proto = x->proto;
	other.proto = x->proto;
	const struct layout l = { sizeof(struct peer_series), offsetof(struct peer_series, key),
				  offsetof(struct peer_series, c), m->peers_max + 1, &other };

	return series_get(&m->peers, &k, sizeof(k), &l);
}

static void count(struct counts *c, const struct event *e, int64_t now_ns)
{
	const struct event_head *h = &e->h;

	if (!c)
		return;
	c->touched_ns = now_ns;
	switch (h->kind) {
	case EV_CONNECT:
		c->conns[OUT][result_of(e->connect.ret)]++;
		break;
	case EV_ACCEPT:
		c->conns[IN][RESULT_ok]++;
		break;
	case EV_SEND:
	case EV_RECV:
		c->bytes[h->kind == EV_SEND ? SEND : RECV] += (uint64_t)e->io.ret;
		c->calls[h->kind == EV_SEND ? SEND : RECV]++;
		break;
	}
}

void metrics_event(struct metrics *m, const struct event *e, const char *process, const char *cgroup,
		   int64_t now_ns)
{
	const struct event_head *h = &e->h;

	switch (h->kind) {
	case EV_CONNECT:
		/* Counted by its outcome: one in progress, when it ends. */
		if (e->connect.ret == -EINPROGRESS && !(h->flags & EVF_ASYNC))
			return;
		if (!e->connect.ret && !(h->flags & EVF_ASYNC) && !h->sock.id)
			return;
		break;
	case EV_ACCEPT:
		break;
	case EV_SEND:
	case EV_RECV:
		if (e->io.ret < 0)
			return;
		break;
	default:
		return;
	}
	count(proc_counts(m, process, cgroup, h->sock.ends.proto), e, now_ns);
	count(peer_counts(m, e), e, now_ns);
}

struct expiry {
	struct metrics *m;
	struct hmap *map;
	size_t counts_at;	/* offset of the counts in a series */
	int64_t before_ns;
	uint64_t keys[64];
	size_t n;
};

static void find_expired(struct hnode *n, void *arg)
{
	struct expiry *x = arg;
	const struct counts *c = (const struct counts *)((const char *)n + x->counts_at);

	if (x->n < sizeof(x->keys) / sizeof(x->keys[0]) && c->touched_ns < x->before_ns)
		x->keys[x->n++] = n->key;
}

static void expire_map(struct metrics *m, struct hmap *map, size_t counts_at, int64_t now_ns)
{
	struct expiry x = { .m = m, .map = map, .counts_at = counts_at, .before_ns = now_ns - m->expiry_ns };

	/* hmap_each cannot unlink as it goes: batches of keys. */
	do {
		x.n = 0;
		hmap_each(map, find_expired, &x);
		for (size_t i = 0; i < x.n; i++) {
			free(hmap_del(map, x.keys[i]));
			m->dropped++;
		}
	} while (x.n == sizeof(x.keys) / sizeof(x.keys[0]));
}

void metrics_expire(struct metrics *m, int64_t now_ns)
{
	expire_map(m, &m->procs, offsetof(struct proc_series, c), now_ns);
	expire_map(m, &m->peers, offsetof(struct peer_series, c), now_ns);
}

void metrics_label(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n && p[i]) {
		size_t u = p[i] >= 0x80 ? utf8_len(p + i, strnlen(s + i, n - i)) : 1;

		if (p[i] == '\\')
			fputs("\\\\", f);
		else if (p[i] == '"')
			fputs("\\\"", f);
		else if (p[i] == '\n')
			fputs("\\n", f);
		else if (p[i] < 0x20 || p[i] == 0x7f || !u)
			fprintf(f, "\\\\x%02x", p[i]);
		else {
			fwrite(p + i, 1, u, f);
			i += u;
			continue;
		}
		i++;
	}
}

/* ---- the exposition ---- */

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void proc_labels(FILE *f, const struct proc_series *s)
{
	char tmp[16];

	if (s->key.other) {
		fprintf(f, "process=\"\",cgroup=\"\",proto=\"%s\",overflow=\"true\"",
			proto_name(s->key.proto, tmp, sizeof(tmp)));
		return;
	}
	fputs("process=\"", f);
	metrics_label(f, s->key.process, sizeof(s->key.process));
	fputs("\",cgroup=\"", f);
	metrics_label(f, s->key.cgroup, sizeof(s->key.cgroup));
	fprintf(f, "\",proto=\"%s\"", proto_name(s->key.proto, tmp, sizeof(tmp)));
}

static void peer_labels(FILE *f, const struct peer_series *s)
{
	char addr[INET6_ADDRSTRLEN], tmp[16];

	if (!s->key.family) {
		fprintf(f, "peer=\"other\",port=\"\",proto=\"%s\"", proto_name(s->key.proto, tmp, sizeof(tmp)));
		return;
	}
	addr_str(s->key.addr, s->key.family, addr);
	fprintf(f, "peer=\"%s\",port=\"%u\",proto=\"%s\"", addr, s->key.port,
		proto_name(s->key.proto, tmp, sizeof(tmp)));
}

/* One family's samples over a map: what picks the value out of the
 * counts (which: its index), with the labels of the series. */
struct samples {
	FILE *f;
	const char *name;
	bool peers;
	int what;	/* 0: connections; 1: bytes; 2: calls */
	int which;	/* SEND or RECV */
};

static void sample(struct hnode *n, void *arg)
{
	const struct samples *x = arg;
	const struct counts *c = x->peers ? &((const struct peer_series *)n)->c
					  : &((const struct proc_series *)n)->c;

	if (x->what == 0) {
		for (int d = 0; d < 2; d++)
			for (int r = 0; r < RESULTS_N; r++) {
				if (!c->conns[d][r])
					continue;
				fprintf(x->f, "%s{", x->name);
				if (x->peers)
					peer_labels(x->f, (const struct peer_series *)n);
				else
					proc_labels(x->f, (const struct proc_series *)n);
				fprintf(x->f, ",direction=\"%s\",result=\"%s\"} %" PRIu64 "\n", d == OUT ? "out" : "in",
					result_names[r], c->conns[d][r]);
			}
		return;
	}
	uint64_t v = x->what == 1 ? c->bytes[x->which] : c->calls[x->which];

	if (!c->calls[x->which])
		return;
	fprintf(x->f, "%s{", x->name);
	if (x->peers)
		peer_labels(x->f, (const struct peer_series *)n);
	else
		proc_labels(x->f, (const struct proc_series *)n);
	fprintf(x->f, "} %" PRIu64 "\n", v);
}

static void samples(FILE *f, const struct hmap *map, bool peers, const char *name, int what, int which)
{
	struct samples x = { f, name, peers, what, which };

	hmap_each(map, sample, &x);
}

/* The families kept per process, and per peer: X(name, what, which, help). */
#define TRAFFIC_FAMILIES(X)									\
	X(connections_total, 0, 0, "Connections made (direction out: connect, by its outcome) "	\
	  "and accepted (in)")									\
	X(sent_bytes_total, 1, SEND, "Bytes sent, whatever the call")				\
	X(received_bytes_total, 1, RECV, "Bytes received, whatever the call")			\
	X(sends_total, 2, SEND, "Send calls (a message each of sendmmsg)")			\
	X(receives_total, 2, RECV, "Receive calls (a message each of recvmmsg)")

void metrics_write(const struct metrics *m, const struct metrics_health *h, FILE *f)
{
	const struct metrics_info *in = &m->info;

#define TRAFFIC_PROC(name, what, which, help)						\
	family(f, "socktrace_" #name, "counter", help ", by process name and cgroup.");	\
	samples(f, &m->procs, false, "socktrace_" #name, what, which);
	TRAFFIC_FAMILIES(TRAFFIC_PROC)
#undef TRAFFIC_PROC
	if (m->peers_max) {
#define TRAFFIC_PEER(name, what, which, help)							\
	family(f, "socktrace_peer_" #name, "counter", help ", by peer and service port.");	\
	samples(f, &m->peers, true, "socktrace_peer_" #name, what, which);
		TRAFFIC_FAMILIES(TRAFFIC_PEER)
#undef TRAFFIC_PEER
	}

	/* socktrace's own health, one row each: X(name, type, value, help). */
#define HEALTH_FAMILIES(X)										\
	X(events_received_total, counter, h->received, "Records read from the kernel's ring buffer.")	\
	X(events_written_total, counter, h->written, "Events written to the output.")			\
	X(events_unwritten_total, counter, h->unwritten,						\
	  "Events the output could not take in time (a stalled reader).")				\
	X(events_lost_total, counter, h->lost,								\
	  "Events the kernel dropped, the ring buffer full: the counters miss them.")			\
	X(records_malformed_total, counter, h->malformed, "Ring buffer records that were not an event.")	\
	KERNEL_COUNTERS(KERNEL_FAMILY)									\
	X(kernel_sockets, gauge, h->sockets, "Descriptors the kernel side tracks now.")			\
	X(kernel_tables, gauge, h->tables, "Descriptor tables the kernel side tracks now.")
#define KERNEL_FAMILY(name, help) X(kernel_##name##_total, counter, h->name, "The kernel side's " help ".")
#define X(name, type, value, help)							\
	family(f, "socktrace_" #name, #type, help);					\
	fprintf(f, "socktrace_" #name " %" PRId64 "\n", (int64_t)(value));
	HEALTH_FAMILIES(X)
#undef X
#undef KERNEL_FAMILY
#undef HEALTH_FAMILIES
	family(f, "socktrace_metrics_series", "gauge", "Series kept now, of processes and of peers.");
	fprintf(f, "socktrace_metrics_series{of=\"processes\"} %zu\n", m->procs.count);
	fprintf(f, "socktrace_metrics_series{of=\"peers\"} %zu\n", m->peers.count);
	family(f, "socktrace_metrics_series_expired_total", "counter",
	       "Series dropped after the expiry without events.");
	fprintf(f, "socktrace_metrics_series_expired_total %" PRIu64 "\n", m->dropped);
	family(f, "socktrace_info", "gauge", "socktrace's version and how it traces.");
	fputs("socktrace_info{version=\"", f);
	metrics_label(f, in->version ? in->version : "", 64);
	fprintf(f, "\",mode=\"%s\",syscall_hooks=\"%s\"} 1\n", in->mode ? in->mode : "",
		in->syscall_hooks ? in->syscall_hooks : "");
	family(f, "socktrace_kernel_feature", "gauge", "Kernel features socktrace uses (1) or does without (0).");
	for (unsigned int i = 0; i < in->nfeatures && i < 32; i++)
		fprintf(f, "socktrace_kernel_feature{feature=\"%s\"} %d\n", in->feature[i], in->feature_on[i]);
	family(f, "socktrace_start_time_seconds", "gauge", "When tracing began, in seconds since the epoch.");
	fprintf(f, "socktrace_start_time_seconds %" PRId64 ".%03d\n", in->start_real_ns / 1000000000,
		(int)(in->start_real_ns % 1000000000 / 1000000));
}
