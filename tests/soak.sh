#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Bounded state: a million short-lived sockets, processes that exit with
# sockets open and a thread killed inside a sendfile. Afterwards the kernel's
# tables are empty again, socktrace's memory has not grown, and every event
# was delivered or counted.
#
#   SOCKTRACE=build/socktrace SOCKDRIVE=build/sockdrive tests/soak.sh [SOCKETS]
set -u
: "${SOCKTRACE:?}" "${SOCKDRIVE:?}"
sockets=${1:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
label=soak
. "$(dirname "$0")/lib.sh"

# start [count]: with count, stdout is only counted (millions of lines):
# "events lost" into $tmp/count once socktrace is done.
start() {
	rm -f "$tmp/out" "$tmp/err" "$tmp/count" # so no wait below can see an old file
	if [ -n "${1:-}" ]; then
		"$SOCKTRACE" --output json --comm st-soak 2> "$tmp/err" > >(awk '
			/"event":"lost"/ { match($0, /"count":[0-9]+/); lost += substr($0, RSTART + 8, RLENGTH - 8); next }
			/"comm":"st-soak"/ { n++ }
			END { print n + 0, lost + 0 > "'"$tmp/count.part"'"; close("'"$tmp/count.part"'");
			      system("mv '"$tmp/count.part $tmp/count"'") }') &
	else
		"$SOCKTRACE" --output json --comm st-soak > "$tmp/out" 2> "$tmp/err" &
	fi
	pid=$!
	for _ in $(seq 100); do
		grep -q '^socktrace: tracing' "$tmp/err" && return 0
		sleep 0.1
	done
	fail "socktrace started" "$(cat "$tmp/err")"
	exit 1
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
stop() {
	kill -INT $pid
	wait $pid
	rc=$?
}
tables_empty() { # tables_empty WHAT
	grep -q '^socktrace: kernel tables: 0 sockets of 0 processes still open' "$tmp/err" &&
		ok "$1: the kernel's tables are empty again" ||
		fail "$1: the kernel's tables are empty again" "$(grep 'kernel tables' "$tmp/err")"
}

# A tenth of the sockets first: the ring buffer and the tables reach their
# working size; the rest must not make memory grow.
start count
tenth=$((sockets / 10))
"$SOCKDRIVE" --name st-soak churn $tenth > /dev/null
rss1=$(rss_kb)
"$SOCKDRIVE" --name st-soak churn $((sockets - tenth)) > /dev/null
rss2=$(rss_kb)
stop
for _ in $(seq 100); do [ -s "$tmp/count" ] && break; sleep 0.1; done
read -r delivered lost < "$tmp/count"
[ $rc = 0 ] && ok "$sockets sockets: socktrace exited 0" || fail "$sockets sockets: socktrace exited 0" "exit $rc"
[ $((delivered + lost)) = $((2 * sockets)) ] &&
	ok "$sockets sockets: delivered $delivered + lost $lost = $((2 * sockets)) events" ||
	fail "$sockets sockets: delivered + lost = $((2 * sockets)) events" "delivered $delivered, lost $lost"
[ $((rss2 - rss1)) -le 1024 ] &&
	ok "$sockets sockets: RSS flat (${rss1} kB after $tenth, ${rss2} kB after $sockets)" ||
	fail "$sockets sockets: RSS flat" "${rss1} kB after $tenth, ${rss2} kB after $sockets"
# Each lost event may be a connect the summary could not count, or a close
# that took the bytes of its socket along.
read -r out bytes open < <(awk '$2 == "st-soak" { n += $3; b += $7; open += $NF }
	END { print n + 0, b + 0, open + 0 }' "$tmp/err")
[ "$open" = 0 ] && [ $out -le $sockets ] && [ $((out + lost)) -ge $sockets ] &&
	[ $bytes -le $sockets ] && [ $((bytes + lost)) -ge $sockets ] &&
	ok "$sockets sockets: the summary counts $out connected and $bytes bytes, lost $lost, none open" ||
	fail "$sockets sockets: the summary counts them all, none open" "lost $lost; $(grep st-soak "$tmp/err")"
tables_empty "$sockets sockets"

# Processes that never close, and a thread killed inside a blocking sendfile.
start
for _ in $(seq 200); do "$SOCKDRIVE" --name st-soak exit > /dev/null; done
"$SOCKDRIVE" --name st-soak stuck > "$tmp/stuck" &
stuck=$!
for _ in $(seq 100); do grep -q stuck "$tmp/stuck" && break; sleep 0.05; done
sleep 0.2
kill -KILL $stuck
wait $stuck 2>/dev/null
sleep 0.2
if command -v bpftool > /dev/null; then
	# The per-thread call map of this socktrace: the newest named calls.
	# A live thread keeps its slot there between calls, with kind 0.
	id=$(bpftool -j map show 2>/dev/null | jq -r '[.[] | select(.name == "calls") | .id] | max // empty')
	n=$(bpftool -j map dump id "$id" 2>/dev/null | jq '[.[] | select(.formatted.value.kind != 0)] | length')
	[ -n "$id" ] && [ "$n" = 0 ] && ok "killed mid-syscall: no call left pending (map $id)" ||
		fail "killed mid-syscall: no call left pending" "map '$id': '$n' entries"
fi
stop
closes=$(jq -s '[.[] | select(.event == "close" and .reason == "exit")] | length' "$tmp/out")
[ "$closes" = 401 ] && ok "200 processes exiting with 2 sockets open, 1 killed: 401 closes by exit" ||
	fail "401 closes by exit" "$closes"
tables_empty "exits"

finish
