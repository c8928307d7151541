#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Truth test with real programs: unmodified programs from Debian's packages
# (wget, curl, nc, socat, node, dig, glibc's resolver, python3's urllib and
# http.server, dnsmasq) talk to each other over loopback under strace while
# socktrace traces them. For every IPv4/IPv6 socket each one used,
# socktrace's totals (its close event) must equal what strace saw it send
# and receive (tests/strace_totals.py: one per successful call, 0 bytes
# included, one per message of sendmmsg/recvmmsg; a MSG_PEEK is no
# receive, the next read gets the same bytes), and the calls its send and
# recv events name must carry the bytes strace saw them carry.
#
# It runs in a private network and mount namespace: only a loopback, every
# port free (dnsmasq takes 53: glibc's resolver cannot be given another
# port), nothing reaches the network, and /etc/resolv.conf can point at
# dnsmasq without touching the host's.
#
#   SOCKTRACE=build/socktrace tests/realprog.sh [LABEL]
set -u
: "${SOCKTRACE:?}"
label=${1:-realprog}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
PY=/usr/bin/python3 # Debian's, not whatever python3 comes first in PATH

if [ -z "${REALPROG_NS:-}" ]; then
	if unshare --mount --net true 2> /dev/null; then
		REALPROG_NS=1 exec unshare --mount --net "$0" "$@"
	fi
	fail "a private network namespace" "$(unshare --mount --net true 2>&1)"
	finish
	exit
fi
ip link set lo up

# For each socket with traffic in $s (strace): one close event in $t
# (socktrace) with the same totals, and send/recv events carrying the same
# bytes per call; for each of socktrace's sockets with traffic, one in $s.
read -r -d '' COMPARE << 'EOF'
def same($x): .pid == $x.pid and .fd == $x.fd
  and ($x.sport == null or .sport == $x.sport) and ($x.dport == null or .dport == $x.dport);
def busy: .sent_bytes + .recv_bytes + .sends + .recvs > 0;
def totals: "sent \(.sent_bytes) B in \(.sends), received \(.recv_bytes) B in \(.recvs)";
def name: "pid \(.pid) fd \(.fd) \(.proto) \(.sport)->\(.daddr):\(.dport)";
def by_call: map(select((.bytes // 0) > 0)) | group_by(.call)
  | map({key: (.[0].call // "?"), value: (map(.bytes) | add)}) | from_entries;
def called: with_entries(.value |= .bytes | select(.value > 0));
($t | any(.event == "lost")) as $lost
| ($s | map(.pid) | unique) as $pids
| [$t[] | select(.event == "close" and (.pid as $p | $pids | index($p)))] as $closes
| ($s[] | select(busy) | . as $x
   | [$closes[] | select(same($x))] as $c
   | ([$t[] | select(.event == "send" and same($x))] | by_call) as $sc
   | ([$t[] | select(.event == "recv" and same($x))] | by_call) as $rc
   | if $x.incomplete then "\($x | name): strace cut an mmsg array (raise -s)"
     elif ($c | length) != 1 then "\($x | name): strace \($x | totals); socktrace: \($c | length) close events"
     elif [$c[0] | .sent_bytes, .sends, .recv_bytes, .recvs] != [$x | .sent_bytes, .sends, .recv_bytes, .recvs]
     then "\($x | name): strace \($x | totals) (\($x.peek_bytes) B peeked, \($x.zero_recvs) empty receives); socktrace \($c[0] | totals)"
     elif ($lost | not) and ($sc != ($x.send_calls | called) or $rc != ($x.recv_calls | called))
     then "\($x | name): bytes per call: strace sent \($x.send_calls | called) received \($x.recv_calls | called); socktrace's events sent \($sc) received \($rc)"
     elif ($lost | not) and ([$t[] | select(.event == "recv" and .source_arg and same($x)) | "\(.daddr):\(.dport)"]
       | sort) != ($x.recv_sources | sort)
     then "\($x | name): the datagrams' sources: strace \($x.recv_sources); socktrace's events \([$t[] | select(.event == "recv" and .source_arg and same($x)) | "\(.daddr):\(.dport)"])"
     else empty end),
  ($closes[] | select((.sent_bytes // 0) + (.recv_bytes // 0) > 0) | . as $c
   | select([$s[] | select(. as $x | $c | same($x))] | length == 0)
   | "socktrace's \($c | name), \($c | totals): not in strace's log")
EOF

# The parser itself, on hand-written lines whose totals are known: threads,
# split lines, descriptor reuse, dup2, close_range, mmsg arrays (one cut),
# MSG_PEEK, failed calls, a fork, sendfile, splice both ways.
if "$PY" "$here/strace_totals.py" "$here/realprog/parser.strace" | diff - "$here/realprog/parser.expected" > /dev/null; then
	ok "strace_totals.py: $(wc -l < "$here/realprog/parser.expected") sockets from hand-written strace lines"
else
	fail "strace_totals.py: the sockets of hand-written strace lines" \
		"$("$PY" "$here/strace_totals.py" "$here/realprog/parser.strace" 2>&1 | diff - "$here/realprog/parser.expected" | tr '\n' '|')"
fi

# The comparison itself, on the events socktrace should print for those
# lines (made up from the parser's truth), right and altered: it must pass
# the right ones (but for the cut mmsg array) and name what is wrong.
verdict() { # verdict JQ-FILTER: the comparison's complaints about the altered events
	local truth=$here/realprog/parser.expected
	jq -nr --slurpfile s "$truth" --slurpfile t <(jq -c 'select(.sent_bytes + .recv_bytes > 0) | . as $x
		| ($x + {event: "close"}), ((($x.send_calls | to_entries[] | {event: "send", call: .key, bytes: .value.bytes}),
			($x.recv_calls | to_entries[] | {event: "recv", call: .key, bytes: .value.bytes}),
			($x.recv_sources[] | capture("^(?<daddr>.*):(?<p>[0-9]+)$")
			 | {event: "recv", call: "recvfrom", bytes: 0, source_arg: true, daddr, dport: (.p | tonumber)}))
			+ ($x | {pid, fd, sport}) + (if $x.dport != null then {dport: $x.dport} else {} end))
		| '"$1" "$truth") "$COMPARE"
}
v1=$(verdict . | grep -vc 'fd 7 tcp 45000->127.0.0.1:9: strace cut an mmsg array')
v2=$(verdict 'if .event == "close" and .sport == 43000 then .recv_bytes += 1 else . end' | grep -c 'received 41 B in 1$')
v3=$(verdict 'if .call == "read" then .call = "recvfrom" else . end' | grep -c 'bytes per call')
v4=$(verdict '., (select(.event == "close" and .sport == 43000) | .fd = 9)' | grep -c "not in strace's log")
v5=$(verdict 'if .source_arg then .dport += 1 else . end' | grep -c "the datagrams' sources")
[ "$v1" = 0 ] && [ "$v2" = 1 ] && [ "$v3" = 1 ] && [ "$v4" = 1 ] && [ "$v5" = 2 ] &&
	ok "the comparison: passes right events, names a wrong total, a wrong call, a socket strace did not see, a wrong source" ||
	fail "the comparison: passes right events, names a wrong total, a wrong call, a socket strace did not see, a wrong source" \
		"$v1, $v2, $v3, $v4, $v5 complaints"

missing=
for p in strace wget curl nc socat node dig dnsmasq jq ss "$PY"; do
	command -v "$p" > /dev/null || missing="$missing $p"
done
if [ -n "$missing" ]; then
	fail "the programs are installed" "missing:$missing (make deps-test installs them)"
	finish
	exit
fi

tmp=$(mktemp -d)
pids=() # straces and socktrace in the background, killed at the end if still there
cleanup() { # the programs first: a killed strace leaves them running
	for p in $(cat "$tmp"/*.pid 2> /dev/null) "${pids[@]}"; do kill -KILL "$p" 2> /dev/null; done
	wait 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

# Every call that moves bytes over a socket, the calls that make, end or
# duplicate a descriptor, and the clones that tell threads from processes.
# -s 16 keeps the log small yet prints mmsg arrays of up to 16 messages.
STRACE=(strace -f -yy -s 16 -e "trace=%network,%process,read,write,readv,writev,pread64,pwrite64,preadv,pwritev,preadv2,pwritev2,sendfile,splice,close,dup,dup2,dup3,close_range")

# waitfor SECONDS CMD...: true once CMD succeeds, polled every 0.1 s.
waitfor() {
	local n=$(($1 * 10))
	shift
	until "$@" > /dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.1
	done
}
gone() { ! kill -0 "$1" 2> /dev/null; }
listening() { [ -n "$(ss -Hln"$1" "sport = :$2")" ]; } # listening t|u PORT

# [input=FILE] serve NAME CMD...: under strace in the background (stdin
# FILE, else /dev/null); the program's own pid in $tmp/NAME.pid, to stop it
# as itself so that strace sees it end.
declare -A tracer_of
serve() {
	local name=$1
	shift
	"${STRACE[@]}" -o "$tmp/$name.st" bash -c 'echo $$ > "$0"; exec "$@"' "$tmp/$name.pid" "$@" \
		< "${input:-/dev/null}" > "$tmp/$name.out" 2>&1 &
	tracer_of[$name]=$!
	pids+=("$!")
}
# run NAME CMD...: a client under strace, bounded; its status in $tmp/NAME.rc.
run() {
	local name=$1
	shift
	timeout -k 2 10 "${STRACE[@]}" -o "$tmp/$name.st" "$@" > "$tmp/$name.out" 2>&1
	echo $? > "$tmp/$name.rc"
}
# stop NAME: SIGTERM to the program, then its strace ends by itself.
stop() {
	local pid st=${tracer_of[$1]}
	pid=$(cat "$tmp/$1.pid" 2> /dev/null) && kill -TERM "$pid" 2> /dev/null
	waitfor 10 gone "$st" || kill -KILL "$pid" "$st"
	wait "$st" 2> /dev/null
}

# What the servers serve; ports at random (all are free in this namespace).
mkdir "$tmp/www"
head -c 100000 /dev/urandom > "$tmp/www/file.bin"
head -c 50000 /dev/urandom > "$tmp/data1"
head -c 20000 /dev/urandom > "$tmp/data2"
http=$((20000 + RANDOM % 3000)) echoport=$((23000 + RANDOM % 3000)) ncl=$((26000 + RANDOM % 3000))
printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n' > "$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf || fail "/etc/resolv.conf pointed at dnsmasq"
printf 'GET /file.bin HTTP/1.0\r\n\r\n' > "$tmp/request"
mkfifo "$tmp/go"

# Servers first, and one client that connects before socktrace starts.
serve http.server "$PY" -m http.server --bind :: --directory "$tmp/www" "$http"
serve dnsmasq dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --listen-address=127.0.0.1 \
	--bind-interfaces --port=53 --address=/example.test/127.0.0.1 --address=/example.test/::1 \
	--pid-file= --user=root --log-facility=-
serve socat-server socat -T 5 "TCP6-LISTEN:$echoport,bind=[::1],reuseaddr" PIPE
input=$tmp/data2 serve nc-server nc -N -l 127.0.0.1 "$ncl"
waitfor 10 listening t "$http" && waitfor 10 listening u 53 && waitfor 10 listening t "$echoport" &&
	waitfor 10 listening t "$ncl" || fail "servers listening" "$(cat "$tmp"/*.out | tr '\n' '|')"
serve existing "$PY" "$here/realprog/existing.py" "$http" "$tmp/go" "$tmp/request"
waitfor 10 grep -q connected "$tmp/existing.out" || fail "the early client connected" "$(cat "$tmp/existing.out")"

# socktrace, every kind of event if it can tell them apart (-e all).
events=()
"$SOCKTRACE" --help 2>&1 | grep -Eq '^ *-e, ' && events=(-e all)
"$SOCKTRACE" --output json "${events[@]}" > "$tmp/trace.jsonl" 2> "$tmp/trace.err" &
tracer=$!
pids+=("$tracer")
if waitfor 30 grep -q '^socktrace: tracing' "$tmp/trace.err"; then
	ok "socktrace started${events[*]:+ with ${events[*]}}: $(head -1 "$tmp/trace.err")"
else
	fail "socktrace started" "$(head -c 500 "$tmp/trace.err")"
	finish
	exit
fi

# The clients, one after the other.
start_s=$SECONDS
timeout 5 sh -c 'echo go > "$1"' sh "$tmp/go"
run wget wget -q -O /dev/null "http://127.0.0.1:$http/file.bin"
run curl curl -sS -o /dev/null "http://[::1]:$http/file.bin"
run urllib "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1]).read()' \
	"http://127.0.0.1:$http/file.bin"
run node node "$here/realprog/post.js"
run dig dig @127.0.0.1 -p 53 +tries=1 +time=3 example.test A +notcp example.test AAAA +tcp
run getaddrinfo "$PY" -c 'import socket; socket.getaddrinfo("example.test", 80, type=socket.SOCK_STREAM)'
run nc nc -N ::1 "$echoport" < "$tmp/data1"
run socat socat - "TCP4:127.0.0.1:$ncl" < "$tmp/data1"
echo "# clients ran in $((SECONDS - start_s)) s"

# Servers end before socktrace stops, so that their sockets' ends are seen.
for s in existing socat-server nc-server http.server dnsmasq; do stop $s; done
kill -INT $tracer
waitfor 15 gone $tracer || kill -KILL $tracer
wait $tracer
rc=$?
lost=$(jq -s 'map(select(.event == "lost") | .count) | add // 0' "$tmp/trace.jsonl" 2> /dev/null)
[ "$rc" = 0 ] && [ "$lost" = 0 ] && ok "socktrace stopped: exit 0, no event lost" ||
	fail "socktrace stopped: exit 0, no event lost" "exit $rc, lost ${lost:-(bad JSON)}: $(tail -3 "$tmp/trace.err" | tr '\n' '|')"

# What strace saw, per program; socktrace's events of those processes only
# (it traced the whole machine), and its lost lines.
for st in "$tmp"/*.st; do "$PY" "$here/strace_totals.py" "$st" > "${st%.st}.sockets"; done
jq -c --slurpfile s <(cat "$tmp"/*.sockets) 'select(.event == "lost" or (.pid as $p | $s | any(.pid == $p)))' \
	"$tmp/trace.jsonl" > "$tmp/ours.jsonl"

# compare NAME WHAT: one line for the program straced as NAME.
compare() {
	local name=$1 what=$2 summary bad rc
	rc=$(cat "$tmp/$name.rc" 2> /dev/null || echo 0) # servers: 0, what they die of is ours
	summary=$(jq -rs 'map(select(.sent_bytes + .recv_bytes > 0)) |
		"\(length) socket\(if length == 1 then "" else "s" end), sent \(map(.sent_bytes) | add // 0) B by \([.[].send_calls | keys[]] | unique | join("+")),"
		+ " received \(map(.recv_bytes) | add // 0) B by \([.[].recv_calls | keys[]] | unique | join("+"))"' "$tmp/$name.sockets")
	if [ "$rc" != 0 ] ||
	   ! jq -se 'any(.sent_bytes > 0 and .recv_bytes > 0)' "$tmp/$name.sockets" > /dev/null; then
		fail "$what: ran and talked" "exit $rc, $summary: $(tail -c 300 "$tmp/$name.out" | tr -c '[:print:]' ' ')"
		return
	fi
	bad=$(jq -nr --slurpfile s "$tmp/$name.sockets" --slurpfile t "$tmp/ours.jsonl" "$COMPARE" 2>&1)
	if [ -z "$bad" ]; then ok "$what: socktrace's totals equal strace's ($summary)"; else
		fail "$what: socktrace's totals equal strace's ($summary)" "$(tr '\n' '|' <<< "$bad")"; fi
}
compare wget "wget"
compare curl "curl (IPv6)"
compare urllib "python3 urllib"
compare node "node http client and server"
compare dig "dig (UDP, then TCP)"
compare getaddrinfo "glibc resolver (python3 getaddrinfo)"
compare nc "nc (IPv6 client)"
compare socat-server "socat (IPv6 echo server)"
compare socat "socat (client)"
compare nc-server "nc -l (server)"
compare http.server "python3 http.server (accepted connections)"
compare dnsmasq "dnsmasq (UDP socket bound before socktrace, forked TCP handler)"
compare existing "connection made before socktrace started"

# ... which socktrace announces as such.
pid=$(cat "$tmp/existing.pid" 2> /dev/null)
if jq -se --argjson p "${pid:-0}" 'any(.pid == $p and .event == "open" and .proto == "tcp")
	and any(.pid == $p and .event == "close" and .proto == "tcp" and .origin == "existing")' \
	"$tmp/ours.jsonl" > /dev/null; then
	ok "connection made before socktrace started: an open event, origin existing"
else
	fail "connection made before socktrace started: an open event, origin existing" \
		"$(jq -c --argjson p "${pid:-0}" 'select(.pid == $p) | {event, fd, sport, origin}' "$tmp/ours.jsonl" | tr '\n' ' ')"
fi

# Who is who: dig's sockets are its threads' (isc-net-0000...), named as
# the process dig; an early client, found at start, with the arguments
# read then; the server's accepted connections, with its own.
check_who() { # check_who WHAT PID JQ-CONDITION
	if jq -se --argjson p "${2:-0}" "[.[] | select(.pid == \$p and .event != \"lost\")] | length > 0 and all($3)" \
		"$tmp/ours.jsonl" > /dev/null; then
		ok "$1"
	else
		fail "$1" "$(jq -c --argjson p "${2:-0}" 'select(.pid == $p) | {comm, process, ppid, exe, cmdline}' "$tmp/ours.jsonl" | sort -u | head -3 | tr '\n' ' ')"
	fi
}
digpid=$(jq -r 'select(.comm | startswith("isc-net")) | .pid' "$tmp/ours.jsonl" | head -1)
check_who "dig: its threads' events name the process dig, its executable and arguments" "$digpid" \
	'.process == "dig" and .exe == "dig" and (.cmdline | startswith("dig @127.0.0.1 -p 53")) and .ppid > 1'
check_who "connection made before socktrace started: its process named, its arguments read at start" \
	"$(cat "$tmp/existing.pid" 2> /dev/null)" '.process != null and (.cmdline | contains("existing.py"))'
check_who "python3 http.server: its accepted connections name its arguments" \
	"$(cat "$tmp/http.server.pid" 2> /dev/null)" '(.cmdline | contains("-m http.server")) and (.exe | startswith("python3"))'

left=
for p in "${pids[@]}" $(cat "$tmp"/*.pid); do kill -0 "$p" 2> /dev/null && left="$left $p"; done
[ -z "$left" ] && ok "no process left running" || fail "no process left running" "$left"
finish
