#!/bin/sh
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Runs every end-to-end scenario against a real socktrace on the running
# kernel and keeps what happened in OUTDIR; tests/e2e-check.sh judges it.
# POSIX sh so that the kprobe guest's busybox can run it too.
#
#   SOCKTRACE=build/socktrace SOCKDRIVE=build/sockdrive tests/e2e-run.sh OUTDIR [socktrace args]
#
# E2E_CASES, when set, runs only these cases in the first session, and of
# the others only those E2E_SESSIONS names (races, blocked, pending): for a quick
# run such as a negative control, or one repeated many times.
set -u
out=$1
shift
: "${SOCKTRACE:?}" "${SOCKDRIVE:?}"
rm -rf "$out"
mkdir -p "$out"
printf '%s\n' "$*" > "$out/args"

. "$(dirname "$0")/tracer.sh"

# start_tracer DIR ARGS...: tracer_start, with the session's options kept
# in DIR/args. Each session's seconds to attach and in all go to
# DIR/timing (/proc/uptime: busybox's date has no %N); only for reading,
# nothing judges them.
uptime() { cut -d' ' -f1 /proc/uptime; }
start_tracer() {
	dir=$1
	shift
	t_start=$(uptime)
	mkdir -p "$dir"
	printf '%s\n' "$*" > "$dir/args"
	tracer_start "$dir" "$@"
	t_traced=$(uptime)
	# How it follows syscalls decides what a 32-bit close looks like
	# (the compat case).
	SOCKDRIVE_SYSCALL_HOOKS=$(grep -o '"syscall_hooks":"[a-z-]*"' "$dir/status.json" | head -n 1 | cut -d'"' -f4)
	export SOCKDRIVE_SYSCALL_HOOKS
}

# stop_tracer DIR: tracer_stop; exit statuses are collected at the end,
# while taking the probes off (slow with many kprobes) goes on.
stopping=
stop_tracer() {
	tracer_stop "$1"
	stopping="$stopping $tracer:$1"
	echo "$t_start $t_traced $(uptime)" | awk '{ printf "attach %.2f s, in all %.2f s\n", $2 - $1, $3 - $1 }' > "$1/timing"
}

# The exit status of every tracer stopped, once they are done.
collect() {
	for t in $stopping; do
		wait "${t%%:*}"
		echo $? > "${t#*:}/rc"
	done
}

# Races the checker judges on their own: a destination rewritten during
# sends, and two threads making a socket's first send at once.
races_session() {
	d=$out/races
	start_tracer "$d" "$@" --events all --comm st-race
	"$SOCKDRIVE" --name st-race dest-race 2000 >> "$d/facts.json"
	"$SOCKDRIVE" --name st-race udp-race 500 >> "$d/facts.json"
	"$SOCKDRIVE" --name st-race inflight 16 >> "$d/facts.json"
	touch "$d/empty-at-end"
	stop_tracer "$d"
}

# Threads blocked at once in recv, accept and connect, more than a
# kretprobe holds in flight by default: every call counted.
blocked_session() {
	d=$out/blocked
	start_tracer "$d" "$@" --events all --comm st-blocked
	"$SOCKDRIVE" --name st-blocked blocked 64 >> "$d/facts.json"
	touch "$d/empty-at-end"
	stop_tracer "$d"
}

# More connects in progress at once than any table socktrace had for them
# held: each is followed to its outcome (the failures alone are printed:
# each is one, and judging more lines costs more than it shows).
pending_session() {
	d=$out/pending
	start_tracer "$d" "$@" --failed --comm st-pending
	"$SOCKDRIVE" --name st-pending pending 9000 >> "$d/facts.json"
	touch "$d/empty-at-end"
	stop_tracer "$d"
}

# Every case in one run, every kind of event.
d=$out/all
start_tracer "$d" "$@" --events all
if [ -n "${E2E_CASES:-}" ]; then
	for c in $E2E_CASES; do "$SOCKDRIVE" $c >> "$d/facts.json"; done
else
	for c in tcp "tcp 6" refused udp "udp 6" mapped nonblock dns nonsock exit exec dup2 \
		close_range "reuse 20" "threads 4" pidns io-tcp "io-tcp 6" io-udp "io-udp 6" io-change \
		"io-change 6" disconnect "disconnect 6" tcp-fin "tcp-fin 6" fork cfiles scm timeout iouring \
		compat family race-send probe exit-threads; do
		# shellcheck disable=SC2086 # "threads 4" is a case and its argument
		"$SOCKDRIVE" $c >> "$d/facts.json"
	done
	"$SOCKDRIVE" --name renamed-proc tcp >> "$d/facts.json"
	"$SOCKDRIVE" hostile-addr >> "$d/facts.json"
	# A comm of hostile bytes: q " \ newline tab 0x01 0x7f, U+00E9 in
	# UTF-8, 0xff, a cut UTF-8 sequence (e2 82), ESC [ 2. e2e-check.sh
	# knows it as HOSTILE_COMM.
	"$SOCKDRIVE" --name-hex 71225c0a09017fc3a9ffe2821b5b32 tcp >> "$d/facts.json"
fi
stop_tracer "$d"
if [ -n "${E2E_CASES:-}" ]; then
	for s in ${E2E_SESSIONS:-}; do "${s}_session" "$@"; done
	collect
	exit 0
fi

# The default kinds: no send or receive events, the same totals.
d=$out/default
start_tracer "$d" "$@"
for c in tcp dns io-tcp; do
	"$SOCKDRIVE" $c >> "$d/facts.json"
done
# Unfiltered: sockets of other programs may still be open at the end, so
# only the helpers' own are checked (none open), not the kernel's tables.
stop_tracer "$d"

# Sockets open before socktrace starts, found by the kernel at start.
d=$out/existing
mkdir -p "$d"
"$SOCKDRIVE" --name st-existing --gate "$d/go" preexisting > "$d/facts.json" &
drv=$!
i=0
while [ ! -e "$d/go.ready" ] && [ $i -lt 300 ]; do i=$((i + 1)); sleep 0.05; done
start_tracer "$d" "$@" --events all --comm st-existing
touch "$d/go"
wait "$drv"
touch "$d/empty-at-end"
stop_tracer "$d"

races_session "$@"
blocked_session "$@"

pending_session "$@"

# Flood: the consumer is stopped while a process makes far more events
# than a 64 KiB ring holds; each must be delivered or counted as lost.
d=$out/flood
start_tracer "$d" "$@" --events all --ring-size 64K --comm st-flood
kill -STOP "$tracer" 2>/dev/null
"$SOCKDRIVE" --name st-flood flood 20000 > "$d/flood.json"
kill -CONT "$tracer" 2>/dev/null
stop_tracer "$d"

# --pid: only the chosen one of two processes is reported, and what a
# child of it (not chosen) does with a socket it inherited, which is
# followed to its close.
d=$out/pid
mkdir -p "$d"
"$SOCKDRIVE" --gate "$d/go" fork > "$d/facts.json" &
keep=$!
"$SOCKDRIVE" --gate "$d/go" tcp > "$d/excluded.json" &
drop=$!
start_tracer "$d" "$@" --events all --pid "$keep"
touch "$d/go"
wait "$keep" "$drop"
stop_tracer "$d"

# --ipv4 and --ipv6: by the socket's own family, whatever address a call
# names (the checker keeps the expected events of that family).
for fam in ipv4 ipv6; do
	d=$out/$fam
	start_tracer "$d" "$@" --events all --$fam
	for c in tcp "tcp 6" udp dns mapped family io-udp "io-udp 6"; do
		"$SOCKDRIVE" $c >> "$d/facts.json"
	done
	stop_tracer "$d"
done

# --uid: by the real user of the process.
d=$out/uid
start_tracer "$d" "$@" --events all --uid 65534
"$SOCKDRIVE" --uid 65534 tcp >> "$d/facts.json"
"$SOCKDRIVE" tcp >> "$d/excluded.json"
touch "$d/empty-at-end"
stop_tracer "$d"

# --port (either end), --sport, --dport: each keeps its ends of a
# connection to a port; one to the next port is dropped.
port=$((20000 + $$ % 20000))
for f in port sport dport; do
	d=$out/$f
	mode=$f
	[ $f = port ] && mode=either
	start_tracer "$d" "$@" --events all --$f $port
	"$SOCKDRIVE" ports $mode:$port >> "$d/facts.json"
	"$SOCKDRIVE" tcp >> "$d/excluded.json"
	touch "$d/empty-at-end"
	stop_tracer "$d"
done

# --addr: either end in the prefix, an IPv4-mapped peer in an IPv4 one.
d=$out/addr
start_tracer "$d" "$@" --events all --addr 127.0.0.2/32
"$SOCKDRIVE" addrs >> "$d/facts.json"
"$SOCKDRIVE" tcp >> "$d/excluded.json"
touch "$d/empty-at-end"
stop_tracer "$d"

# --proto and --failed: the checker keeps the expected events that pass.
d=$out/proto
start_tracer "$d" "$@" --events all --proto udp
for c in tcp udp dns io-udp; do "$SOCKDRIVE" $c >> "$d/facts.json"; done
stop_tracer "$d"
d=$out/failed
start_tracer "$d" "$@" --failed
for c in tcp refused nonblock family; do "$SOCKDRIVE" $c >> "$d/facts.json"; done
stop_tracer "$d"

# --cgroup: a process in a child of the cgroup named is kept, one outside
# dropped.
root=/sys/fs/cgroup
[ -e $root/unified/cgroup.procs ] && root=$root/unified
if mkdir -p "$root/st-e2e/child" 2>/dev/null; then
	d=$out/cgroup
	start_tracer "$d" "$@" --events all --cgroup "$root/st-e2e"
	"$SOCKDRIVE" --cgroup "$root/st-e2e/child" tcp >> "$d/facts.json"
	"$SOCKDRIVE" tcp >> "$d/excluded.json"
	stop_tracer "$d"
	rmdir "$root/st-e2e/child" "$root/st-e2e"
fi

# --follow: with --pid of a parent, the child it starts; without, not.
for f in follow nofollow; do
	d=$out/$f
	mkdir -p "$d"
	[ $f = follow ] && to=facts || to=excluded
	touch "$d/facts.json"
	"$SOCKDRIVE" --gate "$d/go" spawn > "$d/$to.json" &
	drv=$!
	if [ $f = follow ]; then start_tracer "$d" "$@" --events all --pid $drv --follow
	else start_tracer "$d" "$@" --events all --pid $drv; fi
	touch "$d/go"
	wait $drv
	touch "$d/empty-at-end"
	stop_tracer "$d"
done

# --pid from inside a pid namespace of socktrace's own: pids as seen there.
if unshare -p -f --mount-proc true 2>/dev/null; then
	d=$out/pidns-viewer
	mkdir -p "$d"
	unshare -p -f --mount-proc sh -c '
		drive=$1 trace=$2 d=$3
		shift 3
		"$drive" --gate "$d/go" tcp > "$d/facts.json" &
		drv=$!
		"$trace" --output json --status "$d/status.json" "$@" --events all --pid $drv > "$d/trace.json" 2> "$d/trace.err" &
		tracer=$!
		i=0
		while ! grep -q "\"status\":\"tracing\"" "$d/status.json" 2>/dev/null && [ $i -lt 600 ]; do
			i=$((i + 1)); sleep 0.1; done
		touch "$d/go"
		wait $drv
		kill -INT $tracer
		wait $tracer
		echo $? > "$d/rc"' sh "$SOCKDRIVE" "$SOCKTRACE" "$d" "$@"
	printf '%s\n' "$* --events all --pid" > "$d/args"
fi

# --comm: by the name the kernel keeps, set with PR_SET_NAME: the process's
# or the thread's. Only these processes are traced, so the kernel's tables
# must be empty at the end.
d=$out/comm
start_tracer "$d" "$@" --events all --comm st-keep
"$SOCKDRIVE" --name st-keep named-thread st-thread >> "$d/facts.json"
"$SOCKDRIVE" --name st-other named-thread st-keep >> "$d/facts.json"
"$SOCKDRIVE" --name st-other named-thread st-drop >> "$d/excluded.json"
"$SOCKDRIVE" --name st-keep udp >> "$d/facts.json"
"$SOCKDRIVE" --name st-drop udp >> "$d/excluded.json"
"$SOCKDRIVE" --name st-keep tcp >> "$d/facts.json"
"$SOCKDRIVE" --name st-keep-not tcp >> "$d/excluded.json"
"$SOCKDRIVE" --name st-keep exit >> "$d/facts.json"
"$SOCKDRIVE" --name st-keep exec >> "$d/facts.json"
"$SOCKDRIVE" --name st-keep dup2 >> "$d/facts.json"
"$SOCKDRIVE" --name st-keep close_range >> "$d/facts.json"
"$SOCKDRIVE" --name st-keep dns >> "$d/facts.json"
touch "$d/empty-at-end"
stop_tracer "$d"
collect
exit 0
