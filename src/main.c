// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
/* socktrace: the IPv4 and IPv6 sockets of every process, live. */
#include <errno.h>
#include <malloc.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "cgnames.h"
#include "connview.h"
#include "briefs.h"
#include "httpd.h"
#include "kinds.h"
#include "metrics.h"
#include "opts.h"
#include "output.h"
#include "ring.h"
#include "sandbox.h"
#include "peertab.h"
#include "procinfo.h"
#include "proctab.h"
#include "status.h"
#include "top.h"
#include "tracer.h"

/* Short enough that an event is on stdout well within 200 ms even when
 * the kernel side did not wake us (it batches wakeups). */
#define POLL_MS 50

/* The summary's rows: the busiest processes and peers, then the rest. */
#define SUMMARY_ROWS 20
#define SUMMARY_PEERS 10

static volatile sig_atomic_t exiting;
static volatile sig_atomic_t counts_asked;	/* SIGUSR1, with --count */

struct ctx {
	struct tracer tr;
	struct proctab *tab;
	struct peertab *peers;
	struct briefs *briefs;	/* what brief records refer to */
	struct procinfo *procs;	/* who the processes are */
	bool sandboxed;		/* /proc is no longer readable */
	struct output out;
	struct status status;	/* --status */
	struct cgnames *names;	/* --containers */
	struct connview *view;	/* text: the connection view; NULL: the event stream */
	struct top *top;	/* --top: the busiest of each interval, instead of events */
	struct top_view top_view;
	struct metrics *metrics;	/* --metrics: the counters */
	struct httpd *httpd;		/* ... and where they are served */
	uint32_t shown;		/* EV_BIT()s of the kinds printed */
	uint32_t self;		/* socktrace's pid */
	uint64_t received;	/* records read from the ring */
	uint64_t brief;		/* of which brief sends and receives */
	uint64_t malformed;	/* records that were not a known event */
	uint64_t lost_seen;
	bool count;		/* --count: counts, not events */
	bool wide;		/* --wide: the summary's calls too */
};

static void on_signal(int sig)
{
	exiting = sig;
}

static void on_usr1(int sig)
{
	(void)sig;
	counts_asked = 1;
}

static int handle_event(void *arg, void *data, size_t size)
{
	struct ctx *c = arg;
	struct event e;

	/* Not an event: who a process is, before its socket's first event. */
	if (procinfo_is_record(data, size)) {
		procinfo_note(c->procs, data, size, !c->sandboxed);
		cgnames_learn(c->names, data);
		return 0;
	}
	switch (briefs_take(c->briefs, data, size, &e)) {
	case RECORD_BAD:
		c->malformed++;
		return 0;
	case RECORD_BRIEF:
		c->brief++;
		break;
	case RECORD_FULL:
		break;
	}
	c->received++;
	proctab_event(c->tab, &e);
	peertab_event(c->peers, &e);
	/* Not the scrapes of its own endpoint. */
	if (c->metrics && e.h.who.pid != c->self)
		metrics_event(c->metrics, &e, who_name(&e.h.who, &c->out.fmt), cgnames_get(c->names, e.h.sock.cgroup),
			      (int64_t)e.h.who.ts_ns);
	if (c->top)
		top_event(c->top, &e);
	else if (!c->count && (c->shown & EV_BIT(e.h.kind)))
		output_event(&c->out, &e);
	/* Negative stops ring_consume(): nobody is reading. */
	return c->out.broken ? -EPIPE : 0;
}

/* A process record, while /proc may still be read. */
static int note_process(void *arg, void *data, size_t size)
{
	struct ctx *c = arg;

	return procinfo_note(c->procs, data, size, true);
}

static void report_lost(struct ctx *c)
{
	uint64_t lost = tracer_lost(&c->tr);

	if (lost != c->lost_seen) {
		output_lost(&c->out, lost - c->lost_seen);
		c->lost_seen = lost;
	}
}

static int install_signals(bool count)
{
	struct sigaction sa = { .sa_handler = on_signal }, usr1 = { .sa_handler = on_usr1 };

	/* No SA_RESTART: a signal must cut the poll (and a blocked write)
	 * short. SIGPIPE, sent or from writing to a closed pipe, is one more
	 * way to stop; the write then fails with EPIPE instead of killing us.
	 * With --count, SIGUSR1 asks for the counts so far. */
	return sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	       sigaction(SIGHUP, &sa, NULL) || sigaction(SIGPIPE, &sa, NULL) ||
	       (count && sigaction(SIGUSR1, &usr1, NULL));
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A --status record is made in memory (a FILE on it, for the summary's
 * printer) and written whole with write(), which the sandbox allows
 * whatever the file is: stdio would ask a device whether it is a terminal.
 * It begins {"status":"...","time":"...","pid":N
 */
static FILE *status_begin(char **mem, size_t *len, const char *what)
{
	char stamp[64];
	struct buf b;
	FILE *f = open_memstream(mem, len);

	if (!f)
		return NULL;
	buf_init(&b, stamp, sizeof(stamp) - 1);
	format_time(&b, clock_ns(CLOCK_REALTIME));
	stamp[b.len] = '\0';
	fprintf(f, "{\"status\":\"%s\",\"time\":\"%s\",\"pid\":%d", what, stamp, getpid());
	return f;
}

/* Writes the record f holds (in *mem once f is closed): false when it
 * could not be made or written. */
static bool status_end(struct ctx *c, FILE *f, char **mem, size_t *len)
{
	bool ok = f && fclose(f) == 0 && *mem && status_write(&c->status, *mem, *len);

	if (!ok && !c->status.err)
		c->status.err = ENOMEM;
	free(*mem);
	return ok;
}

static bool status_tracing(struct ctx *c, const struct opts *o)
{
	char names[256], *mem = NULL;
	size_t len = 0;
	struct buf b;
	FILE *f;

	if (c->status.fd < 0)
		return true;
	buf_init(&b, names, sizeof(names) - 1);
	for (unsigned int i = 0; i < EV_KINDS; i++)
		if ((o->events & EV_BIT(i)) && kind_info(i))
			buf_fmt(&b, "%s\"%s\"", b.len ? "," : "", kind_info(i)->name);
	names[b.len] = '\0';
	f = status_begin(&mem, &len, "tracing");
	if (f) {
		char feat[2048];

		buf_init(&b, feat, sizeof(feat) - 1);
		features_json(&c->tr.feat, &b);
		feat[b.len] = '\0';
		fprintf(f, ",\"mode\":\"%s\",\"syscall_hooks\":\"%s\",\"events\":[%s],\"kernel\":{%s}}\n",
			attach_name(c->tr.mode), tracer_syscall_hooks(&c->tr), names, feat);
	}
	return status_end(c, f, &mem, &len);
}

static bool status_stopped(struct ctx *c, const struct kernel_tables *k, int rc)
{
	const struct output *out = &c->out;
	char *mem = NULL;
	size_t len = 0;
	FILE *f;

	if (c->status.fd < 0)
		return true;
	f = status_begin(&mem, &len, "stopped");
	if (!f)
		return status_end(c, f, &mem, &len);
	fprintf(f, ",\"exit\":%d,\"events\":{\"received\":%" PRIu64 ",\"written\":%" PRIu64
		",\"unwritten\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"malformed\":%" PRIu64
		",\"brief\":%" PRIu64 "},\"output_error\":", rc, c->received, out->written,
		out->unwritten, c->lost_seen, c->malformed, c->brief);
	if (out->err)
		fprintf(f, "\"%s\"", strerrorname_np(out->err) ?: "?");
	else
		fputs("null", f);
	fprintf(f, ",\"kernel\":{\"sockets\":%" PRId64 ",\"tables\":%" PRId64, k->socks, k->tables);
#define COUNTER_JSON(name, help) fprintf(f, ",\"" #name "\":%" PRIu64, k->name);
	KERNEL_COUNTERS(COUNTER_JSON)
#undef COUNTER_JSON
	fputs("},\"processes\":", f);
	proctab_json(c->tab, f);
	fputs("}\n", f);
	return status_end(c, f, &mem, &len);
}

/* A status file that cannot be written is an error, as stdout is. */
static void status_failed(const struct ctx *c)
{
	fprintf(stderr, "socktrace: cannot write the status file %s: %s\n", c->status.path,
		strerror(c->status.err));
}

static void open_at_end(const struct snapshot *s, void *arg)
{
	proctab_open_at_end(arg, s);
}

/* The counters of what could not be followed that are not 0 (but the
 * untracked sockets, which the line above says), in one line. */
static void not_followed(const struct ctx *c, const struct kernel_tables *k)
{
	const char *sep = "socktrace: not followed: ";

#define COUNTER_SAID(name, help)						\
	if (k->name && strcmp(#name, "untracked")) {				\
		fprintf(stderr, "%s%" PRIu64 " %s", sep, k->name, help);	\
		sep = ", ";							\
	}
	KERNEL_COUNTERS(COUNTER_SAID)
#undef COUNTER_SAID
	if (c->malformed) {
		fprintf(stderr, "%s%" PRIu64 " malformed records", sep, c->malformed);
		sep = ", ";
	}
	if (strcmp(sep, ", ") == 0)
		fputc('\n', stderr);
}

static void summary(struct ctx *c, const struct kernel_tables *k)
{
	const struct output *out = &c->out;

	bool counted = c->count || c->top;

	fprintf(stderr, "socktrace: stopped: %" PRIu64 " events %s, %" PRIu64 " lost",
		counted ? c->received : out->written, counted ? "counted" : "delivered", c->lost_seen);
	if (out->unwritten)
		fprintf(stderr, ", %" PRIu64 " not written (%s)", out->unwritten,
			out->err ? strerror(out->err) : "the reader did not take them");
	fputc('\n', stderr);
	/* --count has printed them on stdout. */
	if (proctab_nprocs(c->tab) && !c->count)
		proctab_summary(c->tab, stderr, SUMMARY_ROWS, c->wide);
	if (peertab_npeers(c->peers) && !c->count)
		peertab_summary(c->peers, stderr, SUMMARY_PEERS);
	fprintf(stderr, "socktrace: kernel tables: %" PRId64 " sockets of %" PRId64 " processes "
		"still open, %" PRIu64 " not tracked (table full)\n", k->socks, k->tables, k->untracked);
	not_followed(c, k);
}

/*
 * --count: the processes and peers so far, as the summary's tables (text)
 * or one JSON line, on stdout with the output's own writes (made in
 * memory first: stdio would ask stdout whether it is a terminal, which the
 * sandbox does not allow).
 */
static void report_counts(struct ctx *c, bool final)
{
	int64_t now = clock_ns(CLOCK_REALTIME);
	char stamp[64], *mem = NULL;
	size_t len = 0;
	struct buf b;
	FILE *f = open_memstream(&mem, &len);

	if (!f)
		return;
	buf_init(&b, stamp, sizeof(stamp) - 1);
	format_time(&b, now);
	stamp[b.len] = '\0';
	if (c->out.json) {
		fprintf(f, "{\"counts\":\"%s\",\"time\":\"%s\",\"processes\":",
			final ? "final" : "so far", stamp);
		proctab_json(c->tab, f);
		fputs(",\"peers\":", f);
		peertab_json(c->peers, f);
		fputs("}\n", f);
	} else {
		fprintf(f, "--- counts %s, %s\n", final ? "at the end" : "so far", stamp);
		proctab_summary(c->tab, f, SUMMARY_ROWS, c->wide);
		peertab_summary(c->peers, f, SUMMARY_PEERS);
	}
	if (!fclose(f) && mem)
		output_text(&c->out, mem, len);
	free(mem);
	output_flush(&c->out);
}

/* --top: the interval's frame, on stdout with the output's own writes. */
static void report_top(struct ctx *c)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	if (!f)
		return;
	top_frame(c->top, f, &c->top_view, clock_ns(CLOCK_REALTIME));
	if (!fclose(f) && mem)
		output_text(&c->out, mem, len);
	free(mem);
	output_flush(&c->out);
}

/* --metrics: a scrape's body, the counters as they are now. */
static void metrics_body(FILE *f, void *arg)
{
	struct ctx *c = arg;
	struct metrics_health h = {
		.received = c->received, .written = c->out.written, .unwritten = c->out.unwritten,
		.lost = c->lost_seen, .malformed = c->malformed,
	};
	struct kernel_tables k;

	tracer_tables(&c->tr, &k);
	h.sockets = k.socks;
	h.tables = k.tables;
#define HEALTH_COPY(name, help) h.name = k.name;
	KERNEL_COUNTERS(HEALTH_COPY)
#undef HEALTH_COPY
	metrics_expire(c->metrics, clock_ns(CLOCK_MONOTONIC));
	metrics_write(c->metrics, &h, f);
}

/* --metrics: what its clients sent, and which of them are past their
 * deadline (looked at once a second at least). */
static void serve(struct ctx *c, struct ring *rb, int64_t *next_sweep)
{
	int64_t now = clock_ns(CLOCK_MONOTONIC);

	if (!c->httpd || (!rb->watched_ready && now < *next_sweep))
		return;
	report_lost(c);
	httpd_work(c->httpd, now, metrics_body, c);
	*next_sweep = now + 1000000000;
}

static int run(struct ctx *c, const struct opts *o, struct ring *rb)
{
	int64_t deadline = o->duration ? clock_ns(CLOCK_MONOTONIC) + (int64_t)o->duration * 1000000000 : 0;
	int64_t every = (int64_t)o->interval * 1000000000, next = clock_ns(CLOCK_MONOTONIC) + every;
	int64_t next_sweep = 0;

	while (!exiting) {
		int n = ring_poll(rb, POLL_MS);

		if (n >= 0)
			n = ring_consume(rb);
		if (n < 0 && n != -EINTR && !c->out.broken) {
			fprintf(stderr, "socktrace: reading the ring buffer: %s\n", strerror(-n));
			return 1;
		}
		report_lost(c);
		serve(c, rb, &next_sweep);
		if (!output_flush(&c->out) || output_hung_up(&c->out))
			break;
		output_sync_clock(&c->out);
		if (counts_asked || (every && clock_ns(CLOCK_MONOTONIC) >= next)) {
			if (!counts_asked)
				next += every;
			counts_asked = 0;
			if (c->top)
				report_top(c);
			else
				report_counts(c, false);
		}
		if (deadline && clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
	return 0;
}

/* A --pid that names no process, or a thread rather than its process,
 * would trace nothing, silently: said instead. */
static int pids_named(const struct filter *f, char *err, size_t errlen)
{
	for (int i = 0; i < f->npids; i++) {
		unsigned int pid = f->pids[i], tgid = pid;
		char path[64], line[128];
		FILE *st;

		if (kill(pid, 0) && errno == ESRCH) {
			snprintf(err, errlen, "--pid %u: no such process", pid);
			return -1;
		}
		snprintf(path, sizeof(path), "/proc/%u/status", pid);
		st = fopen(path, "re");
		while (st && fgets(line, sizeof(line), st))
			if (sscanf(line, "Tgid: %u", &tgid) == 1)
				break;
		if (st)
			fclose(st);
		if (tgid != pid) {
			snprintf(err, errlen, "--pid %u: a thread of process %u; give the process's id", pid, tgid);
			return -1;
		}
	}
	return 0;
}

/* A text line's columns at most: the terminal's, 80 on a narrower one
 * or off a terminal. Read once: the sandbox allows no ioctl later. */
static unsigned int terminal_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col > 80)
		return ws.ws_col < 1000 ? ws.ws_col : 1000;
	return 80;
}

/* --metrics: the counters, and the endpoint (listening since before the
 * programs were loaded) watched by the event loop. */
static int start_metrics(struct ctx *c, const struct opts *o, struct ring *rb, char *err, size_t errlen)
{
	static const char *const keys[] = {
#define FEATURE_KEY(id, key, label, fallback) key,
		KERNEL_FEATURES(FEATURE_KEY)
#undef FEATURE_KEY
	};
	struct metrics_info info = { .version = SOCKTRACE_VERSION, .mode = attach_name(c->tr.mode),
				     .syscall_hooks = tracer_syscall_hooks(&c->tr),
				     .start_real_ns = clock_ns(CLOCK_REALTIME) };
	int n;

	for (unsigned int i = 0; i < FEATURES_N && i < 32; i++) {
		info.feature[i] = keys[i];
		info.feature_on[i] = c->tr.feat.on[i];
		info.nfeatures = i + 1;
	}
	c->metrics = metrics_new(o->metrics_peers, o->metrics_expiry);
	if (!c->metrics) {
		snprintf(err, errlen, "--metrics: %s", strerror(errno));
		return -1;
	}
	metrics_set_info(c->metrics, &info);
	n = ring_watch(rb, httpd_fd(c->httpd));
	if (n) {
		snprintf(err, errlen, "--metrics: %s", strerror(-n));
		return -1;
	}
	return 0;
}

static void detach_start(void *tracer)
{
	tracer_detach_start(tracer);
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct ring ring = { .epoll_fd = -1 };
	struct kernel_tables k;
	struct stat st;
	struct opts o;
	char err[512];
	int rc = 1, n;

	if (opts_parse(&o, argc, argv, err, sizeof(err))) {
		if (err[0])
			fprintf(stderr, "socktrace: %s\n", err);
		return 2;
	}
	tracer_set_verbose(o.verbose);
	if (pids_named(&o.filter, err, sizeof(err))) {
		fprintf(stderr, "socktrace: %s\n", err);
		return 2;
	}
	if (o.check)
		return tracer_check(&o, stdout);
	if (o.output == OUT_AUTO)
		o.output = isatty(STDOUT_FILENO) ? OUT_TEXT : OUT_JSON;
	output_init(&c.out, STDOUT_FILENO, o.output == OUT_JSON, &exiting);
	/* A reader that stalls a stop: take the probes off meanwhile. */
	c.out.on_stop = detach_start;
	c.out.on_stop_arg = &c.tr;
	c.status.fd = -1;
	if (o.status && status_open(&c.status, o.status, err, sizeof(err))) {
		fprintf(stderr, "socktrace: %s\n", err);
		return 1;
	}
	/* A port that cannot be had is said before anything is loaded. */
	if (o.metrics && !(c.httpd = httpd_open(o.metrics, err, sizeof(err)))) {
		fprintf(stderr, "socktrace: %s\n", err);
		status_close(&c.status);
		return 1;
	}

	c.tab = proctab_new();
	c.peers = peertab_new();
	c.briefs = briefs_new();
	c.procs = procinfo_new();
	c.out.fmt.procs = c.procs;
	c.count = o.count;
	c.wide = o.wide;
	c.shown = o.shown;
	c.self = getpid();
	if (!c.tab || !c.peers || !c.briefs || !c.procs || install_signals(o.count || o.top)) {
		fprintf(stderr, "socktrace: %s\n", strerror(errno));
		goto cleanup;
	}
	if (tracer_start(&c.tr, &o, err, sizeof(err))) {
		fprintf(stderr, "socktrace: %s\n", err);
		goto cleanup;
	}
	/* Loading parsed the kernel's BTF (megabytes) and freed it: give the
	 * pages back before the ring is mapped, or they stay in socktrace's
	 * RSS for good (bench/README.md, what was tried). */
	malloc_trim(0);
	n = ring_open(&ring, tracer_ring_fd(&c.tr), handle_event, &c);
	if (n) {
		fprintf(stderr, "socktrace: cannot map the ring buffer: %s\n", strerror(-n));
		goto cleanup;
	}
	/* What the kernel refused, and what socktrace does instead. */
	features_say(&c.tr.feat, stderr);
	if (tracer_scan_existing(&c.tr, &ring, err, sizeof(err)))
		fprintf(stderr, "socktrace: %s\n", err);
	/* What the sandbox will not let it read later: the arguments of the
	 * processes the scan found, whose records wait in the ring. */
	ring_peek(&ring, note_process, &c);
	c.out.fmt.own_cgroup = cgroup2_root() ? cgroup_self(cgroup2_root()) : 0;
	c.out.fmt.own_netns = stat("/proc/self/ns/net", &st) ? 0 : st.st_ino;
	if (o.containers && !cgroup2_root())
		fprintf(stderr, "socktrace: --containers: no cgroup v2 hierarchy is mounted: cgroups show as ids\n");
	else if ((o.containers || o.metrics) && cgroup2_root() && !(c.names = cgnames_load(cgroup2_root())))
		fprintf(stderr, "socktrace: --containers: %s\n", strerror(errno));
	if (o.containers)
		c.out.fmt.names = c.names;
	if (o.metrics && start_metrics(&c, &o, &ring, err, sizeof(err))) {
		fprintf(stderr, "socktrace: %s\n", err);
		goto cleanup;
	}
	c.out.fmt.time = o.time_style;
	c.out.fmt.uid = o.show_uid;
	c.out.fmt.width = o.wide ? 0 : terminal_width();
	c.out.fmt.time_shown = o.time_given || o.wide;
	c.top_view = (struct top_view){ .json = o.output == OUT_JSON, .sort = o.top_sort, .rows = o.top_rows,
				       .interval = o.interval,
				       .redraw = o.output == OUT_TEXT && isatty(STDOUT_FILENO) };
	if (o.top && !(c.top = top_new())) {
		fprintf(stderr, "socktrace: %s\n", strerror(errno));
		goto cleanup;
	}
	if (o.output == OUT_TEXT && !o.stream && !o.count && !o.top &&
	    !(c.out.view = c.view = connview_new())) {
		fprintf(stderr, "socktrace: %s\n", strerror(errno));
		goto cleanup;
	}
	/* Colour on a terminal only, never into a pipe or a file, and not
	 * where the user or the terminal says no (https://no-color.org). */
	c.out.fmt.colour = o.output == OUT_TEXT && isatty(STDOUT_FILENO) && !getenv("NO_COLOR") &&
			   !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	c.sandboxed = true;
	if (sandbox_enter(c.httpd != NULL, err, sizeof(err))) {
		fprintf(stderr, "socktrace: %s\n", err);
		goto cleanup;
	}
	/* --time relative counts from here: events of sockets found open at
	 * start, a moment earlier, are at 0. */
	c.out.fmt.start_real_ns = clock_ns(CLOCK_REALTIME);
	fprintf(stderr, "socktrace: tracing with %s programs; Ctrl-C to stop\n", attach_name(c.tr.mode));
	if (status_tracing(&c, &o)) {
		if (!c.count && !c.top)
			output_header(&c.out);
		rc = run(&c, &o, &ring);
	} else {
		status_failed(&c);
		rc = 1;
	}

	/* Deliver what is in the ring while the probes come off (which
	 * takes a while: tracer.c; begun already if the reader stalled),
	 * then what came meanwhile. */
	tracer_detach_start(&c.tr);
	if (!c.out.broken)
		ring_consume(&ring);
	output_flush(&c.out);
	tracer_detach_wait(&c.tr);
	if (!c.out.broken)
		ring_consume(&ring);
	report_lost(&c);
	output_flush(&c.out);
	tracer_snapshot(&c.tr, open_at_end, c.tab);
	if (c.count && !c.out.broken)
		report_counts(&c, true);
	/* The last interval, however short. */
	if (c.top && !c.out.broken)
		report_top(&c);
	if (c.out.broken && c.out.err != EPIPE) {
		fprintf(stderr, "socktrace: cannot write the events: %s\n", strerror(c.out.err));
		rc = 1;
	}
	tracer_tables(&c.tr, &k);
	summary(&c, &k);
	if (!c.status.err && !status_stopped(&c, &k, rc)) {
		status_failed(&c);
		rc = 1;
	}
cleanup:
	ring_close(&ring);
	tracer_destroy(&c.tr);
	proctab_free(c.tab);
	peertab_free(c.peers);
	briefs_free(c.briefs);
	procinfo_free(c.procs);
	cgnames_free(c.names);
	connview_free(c.view);
	top_free(c.top);
	httpd_close(c.httpd);
	metrics_free(c.metrics);
	status_close(&c.status);
	return rc;
}
