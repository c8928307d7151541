#!/bin/bash
# bench/progcost.sh BINARY... : BPF run time per program, to weigh one build
# of socktrace against another. Each binary traces one loop (PATTERN,
# sendto) with --events all, JSON to a file, for RUN_MS (1500) ms, ROUNDS
# (5) times, the binaries alternating; kernel.bpf_stats_enabled is on for
# the runs. Prints, per binary, the median ns per run of each program that
# ran at least once per operation, the median BPF ns per operation, the
# median ns/op of the load, and the events lost. ARGS adds socktrace
# options (ARGS="--comm other": what it costs a process a filter leaves
# out). Needs root, bpftool, jq.
# A single run varies by 10% or more on a shared VM: compare medians.
set -u
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
RUN_MS=${RUN_MS:-1500}
PATTERN=${PATTERN:-sendto}
LOAD=build/bench/load
[ $# -gt 0 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ -x $LOAD ] || { echo "progcost: make build/bench/load first" >&2; exit 1; }
. tests/tracer.sh
W=$(mktemp -d) || exit 1
pid=
old=$(sysctl -n kernel.bpf_stats_enabled)
trap '[ -n "$pid" ] && kill -KILL $pid 2> /dev/null; sysctl -q -w kernel.bpf_stats_enabled=$old; rm -rf "$W"' EXIT
sysctl -q -w kernel.bpf_stats_enabled=1 || exit 1
: > "$W/file"

# one BINARY: one traced run; appends a JSON line to $W/runs.
one() {

	# The last run's line must not pass for this one's: the shell empties
	# err only once the tracer's process is on its way.
	: > "$W/err"
	# shellcheck disable=SC2086 # ARGS is a list of options
	taskset -c 0 "$1" --output json --events all ${ARGS:-} --status "$W/status" > "$W/out" 2> "$W/err" < /dev/null &
	pid=$!
	wait_line "$W/err" '^socktrace: tracing' $pid 100
	load=$(taskset -c 1 $LOAD "$PATTERN" --ms "$RUN_MS" --file "$W/file")
	progs=$(for fd in /proc/$pid/fd/*; do
		[ "$(readlink "$fd")" = anon_inode:bpf-prog ] && awk '/^prog_id:/ { print $2 }' "/proc/$pid/fdinfo/${fd##*/}"
	done | sort -un | while read -r id; do bpftool -j prog show id "$id"; done | jq -s -c .)
	kill -INT $pid
	wait $pid
	pid=
	jq -n -c --arg bin "$1" --argjson load "$load" --argjson progs "$progs" \
		--slurpfile st "$W/status" '($load.ops + $load.warmup_ops) as $ops |
		{bin: $bin, ns_per_op: $load.ns_per_op, lost: ([$st[] | select(.status == "stopped")][0].events.lost),
		 bpf: (([$progs[].run_time_ns // 0] | add) / $ops),
		 progs: [$progs[] | select((.run_cnt // 0) >= $ops * 0.5) | {name, ns: (.run_time_ns / .run_cnt)}]}' >> "$W/runs"
}

for ((r = 1; r <= ROUNDS; r++)); do
	for b in "$@"; do one "$b"; done
done
jq -s -r 'def med: sort | .[length / 2 | floor];
	group_by(.bin)[] | "\(.[0].bin): bpf \([.[].bpf] | med | floor) ns/op, load \([.[].ns_per_op] | med) ns/op, lost \([.[].lost] | add) in all; " +
	([.[].progs[]] | group_by(.name) | map("\(.[0].name) \([.[].ns] | med | floor) ns") | join(", "))' "$W/runs"
