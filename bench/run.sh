#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# The socktrace benchmark, as `make bench` runs it (after `make all
# build/bench/floor`): what socktrace costs the programs it traces, above the
# floor of its bare hooks and next to bpftrace and strace, its throughput,
# its RSS and kernel memory, and how soon an event reaches a pipe. See
# bench/README.md. Needs root, jq, bpftrace, strace, bpftool, cc, taskset.
#
#   bench/run.sh        environment (defaults in brackets):
#     SOCKTRACE      the binary to measure [build/socktrace]
#     FLOOR          its floor, the same hooks with empty programs [build/bench/floor]
#     ATTACH         attach mode of socktrace and the floor [auto]
#     ROUNDS         rounds of every loop under every configuration [5]
#     RUN_MS         length of one timed loop, ms [1500]
#     PATTERNS       loops to run [sendto udpconn tcp openclose write read]
#     BURST_OPS      sendto operations of the throughput burst [1000000]
#     LAT_SAMPLES    latency probes [50]
#     BENCH_PIN      1: load on the last CPU, tracers on the others [1]
#     BENCH_OUT      where the report goes [build/bench]
#
# It exits 1 when it could not measure (a tool missing, a tracer that did not
# start or did not stop, a load that failed), never because a budget was
# missed: the report marks those MISS.
set -u
if [ $# -gt 0 ]; then
	sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
cd "$(dirname "$0")/.."
SOCKTRACE=${SOCKTRACE:-build/socktrace}
FLOOR=${FLOOR:-build/bench/floor}
ATTACH=${ATTACH:-auto}
ROUNDS=${ROUNDS:-5}
RUN_MS=${RUN_MS:-1500}
PATTERNS=${PATTERNS:-sendto udpconn tcp openclose write read}
BURST_OPS=${BURST_OPS:-1000000}
LAT_SAMPLES=${LAT_SAMPLES:-50}
BENCH_PIN=${BENCH_PIN:-1}
OUT=${BENCH_OUT:-build/bench}
CONFIGS=(untraced floor socktrace socktrace-jq metrics bpftrace strace)
# socktrace as the budgets need it: every event, sends included, delivered.
ST_ARGS=(--output json --events all --attach "$ATTACH")
# metrics: socktrace serving Prometheus metrics, no events, scraped every
# second while the load runs.
MPORT=${MPORT:-19477}
START_TIMEOUT=10	# s for a tracer to attach
STOP_TIMEOUT=60		# s for a tracer to exit after SIGINT

say() { echo "bench: $*" >&2; }
TR_PID=
AUX_PID=
old_stats=
# Whatever ends the script leaves no tracer running and the BPF statistics
# as they were.
cleanup() {
	[ -n "$TR_PID" ] && kill -KILL "$TR_PID" 2> /dev/null
	[ -n "$AUX_PID" ] && kill -KILL "$AUX_PID" 2> /dev/null
	[ -n "$old_stats" ] && sysctl -q -w kernel.bpf_stats_enabled="$old_stats" 2> /dev/null
	return 0
}
trap cleanup EXIT
die() { say "cannot measure: $*"; exit 1; }
errors=()
# A measurement that failed after others succeeded: keep going, report it,
# and exit 1 at the end.
measure_error() { say "ERROR: $*"; errors+=("$*"); }

[ "$(id -u)" = 0 ] || die "needs root (BPF tracing)"
for t in jq bpftrace strace bpftool cc taskset awk; do
	command -v "$t" > /dev/null || die "$t is missing (make bench installs jq, bpftrace and strace)"
done
[ -x "$SOCKTRACE" ] || die "$SOCKTRACE is not built (make all)"
[ -x "$FLOOR" ] || die "$FLOOR is not built (make build/bench/floor)"
case $ATTACH in auto | kprobe | tracepoint) ;; *) die "ATTACH takes auto, kprobe or tracepoint" ;; esac
case $ROUNDS$RUN_MS$BURST_OPS$LAT_SAMPLES in *[!0-9]*) die "ROUNDS, RUN_MS, BURST_OPS, LAT_SAMPLES take numbers" ;; esac

mkdir -p "$OUT"
W=$OUT/work
rm -rf "$W"
mkdir -p "$W"
cc -O2 -Wall -Wextra -o "$OUT/load" bench/load.c || die "cannot build bench/load.c"
cc -O2 -Wall -Wextra -o "$OUT/stamp" bench/stamp.c || die "cannot build bench/stamp.c"
LOAD=$OUT/load
: > "$W/file"

# CPU placement: the load alone on the last CPU, every tracer (and jq, and
# the latency reader) on the others, so that a tracer's user space never
# takes the load's CPU; the kernel side runs in the load's syscalls anyway.
NCPU=$(nproc)
if [ "$BENCH_PIN" = 1 ] && [ "$NCPU" -ge 2 ]; then
	LOAD_CPU=$((NCPU - 1))
	TRACER_CPUS=0-$((NCPU - 2))
	PIN=(taskset -c "$TRACER_CPUS")
	LOAD_PIN=(--cpu "$LOAD_CPU")
	PIN_NOTE="load pinned to CPU $LOAD_CPU, tracers/jq/reader to CPUs $TRACER_CPUS"
else
	PIN=()
	LOAD_PIN=()
	PIN_NOTE="no CPU pinning"
fi

now_ns() { date +%s%N; }

# IRQ work interrupts so far on the load's CPU (all CPUs when not pinned):
# how a BPF ring buffer wakes its reader, one self-interrupt per wakeup.
irq_work() {
	awk -v cpu="${LOAD_CPU:-all}" '$1 == "IWI:" {
		if (cpu == "all") { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i; print n }
		else print $(cpu + 2) }' /proc/interrupts
}

# wait_line and stop_pid come from tests/tracer.sh.
. tests/tracer.sh

# stop PID: stop_pid within STOP_TIMEOUT; sets STOP_RC and STOP_MS.
stop() {
	local t0
	t0=$(now_ns)
	stop_pid "$1" "$STOP_TIMEOUT"
	STOP_MS=$((($(now_ns) - t0) / 1000000))
}

# start_tracer CONFIG: starts the tracer of CONFIG with its output in
# $W/out, its stderr in $W/err and (socktrace) its status records in
# $W/status, and waits until it has attached. Sets TR_PID (and AUX_PID for
# the reader at the end of a pipe) and MODE, the attach mode it reports.
start_tracer() {
	rm -f "$W/out" "$W/err" "$W/fifo" "$W/status"
	TR_PID=
	AUX_PID=
	MODE=
	case $1 in
	socktrace)
		"${PIN[@]}" "$SOCKTRACE" "${ST_ARGS[@]}" --status "$W/status" > "$W/out" 2> "$W/err" < /dev/null &
		TR_PID=$! ;;
	socktrace-filtered) # a filter the load does not pass: what it costs the others
		"${PIN[@]}" "$SOCKTRACE" "${ST_ARGS[@]}" --comm st-bench-none --status "$W/status" \
			> "$W/out" 2> "$W/err" < /dev/null &
		TR_PID=$! ;;
	socktrace-jq | socktrace-stamp)
		mkfifo "$W/fifo"
		if [ "$1" = socktrace-jq ]; then
			"${PIN[@]}" jq -c . < "$W/fifo" > "$W/out" &
		else
			"${PIN[@]}" "$OUT/stamp" < "$W/fifo" > "$W/out" &
		fi
		AUX_PID=$!
		"${PIN[@]}" "$SOCKTRACE" "${ST_ARGS[@]}" --status "$W/status" > "$W/fifo" 2> "$W/err" < /dev/null &
		TR_PID=$! ;;
	floor)
		"${PIN[@]}" "$FLOOR" --attach "$ATTACH" > /dev/null 2> "$W/err" < /dev/null &
		TR_PID=$! ;;
	metrics)
		"${PIN[@]}" "$SOCKTRACE" --metrics "127.0.0.1:$MPORT" --events none --attach "$ATTACH" \
			--status "$W/status" > "$W/out" 2> "$W/err" < /dev/null &
		TR_PID=$!
		# The scraper, as Prometheus would: once a second.
		"${PIN[@]}" bash -c 'while :; do curl -s -m 2 -o "$0.tmp" "$1" && mv "$0.tmp" "$0"; sleep 1; done' \
			"$W/scrape" "http://127.0.0.1:$MPORT/metrics" &
		AUX_PID=$! ;;
	bpftrace)
		# bpftrace's maps hold 4096 keys unless told: socktrace's hold 65536.
		BPFTRACE_MAP_KEYS_MAX=65536 "${PIN[@]}" bpftrace -B line bench/socktrace.bt \
			> "$W/out" 2> "$W/err" < /dev/null &
		TR_PID=$! ;;
	*) return 0 ;;
	esac
	local ready='^socktrace: tracing' where=$W/err
	[ "$1" = bpftrace ] && ready='^socktrace.bt: tracing' && where=$W/out
	[ "$1" = floor ] && ready='^floor: attached'
	if ! wait_line "$where" "$ready" "$TR_PID" $((START_TIMEOUT * 10)); then
		kill -KILL "$TR_PID" $AUX_PID 2> /dev/null
		wait $TR_PID $AUX_PID 2> /dev/null
		die "$1 did not start within ${START_TIMEOUT}s: $(head -c 600 "$W/err")"
	fi
	# "socktrace: tracing with kprobe programs", "floor: attached with
	# kprobe programs": the floor is a floor only in socktrace's mode.
	case $1 in socktrace* | floor | metrics)
		MODE=$(grep -m1 -o -E 'with [a-z]+ programs' "$W/err" | awk '{ print $2 }') ;;
	esac
	return 0
}

# stop_tracer CONFIG: stops it; sets DELIVERED and LOST (socktrace's own
# count of events written and lost: its "stopped" status record, else its
# summary line; empty when neither came), STOP_RC, STOP_MS.
stop_tracer() {
	DELIVERED=
	LOST=
	UNWRITTEN=0
	STOP_RC=0
	STOP_MS=0
	[ -n "$TR_PID" ] || return 0
	[ "$1" = metrics ] && kill "$AUX_PID" 2> /dev/null
	stop "$TR_PID"
	if [ -n "$AUX_PID" ]; then
		wait "$AUX_PID" 2> /dev/null
	fi
	TR_PID=
	AUX_PID=
	case $1 in socktrace*)
		local line
		line=$(jq -r 'select(.status == "stopped") | "\(.events.written) \(.events.lost) \(.events.unwritten)"' \
			"$W/status" 2> /dev/null | tail -1)
		if [[ $line =~ ^([0-9]+)\ ([0-9]+)\ ([0-9]+)$ ]]; then
			DELIVERED=${BASH_REMATCH[1]}
			LOST=${BASH_REMATCH[2]}
			UNWRITTEN=${BASH_REMATCH[3]}
			return 0
		fi
		line=$(grep -m1 '^socktrace: stopped: ' "$W/err")
		if [[ $line =~ stopped:\ ([0-9]+)\ events\ delivered,\ ([0-9]+)\ lost ]]; then
			DELIVERED=${BASH_REMATCH[1]}
			LOST=${BASH_REMATCH[2]}
		fi ;;
	esac
	return 0
}

# run_load ARGS...: runs the load generator (under strace for the strace
# configuration); its JSON line in LOAD_JSON.
run_load() {
	local cfg=$1
	shift
	if [ "$cfg" = strace ]; then
		LOAD_JSON=$("${PIN[@]}" strace -f -e trace=connect,accept4,sendto,write,read,close -o /dev/null \
			"$LOAD" "$@" "${LOAD_PIN[@]}")
	else
		LOAD_JSON=$("$LOAD" "$@" "${LOAD_PIN[@]}")
	fi
}

# count_events CONFIG PID: the events of process PID in $W/out, by kind, as
# a JSON object, then the output's event lines of all processes (socktrace:
# not its "lost" lines), tab-separated.
count_events() {
	case $1 in
	socktrace*)
		awk -v k="\"pid\":$2," '!index($0, "\"event\":\"lost\"") { a++ }
			index($0, k) && match($0, /"event":"[a-z]+"/) { n[substr($0, RSTART + 9, RLENGTH - 10)]++; t++ }
			END { printf "{\"connect\":%d,\"accept\":%d,\"send\":%d,\"recv\":%d,\"close\":%d,\"listen\":%d,\"total\":%d}\t%d\n",
				n["connect"], n["accept"], n["send"], n["recv"], n["close"], n["listen"], t, a }' "$W/out" ;;
	bpftrace)
		awk -v k=" pid=$2 " 'index($0, k) { n[$2]++; t++ }
			END { printf "{\"connect\":%d,\"send\":%d,\"close\":%d,\"total\":%d}\t%d\n",
				n["connect"], n["send"], n["close"], t, NR }' "$W/out" ;;
	*) printf '{"total":0}\t0\n' ;;
	esac
}

# metrics_counts: the load's sends and connects as a scrape of the metrics
# configuration says them now (the load process is named load).
metrics_counts() {
	curl -s -m 5 "http://127.0.0.1:$MPORT/metrics" | awk '
		/^socktrace_sends_total\{process="load",/ { s += $NF }
		/^socktrace_connections_total\{process="load",.*direction="out"/ { c += $NF }
		END { printf "{\"sends\":%d,\"connects\":%d}\n", s, c }'
}

load_args() { # load_args PATTERN: the loop's arguments for one timed run
	echo "$1 --ms $RUN_MS"
	[ "$1" = openclose ] && echo "--file $W/file"
}

# Tracing BPF programs attached by anyone else (another socktrace, a
# bpftrace...): they would tax the untraced runs too. Names, one per line.
foreign_tracers() {
	bpftool -j prog show 2> /dev/null | jq -r '.[] | select(.type as $t |
		["tracepoint", "raw_tracepoint", "kprobe", "tracing", "perf_event"] | index($t)) |
		"\(.name) (id \(.id)\(if .pids then ", " + ([.pids[] | "\(.comm) \(.pid)"] | join(" ")) else "" end))"'
}

machine_json() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	[ -n "$cpu" ] || cpu=$(uname -m)
	jq -n --arg kernel "$(uname -r)" --argjson nproc "$NCPU" --arg cpu "$cpu" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg host "$(uname -n)" \
		--arg socktrace "$SOCKTRACE" --arg version "$("$SOCKTRACE" --version 2> /dev/null | head -1)" \
		--arg commit "$(git rev-parse --short HEAD 2> /dev/null || echo unknown)" \
		--arg dirty "$(git status --porcelain -- bpf src include 2> /dev/null | head -1)" \
		--arg bpftrace "$(bpftrace --version 2> /dev/null)" --arg strace "$(strace -V 2> /dev/null | head -1)" \
		--arg pin "$PIN_NOTE" --argjson rounds "$ROUNDS" --argjson run_ms "$RUN_MS" \
		--arg floor "$FLOOR" --arg attach "$ATTACH" \
		'{kernel: $kernel, nproc: $nproc, cpu: $cpu, date: $date, host: $host, floor: $floor, attach: $attach,
		  socktrace: {path: $socktrace, version: $version, commit: $commit,
			      tree: (if $dirty == "" then "clean" else "uncommitted changes in bpf/ src/ include/" end)},
		  bpftrace: $bpftrace, strace: $strace, pinning: $pin, rounds: $rounds, run_ms: $run_ms}'
}

t_start=$SECONDS
foreign_tracers > "$W/foreign-start.txt"
[ -s "$W/foreign-start.txt" ] && say "WARNING: $(wc -l < "$W/foreign-start.txt") tracing BPF programs of others are attached: untraced is not untraced ($(paste -sd, "$W/foreign-start.txt"))"
machine_json > "$W/machine.json"
say "machine: $(jq -r '"\(.kernel), \(.nproc) CPUs, \(.cpu)"' "$W/machine.json"); $PIN_NOTE"
say "socktrace: $SOCKTRACE ($(jq -r '.socktrace | "\(.commit), \(.tree)"' "$W/machine.json"))"

# ---------------------------------------------------------------- loops
# Every round runs every loop untraced and under each configuration; the
# order of the configurations rotates from round to round so that none
# always follows the same one. Each traced run has a tracer of its own,
# started before and stopped after the load, so its output holds exactly
# that load.
RUNS=$W/runs.jsonl
: > "$RUNS"
for ((r = 1; r <= ROUNDS; r++)); do
	for p in $PATTERNS; do
		n=${#CONFIGS[@]}
		for ((i = 0; i < n; i++)); do
			cfg=${CONFIGS[$(((i + r - 1) % n))]}
			start_tracer "$cfg"
			mode=$MODE
			iwi0=$(irq_work)
			# shellcheck disable=SC2046
			if ! run_load "$cfg" $(load_args "$p") || [ -z "$LOAD_JSON" ]; then
				stop_tracer "$cfg"
				die "the $p load failed under $cfg"
			fi
			# Let the tracer's consumer catch up before it is told to stop:
			# the stop must not be what delivers the events.
			iwi1=$(irq_work)
			case $cfg in socktrace* | bpftrace | metrics) sleep 0.2 ;; esac
			# What the counters say of the load, scraped now.
			mcounts='{}'
			[ "$cfg" = metrics ] && mcounts=$(metrics_counts)
			stop_tracer "$cfg"
			pid=$(jq .pid <<< "$LOAD_JSON")
			IFS=$'\t' read -r seen lines <<< "$(count_events "$cfg" "$pid")"
			jq -c -n --argjson load "$LOAD_JSON" --arg cfg "$cfg" --argjson round "$r" \
				--arg delivered "$DELIVERED" --arg lost "$LOST" --argjson unwritten "${UNWRITTEN:-0}" --arg rc "$STOP_RC" \
				--argjson stop_ms "$STOP_MS" --argjson lines "$lines" --arg mode "$mode" \
				--argjson irq_work "$((${iwi1:-0} - ${iwi0:-0}))" --argjson seen "$seen" \
				--argjson metrics "$mcounts" \
				'$load + {config: $cfg, round: $round, mode: (if $mode == "" then null else $mode end),
				  tracer_lines: $lines, stop_ms: $stop_ms, irq_work: $irq_work,
				  stop_rc: $rc, seen: $seen,
				  delivered: (if $delivered == "" then null else ($delivered | tonumber) end),
				  lost: (if $lost == "" then null else ($lost | tonumber) end)}
				| .events_ok = (if ($cfg | startswith("socktrace")) then
					(. as $r | all(.expected | keys[]; $r.seen[.] == $r.expected[.]) and
					 .seen.total == .expected_events and .lost == 0) else null end)
				| .unwritten = $unwritten
				# A reader still slow when socktrace is told to stop gets what
				# it reads within a second: the rest is counted unwritten.
				| .accounted = (if ($cfg | startswith("socktrace")) then
					(.lost != null and .seen.total + .lost + .unwritten == .expected_events) else null end)
				| .output_ok = (if ($cfg | startswith("socktrace")) then
					.delivered == .tracer_lines else null end)
				| .metrics = (if $cfg == "metrics" then $metrics else null end)
				| .metrics_ok = (if $cfg == "metrics" then ($metrics.sends == .expected.send and
					$metrics.connects == .expected.connect) else null end)
				# bench/socktrace.bt does not follow accept: no accepted
				# socket, so no close of one either.
				| .bt_expected = .expected.connect + .expected.send + .expected.close - .expected.accept' >> "$RUNS"
			last=$(tail -1 "$RUNS")
			note=
			case $cfg in
			socktrace*)
				note="$mode, events $(jq .seen.total <<< "$last")/$(jq .expected_events <<< "$last") delivered=$DELIVERED lost=$LOST stop=${STOP_MS}ms"
				if [ "$(jq .events_ok <<< "$last")" != true ]; then
					if [ "$(jq .accounted <<< "$last")" = true ]; then
						note="$note  (reader too slow: $LOST lost, all counted)"
					else
						note="$note  <<< MISMATCH: expected $(jq -c .expected <<< "$last"), saw $(jq -c .seen <<< "$last"), lost $LOST"
					fi
				fi
				if [ -z "$DELIVERED" ] || [ "$STOP_RC" != 0 ]; then
					measure_error "round $r $p $cfg: socktrace exit $STOP_RC, summary '$(grep -m1 '^socktrace: stopped' "$W/err")': $(tail -c 300 "$W/err")"
				elif [ "$(jq .output_ok <<< "$last")" != true ]; then
					note="$note  <<< OUTPUT: $lines event lines written, $DELIVERED delivered"
				fi ;;
			floor) note=$mode ;;
			metrics) note="$mode, scraped: $(jq -c .metrics <<< "$last") $(jq -r 'if .metrics_ok then "ok"
				else "<<< MISMATCH: expected \(.expected.send) sends, \(.expected.connect) connects" end' <<< "$last")" ;;
			bpftrace) note="events $(jq .seen.total <<< "$last")/$(jq .bt_expected <<< "$last")" ;;
			esac
			say "$(printf 'round %d/%d %-9s %-13s %9.1f ns/op %s' "$r" "$ROUNDS" "$p" "$cfg" \
				"$(jq .ns_per_op <<< "$last")" "$note")"
			rm -f "$W/out"
		done
	done
done
# The floor is socktrace's floor only if both attached the same way.
modes=$(jq -r 'select(.mode != null) | "\(.config)=\(.mode)"' "$RUNS" | sort -u | paste -sd' ')
[ "$(jq -r 'select(.mode != null) | .mode' "$RUNS" | sort -u | wc -l)" -le 1 ] ||
	measure_error "socktrace and the floor did not all attach in the same mode: $modes"

# ---------------------------------------------------------------- burst
# BURST_OPS sendto calls as fast as one thread makes them, socktrace at its
# defaults (ring size included) but with every event, writing JSON to a file. Its memory is read once the burst is
# delivered, just before it is stopped.
say "burst: $BURST_OPS sendto events"
start_tracer socktrace
ST_PID=$TR_PID
t0=$(now_ns)
run_load socktrace sendto --ops "$BURST_OPS" --warmup 0 || die "the burst load failed"
t_load_end=$(now_ns)
# Delivered once the output stops growing (for 500 ms; 30 s at most).
last_size=-1
t_last=$t_load_end
for ((i = 0; i < 600; i++)); do
	size=$(stat -c %s "$W/out")
	if [ "$size" != "$last_size" ]; then
		last_size=$size
		t_last=$(now_ns)
	elif (($(now_ns) - t_last > 500000000)); then
		break
	fi
	sleep 0.05
done
status=/proc/$ST_PID/status
rss_json=$(awk '/^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem):/ { sub(/:$/, "", $1)
	printf "%s\"%s_kb\":%s", n++ ? "," : "{", $1, $2 } END { print "}" }' "$status")
# Of that, what the BPF maps it has mmapped take: the ring buffer's data
# pages are mapped twice (so that a record never wraps), all resident.
ring_kb=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { m = index($0, "anon_inode:bpf-map") > 0 }
	m && /^Rss:/ { n += $2 } END { print n + 0 }' "/proc/$ST_PID/smaps")
rss_json=$(jq -c --argjson r "$ring_kb" '. + {bpf_map_mmap_kb: $r}' <<< "$rss_json")
# The BPF objects socktrace holds, from its descriptors (this bpftool may
# lack the "pids" field); names and memlock from bpftool.
maps_json=$(for fd in /proc/$ST_PID/fd/*; do
	[ "$(readlink "$fd")" = anon_inode:bpf-map ] && awk '/^map_id:/ { print $2 }' "/proc/$ST_PID/fdinfo/${fd##*/}"
done | sort -un | while read -r id; do bpftool -j map show id "$id"; done |
	jq -s -c '[.[] | {id, name, type, max_entries, bytes_memlock}]')
stop_tracer socktrace
pid=$(jq .pid <<< "$LOAD_JSON")
IFS=$'\t' read -r seen lines <<< "$(count_events socktrace "$pid")"
t=$(jq .total <<< "$seen")
[ -n "$DELIVERED" ] && [ "$STOP_RC" = 0 ] || measure_error "burst: socktrace exit $STOP_RC, summary '$(grep -m1 '^socktrace: stopped' "$W/err")'"
jq -n -c --argjson load "$LOAD_JSON" --argjson rss "$rss_json" --argjson maps "$maps_json" \
	--arg delivered "$DELIVERED" --arg lost "$LOST" --argjson seen "$t" --argjson lines "$lines" \
	--argjson gen_ns "$((t_load_end - t0))" --argjson deliver_ns "$((t_last - t0))" \
	--argjson stop_ms "$STOP_MS" \
	'($delivered | tonumber? // null) as $d | ($lost | tonumber? // null) as $l |
	 {generated: $load.expected_events, delivered_total: $d, lost: $l, delivered_load: $seen,
	  output_lines: $lines, other_events: (if $d then $d - $seen else null end),
	  accounted: ($l != null and $seen + $l == $load.expected_events),
	  load_ns_per_op: $load.ns_per_op, generate_s: ($gen_ns / 1e9), deliver_s: ($deliver_ns / 1e9),
	  generated_per_s: ($load.expected_events / ($gen_ns / 1e9)),
	  delivered_per_s: ($seen / ($deliver_ns / 1e9)), stop_ms: $stop_ms,
	  rss: $rss, maps: $maps, maps_memlock: ([$maps[].bytes_memlock] | add)}' > "$W/burst.json"
say "burst: $(jq -r '"generated \(.generated), delivered \(.delivered_load) (+\(.other_events) from other processes), lost \(.lost), \(.delivered_per_s | floor) events/s, VmHWM \(.rss.VmHWM_kb) kB"' "$W/burst.json")"
rm -f "$W/out"

# ---------------------------------------------------------------- latency
# One datagram at a time, a random 20-100 ms apart, each of its own size;
# socktrace's stdout is a pipe to bench/stamp, which notes when each line
# arrives. Latency: arrival minus the CLOCK_REALTIME taken before sendto.
say "latency: $LAT_SAMPLES probes"
start_tracer socktrace-stamp
run_load socktrace latency --samples "$LAT_SAMPLES" || die "the latency load failed"
sleep 1
stop_tracer socktrace-stamp
pid=$(jq -s '.[-1].pid' <<< "$LOAD_JSON")
jq -c 'select(.probe != null) | [.bytes, .t_ns] | @tsv' -r <<< "$LOAD_JSON" > "$W/probes.tsv"
awk -v k="\"pid\":$pid," 'index($0, k) && index($0, "\"event\":\"send\"") &&
	match($0, /"bytes":[0-9]+/) { print substr($0, RSTART + 8, RLENGTH - 8) "\t" $1 }' "$W/out" > "$W/arrivals.tsv"
awk -F'\t' 'NR == FNR { sent[$1] = $2; next } ($1 in sent) && !($1 in seen) {
	seen[$1] = 1; printf "%.3f\n", ($2 - sent[$1]) / 1e6 }' "$W/probes.tsv" "$W/arrivals.tsv" |
	sort -n > "$W/latency.txt"
jq -n -c --argjson n "$LAT_SAMPLES" --argjson stop_ms "$STOP_MS" --arg lost "$LOST" \
	--rawfile l "$W/latency.txt" \
	'[$l | split("\n")[] | select(. != "") | tonumber] as $v |
	 {samples: $n, seen: ($v | length), missing: ($n - ($v | length)),
	  median_ms: (if ($v | length) > 0 then ($v | if length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end) else null end),
	  worst_ms: ($v | max), best_ms: ($v | min), lost: ($lost | tonumber? // null), stop_ms: $stop_ms}' > "$W/latency.json"
say "latency: $(jq -r '"median \(.median_ms) ms, worst \(.worst_ms) ms, \(.seen)/\(.samples) probes seen"' "$W/latency.json")"
rm -f "$W/out"

# ---------------------------------------------------------------- BPF cost
# Per-program cost, from the kernel's BPF statistics, in runs of their own
# (the statistics cost time themselves, so the loops above ran without),
# for socktrace and for the floor's empty programs of the same names.
say "bpf cost: per-program run time"
old_stats=$(sysctl -n kernel.bpf_stats_enabled 2> /dev/null || echo 0)
: > "$W/cost.jsonl"
if sysctl -q -w kernel.bpf_stats_enabled=1 2> /dev/null; then
	for p in $PATTERNS; do
		for cfg in floor socktrace socktrace-filtered; do
			start_tracer "$cfg"
			# shellcheck disable=SC2046
			run_load "$cfg" $(load_args "$p") || die "the $p load failed (bpf cost)"
			progs=$(for fd in /proc/$TR_PID/fd/*; do
				[ "$(readlink "$fd")" = anon_inode:bpf-prog ] && awk '/^prog_id:/ { print $2 }' "/proc/$TR_PID/fdinfo/${fd##*/}"
			done | sort -un | while read -r id; do bpftool -j prog show id "$id"; done |
				jq -s -c '[.[] | {name, run_cnt: (.run_cnt // 0), run_time_ns: (.run_time_ns // 0)}]')
			stop_tracer "$cfg"
			jq -n -c --argjson load "$LOAD_JSON" --argjson progs "$progs" --arg cfg "$cfg" \
				'($load.ops + $load.warmup_ops) as $ops |
				 {pattern: $load.pattern, config: $cfg, ops: $ops, ns_per_op: $load.ns_per_op,
				  progs: [$progs[] | select(.run_cnt > 0) |
					. + {ns_per_run: (.run_time_ns / .run_cnt), runs_per_op: (.run_cnt / $ops)}] |
					sort_by(-.run_time_ns),
				  bpf_ns_per_op: (([$progs[].run_time_ns] | add // 0) / $ops)}' >> "$W/cost.jsonl"
		done
	done
	sysctl -q -w kernel.bpf_stats_enabled="$old_stats"
else
	say "bpf cost: cannot enable kernel.bpf_stats_enabled; skipped"
fi
rm -f "$W/out"

# ---------------------------------------------------------------- report
# The kernel frees the programs of a tracer that just exited a little later:
# give the bench's own time to go before looking for anyone else's.
sleep 1
foreign_tracers > "$W/foreign-end.txt"
jq -n -c --slurpfile machine "$W/machine.json" --slurpfile runs "$RUNS" \
	--slurpfile burst "$W/burst.json" --slurpfile latency "$W/latency.json" \
	--slurpfile cost "$W/cost.jsonl" --argjson seconds "$((SECONDS - t_start))" \
	--arg patterns "$PATTERNS" --arg raw "$RUNS" \
	--rawfile foreign_start "$W/foreign-start.txt" --rawfile foreign_end "$W/foreign-end.txt" \
	--arg errors "$(printf '%s\n' "${errors[@]+"${errors[@]}"}")" '
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def verdict(ok): if ok then "PASS" else "MISS" end;
[$patterns | splits(" +") | select(. != "")] as $order |
($runs | group_by(.pattern) | sort_by(.[0].pattern as $p | $order | index($p)) |
	map({key: .[0].pattern, value: (
	(map(select(.config == "untraced") | .ns_per_op) | median) as $base |
	group_by(.config) | map({key: .[0].config, value: {
		median_ns: (map(.ns_per_op) | median),
		ratio: ((map(.ns_per_op) | median) / $base),
		runs: length,
		ns: map(.ns_per_op),
		modes: (map(.mode // empty) | unique),
		events_ok: (if .[0].config | startswith("socktrace") then all(.events_ok) else null end),
		output_ok: (if .[0].config | startswith("socktrace") then all(.output_ok) else null end),
		metrics_ok: (if .[0].config == "metrics" then all(.metrics_ok) else null end),
		mismatches: [.[] | select(.events_ok == false) | {round, expected, expected_events, seen, delivered, lost, unwritten, accounted}],
		unaccounted: [.[] | select(.accounted == false)] | length,
		delivered: (map(.delivered) | if all(. != null) then add else null end),
		lost: (map(.lost) | if all(. != null) then add else null end),
		load_events: (map(.seen.total) | add),
		irq_work: (map(.irq_work) | add),
		expected_events: (map(.expected_events) | add),
		bt_expected: (map(.bt_expected) | add),
		stop_ms_max: (map(.stop_ms) | max)}}) | from_entries)}) | from_entries) as $loops |
# What socktrace costs above its bare hooks: its ratio minus the floor ratio.
($loops | map_values(if .socktrace and .floor then .socktrace.ratio - .floor.ratio else null end)) as $above |
$burst[0] as $b | $latency[0] as $l |
def loop_budget(p; what; max; quiet):
	if $loops[p] then {what: what, budget: "<= \(max)", measured: $above[p],
		events_ok: $loops[p].socktrace.events_ok,
		verdict: verdict($above[p] != null and $above[p] <= max and $loops[p].socktrace.events_ok and
			(if quiet then $loops[p].socktrace.load_events == 0 and
				($loops[p]["socktrace-jq"].load_events // 0) == 0 else true end))}
	else empty end;
{machine: $machine[0], loops: $loops, above_floor: $above, burst: $b, latency: $l, bpf_cost: $cost,
 raw_runs: $raw,
 foreign_tracers: {start: ($foreign_start | split("\n") | map(select(. != ""))),
		   end: ($foreign_end | split("\n") | map(select(. != "")))},
 event_mismatches: ([$loops[][] | select(.events_ok == false) | .unaccounted] | add // 0),
 seconds: $seconds, errors: ($errors | split("\n") | map(select(. != ""))),
 budget: [
  loop_budget("sendto"; "sendto loop, every event delivered"; 0.05; false),
  loop_budget("udpconn"; "socket+connect+close loop"; 0.05; false),
  loop_budget("openclose"; "non-socket close loop, zero events"; 0.01; true),
  loop_budget("write"; "write loop (/dev/null), zero events"; 0.01; true),
  loop_budget("read"; "read loop (/dev/zero), zero events"; 0.01; true),
  {what: "\($b.generated)-event burst, default ring size", budget: "0 lost", measured: $b.lost,
	verdict: verdict($b.lost == 0 and $b.delivered_load == $b.generated)},
  {what: "event visible on a pipe, worst", budget: "<= 200 ms", measured: $l.worst_ms,
	verdict: verdict($l.missing == 0 and $l.worst_ms != null and $l.worst_ms <= 200)},
  {what: "socktrace RSS (VmHWM)", budget: "<= 16 MiB", measured: ($b.rss.VmHWM_kb / 1024),
	verdict: verdict($b.rss.VmHWM_kb <= 16384)}]}' > "$OUT/report.json" || die "cannot assemble the report"

# The text report, from report.json alone.
jq -r '
def r(n): if n == null then "-" else (n * 100 | round / 100 | tostring) end;
def r3(n): if n == null then "-" else (n * 1000 | round / 1000 | tostring) end;
def r1(n): if n == null then "-" else (n * 10 | round / 10 | tostring) end;
def pad(w): tostring | if length >= w then . else . + (" " * (w - length)) end;
def lpad(w): tostring | if length >= w then . else (" " * (w - length)) + . end;
def cell(c): if c == null then "-" else "\(c.median_ns | round) (\(r(c.ratio)))" end;
def cols: ["floor", "socktrace", "socktrace-jq", "metrics", "bpftrace", "strace"];
.machine as $m | .above_floor as $above |
"socktrace benchmark — \($m.date)",
"machine: \($m.host), kernel \($m.kernel), \($m.nproc) CPUs, \($m.cpu)",
"socktrace: \($m.socktrace.path) \($m.socktrace.version) (commit \($m.socktrace.commit), \($m.socktrace.tree)), --events all",
"floor: \($m.floor); attach mode asked: \($m.attach); attached: \([.loops[] | to_entries[] | select(.value.modes | length > 0) |
	"\(.key) \(.value.modes | join("/"))"] | unique | join(", "))",
"yardsticks: \($m.bpftrace), \($m.strace)",
"method: \($m.rounds) rounds of \($m.run_ms) ms per loop and configuration, configurations alternating; \($m.pinning)",
"",
"ns per operation, median of the rounds (ratio to untraced in the same run); above floor: socktrace ratio - floor ratio",
("loop" | pad(10)) + ("untraced" | lpad(9)) + ("floor" | lpad(16)) + ("socktrace>file" | lpad(16)) +
	("socktrace|jq" | lpad(16)) + ("metrics" | lpad(16)) + ("bpftrace" | lpad(16)) + ("strace" | lpad(18)) +
	("above floor" | lpad(13)),
(.loops | to_entries[] | .key as $p | .value as $v | ($p | pad(10)) +
	("\($v.untraced.median_ns | round)" | lpad(9)) +
	([cols[] as $c | cell($v[$c]) | lpad(if $c == "strace" then 18 else 16 end)] | join("")) +
	(r3($above[$p]) | lpad(13))),
"",
"events of the load, all rounds: expected / seen in the output; for socktrace also its own count",
"(written, all processes; lost) and ring-buffer wakeups (IRQ work interrupts on the load CPU per 1000 events)",
(.loops | to_entries[] | .key as $p | .value as $v | ("socktrace", "socktrace-jq", "bpftrace") as $c |
	$v[$c] | select(. != null) |
	(if $c == "bpftrace" then .bt_expected else .expected_events end) as $want |
	"  \($p | pad(10)) \($c | pad(13)) \($want | lpad(9)) / \(.load_events | lpad(9))" +
	(if $c == "bpftrace" then
		(if .load_events != $want then "   FEWER: bpftrace lost events" else "" end)
	else "   written \(.delivered | lpad(9)), lost \(.lost)   wakeups \(if .load_events > 0 then r1(.irq_work * 1000 / .load_events) else .irq_work end)" +
		"   \(if .events_ok then "ok" else (if .unaccounted == 0 then "losses in \(.mismatches | length) of \(.runs) runs, every one counted:"
			else "MISMATCH in \(.unaccounted) of \(.runs) runs:" end) +
			([.mismatches[] | . as $m | "\n      round \(.round): saw \(.seen.total) of \(.expected_events) (" +
			  ([.expected | keys_unsorted[] | "\(.) \($m.seen[.] // 0)/\($m.expected[.])"] | join(", ")) +
			  (if .seen.recv > 0 then ", recv \(.seen.recv)/0" else "" end) +
			  "), lost \(.lost), unwritten \(.unwritten // 0): seen + lost + unwritten \(if .accounted
			  then "==" else "!=" end) expected"] | join("")) end)" +
		(if .output_ok == false then "   OUTPUT: lines written != counted written in some runs" else "" end) +
		(if .stop_ms_max > 1000 then "   slow exit: \(.stop_ms_max) ms" else "" end) end)),
(.loops | to_entries[] | select(.value.metrics) | "  \(.key | pad(10)) metrics       scraped every second; sends and connects of the load in the last scrape " +
	(if .value.metrics.metrics_ok then "equal those it made, every run" else "DIFFER from those it made in some runs" end)),
(if .event_mismatches > 0 then "  >>> EVENT MISMATCH: in \(.event_mismatches) socktrace runs written + lost != the events the load caused <<<"
 else "  every socktrace run: written + lost == the events its load caused (a reader slower than the load loses events, counted)" end),
"",
(.burst as $b |
"burst: \($b.generated) sendto events at \($b.load_ns_per_op) ns/op traced (\($b.generate_s * 1000 | round) ms), socktrace -e all > file",
"  generated \($b.generated), delivered \($b.delivered_load) (+\($b.other_events) of other processes), lost \($b.lost): delivered + lost == generated: \(if $b.accounted then "yes" else "NO" end)",
"  delivered \($b.delivered_per_s | round) events/s (last line written \($b.deliver_s * 1000 | round) ms after the burst began); exit took \($b.stop_ms) ms",
"  socktrace VmHWM \(r1($b.rss.VmHWM_kb / 1024)) MiB (RssAnon \(r1($b.rss.RssAnon_kb / 1024)), RssFile \(r1($b.rss.RssFile_kb / 1024)), RssShmem \(r1($b.rss.RssShmem_kb / 1024)) MiB);",
"    of its RSS, \(r1($b.rss.bpf_map_mmap_kb / 1024)) MiB is the mmapped BPF ring buffer (kernel memory, data pages mapped twice): \(r1(($b.rss.VmRSS_kb - $b.rss.bpf_map_mmap_kb) / 1024)) MiB without it",
"  BPF maps \(r1($b.maps_memlock / 1048576)) MiB memlock: \([$b.maps[] | "\(.name) \(r1(.bytes_memlock / 1048576))"] | join(", "))"),
"",
(.latency as $l |
"latency, syscall to line on a pipe: \($l.seen)/\($l.samples) probes, median \(r1($l.median_ms)) ms, worst \(r1($l.worst_ms)) ms, best \(r1($l.best_ms)) ms"),
"",
(if (.bpf_cost | length) > 0 then
"BPF program cost (separate runs with kernel.bpf_stats_enabled=1; every process counted): per loop, BPF ns per",
"operation of socktrace, of socktrace with a filter the load does not pass (--comm st-bench-none) and of the",
"floor (the same programs, returning at once), then socktrace per program: ns per run x runs per operation",
(.bpf_cost as $all | $all[] | select(.config == "socktrace") | .pattern as $p |
	([$all[] | select(.pattern == $p and .config == "floor")][0]) as $f |
	([$all[] | select(.pattern == $p and .config == "socktrace-filtered")][0]) as $x |
	"  \($p | pad(10)) socktrace \(r1(.bpf_ns_per_op)) ns, filtered out \(if $x then r1($x.bpf_ns_per_op) else "-" end) ns, floor \(r1($f.bpf_ns_per_op)) ns: " +
	([.progs[] | select(.runs_per_op >= 0.005) | "\(.name) \(r1(.ns_per_run)) x \(r(.runs_per_op))"] | join(", "))),
"" else empty end),
"budget (socktrace > file, every event: its ratio to untraced minus the floor ratio, same run)",
(.budget[] | "  \(.what | pad(40)) \(.budget | pad(10)) measured \((if .measured == null then "-" elif (.measured | type) == "number" then r3(.measured) else .measured end) | tostring | pad(8)) \(.verdict)"),
(if (.errors | length) > 0 then "", "ERRORS (could not measure):", (.errors[] | "  " + .) else empty end),
"",
(if (.foreign_tracers.start + .foreign_tracers.end | length) > 0 then "",
 "WARNING: tracing BPF programs of other tools were attached (they tax every configuration, untraced included):",
 "  at start: \(.foreign_tracers.start | join(", ") | if . == "" then "none" else . end)",
 "  at end: \(.foreign_tracers.end | join(", ") | if . == "" then "none" else . end)" else empty end),
"",
"took \(.seconds) s; raw runs in \(.raw_runs)"
' "$OUT/report.json" > "$OUT/report.txt" || die "cannot write the report"
echo
cat "$OUT/report.txt"
[ ${#errors[@]} = 0 ] || exit 1
