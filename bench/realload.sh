#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# What socktrace costs real servers under load, as `make bench` runs it after
# bench/run.sh: redis, nginx and iperf3 on loopback, driven by redis-benchmark,
# wrk, ab and iperf3, untraced, under socktrace's floor (its hooks with empty
# programs, build/bench/floor), socktrace, socktrace -e all, tcplife
# (libbpf-tools) and bench/realload.bt (bpftrace). See bench/README.md.
# Needs root, jq, bpftool, unshare, redis-server, redis-tools, nginx, wrk,
# apache2-utils, iperf3, libbpf-tools, bpftrace.
#
#   bench/realload.sh   environment (defaults in brackets):
#     SOCKTRACE      the binary to measure [build/socktrace]
#     FLOOR          its floor: the same hooks, empty programs [build/bench/floor]
#     ATTACH         socktrace's attach mode [auto]
#     ROUNDS         rounds of every load under every configuration [5]
#     DURATION       seconds of one wrk or iperf3 run [5]
#     REDIS_N        requests of each redis-benchmark test (SET, GET) [50000]
#     AB_N           requests (connections) of one ab run [30000]
#     AB_C           ab's concurrency [20]
#     UDP_RATE       iperf3 UDP offered rate [200M]
#     UDP_LEN        iperf3 UDP datagram size, bytes [1400]
#     NGINX_WORKERS  nginx worker_processes [1]
#     LOADS          loads [redis nginx-small nginx-large iperf-tcp iperf-udp ab]
#     CONFIGS        configurations [untraced floor socktrace socktrace-all tcplife bpftrace]
#     BENCH_OUT      where the report goes [build/bench]
#     BPF_STATS      1: also the tracers' BPF run time per request, with
#                    kernel.bpf_stats_enabled on for the benchmark (which taxes
#                    every program run a little, so not by default) [0]
#     KEEP           1: keep the work directory (servers' logs, tracers' output) [0]
#
# It exits 1 when it could not measure (a tool missing, a server or socktrace
# that did not start, a load that failed), never because a target was
# missed: the report marks those MISS. A yardstick (tcplife, bpftrace) that
# cannot attach on this kernel is reported unavailable, not fatal.
set -u
if [ $# -gt 0 ]; then
	sed -n '3,32p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
cd "$(dirname "$0")/.." || exit 1
SOCKTRACE=${SOCKTRACE:-build/socktrace}
FLOOR=${FLOOR:-build/bench/floor}
ATTACH=${ATTACH:-auto}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
REDIS_N=${REDIS_N:-50000}
AB_N=${AB_N:-30000}
AB_C=${AB_C:-20}
UDP_RATE=${UDP_RATE:-200M}
UDP_LEN=${UDP_LEN:-1400}
NGINX_WORKERS=${NGINX_WORKERS:-1}
LOADS=${LOADS:-redis nginx-small nginx-large iperf-tcp iperf-udp ab}
CONFIGS=${CONFIGS:-untraced floor socktrace socktrace-all tcplife bpftrace}
OUT=${BENCH_OUT:-build/bench}
KEEP=${KEEP:-0}
BPF_STATS=${BPF_STATS:-0}
TCPLIFE=${TCPLIFE:-$(command -v tcplife || echo /usr/sbin/tcplife)}
START_TIMEOUT=15	# s for a tracer to attach or a server to listen
STOP_TIMEOUT=60		# s for a tracer to exit after SIGINT
SMALL_BYTES=1024
LARGE_BYTES=1048576

say() { echo "realload: $*" >&2; }
die() { say "cannot measure: $*"; exit 1; }
errors=()
# A measurement that failed after others succeeded: keep going, report it,
# and exit 1 at the end.
measure_error() { say "ERROR: $*"; errors+=("$*"); }

[ "$(id -u)" = 0 ] || die "needs root (BPF tracing)"
case $ATTACH in auto | kprobe | tracepoint) ;; *) die "ATTACH takes auto, kprobe or tracepoint" ;; esac
case $BPF_STATS in 0 | 1) ;; *) die "BPF_STATS takes 0 or 1" ;; esac
case $ROUNDS$DURATION$REDIS_N$AB_N$AB_C$UDP_LEN in *[!0-9]*) die "ROUNDS, DURATION, REDIS_N, AB_N, AB_C, UDP_LEN take numbers" ;; esac
for l in $LOADS; do
	case $l in redis | nginx-small | nginx-large | iperf-tcp | iperf-udp | ab) ;; *) die "no load $l" ;; esac
done
for c in $CONFIGS; do
	case $c in untraced | floor | socktrace | socktrace-all | tcplife | bpftrace) ;; *) die "no configuration $c" ;; esac
done

# need TOOL PACKAGE: a missing tool, named with the Debian package that has it.
need() { command -v "$1" > /dev/null || die "$1 is missing: install $2 (make deps-bench does)"; }
for t in jq:jq bpftool:bpftool unshare:util-linux awk:mawk ps:procps stdbuf:coreutils; do
	need "${t%%:*}" "${t#*:}"
done
for l in $LOADS; do
	case $l in
	redis) need redis-server redis-server; need redis-benchmark redis-tools ;;
	nginx-*) need nginx nginx; need wrk wrk ;;
	ab) need nginx nginx; need ab apache2-utils ;;
	iperf-*) need iperf3 iperf3 ;;
	esac
done
for c in $CONFIGS; do
	case $c in
	tcplife) [ -x "$TCPLIFE" ] || die "tcplife is missing: install libbpf-tools (make deps-bench does)" ;;
	bpftrace) need bpftrace bpftrace ;;
	floor) [ -x "$FLOOR" ] || die "$FLOOR is not built (make build/bench/floor)" ;;
	esac
done
[ -x "$SOCKTRACE" ] || die "$SOCKTRACE is not built (make all)"

# bpftrace and tcplife find tracepoints in tracefs, which this machine may
# not mount. Everything below runs in a private mount namespace of its own,
# with tracefs mounted there if it is not already: the host's mounts stay as
# they were, and the mount goes with the namespace when the script ends.
if [ "${REALLOAD_NS:-}" != 1 ]; then
	REALLOAD_NS=1 exec unshare -m --propagation private -- "$BASH" bench/realload.sh ||
		die "cannot make a private mount namespace (unshare -m)"
fi
TRACEFS=present
if ! awk '$2 == "/sys/kernel/tracing" && $3 == "tracefs" { f = 1 } END { exit !f }' /proc/self/mounts; then
	mount -t tracefs nodev /sys/kernel/tracing || die "cannot mount tracefs at /sys/kernel/tracing"
	TRACEFS="mounted in the benchmark's private mount namespace"
fi

mkdir -p "$OUT"
T=$(mktemp -d /tmp/realload.XXXXXX) || die "cannot make a work directory"
# nginx's workers run as nobody and serve files from here.
chmod 755 "$T"
W=$T/run
mkdir -p "$W"

TR_PID=
IPERF_PID=
REDIS_PID=
NGINX_PID=
NGINX_KIDS=
old_stats=
# kill_wait PID...: SIGTERM, then SIGKILL to what is left after 5 s.
kill_wait() {
	local p n left
	kill -TERM "$@" 2> /dev/null
	for ((n = 0; n < 50; n++)); do
		left=
		for p in "$@"; do kill -0 "$p" 2> /dev/null && left=1; done
		[ -n "$left" ] || break
		sleep 0.1
	done
	kill -KILL "$@" 2> /dev/null
	wait "$@" 2> /dev/null
	return 0
}
# Whatever ends the script leaves no tracer attached and no server running:
# nginx's master takes its workers with it on SIGTERM, and the workers noted
# at start are killed too in case it did not.
cleanup() {
	[ -n "$TR_PID" ] && kill -KILL "$TR_PID" 2> /dev/null && wait "$TR_PID" 2> /dev/null
	[ -n "$IPERF_PID" ] && kill_wait "$IPERF_PID"
	[ -n "$REDIS_PID" ] && kill_wait "$REDIS_PID"
	# shellcheck disable=SC2086
	[ -n "$NGINX_PID" ] && kill_wait "$NGINX_PID" $NGINX_KIDS
	[ -n "$old_stats" ] && sysctl -q -w kernel.bpf_stats_enabled="$old_stats" 2> /dev/null
	if [ "$KEEP" = 1 ]; then say "work directory kept: $T"; else rm -rf "$T"; fi
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_line and stop_pid come from tests/tracer.sh.
. tests/tracer.sh

now_ms() { echo $(($(date +%s%N) / 1000000)); }
TICK=$(getconf CLK_TCK)
# cpu_ticks PID: its user + system time so far, all its threads, in clock
# ticks (the fields after the command name, which may hold spaces).
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" 2> /dev/null | awk '{ print $12 + $13 }'; }

# bpf_ns PID: the run time so far of the BPF programs PID holds, in ns (0
# unless kernel.bpf_stats_enabled): what its programs cost the traced
# processes, in whose time they run, and which its own CPU time leaves out.
bpf_ns() {
	local fd ids
	ids=$(for fd in "/proc/$1/fd/"*; do
		[ "$(readlink "$fd")" = anon_inode:bpf-prog ] && awk '/^prog_id:/ { print $2 }' "/proc/$1/fdinfo/${fd##*/}"
	done | sort -un | paste -sd,)
	bpftool -j prog show 2> /dev/null | jq --argjson ids "[${ids}]" \
		'[.[] | select(.id as $i | $ids | index($i)) | .run_time_ns // 0] | add // 0'
}

# Ports nothing uses, TCP or UDP, below the ephemeral range so that the
# loads' own connections never take them.
used_ports=" "
free_port() {
	local p hex i
	for ((i = 0; i < 500; i++)); do
		p=$((20000 + RANDOM % 12000))
		case $used_ports in *" $p "*) continue ;; esac
		hex=$(printf ':%04X' "$p")
		if ! awk -v h="$hex" 'FNR > 1 && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
			/proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6; then
			used_ports="$used_ports$p "
			echo "$p"
			return 0
		fi
	done
	die "no free port found"
}
# wait_listen PORT PID: back when something listens on TCP PORT; 1 if PID
# ended first or after START_TIMEOUT. Read from /proc rather than by
# connecting, which would take iperf3 -1's one test.
wait_listen() {
	local hex n=0
	hex=$(printf ':%04X' "$1")
	while ! awk -v h="$hex" '$4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
		/proc/net/tcp /proc/net/tcp6; do
		kill -0 "$2" 2> /dev/null || return 1
		[ $n -ge $((START_TIMEOUT * 10)) ] && return 1
		n=$((n + 1))
		sleep 0.1
	done
}

# Tracing BPF programs attached by anyone else (another socktrace, a
# bpftrace...): they would tax the untraced runs too. Names, one per line.
foreign_tracers() {
	bpftool -j prog show 2> /dev/null | jq -r '.[] | select(.type as $t |
		["tracepoint", "raw_tracepoint", "kprobe", "tracing", "perf_event"] | index($t)) |
		"\(.name) (id \(.id)\(if .pids then ", " + ([.pids[] | "\(.comm) \(.pid)"] | join(" ")) else "" end))"'
}

# ---------------------------------------------------------------- servers
# Each server has its own configuration, files and logs under $T, none of
# the system's; they run for the whole benchmark (iperf3 -1: one per run).
has_load() { case " $LOADS " in *" $1 "*) return 0 ;; esac; return 1; }

if has_load redis; then
	RPORT=$(free_port)
	mkdir -p "$T/redis"
	# No persistence: neither snapshots nor the append-only file write to
	# disk behind the load's back.
	cat > "$T/redis/redis.conf" <<- EOF
		port $RPORT
		bind 127.0.0.1
		save ""
		appendonly no
		daemonize no
		dir $T/redis
		logfile $T/redis/redis.log
	EOF
	redis-server "$T/redis/redis.conf" > /dev/null 2>&1 < /dev/null &
	REDIS_PID=$!
	wait_listen "$RPORT" "$REDIS_PID" ||
		die "redis-server did not start on port $RPORT: $(tail -n 15 "$T/redis/redis.log" 2> /dev/null)"
	say "redis-server $(redis-server --version | awk '{ print $3 }') on 127.0.0.1:$RPORT (pid $REDIS_PID)"
fi

if has_load nginx-small || has_load nginx-large || has_load ab; then
	NPORT=$(free_port)
	N=$T/nginx
	mkdir -p "$N/www" "$N/tmp"
	head -c $SMALL_BYTES /dev/urandom > "$N/www/small"
	head -c $LARGE_BYTES /dev/urandom > "$N/www/large"
	chmod -R a+rX "$N/www"
	# Files as nginx serves them by default (sendfile), no access log (the
	# disk is not what is measured), keep-alive for as long as wrk runs.
	cat > "$N/nginx.conf" <<- EOF
		worker_processes $NGINX_WORKERS;
		daemon off;
		user nobody nogroup;
		pid $N/nginx.pid;
		error_log $N/error.log warn;
		events { worker_connections 4096; }
		http {
			access_log off;
			sendfile on;
			tcp_nopush on;
			keepalive_timeout 65;
			keepalive_requests 100000000;
			default_type application/octet-stream;
			client_body_temp_path $N/tmp/body;
			proxy_temp_path $N/tmp/proxy;
			fastcgi_temp_path $N/tmp/fastcgi;
			uwsgi_temp_path $N/tmp/uwsgi;
			scgi_temp_path $N/tmp/scgi;
			server {
				listen 127.0.0.1:$NPORT backlog=4096;
				root $N/www;
			}
		}
	EOF
	nginx -p "$N/" -e "$N/error.log" -c "$N/nginx.conf" > "$N/stdout.log" 2>&1 < /dev/null &
	NGINX_PID=$!
	wait_listen "$NPORT" "$NGINX_PID" ||
		die "nginx did not start on port $NPORT: $(tail -n 15 "$N/error.log" "$N/stdout.log" 2> /dev/null)"
	# Its workers, for the cleanup should the master not take them along.
	for ((i = 0; i < 50; i++)); do
		NGINX_KIDS=$(ps -o pid= --ppid "$NGINX_PID" | xargs)
		[ -n "$NGINX_KIDS" ] && break
		sleep 0.1
	done
	say "nginx $(nginx -v 2>&1 | sed 's/.*\///') on 127.0.0.1:$NPORT (master $NGINX_PID, workers $NGINX_KIDS)"
	# wrk's summary as one JSON line.
	cat > "$T/report.lua" <<- 'EOF'
		done = function(summary, latency, requests)
			local e = summary.errors
			io.write(string.format('{"requests":%d,"bytes":%d,"duration_us":%d,' ..
				'"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
				summary.requests, summary.bytes, summary.duration,
				e.connect, e.read, e.write, e.status, e.timeout))
		end
	EOF
fi

if has_load iperf-tcp || has_load iperf-udp; then
	IPORT=$(free_port)
fi

# iperf3 -1 serves one test and exits: one server per run, started before
# the tracer so that its start is not in the tracer's count.
start_iperf() {
	iperf3 -s -B 127.0.0.1 -p "$IPORT" -1 > "$W/iperf3.log" 2>&1 < /dev/null &
	IPERF_PID=$!
	wait_listen "$IPORT" "$IPERF_PID" || die "iperf3 -s did not start on port $IPORT: $(tail -n 15 "$W/iperf3.log")"
}
stop_iperf() {
	[ -n "$IPERF_PID" ] || return 0
	local n=0
	while kill -0 "$IPERF_PID" 2> /dev/null && [ $n -lt 50 ]; do
		n=$((n + 1))
		sleep 0.1
	done
	kill_wait "$IPERF_PID"
	IPERF_PID=
}

# ---------------------------------------------------------------- loads
# run_load LOAD [SCALE]: runs it once (SCALE: a warm-up's fraction of the
# size, in tenths); LOAD_JSON gets its result: throughput and its unit, the
# work done (requests, or bytes for iperf3) to divide the tracer's CPU time
# by, and what else the tool said. 1 with LOAD_ERR on failure.
run_load() {
	local scale=${2:-10} dur n line
	dur=$(((DURATION * scale + 9) / 10))
	LOAD_JSON=
	LOAD_ERR=
	: > "$W/load.out"
	: > "$W/load.err"
	case $1 in
	redis)
		n=$((REDIS_N * scale / 10))
		if ! redis-benchmark -h 127.0.0.1 -p "$RPORT" -t set,get -c 50 -n "$n" --csv \
			> "$W/load.out" 2> "$W/load.err" < /dev/null; then
			LOAD_ERR="redis-benchmark failed: $(tail -c 400 "$W/load.err")"
			return 1
		fi
		local set get
		set=$(awk -F'"' '$2 == "SET" { print $4 }' "$W/load.out")
		get=$(awk -F'"' '$2 == "GET" { print $4 }' "$W/load.out")
		if ! [[ $set =~ ^[0-9.]+$ && $get =~ ^[0-9.]+$ ]]; then
			LOAD_ERR="redis-benchmark gave no rates: $(head -c 400 "$W/load.out") $(tail -c 400 "$W/load.err")"
			return 1
		fi
		# Both tests as one: the requests over the time they took.
		LOAD_JSON=$(jq -n -c --argjson s "$set" --argjson g "$get" --argjson n "$n" \
			'{throughput: (2 * $n / ($n / $s + $n / $g)), unit: "req/s", work: (2 * $n),
			  cpu_unit: "us/req", set_rps: $s, get_rps: $g}') ;;
	nginx-small | nginx-large)
		local file=${1#nginx-} size=$SMALL_BYTES
		[ "$file" = large ] && size=$LARGE_BYTES
		if ! wrk -t2 -c50 -d"${dur}s" -s "$T/report.lua" "http://127.0.0.1:$NPORT/$file" \
			> "$W/load.out" 2> "$W/load.err" < /dev/null; then
			LOAD_ERR="wrk failed: $(tail -c 400 "$W/load.out") $(tail -c 400 "$W/load.err")"
			return 1
		fi
		line=$(grep '^{' "$W/load.out" | tail -1)
		if ! LOAD_JSON=$(jq -e -c --argjson size "$size" '(.duration_us / 1e6) as $s |
			select(.requests > 0 and .bytes >= .requests * $size) |
			{throughput: (.requests / $s), unit: "req/s", work: .requests, cpu_unit: "us/req",
			 mib_s: (.bytes / $s / 1048576), errors: ([.errors[]] | add), wrk: .}' <<< "$line" 2> /dev/null); then
			LOAD_ERR="wrk's summary is not one of $size-byte responses: ${line:-none} $(tail -c 400 "$W/load.out")"
			return 1
		fi ;;
	ab)
		n=$((AB_N * scale / 10))
		# -r: a reset connection is counted, not the end of the run.
		if ! ab -r -q -n "$n" -c "$AB_C" "http://127.0.0.1:$NPORT/small" \
			> "$W/load.out" 2> "$W/load.err" < /dev/null; then
			LOAD_ERR="ab failed: $(tail -c 400 "$W/load.err")"
			return 1
		fi
		if ! LOAD_JSON=$(awk '
			/^Complete requests:/ { c = $3 } /^Failed requests:/ { f = $3 }
			/^Non-2xx responses:/ { x = $3 } /^Requests per second:/ { r = $4 }
			/^Time taken for tests:/ { t = $5 }
			END { if (r == "" || c == "") exit 1
				printf "{\"throughput\":%s,\"unit\":\"req/s\",\"work\":%s,\"cpu_unit\":\"us/req\",\"errors\":%d,\"non_2xx\":%d,\"seconds\":%s}\n",
					r, c, f + 0, x + 0, t }' "$W/load.out"); then
			LOAD_ERR="ab gave no rate: $(tail -c 400 "$W/load.out")"
			return 1
		fi ;;
	iperf-tcp | iperf-udp)
		local udp=()
		[ "$1" = iperf-udp ] && udp=(-u -b "$UDP_RATE" -l "$UDP_LEN")
		iperf3 -c 127.0.0.1 -p "$IPORT" -t "$dur" -J "${udp[@]}" > "$W/load.out" 2> "$W/load.err" < /dev/null
		# The receiver's rate: for UDP, what arrived of what was sent.
		if ! LOAD_JSON=$(jq -e -c 'select(.error == null) | (.end.sum_received // .end.sum) as $r |
			{throughput: ($r.bits_per_second / 1e9), unit: "Gbit/s", work: .end.sum_sent.bytes,
			 cpu_unit: "ms/GB", sent_gbps: (.end.sum_sent.bits_per_second / 1e9),
			 lost_percent: $r.lost_percent, retransmits: .end.sum_sent.retransmits}' "$W/load.out" 2> /dev/null); then
			LOAD_ERR="iperf3 failed: $(jq -r '.error // empty' "$W/load.out" 2> /dev/null) $(tail -c 400 "$W/load.err") server: $(tail -n 5 "$W/iperf3.log")"
			return 1
		fi ;;
	esac
	return 0
}

# ---------------------------------------------------------------- tracers
declare -A UNAVAILABLE=()
# start_tracer CONFIG: starts it, its events to $W/out, stderr to $W/err,
# (socktrace) status records to $W/status, and waits until it has attached;
# TR_PID. socktrace that does not start ends the benchmark; a yardstick
# that does not is marked unavailable (1) and left out from then on.
start_tracer() {
	rm -f "$W/out" "$W/err" "$W/status"
	TR_PID=
	local ready where
	case $1 in
	untraced) return 0 ;;
	socktrace | socktrace-all)
		local ev=()
		[ "$1" = socktrace-all ] && ev=(--events all)
		"$SOCKTRACE" --output json "${ev[@]}" --attach "$ATTACH" --status "$W/status" \
			> "$W/out" 2> "$W/err" < /dev/null &
		TR_PID=$!
		ready='"status":"tracing"' where=$W/status ;;
	floor)
		# What socktrace's hooks cost before its programs do anything.
		"$FLOOR" --attach "$ATTACH" > "$W/out" 2> "$W/err" < /dev/null &
		TR_PID=$!
		ready='^floor: attached' where=$W/err ;;
	tcplife)
		# Its header, line-buffered, is written once its programs are attached.
		stdbuf -oL "$TCPLIFE" > "$W/out" 2> "$W/err" < /dev/null &
		TR_PID=$!
		ready='^PID' where=$W/out ;;
	bpftrace)
		# bpftrace's maps hold 4096 keys unless told: socktrace's hold 65536.
		BPFTRACE_MAP_KEYS_MAX=65536 bpftrace -B line bench/realload.bt > "$W/out" 2> "$W/err" < /dev/null &
		TR_PID=$!
		ready='^realload.bt: tracing' where=$W/out ;;
	esac
	if wait_line "$where" "$ready" "$TR_PID" $((START_TIMEOUT * 10)); then
		return 0
	fi
	local why
	if kill -0 "$TR_PID" 2> /dev/null; then
		why="did not attach within ${START_TIMEOUT}s"
		kill -KILL "$TR_PID" 2> /dev/null
		wait "$TR_PID" 2> /dev/null
	else
		wait "$TR_PID" 2> /dev/null
		why="exited with status $? before attaching"
	fi
	TR_PID=
	case $1 in socktrace* | floor) die "$1 $why: $(head -c 600 "$W/err")" ;; esac
	UNAVAILABLE[$1]="$why: $(grep -v -e '^Attaching' -e RLIMIT_MEMLOCK "$W/err" | head -c 300 | tr '\n' ' ')"
	say "$1 unavailable, left out: ${UNAVAILABLE[$1]}"
	return 1
}

# stop_tracer CONFIG: SIGINT and wait; sets STOP_RC, STOP_MS, LOST (events
# the tracer says it lost: socktrace's final status record, the others'
# "lost" lines on stderr), WRITTEN (socktrace's own count) and MODE.
stop_tracer() {
	STOP_RC=0 STOP_MS=0 LOST='' WRITTEN='' MODE=''
	[ -n "$TR_PID" ] || return 0
	local t0 n
	t0=$(now_ms)
	case $1 in
	socktrace* | floor) stop_pid "$TR_PID" "$STOP_TIMEOUT" ;;
	*)
		# SIGINT again every second: bpftrace 0.17 misses one that lands
		# just before it blocks in epoll_wait, and then waits for an event
		# the finished load will not make (1 stop in 6 here, till SIGKILL).
		# tcplife's handler only sets a flag too.
		for ((n = 0; n < STOP_TIMEOUT * 10; n++)); do
			kill -0 "$TR_PID" 2> /dev/null || break
			((n % 10 == 0)) && kill -INT "$TR_PID" 2> /dev/null
			sleep 0.1
		done
		stop_pid "$TR_PID" 1 ;;
	esac
	STOP_MS=$(($(now_ms) - t0))
	TR_PID=
	case $1 in
	socktrace*)
		MODE=$(jq -r 'select(.status == "tracing") | .mode' "$W/status" 2> /dev/null | head -1)
		local line
		line=$(jq -r 'select(.status == "stopped") | "\(.events.written) \(.events.lost)"' "$W/status" 2> /dev/null | tail -1)
		if [[ $line =~ ^([0-9]+)\ ([0-9]+)$ ]]; then
			WRITTEN=${BASH_REMATCH[1]}
			LOST=${BASH_REMATCH[2]}
		fi ;;
	floor) MODE=$(sed -n 's/^floor: attached with \([a-z]*\) programs.*/\1/p' "$W/err" | head -1) ;;
	# libbpf-tools: "lost N events on CPU #C"; bpftrace: "Lost N events".
	tcplife | bpftrace)
		LOST=$(awk 'tolower($0) ~ /lost [0-9]+ events/ { for (i = 1; i < NF; i++)
			if (tolower($i) == "lost" && $(i + 1) ~ /^[0-9]+$/) n += $(i + 1) } END { print n + 0 }' "$W/err") ;;
	esac
	return 0
}

# ---------------------------------------------------------------- runs
machine_json() {
	local cpu
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	[ -n "$cpu" ] || cpu=$(uname -m)
	jq -n --arg kernel "$(uname -r)" --argjson nproc "$(nproc)" --arg cpu "$cpu" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg host "$(uname -n)" \
		--arg socktrace "$SOCKTRACE" --arg version "$("$SOCKTRACE" --version 2> /dev/null | head -1)" \
		--arg commit "$(git rev-parse --short HEAD 2> /dev/null || echo unknown)" \
		--arg dirty "$(git status --porcelain -- bpf src include 2> /dev/null | head -1)" \
		--arg bpftrace "$(bpftrace --version 2> /dev/null)" \
		--arg tcplife "$TCPLIFE $(dpkg-query -W -f='(libbpf-tools ${Version})' libbpf-tools 2> /dev/null)" \
		--arg redis "$(redis-server --version 2> /dev/null | awk '{ print $3 }')" \
		--arg nginx "$(nginx -v 2>&1 | sed 's/.*\///')" --arg wrk "$(wrk -v 2>&1 | awk 'NR == 1 { print $2 }')" \
		--arg ab "$(ab -V 2> /dev/null | awk 'NR == 1 { print $NF }')" \
		--arg iperf3 "$(iperf3 --version 2> /dev/null | awk 'NR == 1 { print $2 }')" \
		--arg attach "$ATTACH" --arg tracefs "$TRACEFS" --argjson rounds "$ROUNDS" \
		--argjson duration "$DURATION" --argjson redis_n "$REDIS_N" --argjson ab_n "$AB_N" \
		--argjson ab_c "$AB_C" --arg udp_rate "$UDP_RATE" --argjson udp_len "$UDP_LEN" \
		--arg workers "$NGINX_WORKERS" --argjson tick "$TICK" --argjson bpf_stats "$BPF_STATS" \
		'{kernel: $kernel, nproc: $nproc, cpu: $cpu, date: $date, host: $host, attach: $attach, tracefs: $tracefs,
		  socktrace: {path: $socktrace, version: $version, commit: $commit,
			      tree: (if $dirty == "" then "clean" else "uncommitted changes in bpf/ src/ include/" end)},
		  tools: {bpftrace: $bpftrace, tcplife: $tcplife, redis: $redis, nginx: $nginx, wrk: $wrk, ab: $ab, iperf3: $iperf3},
		  settings: {rounds: $rounds, duration_s: $duration, redis_n: $redis_n, ab_n: $ab_n, ab_c: $ab_c,
			     udp_rate: $udp_rate, udp_len: $udp_len, nginx_workers: $workers, clock_ticks_per_s: $tick,
			     bpf_stats: ($bpf_stats == 1)}}'
}

t_start=$SECONDS
if [ "$BPF_STATS" = 1 ]; then
	old_stats=$(sysctl -n kernel.bpf_stats_enabled 2> /dev/null || echo 0)
	sysctl -q -w kernel.bpf_stats_enabled=1 || die "cannot enable kernel.bpf_stats_enabled (BPF_STATS=1)"
fi
foreign_tracers > "$W/foreign-start.txt"
[ -s "$W/foreign-start.txt" ] && say "WARNING: $(wc -l < "$W/foreign-start.txt") tracing BPF programs of others are attached: untraced is not untraced ($(paste -sd, "$W/foreign-start.txt"))"
machine_json > "$W/machine.json" || die "cannot describe the machine"
say "machine: $(jq -r '"\(.kernel), \(.nproc) CPUs, \(.cpu)"' "$W/machine.json"); tracefs $TRACEFS"
say "socktrace: $SOCKTRACE ($(jq -r '.socktrace | "\(.commit), \(.tree)"' "$W/machine.json"))"

# One short untraced run of each load first, not recorded: the servers'
# caches, allocators and connection tables warmed before anything counts.
for l in $LOADS; do
	case $l in iperf-*) start_iperf ;; esac
	run_load "$l" 3 || die "$l warm-up: $LOAD_ERR"
	case $l in iperf-*) stop_iperf ;; esac
done
say "warmed up: $LOADS"

# Every round runs every load under each configuration, the order of the
# configurations rotating from round to round so that none always follows
# the same one. Each traced run has a tracer of its own, started before and
# stopped after the load; its CPU time is read between the two, once it has
# had time to drain what the load made.
RUNS=$W/runs.jsonl
: > "$RUNS"
read -r -a cfgs <<< "$CONFIGS"
n=${#cfgs[@]}
for ((r = 1; r <= ROUNDS; r++)); do
	for l in $LOADS; do
		for ((i = 0; i < n; i++)); do
			cfg=${cfgs[$(((i + r - 1) % n))]}
			[ -n "${UNAVAILABLE[$cfg]+x}" ] && continue
			case $l in iperf-*) start_iperf ;; esac
			if ! start_tracer "$cfg"; then
				case $l in iperf-*) kill_wait "$IPERF_PID"; IPERF_PID= ;; esac
				continue
			fi
			c0=0 b0=0
			[ -n "$TR_PID" ] && c0=$(cpu_ticks "$TR_PID")
			[ -n "$TR_PID" ] && [ "$BPF_STATS" = 1 ] && b0=$(bpf_ns "$TR_PID")
			t0=$(now_ms)
			if ! run_load "$l"; then
				stop_tracer "$cfg"
				die "the $l load failed under $cfg: $LOAD_ERR"
			fi
			t1=$(now_ms)
			case $l in iperf-*) stop_iperf ;; esac
			c1=0 b1=0 alive=true
			if [ -n "$TR_PID" ]; then
				sleep 0.3
				c1=$(cpu_ticks "$TR_PID")
				[ -n "$c1" ] || { alive=false; c1=$c0; }
				[ "$BPF_STATS" = 1 ] && b1=$(bpf_ns "$TR_PID")
			fi
			stop_tracer "$cfg"
			lines=0
			[ -f "$W/out" ] && lines=$(wc -l < "$W/out")
			jq -c -n --argjson load "$LOAD_JSON" --arg l "$l" --arg cfg "$cfg" --argjson round "$r" \
				--argjson order "$i" --argjson ticks "$((c1 - c0))" --argjson tick "$TICK" \
				--argjson ms "$((t1 - t0))" --arg rc "$STOP_RC" --argjson stop_ms "$STOP_MS" \
				--arg lost "$LOST" --arg written "$WRITTEN" --arg mode "$MODE" \
				--argjson lines "$lines" --argjson alive "$alive" --argjson bpf "$((b1 - b0))" \
				--argjson bpf_stats "$BPF_STATS" \
				'$load + {load: $l, config: $cfg, round: $round, order: $order, load_ms: $ms,
				  tracer_cpu_s: (if $cfg == "untraced" then null else $ticks / $tick end),
				  mode: (if $mode == "" then null else $mode end),
				  stop_rc: $rc, stop_ms: $stop_ms, tracer_alive: $alive, tracer_lines: $lines,
				  written: ($written | tonumber? // null), lost: ($lost | tonumber? // null),
				  bpf_s: (if $cfg == "untraced" or $bpf_stats == 0 then null else $bpf / 1e9 end)}
				# Seconds per request in us, or per GB moved in ms.
				| (if .cpu_unit == "ms/GB" then 1e3 / (.work / 1e9) else 1e6 / .work end) as $per
				| .cpu_per = (if .tracer_cpu_s == null then null else .tracer_cpu_s * $per end)
				| .bpf_per = (if .bpf_s == null then null else .bpf_s * $per end)
				# What one clock tick of tracer CPU amounts to, per request or GB.
				| .tick_per = (1 / $tick) * $per' >> "$RUNS"
			last=$(tail -1 "$RUNS")
			note=$(jq -r '[if .tracer_cpu_s != null then "tracer \(.tracer_cpu_s) s = \(.cpu_per * 100 | round / 100) \(.cpu_unit)" else empty end,
				if .bpf_per != null then "bpf \(.bpf_per * 100 | round / 100) \(.cpu_unit)" else empty end,
				if .tracer_lines > 0 then "\(.tracer_lines) lines" else empty end,
				if .lost != null then "lost \(.lost)" else empty end,
				if .mode then .mode else empty end,
				if (.errors // 0) > 0 then "ERRORS \(.errors)" else empty end,
				if .lost_percent != null then "udp loss \(.lost_percent * 100 | round / 100)%" else empty end] | join(", ")' <<< "$last")
			say "$(printf 'round %d/%d %-11s %-13s %12s %-6s %s' "$r" "$ROUNDS" "$l" "$cfg" \
				"$(jq -r '.throughput * 100 | round / 100' <<< "$last")" "$(jq -r .unit <<< "$last")" "$note")"
			case $cfg in
			socktrace*)
				if [ "$alive" != true ] || [ "$STOP_RC" != 0 ] || [ -z "$LOST" ]; then
					measure_error "round $r $l $cfg: socktrace exit $STOP_RC, alive $alive, no final status: $(tail -c 300 "$W/err")"
				fi ;;
			tcplife | bpftrace)
				[ "$alive" = true ] || measure_error "round $r $l $cfg: the tracer died during the load: $(tail -c 300 "$W/err")" ;;
			esac
			[ "$(jq '(.errors // 0) + (.non_2xx // 0)' <<< "$last")" = 0 ] ||
				measure_error "round $r $l $cfg: the load had errors: $(jq -c '{errors, non_2xx, wrk: .wrk.errors}' <<< "$last")"
			rm -f "$W/out"
		done
	done
done

# ---------------------------------------------------------------- report
# The kernel frees the programs of a tracer that just exited a little later:
# give it time before looking for anyone else's.
sleep 1
foreign_tracers > "$W/foreign-end.txt"
printf '%s\n' "${!UNAVAILABLE[@]}" | while read -r c; do
	[ -n "$c" ] && jq -n -c --arg c "$c" --arg why "${UNAVAILABLE[$c]}" '{key: $c, value: $why}'
done > "$W/unavailable.jsonl"
jq -n --slurpfile machine "$W/machine.json" --slurpfile runs "$RUNS" \
	--slurpfile unavailable "$W/unavailable.jsonl" --argjson seconds "$((SECONDS - t_start))" \
	--arg loads "$LOADS" --arg configs "$CONFIGS" \
	--rawfile foreign_start "$W/foreign-start.txt" --rawfile foreign_end "$W/foreign-end.txt" \
	--arg errors "$(printf '%s\n' "${errors[@]+"${errors[@]}"}")" '
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
def verdict(ok): if ok == null then "n/a" elif ok then "PASS" else "MISS" end;
[$loads | splits(" +") | select(. != "")] as $order |
[$configs | splits(" +") | select(. != "")] as $cfgs |
# Rows of the tables: one per load, and the large file in MiB/s too.
[$order[] | {row: ., load: ., field: "throughput"},
	(if . == "nginx-large" then {row: "nginx-large MiB/s", load: ., field: "mib_s", unit: "MiB/s"} else empty end)] as $rows |
($rows | map(. as $w | [$runs[] | select(.load == $w.load)] as $lr |
	($lr | map(select(.config == "untraced") | .[$w.field]) | median) as $base |
	{key: $w.row, value: {load: $w.load, field: $w.field, unit: ($w.unit // $lr[0].unit), cpu_unit: $lr[0].cpu_unit,
	 configs: ($cfgs | map(. as $c | [$lr[] | select(.config == $c)] as $cr |
		select($cr | length > 0) |
		($cr | map(.[$w.field]) | median) as $m |
		{key: $c, value: {runs: ($cr | length), median: $m,
		  min: ($cr | map(.[$w.field]) | min), max: ($cr | map(.[$w.field]) | max),
		  range: ((($cr | map(.[$w.field]) | max) - ($cr | map(.[$w.field]) | min)) / $m),
		  ratio: (if $base then $m / $base else null end),
		  cpu_per: ($cr | map(.cpu_per // empty) | median),
		  cpu_per_min: ($cr | map(.cpu_per // empty) | min),
		  cpu_per_max: ($cr | map(.cpu_per // empty) | max),
		  bpf_per: ($cr | map(.bpf_per // empty) | median),
		  tick_per: ($cr | map(.tick_per) | median),
		  lost: ($cr | map(.lost) | if all(. != null) then add else null end),
		  written: ($cr | map(.written) | if all(. != null) then add else null end),
		  tracer_lines: ($cr | map(.tracer_lines) | add),
		  modes: ($cr | map(.mode // empty) | unique),
		  stop_ms_max: ($cr | map(.stop_ms) | max)}}) | from_entries)}}) | from_entries) as $summary |
# The targets, on each load'"'"'s own throughput.
[$order[] as $l | $summary[$l].configs as $s | {load: $l,
	socktrace_ratio: {target: ">= 0.98", measured: $s.socktrace.ratio,
		verdict: verdict(if $s.socktrace.ratio then $s.socktrace.ratio >= 0.98 else null end)},
	socktrace_vs_tcplife: {target: ">= tcplife", measured: $s.socktrace.ratio, tcplife: $s.tcplife.ratio,
		verdict: verdict(if $s.socktrace.median and $s.tcplife.median then $s.socktrace.median >= $s.tcplife.median else null end)},
	all_ratio: {target: ">= 0.90", measured: $s["socktrace-all"].ratio,
		verdict: verdict(if $s["socktrace-all"].ratio then $s["socktrace-all"].ratio >= 0.90 else null end)},
	lost: {socktrace: $s.socktrace.lost, "socktrace-all": $s["socktrace-all"].lost}}] as $targets |
{machine: $machine[0], loads: $order, configs: $cfgs, summary: $summary, targets: $targets,
 unavailable: ($unavailable | from_entries),
 foreign_tracers: {start: ($foreign_start | split("\n") | map(select(. != ""))),
		   end: ($foreign_end | split("\n") | map(select(. != "")))},
 seconds: $seconds, errors: ($errors | split("\n") | map(select(. != ""))),
 runs: $runs}' > "$OUT/realload.json" || die "cannot assemble the report"

# The text report, from realload.json alone.
jq -r '
def r(n; d): if n == null then "-" else (n * d | round / d | tostring) end;
def pad(w): tostring | if length >= w then . else . + (" " * (w - length)) end;
def lpad(w): tostring | if length >= w then . else (" " * (w - length)) + . end;
def num(u; v): if v == null then "-" elif u == "Gbit/s" then r(v; 100) elif v >= 100 then (v | round | tostring) else r(v; 10) end;
def cpu(v): if v == null then "-" elif v >= 100 then (v | round | tostring) elif v >= 10 then r(v; 10) else r(v; 100) end;
def names: {untraced: "untraced", floor: "floor", socktrace: "socktrace", "socktrace-all": "socktrace -e all",
	tcplife: "tcplife", bpftrace: "bpftrace"};
def cell(u; c; base): if c == null then "-" elif base then "\(num(u; c.median)) \(r(c.range * 100; 10))%"
	else "\(num(u; c.median)) (\(r(c.ratio; 1000))) \(r(c.range * 100; 10))%" end;
.machine as $m | .configs as $cfgs | ($cfgs | map(select(. != "untraced"))) as $traced |
"socktrace on real servers — \($m.date)",
"machine: \($m.host), kernel \($m.kernel), \($m.nproc) CPUs, \($m.cpu); tracefs \($m.tracefs)",
"socktrace: \($m.socktrace.path) \($m.socktrace.version) (commit \($m.socktrace.commit), \($m.socktrace.tree)), --output json to a file; attach \($m.attach), attached: \([.summary[].configs | to_entries[] | .value.modes[]] | unique | join(", ") | if . == "" then "-" else . end)",
"yardsticks: tcplife \($m.tools.tcplife); \($m.tools.bpftrace) bench/realload.bt",
"servers: redis \($m.tools.redis), nginx \($m.tools.nginx) (\($m.settings.nginx_workers) worker), iperf3 \($m.tools.iperf3); loopback, no CPU pinning",
"loads: redis-benchmark -t set,get -c 50 -n \($m.settings.redis_n) (both tests); wrk \($m.tools.wrk) -t2 -c50 -d\($m.settings.duration_s)s, 1 KiB and 1 MiB files;",
"  iperf3 -t \($m.settings.duration_s) TCP, and UDP -b \($m.settings.udp_rate) -l \($m.settings.udp_len) (receiver'"'"'s rate); ab -n \($m.settings.ab_n) -c \($m.settings.ab_c) (1 KiB, a connection per request)",
"method: \($m.settings.rounds) rounds, configurations alternating (order rotated every round), a fresh tracer per run",
"",
"throughput: median of the rounds (ratio to untraced, same run) range: (max - min) / median",
("load" | pad(18)) + ("unit" | pad(7)) + ([$cfgs[] | names[.] // . | lpad(24)] | join("")),
(.summary | to_entries[] | .value as $v | (.key | pad(18)) + ($v.unit | pad(7)) +
	([$cfgs[] as $c | cell($v.unit; $v.configs[$c]; $c == "untraced") | lpad(24)] | join(""))),
"",
"tracer CPU (user + system of the tracer process during the load, /proc/PID/stat), median of the rounds,",
"per request (us/req) or per GB moved (ms/GB); 1 tick: what one clock tick of it amounts to at that size;",
"lost: socktrace'"'"'s events lost, all rounds, default/-e all (its --status record). The tracers'"'"' BPF programs",
"run in the servers'"'"' and clients'"'"' time, not here: that shows in the throughput\(if $m.settings.bpf_stats then " and the BPF table below" else " (BPF_STATS=1 measures it)" end)",
("load" | pad(18)) + ("unit" | pad(7)) + ([$traced[] | names[.] // . | lpad(18)] | join("")) + ("1 tick" | lpad(10)) + ("lost" | lpad(12)),
(.summary | to_entries[] | select(.value.field == "throughput") | .value as $v | (.key | pad(18)) + ($v.cpu_unit | pad(7)) +
	([$traced[] as $c | cpu($v.configs[$c].cpu_per) | lpad(18)] | join("")) +
	(cpu([$v.configs[$traced[]].tick_per // empty][0]) | lpad(10)) +
	("\($v.configs.socktrace.lost // "-")/\($v.configs["socktrace-all"].lost // "-")" | lpad(12))),
(if $m.settings.bpf_stats then "",
"BPF run time of the tracer'"'"'s programs during the load (kernel.bpf_stats_enabled), median of the rounds",
("load" | pad(18)) + ("unit" | pad(7)) + ([$traced[] | names[.] // . | lpad(18)] | join("")),
(.summary | to_entries[] | select(.value.field == "throughput") | .value as $v | (.key | pad(18)) + ($v.cpu_unit | pad(7)) +
	([$traced[] as $c | cpu($v.configs[$c].bpf_per) | lpad(18)] | join("")))
else empty end),
"",
"targets (reported, never fatal): socktrace >= 0.98 x untraced and >= tcplife (medians); socktrace -e all >= 0.90 x untraced",
("load" | pad(18)) + ("socktrace >= 0.98" | pad(22)) + ("socktrace >= tcplife" | pad(30)) + ("-e all >= 0.90" | pad(20)) + "lost",
(.targets[] | (.load | pad(18)) + ("\(r(.socktrace_ratio.measured; 1000)) \(.socktrace_ratio.verdict)" | pad(22)) +
	("\(r(.socktrace_vs_tcplife.measured; 1000)) vs \(r(.socktrace_vs_tcplife.tcplife; 1000)) \(.socktrace_vs_tcplife.verdict)" | pad(30)) +
	("\(r(.all_ratio.measured; 1000)) \(.all_ratio.verdict)" | pad(20)) +
	"\(.lost.socktrace // "-")/\(.lost["socktrace-all"] // "-")" +
	(if ((.lost.socktrace // 0) + (.lost["socktrace-all"] // 0)) > 0 then " LOST EVENTS" else "" end)),
(if (.unavailable | length) > 0 then "", "UNAVAILABLE (left out):", (.unavailable | to_entries[] | "  \(.key): \(.value)") else empty end),
(if (.errors | length) > 0 then "", "ERRORS (could not measure):", (.errors[] | "  " + .) else empty end),
(if (.foreign_tracers.start + .foreign_tracers.end | length) > 0 then "",
 "WARNING: tracing BPF programs of other tools were attached (they tax every configuration, untraced included):",
 "  at start: \(.foreign_tracers.start | join(", ") | if . == "" then "none" else . end)",
 "  at end: \(.foreign_tracers.end | join(", ") | if . == "" then "none" else . end)" else empty end),
"",
"took \(.seconds) s; every run in realload.json (.runs)"
' "$OUT/realload.json" > "$OUT/realload.txt" || die "cannot write the report"
echo
cat "$OUT/realload.txt"
[ ${#errors[@]} = 0 ] || exit 1
