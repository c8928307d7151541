#!/bin/sh
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Runs every end-to-end scenario against a real socktrace on the running
# kernel and keeps what happened in OUTDIR; tests/e2e-check.sh judges it.
# POSIX sh so that the kprobe guest's busybox can run it too.
#
#   SOCKTRACE=build/socktrace SOCKDRIVE=build/sockdrive tests/e2e-run.sh OUTDIR [socktrace args]
set -u
out=$1
shift
: "${SOCKTRACE:?}" "${SOCKDRIVE:?}"
rm -rf "$out"
mkdir -p "$out"
printf '%s\n' "$*" > "$out/args"

# start_tracer DIR ARGS...: socktrace in the background, back when attached.
start_tracer() {
	dir=$1
	shift
	mkdir -p "$dir"
	"$SOCKTRACE" --output json "$@" > "$dir/trace.json" 2> "$dir/trace.err" &
	tracer=$!
	i=0
	while ! grep -q '^socktrace: tracing' "$dir/trace.err" 2>/dev/null; do
		if ! kill -0 "$tracer" 2>/dev/null || [ $i -ge 600 ]; then
			echo "socktrace did not start" >> "$dir/trace.err"
			break
		fi
		i=$((i + 1))
		sleep 0.1
	done
}

# stop_tracer DIR: SIGINT, as a user's Ctrl-C, and keep the exit status.
stop_tracer() {
	kill -INT "$tracer" 2>/dev/null
	wait "$tracer"
	echo $? > "$1/rc"
}

# Every case in one run, unfiltered.
d=$out/all
start_tracer "$d" "$@"
for c in tcp tcp6 refused udp udp6 mapped nonblock dns nonsock exit exec dup2 close_range \
	"reuse 20" "threads 4" pidns; do
	# shellcheck disable=SC2086 # "threads 4" is a case and its argument
	"$SOCKDRIVE" $c >> "$d/facts.json"
done
"$SOCKDRIVE" --name renamed-proc tcp >> "$d/facts.json"
"$SOCKDRIVE" hostile-addr >> "$d/facts.json"
# A comm of hostile bytes: q " \ newline tab 0x01 0x7f, U+00E9 in UTF-8,
# 0xff, a cut UTF-8 sequence (e2 82), ESC [ 2. e2e-check.sh knows it as
# HOSTILE_COMM.
"$SOCKDRIVE" --name-hex 71225c0a09017fc3a9ffe2821b5b32 tcp >> "$d/facts.json"
stop_tracer "$d"

# Flood: the consumer is stopped while a process makes far more events
# than a 64 KiB ring holds; each must be delivered or counted as lost.
d=$out/flood
start_tracer "$d" "$@" --ring-size 64K --comm st-flood
kill -STOP "$tracer"
"$SOCKDRIVE" --name st-flood flood 20000 > "$d/flood.json"
kill -CONT "$tracer"
stop_tracer "$d"

# --pid: only the chosen one of two identical processes is reported.
d=$out/pid
mkdir -p "$d"
"$SOCKDRIVE" --gate "$d/go" tcp > "$d/facts.json" &
keep=$!
"$SOCKDRIVE" --gate "$d/go" tcp > "$d/excluded.json" &
drop=$!
start_tracer "$d" "$@" --pid "$keep"
touch "$d/go"
wait "$keep" "$drop"
stop_tracer "$d"

# --ipv4 and --ipv6: by the socket's family (IPv4-mapped is IPv6).
d=$out/ipv4
start_tracer "$d" "$@" --ipv4
"$SOCKDRIVE" tcp >> "$d/facts.json"
"$SOCKDRIVE" dns >> "$d/facts.json"
"$SOCKDRIVE" tcp6 >> "$d/excluded.json"
"$SOCKDRIVE" mapped >> "$d/excluded.json"
stop_tracer "$d"

d=$out/ipv6
start_tracer "$d" "$@" --ipv6
"$SOCKDRIVE" tcp6 >> "$d/facts.json"
"$SOCKDRIVE" mapped >> "$d/facts.json"
"$SOCKDRIVE" udp >> "$d/excluded.json"
"$SOCKDRIVE" dns >> "$d/excluded.json"
stop_tracer "$d"

# --comm: by the name the kernel keeps, set with PR_SET_NAME. Only these
# processes are traced, so the kernel's tables must be empty at the end.
d=$out/comm
start_tracer "$d" "$@" --comm st-keep
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
exit 0
