#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# The command line and the process around tracing: refused input, exit
# statuses, signals, outputs that stall or fail, reduced privileges, the
# terminal format, and that nothing stays attached afterwards. Runs the
# real binary on this kernel; reads its --status records, not its prose.
#
#   SOCKTRACE=build/socktrace SOCKDRIVE=build/sockdrive tests/cli.sh [LABEL]
set -u
: "${SOCKTRACE:?}" "${SOCKDRIVE:?}"
label=${1:-cli}
tmp=$(mktemp -d)
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tracer.sh"

# What is attached: BPF programs and links, by id.
attached() { { bpftool prog show; bpftool link show; } 2>/dev/null | grep -o '^[0-9]*:' | sort; }
before=$(attached)
nothing_left() { # nothing_left WHAT: nothing attached that was not before
	local new
	# The kernel releases links and programs shortly after the last fd.
	for _ in $(seq 30); do
		new=$(comm -13 <(echo "$before") <(attached))
		[ -z "$new" ] && break
		sleep 0.1
	done
	if [ -z "$new" ]; then ok "$1: nothing left attached"; else
		fail "$1: nothing left attached" "$(echo $new)"; fi
}

# refused EXPECTED_STATUS WHAT ARGS...: one line on stderr, that status.
refused() {
	local want=$1 what=$2
	shift 2
	timeout 10 "$SOCKTRACE" "$@" > "$tmp/out" 2> "$tmp/err" < /dev/null
	local rc=$? lines
	lines=$(wc -l < "$tmp/err")
	if [ "$rc" = "$want" ] && [ "$lines" = 1 ] && grep -q '^socktrace: ' "$tmp/err" && [ ! -s "$tmp/out" ]; then
		ok "$what: exit $want, one line: $(cat "$tmp/err")"
	else
		fail "$what: exit $want with one line" "exit $rc, $lines lines: $(head -c 300 "$tmp/err")"
	fi
}

refused 2 "--pid abc" --pid abc
refused 2 "--pid -5" --pid -5
refused 2 "--pid 0" --pid 0
refused 2 "--pid 4194305" --pid 4194305
refused 2 "--pid 1e3" --pid 1e3
refused 2 "--pid ''" --pid ''
refused 2 "--comm ''" --comm ''
refused 2 "--comm of 16 bytes" --comm 0123456789abcdef
grep -q '15' "$tmp/err" && ok "--comm too long: says the kernel keeps 15" ||
	fail "--comm too long: says the kernel keeps 15" "$(cat "$tmp/err")"
refused 2 "--output xml" --output xml
grep -q '(text or json)' "$tmp/err" && ok "--output xml: lists the values" ||
	fail "--output xml: lists the values" "$(cat "$tmp/err")"
refused 2 "--attach fentry" --attach fentry
grep -q '(auto, kprobe or tracepoint)' "$tmp/err" && ok "--attach fentry: lists the values" ||
	fail "--attach fentry: lists the values" "$(cat "$tmp/err")"
refused 2 "nine --pid" -p 1 -p 1 -p 1 -p 1 -p 1 -p 1 -p 1 -p 1 -p 1
refused 2 "nine --comm" -c a -c b -c c -c d -c e -c f -c g -c h -c i
# A --pid of no process, or of a thread, would trace nothing: said.
nopid=$(($(cat /proc/sys/kernel/pid_max) - 1))
while kill -0 $nopid 2>/dev/null; do nopid=$((nopid - 1)); done
refused 2 "--pid of no process" --pid 1 --pid $nopid
grep -q "no such process" "$tmp/err" && ok "--pid of no process: says so" || fail "--pid of no process: says so" "$(cat "$tmp/err")"
python3 -c 'import threading, time; threading.Thread(target=time.sleep, args=(30,)).start()' &
py=$!
thread=
for _ in $(seq 50); do
	thread=$(ls /proc/$py/task 2>/dev/null | grep -vx $py | head -1)
	[ -n "$thread" ] && break
	sleep 0.1
done
refused 2 "--pid of a thread" --pid "$thread"
grep -q "a thread of process $py" "$tmp/err" && ok "--pid of a thread: names its process" ||
	fail "--pid of a thread: names its process" "$(cat "$tmp/err")"
kill $py
wait $py 2>/dev/null
refused 1 "--btf of a file that is not BTF" --btf /etc/passwd
grep -q "not a BTF file" "$tmp/err" && ok "--btf /etc/passwd: says what is wrong" ||
	fail "--btf /etc/passwd: says what is wrong" "$(cat "$tmp/err")"
refused 2 "--duration 0" --duration 0
refused 2 "--duration x" --duration x
refused 2 "--ring-size 1000 (not a power of two)" --ring-size 1000
refused 2 "--ring-size 2K (under a page)" --ring-size 2K
refused 2 "--ring-size 2G (over 1G)" --ring-size 2G
refused 2 "--ring-size 99999999999999999999K" --ring-size 99999999999999999999K
refused 2 "--ring-size 4MB" --ring-size 4MB
refused 2 "--events bogus" --events connect,bogus
grep -q 'connect,accept,open,send,recv,close,untraced,disconnect' "$tmp/err" && ok "--events bogus: lists the kinds" ||
	fail "--events bogus: lists the kinds" "$(cat "$tmp/err")"
refused 2 "--events ''" --events ''
refused 2 "--status ''" --status ''
refused 2 "--ipv4 with --ipv6" --ipv4 --ipv6
refused 2 "unknown option" --frobnicate
refused 2 "unknown short option" -Z
refused 2 "missing value" --pid
refused 2 "stray argument" stray
refused 1 "--status in a missing directory" --status /nonexistent/dir/status
if [ -e /sys/bus/event_source/devices/kprobe ]; then
	ok "--attach kprobe on a kernel without kprobes: not this kernel"
else
	refused 1 "--attach kprobe on a kernel without kprobes" --attach kprobe
	grep -q 'kprobes' "$tmp/err" && ok "... names the cause" || fail "... names the cause" "$(cat "$tmp/err")"
fi
if command -v setpriv > /dev/null; then
	timeout 10 setpriv --reuid=65534 --regid=65534 --clear-groups "$SOCKTRACE" > /dev/null 2> "$tmp/err" < /dev/null
	rc=$?
	if [ $rc = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q 'root' "$tmp/err"; then
		ok "not root: exit 1, one line naming the cause: $(cat "$tmp/err")"
	else
		fail "not root: exit 1, one line naming the cause" "exit $rc: $(cat "$tmp/err")"
	fi
fi
# Start-up failures name their real cause and the way out, in one line.
unshare -Ur "$SOCKTRACE" > /dev/null 2> "$tmp/err" < /dev/null
rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q 'user namespace' "$tmp/err" &&
	ok "in a user namespace: exit 1, one line: $(cat "$tmp/err")" ||
	fail "in a user namespace: exit 1, one line naming it" "exit $rc: $(cat "$tmp/err")"
(ulimit -n 8; exec "$SOCKTRACE") > /dev/null 2> "$tmp/err" < /dev/null
rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q 'ulimit -n' "$tmp/err" &&
	ok "ulimit -n 8: exit 1, one line: $(cat "$tmp/err")" ||
	fail "ulimit -n 8: exit 1, one line naming the limit" "exit $rc: $(cat "$tmp/err")"
# (AddressSanitizer itself cannot start within such a limit.)
if [ -z "${SANITIZED:-}" ]; then
	(ulimit -v 8000; exec "$SOCKTRACE") > /dev/null 2> "$tmp/err" < /dev/null
	rc=$?
	[ $rc = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q 'ulimit -v' "$tmp/err" &&
		ok "ulimit -v 8000: exit 1, one line: $(cat "$tmp/err")" ||
		fail "ulimit -v 8000: exit 1, one line naming the limit" "exit $rc: $(cat "$tmp/err")"
fi
nothing_left "after refused runs"

"$SOCKTRACE" --help > "$tmp/help" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'EXAMPLES' "$tmp/help" && grep -q -- '--pid' "$tmp/help" && grep -q -- '--events' "$tmp/help" &&
	ok "--help: exit 0, options and examples" || fail "--help: exit 0, options and examples"
[ "$("$SOCKTRACE" --version)" = "socktrace 0.1.0" ] && ok "--version" || fail "--version"
"$SOCKTRACE" -h > "$tmp/h" 2>&1
rc=$?
[ $rc = 0 ] && cmp -s "$tmp/help" "$tmp/h" && ok "-h: exit 0, the help" || fail "-h: exit 0, the help" "exit $rc"

# --check: what the kernel offers, and whether it can trace.
mode=tracepoint
[ -e /sys/bus/event_source/devices/kprobe ] && mode=kprobe
"$SOCKTRACE" --check > "$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "^result: *can trace, with $mode programs$" "$tmp/out" && grep -q '^kernel BTF:' "$tmp/out" &&
	ok "--check: exit 0, can trace with $mode" || fail "--check: exit 0, can trace with $mode" "exit $rc: $(cat "$tmp/out")"
if [ $mode = tracepoint ]; then
	"$SOCKTRACE" --check --attach kprobe > "$tmp/out" 2>&1
	rc=$?
	[ $rc = 1 ] && grep -q "^result: *cannot trace: .*kprobes" "$tmp/out" &&
		ok "--check --attach kprobe without kprobes: exit 1, says why" ||
		fail "--check --attach kprobe without kprobes: exit 1, says why" "exit $rc: $(cat "$tmp/out")"
fi

# start ARGS...: socktrace in the background, back once its --status says
# it is tracing; its pid in $pid.
start() {
	rm -f "$tmp/out" "$tmp/err" "$tmp/status"
	"$SOCKTRACE" --status "$tmp/status" "$@" > "$tmp/out" 2> "$tmp/err" &
	pid=$!
	wait_line "$tmp/status" '"status":"tracing"' $pid 100 && return 0
	fail "socktrace $*: started" "$(cat "$tmp/err")"
	return 1
}
# final FILTER: a field of the final --status record, as compact JSON.
final() { jq -c "select(.status == \"stopped\") | $1" "$tmp/status" 2>/dev/null; }

# auto: kprobes where the kernel has them, tracepoints otherwise.
want=tracepoint
[ -e /sys/bus/event_source/devices/kprobe ] && want=kprobe
if start --output json; then
	[ "$(jq -r 'select(.status == "tracing") | .mode' "$tmp/status")" = $want ] &&
		ok "auto attaches with $want here" || fail "auto attaches with $want here" "$(cat "$tmp/status")"
	kill -INT $pid
	wait $pid
fi

# --time picks the text's time column, which the connection view then
# shows; --show-uid adds a UID column.
if start --output text --time relative --show-uid -c st-time; then
	"$SOCKDRIVE" --name st-time tcp > /dev/null
	kill -INT $pid
	wait $pid
	if grep -Eq '^TIME +PID +UID +COMM +CONNECTION +RESULT +OUT +IN +DUR$' "$tmp/out" &&
	   [ "$(grep -c ' st-time ' "$tmp/out")" = 2 ] &&
	   [ "$(grep -cE '^[0-9]+\.[0-9] +[0-9]+ +0 +st-time +tcp .*(listening|closed) ' "$tmp/out")" = 2 ]; then
		ok "--time relative --show-uid: seconds since the start, and the uid"
	else
		fail "--time relative --show-uid: seconds since the start, and the uid" "$(head -3 "$tmp/out" | tr '\n' '|')"
	fi
fi
if start --output text --stream --time date -c st-time; then
	"$SOCKDRIVE" --name st-time udp > /dev/null
	kill -INT $pid
	wait $pid
	[ "$(grep -cE "^$(date +%Y-%m-%d) [0-9]{2}:[0-9]{2}:[0-9]{2} +[0-9]+ +st-time " "$tmp/out")" -ge 2 ] &&
		ok "--time date: the date and the time of day" ||
		fail "--time date: the date and the time of day" "$(head -3 "$tmp/out" | tr '\n' '|')"
fi
refused 2 "--time utc" --time utc
grep -q '(clock, date or relative)' "$tmp/err" && ok "--time utc: lists the values" ||
	fail "--time utc: lists the values" "$(cat "$tmp/err")"

# --count: no event, the counts per process and peer on SIGUSR1 and at
# the end (JSON: one line each), or every --interval (text: the tables).
if start --output json --count -c st-count; then
	for i in 1 2 3; do "$SOCKDRIVE" --name st-count tcp >> "$tmp/facts.count"; done
	kill -USR1 $pid
	wait_line "$tmp/out" '"counts":"so far"' $pid 50
	kill -INT $pid
	wait $pid
	rc=$?
	pids=$(jq -r 'select(.helper) | .pid' "$tmp/facts.count" | sort | tr '\n' ' ')
	got=$(jq -r 'select(.counts == "final") | .processes[] | select(.comm == "st-count") | .pid' "$tmp/out" | sort | tr '\n' ' ')
	if [ $rc = 0 ] && [ "$(jq -r .counts "$tmp/out" | tr '\n' ' ')" = "so far final " ] &&
	   [ "$got" = "$pids" ] && [ "$(jq -s '[.[] | select(.event)] | length' "$tmp/out")" = 0 ] &&
	   jq -e 'select(.counts == "final") | .peers[] | select(.addr == "127.0.0.1" and .sockets >= 3)' "$tmp/out" > /dev/null &&
	   grep -q 'stopped: [0-9]* events counted' "$tmp/err"; then
		ok "--count: no event; the counts on SIGUSR1 and at the end, every process and the peer"
	else
		fail "--count: the counts on SIGUSR1 and at the end" "exit $rc, pids '$pids' got '$got': $(head -c 300 "$tmp/out")"
	fi
fi
if start --output text --count --interval 1 -c st-count; then
	"$SOCKDRIVE" --name st-count udp > /dev/null
	sleep 2.5
	kill -INT $pid
	wait $pid
	[ "$(grep -c '^--- counts so far, ' "$tmp/out")" -ge 2 ] && [ "$(grep -c '^--- counts at the end, ' "$tmp/out")" = 1 ] &&
		[ "$(grep -c '^PEER ' "$tmp/out")" -ge 3 ] &&
		ok "--count --interval 1: the tables every second and at the end" ||
		fail "--count --interval 1: the tables every second and at the end" "$(head -c 400 "$tmp/out")"
fi
refused 2 "--interval without --count" --interval 5

# The connection view against known traffic: a line per listener, per
# connection at its close (its ends, how it ended, bytes each way) and per
# failed attempt, none for a failed attempt's close; all within 80
# columns. Wide (--wide): whole addresses, the connect's time, exact bytes.
for view in narrow wide; do
	flags=
	[ $view = wide ] && flags=--wide
	start --output text $flags -c cv-check || continue
	rm -f "$tmp/facts.cv"
	for c in tcp nonblock refused udp exit; do "$SOCKDRIVE" --name cv-check $c >> "$tmp/facts.cv"; done
	kill -INT $pid
	wait $pid
	jq -r -s --arg view $view '
		def re: gsub("\\."; "\\.");
		def short: if . < 1024 then "\(.)B"
			elif . < 10240 then "\(. / 1024 | floor).\(. % 1024 * 10 / 1024 | floor)K"
			else "\(. / 1024 | floor)K" end;
		def bytes: if $view == "wide" then tostring else short end;
		def own: if $view == "wide" then "\(.saddr | re):\(.sport)" else "(\(.saddr | re))?:\(.sport)" end;
		def ends: "\(.proto) \(own) > \(.daddr | re):\(.dport)";
		def who: "^\(if $view == "wide" then "[0-9:.]+ +" else "" end)\(.pid) +cv-check +";
		([.[] | select(.event == "connect" and .error) | .sport]) as $failed
		| .[] | select(.event)
		| if .event == "listen" then "\(who)tcp \(.saddr | re):\(.sport) +listening( +-){3,4}$"
		  elif .event == "connect" and .error then "\(who)\(ends) +\(.error) +.*(us|ms)( +-)*$"
		  elif .event == "close" and (.sent_bytes + .recv_bytes > 0 or (.sport | IN($failed[]) | not)) then
			"\(who)\(ends) +\(if .reason == "close" then "closed" else .reason end) +(<?[0-9]+us +|[0-9]+ms +)?\(.sent_bytes | bytes) +\(.recv_bytes | bytes) +[<0-9.]+(us|ms|s)$"
		  else empty end' "$tmp/facts.cv" > "$tmp/cv.want"
	missing=$(while read -r re; do grep -Eq -- "$re" "$tmp/out" || echo "$re"; done < "$tmp/cv.want")
	pids=$(jq -r 'select(.helper) | .pid' "$tmp/facts.cv" | tr '\n' '|')
	lines=$(grep -cE "^([0-9:.]+ +)?(${pids%|}) " "$tmp/out")
	wide=$(awk '{ if (length > 80) n++ } END { print n + 0 }' "$tmp/out")
	if [ -z "$missing" ] && [ "$lines" = "$(wc -l < "$tmp/cv.want")" ] && [ -s "$tmp/cv.want" ] &&
	   { [ $view = wide ] || [ "$wide" = 0 ]; }; then
		ok "connection view ($view): $lines lines, one per listener, connection and failed attempt"
	else
		fail "connection view ($view): one line per listener, connection and failed attempt" \
			"$lines lines for $(wc -l < "$tmp/cv.want"), $wide over 80; missing: $(echo "$missing" | head -3 | tr '\n' '|'); got: $(head -12 "$tmp/out" | tr '\n' '|')"
	fi
done

# --top against known traffic: each interval's bytes and connections per
# process and peer; over the frames, what the traffic was. JSON: a line per
# frame; on a terminal, each frame drawn over the last.
if start --output json --top --interval 1 -c top-check; then
	for c in tcp udp tcp; do "$SOCKDRIVE" --name top-check $c >> "$tmp/facts.top"; sleep 0.3; done
	sleep 1.2
	kill -INT $pid
	wait $pid
	rc=$?
	want=$(jq -s -c '[.[] | select(.event == "close")] | group_by(.pid) | map({pid: .[0].pid, out: (map(.sent_bytes) | add), in: (map(.recv_bytes) | add), conns: length}) | sort_by(.pid)' "$tmp/facts.top")
	got=$(jq -s -c '[.[] | .processes[] | select(.comm == "top-check")] | group_by(.pid) | map({pid: .[0].pid, out: (map(.sent_bytes) | add), in: (map(.recv_bytes) | add), conns: (map(.connections) | add)}) | sort_by(.pid)' "$tmp/out")
	peer=$(jq -s '[.[] | .peers[] | select(.addr == "127.0.0.1") | .sent_bytes] | add' "$tmp/out")
	frames=$(jq -s 'length' "$tmp/out")
	if [ $rc = 0 ] && [ "$got" = "$want" ] && [ "$(jq length <<< "$want")" = 3 ] && [ "$frames" -ge 2 ] &&
	   [ "$peer" = "$(jq -s '[.[] | select(.event == "close") | .sent_bytes] | add' "$tmp/facts.top")" ] &&
	   [ "$(jq -s '[.[] | select(.event)] | length' "$tmp/out")" = 0 ]; then
		ok "--top: $frames frames; bytes and connections per process and peer add up to the traffic"
	else
		fail "--top: bytes and connections per process add up to the traffic" "exit $rc, want $want got $got, peer $peer, $frames frames"
	fi
fi
refused 2 "--sort without --top" --sort out
refused 2 "--top with --count" --top --count
refused 2 "--top with --events" --top -e connect
refused 2 "--rows 0" --top --rows 0
refused 2 "--sort bytes" --top --sort bytes
if command -v script > /dev/null; then
	script -qec "$SOCKTRACE --top --interval 1 --sort out --rows 3 -c top-tty --duration 4" /dev/null > "$tmp/tty.top" 2>&1 &
	spid=$!
	wait_line "$tmp/tty.top" 'socktrace: tracing' $spid 100
	for i in 1 2 3 4 5; do "$SOCKDRIVE" --name top-tty tcp >> "$tmp/facts.toptty"; done
	wait $spid
	# The screen as the terminal shows it: each frame after its clear.
	tr -d '\r' < "$tmp/tty.top" | sed 's/\x1b\[H\x1b\[J//' > "$tmp/top.text"
	pids=$(jq -r 'select(.helper) | .pid' "$tmp/facts.toptty" | tr '\n' '|')
	# The sent bytes over the frames: the drivers' rows, and the row of
	# the rest (--rows 3 of 5 drivers in one frame).
	out=$(grep -E "^((${pids%|}) +top-tty|\(others\)) " "$tmp/top.text" |
		awk '{ v = $1 == "(others)" ? $4 : $5; sub("B$", "", v); n += v } END { print n + 0 }')
	rows=$(awk '/^PID /{ n = 0; next } /^$/{ if (n > max) max = n; n = -1000 } n >= 0 { n++ } END { print max + 0 }' "$tmp/top.text")
	if [ "$(grep -c $'\e\\[H\e\\[J' "$tmp/tty.top")" -ge 3 ] &&
	   grep -q '^socktrace --top, .*: the last 1 s, by out bytes$' "$tmp/top.text" &&
	   [ "$out" = 60 ] && [ "$rows" -le 4 ] && [ "$rows" -ge 1 ] &&
	   [ "$(sed '/^socktrace: stopped/,$d' "$tmp/top.text" | grep -v '^socktrace: ' | awk '{ if (length > 80) n++ } END { print n + 0 }')" = 0 ]; then
		ok "--top on a terminal: redrawn in place, by out bytes, 3 rows and the rest, the 60 bytes sent"
	else
		fail "--top on a terminal: redrawn in place" "out $out rows $rows: $(head -c 600 "$tmp/top.text" | tr '\n' '|')"
	fi
fi

# Who is who: each event names its process (its name, parent,
# executable and arguments), told by the kernel side once.
if start --output json -c pn-check; then
	"$SOCKDRIVE" --name pn-check tcp > "$tmp/facts.pn"
	"$SOCKDRIVE" --name pn-check refused >> "$tmp/facts.pn"
	kill -INT $pid
	wait $pid
	n=$(jq -s 'length' "$tmp/out")
	bad=$(jq -c --argjson ppid $$ --arg cmd "$SOCKDRIVE --name pn-check" \
		'select((.process == "pn-check" and .ppid == $ppid and .exe == "sockdrive" and
		         (.cmdline | startswith($cmd))) | not) | {event, process, ppid, exe, cmdline}' "$tmp/out")
	[ "$n" -ge 5 ] && [ -z "$bad" ] &&
		ok "events name their process: name, parent, executable, arguments ($n events, a failed connect's too)" ||
		fail "events name their process" "$n events; $(head -3 <<< "$bad" | tr '\n' ' ')"
fi

# Repeated, --comm and --events add up: two names traced, a third not;
# connects and closes, no sends.
if start --output json -c st-one -c st-two -e connect -e close; then
	for n in st-one st-two st-three; do "$SOCKDRIVE" --name $n tcp > /dev/null; done
	kill -INT $pid
	wait $pid
	got=$(jq -s -c '[.[] | select(.comm | startswith("st-")) | "\(.comm) \(.event)"] | unique' "$tmp/out")
	[ "$got" = '["st-one close","st-one connect","st-two close","st-two connect"]' ] &&
		ok "-c NAME -c NAME and -e KIND -e KIND: both names, both kinds" ||
		fail "-c NAME -c NAME and -e KIND -e KIND: both names, both kinds" "$got"
fi

# The summary: the busiest processes first, 20 of them, then one row for
# the rest; then the busiest peers.
if start --output json -c st-many; then
	for i in $(seq 30); do "$SOCKDRIVE" --name st-many tcp > /dev/null; done
	kill -INT $pid
	wait $pid
	procs=$(jq -s '[.[] | .pid] | unique | length' "$tmp/out")
	rows=$(sed -n '/^PID /,/^[^0-9(-]/p' "$tmp/err" | grep -cE '^[0-9]+ ')
	others=$(grep -oE '^- +\(([0-9]+) others\)' "$tmp/err" | grep -oE '[0-9]+')
	sorted=$(sed -n '/^PID /,/^[^0-9(-]/p' "$tmp/err" | grep -E '^[0-9]+ ' |
		awk '{ b = $7 + $8; if (NR > 1 && b > last) bad = 1; last = b } END { print bad ? "no" : "yes" }')
	long=$(sed -n '/^PID /,/^socktrace: kernel/p' "$tmp/err" | grep -v '^socktrace: ' | awk '{ if (length > 80) n++ } END { print n + 0 }')
	[ "$procs" -gt 21 ] && [ "$rows" = 20 ] && [ "$others" = $((procs - 20)) ] && [ "$sorted" = yes ] &&
	[ "$long" = 0 ] &&
		ok "summary: $procs processes in 20 rows, the busiest first, and a row for $others others, within 80 columns" ||
		fail "summary: 20 rows, the busiest first, and a row for the others" \
			"$procs processes, $rows rows, others '$others', sorted $sorted, $long over 80: $(head -c 400 "$tmp/err")"
	grep -qE '^PEER +SOCKETS FAILED +SENT_BYTES +RECV_BYTES$' "$tmp/err" &&
		grep -qE '^127\.0\.0\.1 +[0-9]+ +0 +[0-9]+ +[0-9]+$' "$tmp/err" &&
		ok "summary: the busiest peers, 127.0.0.1 among them" ||
		fail "summary: the busiest peers" "$(grep -A3 '^PEER' "$tmp/err")"
fi

# The call table can hold a pending call of every thread the kernel can
# have, so no process can push another's record out.
if start --output json; then
	entries=$(bpftool -j map show 2>/dev/null | jq -r '[.[] | select(.name == "calls")] | max_by(.id) | .max_entries')
	[ "${entries:-0}" -ge "$(cat /proc/sys/kernel/pid_max)" ] &&
		ok "the call table has room for every thread ($entries >= pid_max)" ||
		fail "the call table has room for every thread" "max_entries $entries, pid_max $(cat /proc/sys/kernel/pid_max)"
	kill -INT $pid
	wait $pid
fi

for sig in INT TERM HUP PIPE; do
	if start --output json; then
		"$SOCKDRIVE" tcp > "$tmp/facts"
		drv=$(jq -r 'select(.helper) | .pid' "$tmp/facts")
		kill -$sig $pid
		wait $pid
		rc=$?
		row=$(final ".processes[] | select(.pid == $drv) | [.out, .sent_bytes, .sends, .open]")
		if [ $rc = 0 ] && grep -q '^socktrace: stopped: ' "$tmp/err" && [ "$row" = "[1,12,2,0]" ]; then
			ok "SIG$sig: exit 0 with the per-process summary"
		else
			fail "SIG$sig: exit 0 with the per-process summary" "exit $rc, row $row: $(tr '\n' '|' < "$tmp/err")"
		fi
		nothing_left "after SIG$sig"
	fi
done

# Least privilege: once attached, no capability, no_new_privs, seccomp.
if start --output json --events all; then
	st=/proc/$pid/status
	if grep -Eq '^CapEff:\s+0+$' $st && grep -Eq '^CapPrm:\s+0+$' $st && grep -Eq '^CapBnd:\s+0+$' $st &&
	   grep -Eq '^NoNewPrivs:\s+1$' $st; then
		ok "running: no capability left (effective, permitted, bounding), no_new_privs"
	else
		fail "running: no capability left, no_new_privs" "$(grep -E 'Cap|NoNew' $st | tr '\n' ' ')"
	fi
	# The sanitized build keeps all syscalls (LeakSanitizer needs ptrace).
	if [ -z "${SANITIZED:-}" ]; then
		grep -Eq '^Seccomp:\s+2$' $st && ok "running: seccomp filter on (Seccomp: 2)" ||
			fail "running: seccomp filter on" "$(grep Seccomp $st)"
	fi
	"$SOCKDRIVE" tcp > "$tmp/facts"
	kill -INT $pid
	wait $pid
	rc=$?
	n=$(jq -s "[.[] | select(.pid == $(jq -r 'select(.helper) | .pid' "$tmp/facts"))] | length" "$tmp/out")
	[ $rc = 0 ] && [ "$n" = 5 ] && ok "sandboxed: traced all 5 events and stopped cleanly" ||
		fail "sandboxed: traced all 5 events and stopped cleanly" "exit $rc, $n events"
fi

# Reduced privileges: what the kernel asks for and no more; socktrace drops
# what it can and never fails after attaching for what it cannot.
if command -v setpriv > /dev/null && [ -z "${SANITIZED:-}" ]; then
	for caps in +bpf,+perfmon +sys_admin; do
		rm -f "$tmp/status"
		touch "$tmp/status"
		chmod 666 "$tmp/status"
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all,$caps \
			--ambient-caps=-all,$caps --bounding-set=-all,$caps \
			"$SOCKTRACE" --status "$tmp/status" --duration 3 --output json > "$tmp/out" 2> "$tmp/err" &
		pid=$!
		wait_line "$tmp/status" tracing $pid 50
		"$SOCKDRIVE" tcp > "$tmp/facts"
		wait $pid
		rc=$?
		drv=$(jq -r 'select(.helper) | .pid' "$tmp/facts")
		n=$(jq -s "[.[] | select(.pid == $drv)] | length" "$tmp/out" 2>/dev/null)
		[ $rc = 0 ] && [ "$n" = 3 ] && ok "only $caps: traced and stopped cleanly" ||
			fail "only $caps: traced and stopped cleanly" "exit $rc, $n events: $(tr '\n' '|' < "$tmp/err")"
	done
	nothing_left "after reduced privileges"
fi

# Two instances side by side see the same events and stop cleanly.
"$SOCKTRACE" --output json -e all --comm st-twin > "$tmp/twin1" 2> "$tmp/twin1.err" &
t1=$!
"$SOCKTRACE" --output json -e all --comm st-twin > "$tmp/twin2" 2> "$tmp/twin2.err" &
t2=$!
wait_line "$tmp/twin1.err" '^socktrace: tracing' $t1 100
wait_line "$tmp/twin2.err" '^socktrace: tracing' $t2 100
"$SOCKDRIVE" --name st-twin udp > /dev/null
"$SOCKDRIVE" --name st-twin tcp > /dev/null
kill -INT $t1 $t2
wait $t1; r1=$?
wait $t2; r2=$?
e1=$(jq -c -s 'map(del(.time, .duration_ns, .latency_ns, .sock)) | sort' "$tmp/twin1")
e2=$(jq -c -s 'map(del(.time, .duration_ns, .latency_ns, .sock)) | sort' "$tmp/twin2")
if [ $r1 = 0 ] && [ $r2 = 0 ] && [ "$e1" = "$e2" ] && [ "$(jq length <<< "$e1")" = 10 ]; then
	ok "two instances: both exit 0 with the same 10 events"
else
	fail "two instances: both exit 0 with the same 10 events" "exits $r1 $r2, $(jq length <<< "$e1") and $(jq length <<< "$e2") events"
fi
nothing_left "after two instances"

# A hostile comm on a terminal: every byte that is not printable text is
# shown escaped; nothing raw can reach the terminal.
if start --output text --wide -e all; then
	"$SOCKDRIVE" --name-hex 71225c0a09017fc3a9ffe2821b5b32 tcp > "$tmp/facts"
	"$SOCKDRIVE" --name-hex 61e280ae62e280a863 tcp > "$tmp/facts2"
	kill -INT $pid
	wait $pid
	drv=$(jq -r 'select(.helper) | .pid' "$tmp/facts")
	drv2=$(jq -r 'select(.helper) | .pid' "$tmp/facts2")
	# Escaped, the first is longer than its column: cut with a '~'; the
	# second fits. Either way the columns after it stay in place (the
	# event's kind at column 43).
	want='q"\\\x0a\x09~'
	if [ "$(grep -c "^[0-9:.]* *$drv " "$tmp/out")" = 5 ] &&
	   [ "$(grep "^[0-9:.]* *$drv " "$tmp/out" | grep -cF " $want ")" = 5 ] &&
	   [ "$(grep "^[0-9:.]* *$drv2 " "$tmp/out" | grep -cF ' a\u202eb\u2028c ')" = 5 ] &&
	   [ "$(grep "^[0-9:.]* *\($drv\|$drv2\) " "$tmp/out" | cut -c43-48 | grep -cE '^(listen|connec|accept|send  |recv  |close )')" = 10 ] &&
	   ! LC_ALL=C grep -q '[[:cntrl:]]' "$tmp/out" && ! grep -q $'\u202e\|\u2028' "$tmp/out"; then
		ok "text: hostile comms escaped (controls, U+202E, U+2028), cut to their column, 5 whole lines each"
	else
		fail "text: hostile comms escaped, cut to their column, 5 whole lines each" \
			"$(grep -a "\($drv\|$drv2\)" "$tmp/out" | head -4 | od -c | head -8 | tr '\n' ' ')"
	fi
fi

# --containers: a socket's cgroup named as the container it stands for,
# in JSON and, as it is not socktrace's own, at the end of a text line.
root=/sys/fs/cgroup
[ -e $root/unified/cgroup.procs ] && root=$root/unified
scope=$root/docker-0123456789abcdef0123456789abcdef.scope
if mkdir -p "$scope" 2>/dev/null; then
	for fmt in json text; do
		if start --output $fmt --containers; then
			"$SOCKDRIVE" --cgroup "$scope" tcp > "$tmp/facts.$fmt"
			kill -INT $pid
			wait $pid
		fi
		cp "$tmp/out" "$tmp/containers.$fmt"
	done
	drv=$(jq -r 'select(.helper) | .pid' "$tmp/facts.json")
	[ "$(jq -s -c "[.[] | select(.pid == $drv) | .container] | unique" "$tmp/containers.json")" = \
	  '["docker:0123456789ab"]' ] &&
		ok "--containers: JSON names the container of each socket" ||
		fail "--containers: JSON names the container" "$(grep sockdrive "$tmp/containers.json" | head -2)"
	grep -q ' \[docker:0123456789ab\]$' "$tmp/containers.text" &&
		ok "--containers: text names it at the end of the line" ||
		fail "--containers: text names it at the end of the line" "$(grep sockdrive "$tmp/containers.text" | head -2)"
	rmdir "$scope"
	# A container started after socktrace: named as the kernel side tells
	# its first process there.
	later=$root/docker-fedcba9876543210fedcba9876543210.scope
	if start --output json --containers; then
		mkdir -p "$later"
		"$SOCKDRIVE" --cgroup "$later" tcp > "$tmp/facts.later"
		kill -INT $pid
		wait $pid
		drv=$(jq -r 'select(.helper) | .pid' "$tmp/facts.later")
		got=$(jq -s -c "[.[] | select(.pid == $drv) | .container] | unique" "$tmp/out")
		[ "$got" = '["docker:fedcba987654"]' ] &&
			ok "--containers: a container started while tracing is named too" ||
			fail "--containers: a container started while tracing is named too" "$got"
		rmdir "$later"
	fi
fi

# Errors name their cause and the fix, in one line, exit 1. A private
# mount namespace hides what socktrace needs without touching the host.
if command -v unshare > /dev/null; then
	empty=$(mktemp -d)
	unshare -m sh -c "mount --bind $empty /sys/kernel/btf && exec $SOCKTRACE" > /dev/null 2> "$tmp/err"
	rc=$?
	[ $rc = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q 'BTF' "$tmp/err" &&
		ok "no BTF: exit 1, one line: $(cat "$tmp/err")" ||
		fail "no BTF: exit 1, one line naming BTF" "exit $rc: $(cat "$tmp/err")"
	# The BTF from a file, for a kernel without its own: tracing works
	# (what needs the kernel's own BTF, iterators, goes without).
	cp /sys/kernel/btf/vmlinux "$tmp/vmlinux.btf"
	unshare -m sh -c "mount --bind $empty /sys/kernel/btf && exec $SOCKTRACE --btf $tmp/vmlinux.btf \
		--duration 1 --status $tmp/status" > /dev/null 2> "$tmp/err"
	rc=$?
	[ $rc = 0 ] && [ "$(jq -c 'select(.status == "stopped") | .exit' "$tmp/status")" = 0 ] &&
		grep -q '"task_file_iter":false' "$tmp/status" &&
		ok "--btf FILE on a kernel without BTF: traces" ||
		fail "--btf FILE on a kernel without BTF: traces" "exit $rc: $(cat "$tmp/err")"
	grep -q -- '--btf' <(unshare -m sh -c "mount --bind $empty /sys/kernel/btf && exec $SOCKTRACE" 2>&1) &&
		ok "no BTF: the error names --btf FILE as a way out" || fail "no BTF: the error names --btf FILE"
	# Where tracefs is not mounted, socktrace mounts its own in a mount
	# namespace of its own, and the per-syscall tracepoints serve; the
	# mount namespace it was started in does not see it.
	# (Until it says it is tracing, then the sockets: a sanitized build
	# on a busy machine takes more than a second to attach.)
	rm -f "$tmp/status"
	unshare -m sh -c "mount -t tmpfs tmpfs /sys/kernel/tracing; mount -t tmpfs tmpfs /sys/kernel/debug;
		$SOCKTRACE --duration 4 --status $tmp/status -o json > $tmp/out 2> $tmp/err &
		. $(dirname "$0")/tracer.sh; wait_line $tmp/status '\"status\":\"tracing\"' \$! 300;
		$SOCKDRIVE tcp > $tmp/facts; wait \$!; echo rc=\$?; ls /sys/kernel/tracing" > "$tmp/sh" 2>&1
	drv=$(jq -r 'select(.helper) | .pid' "$tmp/facts" 2>/dev/null)
	if grep -q '^rc=0$' "$tmp/sh" && [ "$(grep -vc '^rc=0$' "$tmp/sh")" = 0 ] &&
	   jq -e -s '.[0] | .kernel.tracefs == "own" and .syscall_hooks == "per-syscall"' "$tmp/status" > /dev/null &&
	   [ "$(jq -s "[.[] | select(.pid == ${drv:-0})] | length" "$tmp/out")" = 3 ]; then
		ok "no tracefs: socktrace mounts its own, unseen outside, and traces with per-syscall tracepoints"
	else
		fail "no tracefs: socktrace mounts its own and traces" "$(tr '\n' '|' < "$tmp/sh") $(head -1 "$tmp/status") events of $drv: $(jq -r -s "[.[] | select(.pid == ${drv:-0}) | .event] | join(\" \")" "$tmp/out")"
	fi
	# Without CAP_SYS_ADMIN it cannot mount one: it says so and uses the
	# raw dispatch.
	if command -v setpriv > /dev/null && [ -z "${SANITIZED:-}" ]; then
		unshare -m sh -c "mount -t tmpfs tmpfs /sys/kernel/tracing; mount -t tmpfs tmpfs /sys/kernel/debug;
			exec setpriv --inh-caps=-all,+bpf,+perfmon --bounding-set=-all,+bpf,+perfmon,+setpcap \
			$SOCKTRACE --duration 1 --status $tmp/status" > /dev/null 2> "$tmp/err"
		rc=$?
		if [ $rc = 0 ] && [ "$(grep -c 'tracefs' "$tmp/err")" = 1 ] &&
		   grep -q '^socktrace: tracefs is not mounted and socktrace could not mount its own (EPERM, .*raw' "$tmp/err" &&
		   jq -e -s '.[0] | .kernel.tracefs == "none" and .syscall_hooks == "raw"' "$tmp/status" > /dev/null; then
			ok "no tracefs, no CAP_SYS_ADMIN: one line says why, raw dispatch"
		else
			fail "no tracefs, no CAP_SYS_ADMIN: one line says why, raw dispatch" "exit $rc: $(tr '\n' '|' < "$tmp/err")"
		fi
	fi
	rmdir "$empty"
	nothing_left "after the refused starts"
fi
# The status file is written with plain write()s: a device or a terminal
# is as good as a file (stdio would ask whether it is a terminal, which
# the sandbox does not allow).
timeout 10 "$SOCKTRACE" --duration 1 --status /dev/null > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 0 ] && ok "--status /dev/null: exit 0" || fail "--status /dev/null: exit 0" "exit $rc: $(cat "$tmp/err")"
if command -v script > /dev/null; then
	script -qec "$SOCKTRACE --duration 1 --output json --status /dev/tty > /dev/null; echo rc=\$?" /dev/null \
		> "$tmp/tty" 2>&1
	grep -q '^rc=0' "$tmp/tty" && grep -q '"status":"stopped"' "$tmp/tty" &&
		ok "--status on a terminal: exit 0, both records" ||
		fail "--status on a terminal: exit 0, both records" "$(tr '\r\n' '||' < "$tmp/tty" | head -c 300)"
fi
# A status file that cannot be written (a full file system) is an error,
# as stdout's is: one line, exit 1.
if command -v unshare > /dev/null; then
	full=$(mktemp -d)
	unshare -m sh -c "mount -t tmpfs -o size=4k tmpfs $full && dd if=/dev/zero of=$full/fill bs=4k count=4 2>/dev/null;
		exec $SOCKTRACE --duration 1 --status $full/status" > /dev/null 2> "$tmp/err"
	rc=$?
	[ $rc = 1 ] && grep -q "^socktrace: cannot write the status file $full/status: No space left on device$" "$tmp/err" &&
		ok "--status on a full file system: exit 1, one line says so" ||
		fail "--status on a full file system: exit 1, one line says so" "exit $rc: $(tr '\n' '|' < "$tmp/err")"
	rmdir "$full"
fi
# A link or a file another user planted in a world-writable sticky
# directory is not followed or truncated (fs.protected_symlinks and
# protected_regular); socktrace's own, or the directory owner's, are.
if command -v setpriv > /dev/null; then
	mkdir -m 1777 "$tmp/sticky"
	echo precious > "$tmp/target"
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	as_nobody ln -s "$tmp/target" "$tmp/sticky/planted"
	as_nobody touch "$tmp/sticky/planted-file"
	refused 1 "--status through a symlink another user planted in a sticky directory" --status "$tmp/sticky/planted"
	grep -q 'protected_symlinks' "$tmp/err" && [ "$(cat "$tmp/target")" = precious ] &&
		ok "... the link's target is untouched" || fail "... the link's target is untouched" "$(cat "$tmp/target")"
	refused 1 "--status on a file another user planted in a sticky directory" --status "$tmp/sticky/planted-file"
	ln -s "$tmp/target" "$tmp/sticky/mine"
	timeout 10 "$SOCKTRACE" --duration 1 --status "$tmp/sticky/mine" > /dev/null 2>&1
	rc=$?
	[ $rc = 0 ] && grep -q '"status":"stopped"' "$tmp/target" &&
		ok "--status through socktrace's user's own link there: followed" ||
		fail "--status through its own link: followed" "exit $rc: $(head -c 200 "$tmp/target")"
	rm -rf "$tmp/sticky"
fi

# A closed stdout ends it promptly, even with nothing more to write.
start_s=$(date +%s%N)
( "$SOCKTRACE" --output json 2> "$tmp/err"; echo $? > "$tmp/rc" ) | head -c 0
sleep 0.1 # head -c 0 exits at once: socktrace must notice with no event to write
for _ in $(seq 50); do [ -s "$tmp/rc" ] && break; sleep 0.1; done
if [ "$(cat "$tmp/rc" 2>/dev/null)" = 0 ]; then
	ok "closed stdout: exit 0 in $(( ($(date +%s%N) - start_s) / 1000000 )) ms"
else
	fail "closed stdout: exit 0 within 5 s" "rc=$(cat "$tmp/rc" 2>/dev/null) $(cat "$tmp/err")"
fi
# ... and while events flow (socktrace | head -1).
rm -f "$tmp/err"
( "$SOCKTRACE" --output json 2> "$tmp/err"; echo $? > "$tmp/rc2" ) | head -1 > "$tmp/first" &
for _ in $(seq 50); do grep -q tracing "$tmp/err" 2>/dev/null && break; sleep 0.1; done
"$SOCKDRIVE" tcp > /dev/null
for _ in $(seq 50); do [ -s "$tmp/rc2" ] && break; sleep 0.1; done
if [ "$(cat "$tmp/rc2" 2>/dev/null)" = 0 ] && jq -e .event "$tmp/first" > /dev/null; then
	ok "socktrace | head -1: one event, then exit 0"
else
	fail "socktrace | head -1: one event, then exit 0" "rc=$(cat "$tmp/rc2" 2>/dev/null) $(cat "$tmp/first")"
fi
nothing_left "after a closed stdout"

# An output that fails (a full disk): said in one line, exit 1, and the
# events not written are not counted as delivered.
rm -f "$tmp/status"
"$SOCKTRACE" --output json -e all --status "$tmp/status" > /dev/full 2> "$tmp/err" &
pid=$!
wait_line "$tmp/status" tracing $pid 100
"$SOCKDRIVE" tcp > /dev/null
for _ in $(seq 30); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
if [ $rc = 1 ] && grep -q '^socktrace: cannot write the events: No space left on device$' "$tmp/err" &&
   [ "$(final '[.events.written, .output_error, (.events.unwritten > 0)]')" = '[0,"ENOSPC",true]' ]; then
	ok "stdout on /dev/full: exit 1, the error in one line, nothing counted as delivered"
else
	fail "stdout on /dev/full: exit 1, the error in one line" "exit $rc: $(tr '\n' '|' < "$tmp/err") $(final .events)"
fi

# A reader that stops reading (socktrace | cat, cat stopped): a signal
# still ends socktrace within about a second, with the summary, and what
# it could not write is counted.
rm -f "$tmp/fifo" "$tmp/status"
mkfifo "$tmp/fifo"
cat "$tmp/fifo" > /dev/null &
reader=$!
disown $reader 2>/dev/null
"$SOCKTRACE" --output json -e all --status "$tmp/status" > "$tmp/fifo" 2> "$tmp/err" &
pid=$!
wait_line "$tmp/status" tracing $pid 100
kill -STOP $reader
"$SOCKDRIVE" flood 3000 > /dev/null
sleep 0.5
t0=$(date +%s%N)
kill -INT $pid
wait $pid
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill -KILL $reader 2>/dev/null
wait $reader 2>/dev/null
if [ $rc = 0 ] && [ $ms -lt 1500 ] && grep -q '^socktrace: stopped: .* not written' "$tmp/err" &&
   [ "$(final '.events.unwritten > 0')" = true ]; then
	ok "stalled reader: SIGINT ends it in $ms ms, the unwritten events counted"
else
	fail "stalled reader: SIGINT ends it within a second" "exit $rc after $ms ms: $(tr '\n' '|' < "$tmp/err")"
fi

# A reader that takes the output, but slowly: stopped with lines still
# waiting, socktrace writes what fits in its second and gives up the rest,
# counted; whatever it wrote is whole lines, each valid JSON.
rm -f "$tmp/fifo" "$tmp/status" "$tmp/slow.json"
mkfifo "$tmp/fifo"
python3 -c 'import os, sys, time
out = open(sys.argv[1], "wb")
while True:
    d = os.read(0, 1024)
    if not d:
        break
    out.write(d)
    time.sleep(0.005)' "$tmp/slow.json" < "$tmp/fifo" &
reader=$!
"$SOCKTRACE" --output json -e all --status "$tmp/status" > "$tmp/fifo" 2> "$tmp/err" &
pid=$!
wait_line "$tmp/status" tracing $pid 100
"$SOCKDRIVE" flood 3000 > /dev/null
sleep 0.3
kill -INT $pid
wait $pid
rc=$?
wait $reader
lines=$(wc -l < "$tmp/slow.json")
if [ $rc = 0 ] && [ "$(final '.events.unwritten > 0')" = true ] && [ -s "$tmp/slow.json" ] &&
   [ "$(tail -c 1 "$tmp/slow.json" | od -An -c | tr -d ' ')" = '\n' ] && jq -c . "$tmp/slow.json" > /dev/null 2>&1; then
	ok "slow reader: stopped with lines waiting, $lines whole lines written, each valid JSON, the rest counted"
else
	fail "slow reader: only whole lines, each valid JSON" "exit $rc, $lines lines, ends with $(tail -c 20 "$tmp/slow.json" | od -An -c | tr -s ' ' | tail -1), $(final .events)"
fi

# The same with a non-blocking stdout, stopped and continued while it
# waits for room: no syscall the sandbox forgot (restart_syscall).
rm -f "$tmp/status"
exec 7<> "$tmp/fifo"
python3 -c 'import os, sys; os.set_blocking(1, False); os.execv(sys.argv[1], sys.argv[1:])' \
	"$SOCKTRACE" --output json -e all --status "$tmp/status" > "$tmp/fifo" 2> "$tmp/err" &
pid=$!
wait_line "$tmp/status" tracing $pid 100
"$SOCKDRIVE" flood 3000 > /dev/null
for _ in 1 2 3 4 5; do
	sleep 0.2
	kill -STOP $pid
	sleep 0.1
	kill -CONT $pid
done
kill -INT $pid
wait $pid
rc=$?
exec 7<&-
[ $rc = 0 ] && [ "$(final '.events.unwritten > 0')" = true ] &&
	ok "non-blocking stalled stdout, stopped and continued: exit 0, no SIGSYS" ||
	fail "non-blocking stalled stdout, stopped and continued: exit 0" "exit $rc: $(tr '\n' '|' < "$tmp/err")"
nothing_left "after stalled outputs"

# --duration stops it by itself.
start_s=$(date +%s%N)
timeout 10 "$SOCKTRACE" --duration 1 > /dev/null 2> "$tmp/err"
rc=$?
ms=$(( ($(date +%s%N) - start_s) / 1000000 ))
[ $rc = 0 ] && [ $ms -ge 1000 ] && [ $ms -lt 5000 ] && ok "--duration 1: exit 0 after $ms ms" ||
	fail "--duration 1: exit 0 after about a second" "exit $rc after $ms ms"

# The default format follows stdout: text on a terminal (script gives a
# pty), a line per connection; --stream, a line per event; both fitted
# to 80 columns.
if command -v script > /dev/null; then
	script -qec "$SOCKTRACE --duration 2" /dev/null > "$tmp/tty.conn" 2>&1 &
	cpid=$!
	script -qec "$SOCKTRACE -e all --duration 2" /dev/null > "$tmp/tty" 2>&1 &
	spid=$!
	wait_line "$tmp/tty.conn" 'socktrace: tracing' $cpid 100
	wait_line "$tmp/tty" 'socktrace: tracing' $spid 100
	"$SOCKDRIVE" --name tty-check tcp > "$tmp/facts"
	wait $cpid $spid
	tr -d '\r' < "$tmp/tty" > "$tmp/text"
	tr -d '\r' < "$tmp/tty.conn" > "$tmp/text.conn"
	drv=$(jq -r 'select(.helper) | .pid' "$tmp/facts")
	port=$(jq -r 'select(.event == "close") | .sport' "$tmp/facts")
	if grep -Eq '^PID +COMM +CONNECTION +RESULT +OUT +IN +DUR$' "$tmp/text.conn" &&
	   grep -Eq "^$drv +tty-check +tcp :$port > 127\.0\.0\.1:[0-9]+ +closed +12B +0B +[0-9]+(us|ms)$" "$tmp/text.conn" &&
	   [ "$(grep -cE "^$drv +tty-check +tcp " "$tmp/text.conn")" = 2 ] &&
	   [ "$(grep -E "^$drv +tty-check +tcp " "$tmp/text.conn" | awk '{ if (length > 80) n++ } END { print n + 0 }')" = 0 ]; then
		ok "terminal: a line per connection, within 80 columns"
	else
		fail "terminal: a line per connection, within 80 columns" "$(grep -E "PID|$drv" "$tmp/text.conn" | tr '\n' '|')"
	fi
	if grep -Eq '^TIME +PID +COMM +EVENT +DETAIL$' "$tmp/text" &&
	   grep -Eq "^[0-9:]{8} +$drv +tty-check +connect +tcp (127\.0\.0\.1)?:$port > 127\.0\.0\.1:[0-9]+ ok [0-9]+us$" "$tmp/text" &&
	   grep -Eq "^[0-9:]{8} +$drv +tty-check +send +tcp ((127\.0\.0\.1)?:$port )?> 127\.0\.0\.1:[0-9]+, 5 bytes \(sendto\)$" "$tmp/text" &&
	   grep -Eq "^[0-9:]{8} +$drv +tty-check +close +tcp ((127\.0\.0\.1)?:$port )?> 127\.0\.0\.1:[0-9]+ 12B out 0B in, [0-9]+(us|ms)$" "$tmp/text" &&
	   [ "$(grep -cE "^[0-9:]{8} +$drv " "$tmp/text")" = 5 ] &&
	   [ "$(grep -E "^[0-9:]{8} +$drv " "$tmp/text" | awk '{ if (length > 80) n++ } END { print n + 0 }')" = 0 ]; then
		ok "terminal: --events, a line per event, each naming the socket's ends, within 80 columns"
	else
		fail "terminal: --events, a line per event within 80 columns" "$(grep -E "TIME|$drv" "$tmp/text" | tr '\n' '|')"
	fi
	# A failure is red on a terminal; never in a pipe or a file, nor with
	# NO_COLOR set.
	script -qec "$SOCKTRACE -e connect --duration 4" /dev/null > "$tmp/tty" 2>&1 &
	spid=$!
	"$SOCKTRACE" -o text -e connect --duration 4 > "$tmp/pipe" 2> "$tmp/pipe.err" &
	ppid_=$!
	NO_COLOR=1 script -qec "$SOCKTRACE -e connect --duration 4" /dev/null > "$tmp/nocolor" 2>&1 &
	npid=$!
	wait_line "$tmp/tty" 'socktrace: tracing' $spid 100
	wait_line "$tmp/pipe.err" 'socktrace: tracing' $ppid_ 100
	wait_line "$tmp/nocolor" 'socktrace: tracing' $npid 100
	"$SOCKDRIVE" --name tty-red refused > "$tmp/facts"
	wait $spid $ppid_ $npid
	if grep -q $'^\e\[31m[0-9:]* .* tty-red .* ECONNREFUSED [0-9]*us\e\[0m\r*$' "$tmp/tty" &&
	   grep -q 'tty-red .* ECONNREFUSED' "$tmp/pipe" && ! grep -q $'\e' "$tmp/pipe" &&
	   grep -q 'tty-red .* ECONNREFUSED' "$tmp/nocolor" && ! grep -q $'\e' "$tmp/nocolor"; then
		ok "terminal: a failed connect is red; not in a pipe, nor with NO_COLOR"
	else
		fail "terminal: a failed connect is red; not in a pipe, nor with NO_COLOR" \
			"$(grep -a tty-red "$tmp/tty" "$tmp/pipe" "$tmp/nocolor" | od -c | head -6 | tr '\n' ' ')"
	fi
fi

# SIGKILL cannot run any cleanup: the kernel must drop everything anyway.
if start --output json; then
	kill -KILL $pid
	wait $pid 2>/dev/null
	sleep 0.5 # links are released as the process's files are closed
	nothing_left "after SIGKILL"
fi

# valgrind: no leak and no memory error in a run with events (the
# suppressions cover libbpf's partly set bpf_attr, which is not ours).
if [ -z "${SANITIZED:-}" ] && command -v valgrind > /dev/null; then
	rm -f "$tmp/status"
	valgrind --quiet --suppressions=tests/valgrind.supp --leak-check=full \
		--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--error-exitcode=99 "$SOCKTRACE" --output json -e all --status "$tmp/status" --duration 8 \
		> "$tmp/out" 2> "$tmp/err" &
	vg=$!
	wait_line "$tmp/status" tracing $vg 150
	"$SOCKDRIVE" tcp > /dev/null
	"$SOCKDRIVE" dns > /dev/null
	"$SOCKDRIVE" exit > /dev/null
	wait $vg
	rc=$?
	[ $rc = 0 ] && [ "$(grep -c '"sockdrive"' "$tmp/out")" -ge 14 ] &&
		ok "valgrind: no leak, no error, events traced" ||
		fail "valgrind: no leak, no error, events traced" "exit $rc: $(grep -v '^socktrace' "$tmp/err" | head -20 | tr '\n' '|')"
fi

finish
