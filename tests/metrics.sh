#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# --metrics against the real thing: Debian's Prometheus scrapes socktrace
# on loopback, and what it stores after known traffic (connects made,
# refused and accepted, bytes each way, by process name and peer) must be
# what was generated. promtool checks the exposition; scrapers that stall,
# flood or send too much cannot stop an answer nor the tracing meanwhile.
#
#   SOCKTRACE=build/socktrace tests/metrics.sh [LABEL]
set -u
: "${SOCKTRACE:?}"
label=${1:-metrics}
tmp=$(mktemp -d)
chmod 755 "$tmp"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -KILL "$p" 2> /dev/null; done
	wait 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tracer.sh"
PY=${PYTHON:-python3}

for p in prometheus promtool curl jq "$PY"; do
	command -v "$p" > /dev/null || { fail "$p is installed (make deps-test)"; finish; exit; }
done

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The traffic, by processes named as asked (any bytes: hostile names too).
cat > "$tmp/traffic.py" << 'EOF'
import ctypes, socket, sys, time

def name(n):
    ctypes.CDLL(None).prctl(15, ctypes.c_char_p(n.encode("latin-1")), 0, 0, 0)

def serve(port, n):
    # Accepts n connections and reads each to its end.
    name("st-msrv")
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(64)
    print("listening", flush=True)
    for _ in range(n):
        c, _ = ls.accept()
        while c.recv(65536):
            pass
        c.close()

def connect(who, port, n, size, refused_port, m):
    # n connections that send size bytes each, m refused ones.
    name(who)
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"x" * size)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)
        s.close()
    for _ in range(m):
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", refused_port))
        except ConnectionRefusedError:
            pass
        s.close()

if sys.argv[1] == "serve":
    serve(int(sys.argv[2]), int(sys.argv[3]))
else:
    connect(sys.argv[2].encode().decode("unicode_escape"), *map(int, sys.argv[3:]))
EOF

# Scrapers that misbehave: slow ones holding connections, many idle ones,
# one sending an endless request head.
cat > "$tmp/abuse.py" << 'EOF'
import socket, sys, time
port, how, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
socks = []
if how == "huge":
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\n")
    try:
        for _ in range(100):
            s.sendall(b"X-Filler: " + b"a" * 1000 + b"\r\n")
    except OSError:
        pass
    s.settimeout(5)
    print(s.recv(100).split(b"\r\n")[0].decode(), flush=True)
    sys.exit(0)
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    if how == "slow":
        s.sendall(b"GET /metr")
    socks.append(s)
print("holding", flush=True)
time.sleep(float(sys.argv[4]))
EOF

mport=$(free_port)
pport=$(free_port)
sport=$(free_port)
closed=$(free_port)
N=12 B=3000 M=5

# --- socktrace serving, Prometheus scraping it every second ---
"$SOCKTRACE" --metrics "127.0.0.1:$mport" --metrics-peers 50 --events none --status "$tmp/status.json" \
	> "$tmp/trace.out" 2> "$tmp/trace.err" &
tracer=$!
pids+=("$tracer")
if ! wait_line "$tmp/status.json" '"status":"tracing"' "$tracer"; then
	fail "socktrace --metrics starts" "$(head -c 300 "$tmp/trace.err")"
	finish
	exit
fi
cat > "$tmp/prometheus.yml" << EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: socktrace
    static_configs: [ { targets: ["127.0.0.1:$mport"] } ]
EOF
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn > "$tmp/prometheus.log" 2>&1 &
pids+=("$!")

# query PROMQL: the value Prometheus holds now ("" if none).
query() {
	curl -s -m 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[0].value[1] // ""' 2> /dev/null
}
# stored PROMQL WANT: waits (up to 30 s) until Prometheus holds WANT.
stored() {
	local v
	for _ in $(seq 60); do
		v=$(query "$1")
		[ "$v" = "$2" ] && return 0
		sleep 0.5
	done
	echo "$v"
	return 1
}
stored_ok() { # stored_ok WHAT PROMQL WANT
	local got
	if got=$(stored "$2" "$3"); then ok "$1: $3"; else fail "$1: Prometheus holds $3" "$2 = '${got}'"; fi
}

stored_ok "Prometheus scrapes socktrace" 'up{job="socktrace"}' 1

"$PY" "$tmp/traffic.py" serve "$sport" "$N" > "$tmp/server.out" 2>&1 &
pids+=("$!")
wait_line "$tmp/server.out" listening "$!" 100
"$PY" "$tmp/traffic.py" connect st-mcli "$sport" "$N" "$B" "$closed" "$M"

sel='process="st-mcli",proto="tcp"'
stored_ok "connections made" "socktrace_connections_total{$sel,direction=\"out\",result=\"ok\"}" "$N"
stored_ok "connections refused" "socktrace_connections_total{$sel,direction=\"out\",result=\"refused\"}" "$M"
stored_ok "connections accepted" \
	'socktrace_connections_total{process="st-msrv",proto="tcp",direction="in",result="ok"}' "$N"
stored_ok "bytes sent" "socktrace_sent_bytes_total{$sel}" $((N * B))
stored_ok "bytes received by the server" 'socktrace_received_bytes_total{process="st-msrv",proto="tcp"}' $((N * B))
stored_ok "the peer's connections, by service port" \
	"sum(socktrace_peer_connections_total{peer=\"127.0.0.1\",port=\"$sport\",result=\"ok\"})" $((2 * N))
stored_ok "the peer's refusals" \
	"socktrace_peer_connections_total{peer=\"127.0.0.1\",port=\"$closed\",result=\"refused\"}" "$M"
stored_ok "socktrace's own health: nothing lost" 'socktrace_events_lost_total' 0
stored_ok "the info metric names the attach mode" \
	"count(socktrace_info{mode=\"$(jq -r 'select(.status == "tracing") | .mode' "$tmp/status.json")\"})" 1
stored_ok "socktrace does not count its own scrapes" 'count(socktrace_connections_total{process="socktrace"}) or vector(0)' 0

# --- the exposition itself ---
curl -s -m 5 -D "$tmp/headers" "http://127.0.0.1:$mport/metrics" > "$tmp/scrape.txt"
if promtool check metrics < "$tmp/scrape.txt" > "$tmp/promtool.out" 2>&1 && [ ! -s "$tmp/promtool.out" ]; then
	ok "promtool check metrics: no warnings ($(grep -c -v '^#' "$tmp/scrape.txt") samples)"
else
	fail "promtool check metrics: no warnings" "$(head -c 400 "$tmp/promtool.out")"
fi
grep -qi '^Content-Type: text/plain; version=0.0.4' "$tmp/headers" &&
	ok "served as the text exposition format 0.0.4" ||
	fail "served as the text exposition format 0.0.4" "$(tr '\r\n' '  ' < "$tmp/headers")"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")
[ "$code" = 404 ] && ok "another path: 404" || fail "another path: 404" "$code"
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$mport/metrics")
[ "$code" = 405 ] && ok "POST: 405" || fail "POST: 405" "$code"

# A process whose name is hostile: a quote, a backslash, a newline, bytes
# that are not UTF-8. promtool and Prometheus take the exposition, and
# the series is found by its name as Prometheus decodes it.
"$PY" "$tmp/traffic.py" connect 'q"\\\n\xff\xfez' "$sport" 0 0 "$closed" 2
curl -s -m 5 "http://127.0.0.1:$mport/metrics" > "$tmp/scrape2.txt"
if promtool check metrics < "$tmp/scrape2.txt" > "$tmp/promtool.out" 2>&1 && [ ! -s "$tmp/promtool.out" ] &&
   grep -qF 'process="q\"\\\n\\xff\\xfez"' "$tmp/scrape2.txt"; then
	ok "a hostile process name is escaped, and promtool takes it"
else
	fail "a hostile process name is escaped, and promtool takes it" \
		"$(grep -a 'result="refused"' "$tmp/scrape2.txt" | head -c 300) $(head -c 200 "$tmp/promtool.out")"
fi
stored_ok "... and Prometheus stores it under that name" \
	'socktrace_connections_total{process="q\"\\\n\\xff\\xfez",result="refused"}' 2

# --- scrapers that misbehave ---
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$tracer/status"; }
rss0=$(rss)
"$PY" "$tmp/abuse.py" "$mport" slow 40 8 > "$tmp/slow.out" 2>&1 &
pids+=("$!")
wait_line "$tmp/slow.out" holding "$!" 100
"$PY" "$tmp/abuse.py" "$mport" idle 300 8 > "$tmp/idle.out" 2>&1 &
pids+=("$!")
wait_line "$tmp/idle.out" holding "$!" 100
t0=$(date +%s%N)
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/metrics")
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$code" = 200 ] && ok "a scrape is answered while 40 slow and 300 idle clients hold connections (${ms} ms)" ||
	fail "a scrape is answered while 40 slow and 300 idle clients hold connections" "HTTP $code after $ms ms"
huge=$("$PY" "$tmp/abuse.py" "$mport" huge 1 0 2>&1)
[[ "$huge" == *431* ]] && ok "an endless request head: $huge" || fail "an endless request head: 431" "$huge"
# Tracing stays exact meanwhile.
"$PY" "$tmp/traffic.py" serve "$sport" 4 > "$tmp/server2.out" 2>&1 &
pids+=("$!")
wait_line "$tmp/server2.out" listening "$!" 100
"$PY" "$tmp/traffic.py" connect st-mcli "$sport" 4 "$B" "$closed" 0
stored_ok "connections made during the abuse, exactly" "socktrace_connections_total{$sel,direction=\"out\",result=\"ok\"}" $((N + 4))
stored_ok "bytes sent during the abuse, exactly" "socktrace_sent_bytes_total{$sel}" $(((N + 4) * B))
rss1=$(rss)
[ $((rss1 - rss0)) -lt 16384 ] && ok "memory during the abuse: ${rss0} kB, then ${rss1} kB" ||
	fail "memory during the abuse grows less than 16 MB" "${rss0} kB, then ${rss1} kB"

kill -INT "$tracer"
wait_line "$tmp/status.json" '"status":"stopped"' "$tracer"
wait "$tracer"
rc=$?
[ "$rc" = 0 ] && ok "stopped, exit 0" || fail "stopped, exit 0" "exit $rc: $(tail -c 300 "$tmp/trace.err")"
[ ! -s "$tmp/trace.out" ] && ok "--events none: no event printed" || fail "--events none: no event printed" \
	"$(head -c 200 "$tmp/trace.out")"

# --- a series expires when no event touched it ---
"$SOCKTRACE" --metrics "127.0.0.1:$mport" --metrics-expiry 2 --status "$tmp/status2.json" \
	> "$tmp/trace2.out" 2> "$tmp/trace2.err" &
tracer=$!
pids+=("$tracer")
wait_line "$tmp/status2.json" '"status":"tracing"' "$tracer"
"$PY" "$tmp/traffic.py" connect st-mexp "$sport" 0 0 "$closed" 3
curl -s -m 5 "http://127.0.0.1:$mport/metrics" > "$tmp/scrape3.txt"
sleep 3
curl -s -m 5 "http://127.0.0.1:$mport/metrics" > "$tmp/scrape4.txt"
if grep -q 'process="st-mexp".*result="refused"} 3' "$tmp/scrape3.txt" && ! grep -q 'st-mexp' "$tmp/scrape4.txt" &&
   grep -q '^socktrace_metrics_series_expired_total [1-9]' "$tmp/scrape4.txt"; then
	ok "--metrics-expiry 2: a series is there, then gone 3 s later, counted as expired"
else
	fail "--metrics-expiry 2: a series is there, then gone 3 s later" \
		"$(grep -c st-mexp "$tmp/scrape3.txt") then $(grep -c st-mexp "$tmp/scrape4.txt") lines"
fi
# Beside --metrics, the events are printed as without it: no sends nor
# receives unless asked for.
if jq -e -s 'length > 0 and all(.event != "send" and .event != "recv")' "$tmp/trace2.out" > /dev/null; then
	ok "the events beside --metrics are the default kinds"
else
	fail "the events beside --metrics are the default kinds" "$(jq -r .event "$tmp/trace2.out" | sort | uniq -c | tr '\n' ' ')"
fi
kill -INT "$tracer"
wait "$tracer"

# --- refused input: one line, exit 2; a port taken: exit 1 ---
refused() { # refused STATUS WHAT ARGS...
	local want=$1 what=$2 rc
	shift 2
	timeout 10 "$SOCKTRACE" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	rc=$?
	if [ "$rc" = "$want" ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q '^socktrace: ' "$tmp/err"; then
		ok "$what: exit $want, one line: $(cat "$tmp/err")"
	else
		fail "$what: exit $want with one line" "exit $rc: $(head -c 300 "$tmp/err")"
	fi
}
refused 2 "--metrics nonsense" --metrics nonsense
refused 2 "--metrics 127.0.0.1:0" --metrics 127.0.0.1:0
refused 2 "--metrics 127.0.0.1:70000" --metrics 127.0.0.1:70000
refused 2 "--metrics-peers without --metrics" --metrics-peers 3
refused 2 "--metrics-peers 5000" --metrics :9 --metrics-peers 5000
refused 2 "--events none without --metrics" --events none
refused 1 "--metrics on a port Prometheus holds" --metrics "127.0.0.1:$pport" --events none
finish
