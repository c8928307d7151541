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
for c in tcp refused udp nonsock "threads 4"; do
	# shellcheck disable=SC2086 # "threads 4" is a case and its argument
	"$SOCKDRIVE" $c >> "$d/facts.json"
done
"$SOCKDRIVE" --name renamed-proc tcp >> "$d/facts.json"
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

# --comm: by the name the kernel keeps, set with PR_SET_NAME.
d=$out/comm
start_tracer "$d" "$@" --comm st-keep
"$SOCKDRIVE" --name st-keep udp >> "$d/facts.json"
"$SOCKDRIVE" --name st-drop udp >> "$d/excluded.json"
"$SOCKDRIVE" --name st-keep tcp >> "$d/facts.json"
"$SOCKDRIVE" --name st-keep-not tcp >> "$d/excluded.json"
stop_tracer "$d"
exit 0
