/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0) */
/* Command-line options: parsed and validated before anything is loaded. */
#ifndef OPTS_H
#define OPTS_H

#include <stdbool.h>
#include <stdint.h>
#include "filters.h"

#define COMM_MAX 15	/* the kernel keeps TASK_COMM_LEN - 1 bytes */
#define RING_DEFAULT (4u << 20)	/* mapped twice: about 8 MiB of RSS */
#define RING_MIN 4096u		/* a page: the kernel's smallest ring */
#define RING_MAX (1u << 30)

enum output_mode { OUT_AUTO, OUT_TEXT, OUT_JSON };
enum attach_mode { ATTACH_AUTO, ATTACH_KPROBE, ATTACH_TRACEPOINT };

struct opts {
	struct filter filter;		/* what the kernel side follows (socktrace.h) */
	enum output_mode output;
	enum attach_mode attach;
	unsigned int duration;		/* seconds; 0: until stopped */
	uint32_t ring_size;		/* bytes, a power of two */
	uint32_t events;		/* EV_BIT()s of the kinds the kernel side sends */
	uint32_t shown;			/* ... and of those printed (--events) */
	const char *status;		/* --status FILE; NULL: none */
	const char *btf;		/* --btf FILE: the kernel's BTF, when it has none */
	bool containers;		/* name cgroups */
	int time_style;			/* text's TIME column: enum time_style (format.h) */
	bool time_given;		/* --time: the connection view shows the time too */
	bool stream;			/* text: every event (--stream, or --events), not a line per connection */
	bool wide;			/* text: whole lines, not fitted to the terminal */
	bool show_uid;			/* text: a UID column */
	bool count;			/* --count: the counts, not the events */
	bool top;			/* --top: the busiest of each interval, not the events */
	int top_sort;			/* --sort: enum top_sort (top.h) */
	unsigned int top_rows;		/* --rows: of each --top table */
	unsigned int interval;		/* --interval: seconds between counts (0: at the end), or --top frames */
	const char *metrics;		/* --metrics ADDR:PORT; NULL: none */
	unsigned int metrics_peers;	/* --metrics-peers: peers with series of their own */
	unsigned int metrics_expiry;	/* --metrics-expiry: seconds a series lasts without events */
	bool check;			/* --check: say what the kernel offers, and exit */
	bool verbose;
};

/*
 * Fills o from argv: 0, or 2 on bad input, with a one-line reason in err
 * (empty when getopt has printed it). --help, --usage and --version print
 * and exit 0 from inside argp.
 */
int opts_parse(struct opts *o, int argc, char **argv, char *err, size_t errlen);

int parse_pid(const char *s, __u32 *pid, char *err, size_t errlen);
int parse_comm(const char *s, char *comm, char *err, size_t errlen);
int parse_duration(const char *s, unsigned int *secs, char *err, size_t errlen);
int parse_ring_size(const char *s, uint32_t *bytes, char *err, size_t errlen);

const char *attach_name(enum attach_mode m);

#endif
