#!/bin/bash
# bench/dispatch.sh: what the tracepoint mode's hooks cost by themselves,
# two ways: socktrace's floor (build/bench/floor: raw sys_enter/sys_exit,
# one dispatch for every syscall, plus the sock tracepoints) against empty
# programs on the per-syscall tracepoints of the same syscalls
# (bench/syscalls-floor.bt, bpftrace) plus the sock tracepoints.
# Untraced, floor and per-syscall runs alternate, ROUNDS (5) rounds of
# RUN_MS (1500) ms per loop; prints the median ns/op and ratio to untraced.
# Needs root, bpftrace, jq and a kernel with the sock tracepoints (6.3+).
set -u
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
RUN_MS=${RUN_MS:-1500}
PATTERNS=${PATTERNS:-sendto udpconn openclose write read}
LOAD=build/bench/load FLOOR=build/bench/floor
W=$(mktemp -d) || exit 1
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2> /dev/null; rm -rf "$W"' EXIT
for t in bpftrace jq taskset; do
	command -v $t > /dev/null || { echo "dispatch: $t is missing" >&2; exit 1; }
done
[ -x $LOAD ] && [ -x $FLOOR ] || { echo "dispatch: make build/bench/floor build/bench/load first" >&2; exit 1; }

# start CONFIG: starts its tracer on CPU 0 and waits until it has attached.
start() {
	pid=
	# The last tracer's line must not pass for this one's.
	: > "$W/err"
	case $1 in
	floor) taskset -c 0 $FLOOR --attach tracepoint > /dev/null 2> "$W/err" & pid=$! ;;
	per-syscall) taskset -c 0 bpftrace bench/syscalls-floor.bt > "$W/err" 2>&1 & pid=$! ;;
	*) return 0 ;;
	esac
	for _ in $(seq 300); do
		grep -q 'attached' "$W/err" && return 0
		kill -0 $pid 2> /dev/null || break
		sleep 0.1
	done
	echo "dispatch: $1 did not attach: $(head -c 400 "$W/err")" >&2
	exit 1
}

configs=(untraced floor per-syscall)
for r in $(seq "$ROUNDS"); do
	n=$((r % 3))
	for c in "${configs[@]:n}" "${configs[@]:0:n}"; do
		start $c
		for p in $PATTERNS; do
			echo "$c $p $($LOAD $p --ms "$RUN_MS" --cpu 1 | jq -r .ns_per_op)" >> "$W/runs"
		done
		if [ -n "$pid" ]; then kill -INT $pid; wait $pid; pid=; fi
	done
done
median() { awk -v c=$1 -v p=$2 '$1 == c && $2 == p { print $3 }' "$W/runs" | sort -g |
	awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "ns per operation, median of $ROUNDS rounds (ratio to untraced)"
printf '%-10s %9s %18s %18s\n' loop untraced "raw dispatch" per-syscall
for p in $PATTERNS; do
	u=$(median untraced $p) f=$(median floor $p) s=$(median per-syscall $p)
	awk -v p=$p -v u=$u -v f=$f -v s=$s \
		'BEGIN { printf "%-10s %9.1f %10.1f (%.2f) %10.1f (%.2f)\n", p, u, f, f / u, s, s / u }'
done
