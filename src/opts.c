// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "buf.h"
#include "kinds.h"
#include "opts.h"
#include "top.h"
#include "httpd.h"

#define PID_MAX_LIMIT 4194304	/* the kernel's ceiling for pid_max */
#define DURATION_MAX (366 * 24 * 3600)

const char *argp_program_version = "socktrace " SOCKTRACE_VERSION;

static const char doc[] =
"Trace the IPv4 and IPv6 sockets of every process, live.\n"
"\n"
"Shows which process connects where or accepts from where, how many bytes go\n"
"each way over each socket whatever syscall moves them, and when and how the\n"
"socket's descriptor ends. Text on a terminal, JSON lines otherwise.\n"
"Text shows a line per connection when it ends, per failed attempt and per\n"
"listener; --stream (or --events) shows every event instead.\n"
"\n"
"EXAMPLES:\n"
"  socktrace                      # every connection, a line each, until Ctrl-C\n"
"  socktrace --stream             # every event as it comes, a line each\n"
"  socktrace --top                # the busiest processes and peers, live\n"
"  socktrace --pid 1234           # one process (thread group id)\n"
"  socktrace --comm curl          # processes or threads named curl\n"
"  socktrace -c apt-get -f        # apt-get and every process it starts\n"
"  socktrace --port 5432          # who talks to port 5432\n"
"  socktrace --failed             # connects that fail, now or later\n"
"  socktrace --addr 10.0.0.0/8 --proto tcp   # TCP to or from 10/8\n"
"  socktrace --cgroup system.slice/nginx.service --containers\n"
"  socktrace -o json | jq 'select(.event==\"close\")'   # JSON lines, live\n"
"  socktrace -e all               # every send and receive too\n"
"  socktrace --ipv6               # IPv6 sockets only\n"
"  socktrace --duration 10        # stop after 10 seconds\n"
"  socktrace --attach tracepoint  # tracepoints instead of kprobes\n"
"  socktrace --check              # what this kernel offers"
"\v"
"By default every kind but send and recv: one line per read or write floods\n"
"a terminal, and each close carries the socket's totals, which are counted\n"
"either way.\n"
"\n"
"Exit status: 0 when stopped by Ctrl-C, SIGTERM, --duration or a closed\n"
"output; 1 when tracing could not start or the output could not be\n"
"written; 2 on bad options.";

/* Keys of the options that have no short form. */
enum {
	OPT_SPORT = 256, OPT_DPORT, OPT_PROTO, OPT_CONTAINERS, OPT_TIME, OPT_COUNT, OPT_INTERVAL,
	OPT_TOP, OPT_SORT, OPT_ROWS, OPT_METRICS, OPT_METRICS_PEERS, OPT_METRICS_EXPIRY,
};

static const struct argp_option options[] = {
	{ "pid", 'p', "PID", 0, "Trace only this process (thread group id; repeatable, at most 8)", 0 },
	{ "comm", 'c', "NAME", 0, "Trace only processes whose name, or the calling thread's, is NAME "
	  "(exact, at most 15 bytes; repeatable, at most 8)", 0 },
	{ "events", 'e', "LIST", 0, "Kinds of event to print, comma-separated, or all (repeatable; default: "
	  "all but send and recv); totals count every send and receive either way", 0 },
	{ "follow", 'f', NULL, 0, "With --pid or --comm, also every process they start while tracing, "
	  "and theirs (like strace -f)", 0 },
	{ "uid", 'u', "UID", 0, "Trace only processes whose real user is UID (a number or a name; "
	  "repeatable, at most 8)", 0 },
	{ "cgroup", 'g', "PATH", 0, "Trace only processes in the cgroup v2 directory PATH or below it", 0 },
	{ "port", 'P', "PORTS", 0, "Only sockets with one of PORTS at either end (comma-separated, "
	  "at most 8)", 0 },
	{ "sport", OPT_SPORT, "PORTS", 0, "Only sockets whose local port is one of PORTS", 0 },
	{ "dport", OPT_DPORT, "PORTS", 0, "Only sockets whose peer port is one of PORTS", 0 },
	{ "addr", 'A', "PREFIX", 0, "Only sockets with an address in PREFIX at either end "
	  "(ADDRESS[/BITS], IPv4 or IPv6; repeatable, at most 8)", 0 },
	{ "proto", OPT_PROTO, "PROTO", 0, "Only tcp or only udp sockets", 0 },
	{ "failed", 'F', NULL, 0, "Only connects that fail, at once or later, and nothing else", 0 },
	{ "containers", OPT_CONTAINERS, NULL, 0, "Name each socket's cgroup: its container (docker, "
	  "containerd, podman, CRI-O) or systemd unit", 0 },
	{ "output", 'o', "FORMAT", 0, "text or json (default: text on a terminal, json otherwise)", 0 },
	{ "time", OPT_TIME, "STYLE", 0, "Text's TIME column: clock (the time of day, default), date (with the "
	  "date) or relative (seconds since tracing began)", 0 },
	{ "show-uid", 'U', NULL, 0, "Text: a UID column (the user id of the process)", 0 },
	{ "stream", 'S', NULL, 0, "Text: every event as it comes, a line each, instead of a line per "
	  "connection (--events implies it)", 0 },
	{ "wide", 'w', NULL, 0, "Text: whole lines, with every field, instead of lines that fit the "
	  "terminal (80 columns off a terminal)", 0 },
	{ "count", OPT_COUNT, NULL, 0, "Instead of every event, the connections, failures and bytes per "
	  "process and per peer: at the end, on SIGUSR1, and every --interval", 0 },
	{ "interval", OPT_INTERVAL, "SECS", 0, "With --count, the counts every SECS seconds too; with --top, "
	  "its interval (default 2)", 0 },
	{ "top", OPT_TOP, NULL, 0, "Instead of every event, the busiest processes and peers of each "
	  "--interval, by bytes each way: redrawn in place on a terminal (like tcptop); it takes every "
	  "send and receive from the kernel, as --events all does", 0 },
	{ "sort", OPT_SORT, "KEY", 0, "With --top: total (default), out, in or connections", 0 },
	{ "rows", OPT_ROWS, "N", 0, "With --top: the rows of each table (default 10)", 0 },
	{ "metrics", OPT_METRICS, "ADDR:PORT", 0, "Serve Prometheus metrics at http://ADDR:PORT/metrics "
	  "(:PORT: on 127.0.0.1), beside the events (--events none: instead); it takes every send and "
	  "receive from the kernel, as --events all does", 0 },
	{ "metrics-peers", OPT_METRICS_PEERS, "N", 0, "With --metrics, series per peer and service port too, "
	  "for the first N peers (at most 1000; the rest as peer \"other\")", 0 },
	{ "metrics-expiry", OPT_METRICS_EXPIRY, "SECS", 0, "With --metrics, drop a series after SECS "
	  "seconds without events (default 900)", 0 },
	{ "ipv4", '4', NULL, 0, "Trace only IPv4 sockets", 0 },
	{ "ipv6", '6', NULL, 0, "Trace only IPv6 sockets (IPv4-mapped addresses included)", 0 },
	{ "attach", 'a', "MODE", 0, "auto, kprobe or tracepoint (default: auto, kprobes when the kernel has them)", 0 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
	{ "ring-size", 'r', "BYTES", 0, "Ring buffer size: a power of two from 4K to 1G, K/M/G suffixes "
	  "allowed (default 4M); more rides out longer bursts", 0 },
	{ "status", 's', "FILE", 0, "Write JSON records to FILE when tracing starts and when it "
	  "stops, with the final tallies", 0 },
	{ "btf", 'b', "FILE", 0, "The kernel's BTF from FILE, for a kernel without "
	  "/sys/kernel/btf/vmlinux (BTFHub has files for many distribution kernels)", 0 },
	{ "check", 'C', NULL, 0, "Say what this kernel offers socktrace (attach modes, BTF, "
	  "the hooks each mode would use) and exit: 0 when it can trace", 0 },
	{ "verbose", 'v', NULL, 0, "Print libbpf's messages", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Give this help list", -1 },
	{},
};

struct parse_state {
	struct opts *o;
	char *err;
	size_t errlen;
	bool events_given;
	bool sort_given;
};

int parse_pid(const char *s, __u32 *pid, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || v < 1 || v > PID_MAX_LIMIT) {
		snprintf(err, errlen, "--pid: '%s' is not a process id (1 to %d)", s, PID_MAX_LIMIT);
		return 2;
	}
	*pid = v;
	return 0;
}

int parse_comm(const char *s, char *comm, char *err, size_t errlen)
{
	size_t n = strlen(s);

	if (n == 0) {
		snprintf(err, errlen, "--comm: the name is empty");
		return 2;
	}
	if (n > COMM_MAX) {
		snprintf(err, errlen, "--comm: '%s' is %zu bytes; the kernel keeps at most %d of a command name",
			 s, n, COMM_MAX);
		return 2;
	}
	memcpy(comm, s, n + 1);
	return 0;
}

int parse_duration(const char *s, unsigned int *secs, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end || errno || v < 1 || v > DURATION_MAX) {
		snprintf(err, errlen, "--duration: '%s' is not a number of seconds (1 to %d)", s, DURATION_MAX);
		return 2;
	}
	*secs = v;
	return 0;
}

int parse_ring_size(const char *s, uint32_t *bytes, char *err, size_t errlen)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (isdigit((unsigned char)*s) && !errno && end[0] && !end[1]) {
		int shift = end[0] == 'K' || end[0] == 'k' ? 10 : end[0] == 'M' || end[0] == 'm' ? 20 :
			    end[0] == 'G' || end[0] == 'g' ? 30 : -1;

		v = shift < 0 || v > RING_MAX ? 0 : v << shift;
		end++;
	}
	if (!isdigit((unsigned char)*s) || *end || errno || v < RING_MIN || v > RING_MAX || (v & (v - 1))) {
		snprintf(err, errlen, "--ring-size: '%s' is not a power of two from 4K to 1G "
			 "(bytes, or with a K, M or G suffix)", s);
		return 2;
	}
	*bytes = v;
	return 0;
}

static int parse_choice(const char *opt, const char *s, const char *const *names, int n,
			int *out, char *err, size_t errlen)
{
	for (int i = 0; i < n; i++) {
		if (!strcmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	{
		char list[128];
		struct buf b;

		buf_init(&b, list, sizeof(list) - 1);
		for (int i = 0; i < n; i++)
			buf_fmt(&b, "%s%s", i ? (i == n - 1 ? " or " : ", ") : "", names[i]);
		list[b.len] = '\0';
		snprintf(err, errlen, "--%s: unknown value '%.32s' (%s)", opt, s, list);
	}
	return 2;
}

/* A file's name, as --status or --btf gives it. */
static int parse_file(const char *opt, const char *arg, const char **out, struct parse_state *ps)
{
	if (!*arg) {
		snprintf(ps->err, ps->errlen, "--%s: the file name is empty", opt);
		return 2;
	}
	*out = arg;
	return 0;
}

/* Whether a repeatable option already has its most values. */
static bool too_many(struct parse_state *ps, const char *opt, unsigned int n)
{
	if (n < NAMED_MAX)
		return false;
	snprintf(ps->err, ps->errlen, "--%s: at most %d", opt, NAMED_MAX);
	return true;
}

static const char *const output_names[] = { "auto", "text", "json" };
static const char *const attach_names[] = { "auto", "kprobe", "tracepoint" };
/* In enum time_style's order. */
static const char *const time_names[] = { "clock", "date", "relative" };

const char *attach_name(enum attach_mode m)
{
	return attach_names[m];
}

/* What options say of each other, once all are read. */
static int check_together(struct parse_state *ps)
{
	struct opts *o = ps->o;
	struct filter *f = &o->filter;

	if (f->follow && !f->npids && !f->ncomms) {
		snprintf(ps->err, ps->errlen, "--follow follows what --pid or --comm names: give one");
		return -1;
	}
	if (f->failed && ps->events_given) {
		snprintf(ps->err, ps->errlen, "--failed prints failed connects only: it cannot go with --events");
		return -1;
	}
	if (o->interval && !o->count && !o->top) {
		snprintf(ps->err, ps->errlen, "--interval says how often --count or --top prints: give one");
		return -1;
	}
	if (o->top && (o->count || ps->events_given || f->failed || o->stream)) {
		snprintf(ps->err, ps->errlen, "--top shows the busiest, not events nor counts: it cannot go "
			 "with --count, --events, --failed or --stream");
		return -1;
	}
	if ((ps->sort_given || o->top_rows) && !o->top) {
		snprintf(ps->err, ps->errlen, "--sort and --rows lay out --top: give --top");
		return -1;
	}
	if (o->top) {
		/* It counts every send and receive itself. */
		o->events |= EV_BIT(EV_SEND) | EV_BIT(EV_RECV);
		if (!o->interval)
			o->interval = 2;
		if (!o->top_rows)
			o->top_rows = 10;
	}
	if (f->failed)
		o->events = EV_BIT(EV_CONNECT);
	/* Kinds asked for by name are events to see. */
	if (ps->events_given)
		o->stream = true;
	if ((o->metrics_peers || o->metrics_expiry) && !o->metrics) {
		snprintf(ps->err, ps->errlen, "--metrics-peers and --metrics-expiry shape --metrics: give --metrics");
		return -1;
	}
	if (ps->events_given && !o->events && !o->metrics) {
		snprintf(ps->err, ps->errlen, "--events none prints no event: it goes with --metrics");
		return -1;
	}
	o->shown = o->events;
	/* The counters take connects, accepts, and every send and receive
	 * (brief ones, which need the closes). */
	if (o->metrics)
		o->events |= EV_BIT(EV_CONNECT) | EV_BIT(EV_ACCEPT) | EV_BIT(EV_SEND) | EV_BIT(EV_RECV) |
			     EV_BIT(EV_CLOSE);
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct parse_state *ps = state->input;
	struct opts *o = ps->o;
	struct filter *f = &o->filter;
	uint32_t mask;
	int v = 0, rc;

	switch (key) {
	case 'p':
		if (too_many(ps, "pid", f->npids))
			return EINVAL;
		return parse_pid(arg, &f->pids[f->npids++], ps->err, ps->errlen) ? EINVAL : 0;
	case 'c':
		if (too_many(ps, "comm", f->ncomms))
			return EINVAL;
		return parse_comm(arg, f->comms[f->ncomms++], ps->err, ps->errlen) ? EINVAL : 0;
	case 'f':
		f->follow = true;
		return 0;
	case 'u':
		if (too_many(ps, "uid", f->nuids))
			return EINVAL;
		return parse_uid(arg, &f->uids[f->nuids++], ps->err, ps->errlen) ? EINVAL : 0;
	case 'g':
		return parse_cgroup(arg, &f->cgroup, ps->err, ps->errlen) ? EINVAL : 0;
	case 'P':
		return parse_ports("port", arg, &f->ports, ps->err, ps->errlen) ? EINVAL : 0;
	case OPT_SPORT:
		return parse_ports("sport", arg, &f->sports, ps->err, ps->errlen) ? EINVAL : 0;
	case OPT_DPORT:
		return parse_ports("dport", arg, &f->dports, ps->err, ps->errlen) ? EINVAL : 0;
	case 'A':
		if (f->nprefixes >= PREFIXES_MAX) {
			snprintf(ps->err, ps->errlen, "--addr: at most %d prefixes", PREFIXES_MAX);
			return EINVAL;
		}
		return parse_prefix(arg, &f->prefixes[f->nprefixes++], ps->err, ps->errlen) ? EINVAL : 0;
	case OPT_PROTO:
		return parse_proto(arg, &f->proto, ps->err, ps->errlen) ? EINVAL : 0;
	case 'F':
		f->failed = true;
		return 0;
	case '4':
	case '6':
		if (f->family && f->family != (key == '4' ? AF_INET : AF_INET6)) {
			snprintf(ps->err, ps->errlen, "--ipv4 and --ipv6 exclude each other; "
				 "without either, both are traced");
			return EINVAL;
		}
		f->family = key == '4' ? AF_INET : AF_INET6;
		return 0;
	case 'd':
		return parse_duration(arg, &o->duration, ps->err, ps->errlen) ? EINVAL : 0;
	case 'r':
		return parse_ring_size(arg, &o->ring_size, ps->err, ps->errlen) ? EINVAL : 0;
	case 'o':
		/* "auto" is the default, not a value to ask for. */
		rc = parse_choice("output", arg, output_names + 1, 2, &v, ps->err, ps->errlen);
		o->output = v + 1;
		return rc ? EINVAL : 0;
	case 'a':
		rc = parse_choice("attach", arg, attach_names, 3, &v, ps->err, ps->errlen);
		o->attach = v;
		return rc ? EINVAL : 0;
	case OPT_TIME:
		rc = parse_choice("time", arg, time_names, 3, &v, ps->err, ps->errlen);
		o->time_style = v;
		o->time_given = true;
		return rc ? EINVAL : 0;
	case 'U':
		o->show_uid = true;
		return 0;
	case 'S':
		o->stream = true;
		return 0;
	case 'w':
		o->wide = true;
		return 0;
	case OPT_COUNT:
		o->count = true;
		return 0;
	case OPT_TOP:
		o->top = true;
		return 0;
	case OPT_SORT:
		rc = parse_choice("sort", arg, top_sort_names, TOP_SORTS_N, &v, ps->err, ps->errlen);
		o->top_sort = v;
		ps->sort_given = true;
		return rc ? EINVAL : 0;
	case OPT_ROWS:
		if (parse_duration(arg, &o->top_rows, ps->err, ps->errlen) || o->top_rows > 1000) {
			snprintf(ps->err, ps->errlen, "--rows: '%.32s' is not a number of rows (1 to 1000)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_METRICS: {
		struct sockaddr_storage ss;

		o->metrics = arg;
		return httpd_parse_addr(arg, &ss, ps->err, ps->errlen) ? EINVAL : 0;
	}
	case OPT_METRICS_PEERS:
		if (parse_duration(arg, &o->metrics_peers, ps->err, ps->errlen) || o->metrics_peers > 1000) {
			snprintf(ps->err, ps->errlen, "--metrics-peers: '%.32s' is not a number of peers (1 to 1000)",
				 arg);
			return EINVAL;
		}
		return 0;
	case OPT_METRICS_EXPIRY:
		if (parse_duration(arg, &o->metrics_expiry, ps->err, ps->errlen)) {
			snprintf(ps->err, ps->errlen, "--metrics-expiry: '%.32s' is not a number of seconds (1 to %d)",
				 arg, DURATION_MAX);
			return EINVAL;
		}
		return 0;
	case OPT_INTERVAL:
		if (parse_duration(arg, &o->interval, ps->err, ps->errlen)) {
			snprintf(ps->err, ps->errlen, "--interval: '%.32s' is not a number of seconds (1 to %d)",
				 arg, DURATION_MAX);
			return EINVAL;
		}
		return 0;
	case 'e':
		/* Repeated, the lists add up; the first replaces the default. */
		if (kinds_parse(arg, &mask, ps->err, ps->errlen))
			return EINVAL;
		o->events = ps->events_given ? o->events | mask : mask;
		ps->events_given = true;
		return 0;
	case 's':
		return parse_file("status", arg, &o->status, ps) ? EINVAL : 0;
	case OPT_CONTAINERS:
		o->containers = true;
		return 0;
	case 'b':
		return parse_file("btf", arg, &o->btf, ps) ? EINVAL : 0;
	case 'C':
		o->check = true;
		return 0;
	case 'v':
		o->verbose = true;
		return 0;
	case 'h':
		/* -h as every neighbour takes it: --help. */
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	case ARGP_KEY_ARG:
		snprintf(ps->err, ps->errlen, "unexpected argument '%s'", arg);
		return EINVAL;
	case ARGP_KEY_END:
		return check_together(ps) ? EINVAL : 0;
	case ARGP_KEY_INIT:
		/* getopt itself says what is wrong with an option, in one
		 * line; without an error stream argp adds no "Try --help"
		 * line and leaves the exit to us. */
		state->err_stream = NULL;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* After argp's own doc: the event kinds, from their table. */
static char *help_filter(int key, const char *text, void *input)
{
	char mem[2048];
	struct buf b;
	char *out;

	(void)input;
	if (key != ARGP_KEY_HELP_POST_DOC)
		return (char *)text;
	buf_init(&b, mem, sizeof(mem) - 1);
	buf_str(&b, "Event kinds (--events):\n");
	kinds_help(&b);
	buf_fmt(&b, "\n%s", text ? text : "");
	mem[b.len] = '\0';
	out = strdup(mem);
	return out ? out : (char *)text;
}

int opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errlen)
{
	static const struct argp argp = { options, parse_opt, NULL, doc, NULL, help_filter, NULL };
	struct parse_state ps = { o, err, errlen, false, false };
	char *argv0 = argc > 0 ? argv[0] : NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	o->ring_size = RING_DEFAULT;
	o->events = kinds_default();
	err[0] = '\0';
	/* On an unknown option or a missing value getopt has printed the
	 * reason already and err stays empty. */
	/* getopt names argv[0] in its messages; say "socktrace:" like the
	 * rest of them, whatever path started it. */
	if (argc > 0)
		argv[0] = "socktrace";
	rc = argp_parse(&argp, argc, argv, 0, NULL, &ps) || err[0] ? 2 : 0;
	if (argc > 0)
		argv[0] = argv0;
	return rc;
}
