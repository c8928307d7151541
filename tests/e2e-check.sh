#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Judges what tests/e2e-run.sh kept in OUTDIR: socktrace must have reported
# exactly the events sockdrive says it caused, with every field right, and
# nothing for the processes a filter excludes. Exits 1 if any check fails.
#
#   tests/e2e-check.sh OUTDIR [LABEL]
set -u
out=$1
label=${2:-e2e}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
SCHEMA=$here/../dist/events.schema.json
wantfile=$(mktemp)
trap 'rm -f "$wantfile"' EXIT

# The fields compared with sockdrive's expectations. Not known to it in
# advance, so checked on their own: time, uid, sock (each descriptor's
# life), cgroup and netns, durations, the kernel's TCP counters, and
# dest_verified and source_verified (by attach mode).
read -r -d '' PROJECT <<'EOF'
def project: with_entries(select(.key | IN("event","pid","nspid","tid","comm","fd","family","proto",
  "saddr","sport","daddr","dport","ret","error","bytes","reason","sent_bytes","sends","recv_bytes",
  "recvs","origin","dir","call","dest_arg","source_arg","async","connecting","why","probe","backlog","listening")));
EOF

# Each tracked descriptor's events, in the order socktrace printed them:
# it starts with connect, accept or open, ends with at most one close, and
# with every send and receive reported, the close's totals are their sums.
read -r -d '' LIVES <<'EOF'
def lives: to_entries | map(select(.value.sock // 0 | . > 0)) | group_by(.value.sock)
  | map(sort_by(.key) | map(.value));
def sum($kind): [.[] | select(.event == $kind) | .bytes // 0] | add // 0;
def count($kind): [.[] | select(.event == $kind and has("bytes"))] | length;
def life_ok($all): (.[0].event | IN("connect", "accept", "open"))
  and ([.[] | select(.event == "close")] | length <= 1)
  and (if .[-1].event == "close" then
         ($all | not) or (.[-1].sent_bytes == sum("send") and .[-1].sends == count("send")
           and .[-1].recv_bytes == sum("recv") and .[-1].recvs == count("recv"))
       else all(.[]; .event != "close") end);
EOF

# The comm tests/e2e-run.sh gives as hex bytes, as JSON must show it: each
# invalid UTF-8 byte (ff, e2, 82) is U+FFFD, control characters escaped.
HOSTILE_COMM=$(printf 'q"\\\n\t\001\177\303\251\357\277\275\357\277\275\357\277\275\033[2')

. "$here/tracer.sh"

# flood DIR: delivered + lost must be exactly what the process generated.
flood() {
	local d=$1 generated delivered lost status_lost
	generated=$(jq -r "select(.generated) | .generated" "$d/flood.json")
	delivered=$(jq -s '[.[] | select(.comm == "st-flood")] | length' "$d/trace.json")
	lost=$(jq -s '[.[] | select(.event == "lost") | .count] | add // 0' "$d/trace.json")
	status_lost=$(stopped "$d" .events.lost)
	check "flood: socktrace exited 0" [ "$(cat "$d/rc" 2>/dev/null)" = 0 ]
	check "flood: the ring overflowed ($lost lost)" [ "${lost:-0}" -gt 0 ]
	check "flood: delivered $delivered + lost $lost = generated $generated, exactly" \
		[ $((delivered + lost)) = "$generated" ]
	check "flood: the final status counts the same $lost lost" [ "$status_lost" = "$lost" ]
	check "flood: every line matches the schema" "$here/validate.py" "$SCHEMA" "$d/trace.json"
}

# races DIR: judged against what really happened, not event by event.
races() {
	local d=$1 name=races trace=$1/trace.json mode fd pid n bad
	mode=$(jq -r 'select(.status == "tracing") | .mode' "$d/status.json")
	# A destination another thread rewrites: kprobes read the kernel's
	# copy, so each send names the port its datagram reached; tracepoints
	# read the process's memory, and say so on every one.
	fd=$(jq -r 'select(.dest_race) | .dest_race.fd' "$d/facts.json")
	pid=$(jq -r 'select(.dest_race) | .dest_race.pid' "$d/facts.json")
	n=$(jq -r 'select(.dest_race) | .dest_race.ports | length' "$d/facts.json")
	check "$name: dest-race: all $n datagrams arrived" \
		[ "$(jq -r 'select(.dest_race) | .dest_race.received' "$d/facts.json")" = "$n" ]
	if [ "$mode" = kprobe ]; then
		bad=$(jq -n --slurpfile f "$d/facts.json" --slurpfile t "$trace" --argjson fd "$fd" --argjson pid "$pid" '
			($f[] | select(.dest_race) | .dest_race.ports) as $ports
			| [$t[] | select(.event == "send" and .fd == $fd and .pid == $pid)] as $s
			| if ($s | length) != ($ports | length) then "\($s | length) send events"
			  else [range(0; $s | length) | select($s[.].dport != $ports[.])] | length end')
		check "$name: dest-race: each of $n sends names the port its datagram reached (wrong: $bad)" \
			[ "$bad" = 0 ]
	else
		check "$name: dest-race: each of $n sends says its destination is unverified" jq -s -e \
			--argjson fd "$fd" --argjson pid "$pid" --argjson n "$n" '[.[] | select(.event == "send" and
			.fd == $fd and .pid == $pid)] | length == $n and all(.dest_arg and .dest_verified == false)' "$trace"
	fi
	# Two threads make the first send at once: one tracked socket, every
	# send counted.
	check "$name: udp-race: one open, and a close counting every send of both threads" jq -n -e \
		--slurpfile f "$d/facts.json" --slurpfile t "$trace" '
		($f[] | select(.udp_race) | .udp_race) as $w
		| [$t[] | select(.fd == $w.fd and .pid == $w.pid and
		   (.event == "open" or .event == "close"))] as $e
		| ($e | map(.event) | sort) == ["close", "open"]
		  and ($e[] | select(.event == "close") | .sends == $w.sends and .sent_bytes == $w.bytes)'
	# Threads blocked at once beyond what a kretprobe holds in flight:
	# each socket exact, or marked incomplete and counted as unreturned.
	local unret
	unret=$(stopped "$d" .kernel.unreturned)
	check "$name: inflight: every socket counted exactly, or marked incomplete ($unret unreturned)" \
		jq -n -e --slurpfile f "$d/facts.json" --slurpfile t "$trace" --argjson u "${unret:-null}" '
		($f[] | select(.inflight) | .inflight) as $w
		| [$t[] | select(.event == "close" and .pid == $w.pid and (.fd | IN($w.fds[])))] as $c
		| ($c | length) == ($w.fds | length)
		  and all($c[]; .incomplete or (.recvs == 1 and .recv_bytes == 1 and .sends == 1 and .sent_bytes == 1))
		  and ([$c[] | select(.incomplete)] | length) == $u'
	[ "$mode" = tracepoint ] &&
		check "$name: inflight: the tracepoint mode loses no return" [ "$unret" = 0 ]
	check "$name: no socket went untracked" [ "$(stopped "$d" .kernel.untracked)" = 0 ]
	check "$name: the kernel's tables are empty at the end" \
		[ "$(stopped "$d" '"\(.kernel.sockets) \(.kernel.tables)"')" = "0 0" ]
}

# The expected events a session selects: its --events kinds, its family
# and protocol, --failed.
# The kinds of event, all and those shown by default, from the tables
# socktrace is built from.
TABLES=$("$here/../build/unit/tables") || { echo "e2e-check: build/unit/tables is missing (make unit)" >&2; exit 1; }
ALL_KINDS=$(jq -c .kinds <<< "$TABLES")
DEFAULT_KINDS=$(jq -c .default_kinds <<< "$TABLES")

session_filter() {
	local args=$1 kinds=$DEFAULT_KINDS fam="" proto="" failed=false list
	list=$(sed -n 's/.*--events \([a-z,]*\).*/\1/p' <<< "$args")
	case $list in
	"") ;;
	all) kinds=$ALL_KINDS ;;
	*) kinds=$(tr ',' '\n' <<< "$list" | jq -R . | jq -s -c .) ;;
	esac
	case " $args " in *" --ipv4 "*) fam=ipv4 ;; *" --ipv6 "*) fam=ipv6 ;; esac
	case " $args " in *" --proto udp "*) proto=udp ;; *" --proto tcp "*) proto=tcp ;; esac
	case " $args " in *" --failed "*) failed=true kinds='["connect"]' ;; esac
	echo "def wanted: (.event | IN($kinds[])) and (\"$fam\" == \"\" or (.family // \"$fam\") == \"$fam\")
		and (\"$proto\" == \"\" or (.proto // \"$proto\") == \"$proto\") and (($failed | not) or has(\"error\"));"
}

session() {
	local d=$1 name
	name=$(basename "$d")
	local trace=$d/trace.json err=$d/trace.err facts=$d/facts.json args mode filter all=false n

	if [ ! -s "$d/status.json" ]; then
		fail "$name: socktrace wrote no status" "$(head -c 300 "$err" 2>/dev/null)"
		return
	fi
	args=$(cat "$d/args")
	filter=$(session_filter "$args")
	case " $args " in *" --events all "*) all=true ;; esac
	mode=$(jq -r 'select(.status == "tracing") | .mode' "$d/status.json")
	check "$name: socktrace exited 0" [ "$(cat "$d/rc" 2>/dev/null)" = 0 ]
	check "$name: sockdrive ran every case to its end" sh -c "! cat $d/*.json | grep -q sockdrive_failed"
	check "$name: the status says it was tracing and stopped" jq -s -e \
		'map(.status) == ["tracing", "stopped"]' "$d/status.json"
	# A kernel's policy may refuse a program (EPERM); its verifier must
	# accept every one socktrace loads.
	check "$name: the verifier accepted every program (refused only: $(jq -r -s \
		'[.[0].kernel.refused[] | "\(.program) \(.error)"] | join(", ")' "$d/status.json" 2>/dev/null))" \
		jq -s -e '[.[0].kernel.refused[] | select(.error != "EPERM")] == []' "$d/status.json"
	case " $args " in *" --attach kprobe "*|*" --attach tracepoint "*)
		check "$name: attached with the mode asked for ($mode)" grep -q -- "--attach $mode" "$d/args" ;;
	esac
	if ! jq -e . "$trace" > /dev/null 2>&1; then
		fail "$name: every line of stdout is JSON"
		return
	fi
	check "$name: every line matches the schema" "$here/validate.py" "$SCHEMA" "$trace"
	n=$(wc -l < "$trace")
	check "$name: the status counts the $n events written, none lost or unwritten" [ \
		"$(stopped "$d" '"\(.events.written) \(.events.lost) \(.events.unwritten)"')" = "$n 0 0" ]
	check "$name: no record from the kernel was malformed" [ "$(stopped "$d" .events.malformed)" = 0 ]
	# Connects are timed: by the call, or by their outcome when in progress.
	check "$name: every connect is timed but the one in progress, which its outcome is" jq -s -e \
		'[.[] | select(.event == "connect")] | all(if .ret == -115 and (.async | not)
		then (has("latency_ns") | not) else .latency_ns > 0 end)' "$trace"
	# Every send and receive after a socket's first by its owner comes
	# in brief; the events above are made whole from them.
	if [ "$name" = all ]; then
		local brief io
		brief=$(stopped "$d" .events.brief)
		io=$(jq -s '[.[] | select(.event == "send" or .event == "recv")] | length' "$trace")
		check "$name: $brief of the $io sends and receives came in brief records" 			[ "${brief:-0}" -gt 0 -a "${brief:-0}" -lt "$io" ]
	fi

	# Each helper process: exactly the events it caused, field for field.
	local pid uid netns cgroup helper pids=""
	while read -r helper pid uid netns cgroup; do
		local want got
		pids="$pids $pid"
		want=$(jq -c -s "$PROJECT $filter [.[] | select(.event and .pid == $pid) | select(wanted) | project] | sort" "$facts")
		# tid -1: whichever thread of the process (one that exits last).
		echo "$want" > "$wantfile"
		got=$(jq -c -s --slurpfile want "$wantfile" "$PROJECT [\$want[0][] | select(.tid == -1) | [.event, .reason]] as \$any
			| [.[] | select(.pid == $pid) | project
			   | if ([.event, .reason] | IN(\$any[])) then .tid = -1 else . end] | sort" "$trace")
		if jq -e -s "any(.[]; .helper and .pid == $pid and .raw_name)" "$facts" > /dev/null; then
			# sockdrive does not write hostile names; compared here.
			got=$(jq -c "map(del(.comm)) | sort" <<< "$got")
			check "$name: $helper (pid $pid): a hostile comm, exactly, in valid JSON" jq -s -e \
				--arg want "$HOSTILE_COMM" "[.[] | select(.pid == $pid)] |
				length > 0 and all(.comm == \$want)" "$trace"
		fi
		if [ "$want" = "$got" ]; then
			ok "$name: $helper (pid $pid): the events it caused, exactly"
		else
			fail "$name: $helper (pid $pid): the events it caused, exactly"
			diff <(jq -c '.[]' <<< "$want") <(jq -c '.[]' <<< "$got") | head -20 | sed 's/^/#   /'
		fi
		check "$name: $helper (pid $pid): uid $uid, netns $netns${cgroup:+, cgroup $cgroup}" jq -s -e \
			--argjson netns "$netns" --argjson cgroup "${cgroup:-null}" "[.[] | select(.pid == $pid)] |
			all(.uid == $uid and ((has(\"netns\") | not) or .netns == \$netns)
			    and (\$cgroup == null or (has(\"cgroup\") | not) or .cgroup == \$cgroup))" "$trace"
	done < <(jq -r 'select(.helper) | "\(.helper) \(.pid) \(.uid) \(.netns) \(.cgroup // "")"' "$facts")

	if [ -n "$pids" ]; then
		local sel="[.[] | select(.pid | IN($(echo $pids | tr ' ' ',')))]"
		check "$name: each descriptor's life in order, its totals the sum of its events" jq -s -e \
			"$LIVES lives | map(select(any(.[]; .pid | IN($(echo $pids | tr ' ' ','))))
			| life_ok($all)) | all" "$trace"
		# Where sockdrive knows them (everything acked and read), the
		# kernel's TCP counters equal the syscalls' totals.
		check "$name: the kernel's TCP counters, where known, exactly" jq -n -e --slurpfile f "$facts" \
			--slurpfile t "$trace" '[$f[] | select(.event == "close" and has("tcp_bytes_acked"))] as $want
			| [$t[] | select(.event == "close")] as $got
			| all($want[]; . as $w | any($got[]; .pid == $w.pid and .fd == $w.fd and .sport == $w.sport
			  and .tcp_bytes_acked == $w.tcp_bytes_acked and .tcp_bytes_received == $w.tcp_bytes_received))'
		if [ "$mode" = kprobe ]; then
			check "$name: kprobes give the kernel's copy of destinations and sources" jq -s -e \
				"$sel | all(has(\"dest_verified\") or has(\"source_verified\") | not)" "$trace"
		else
			check "$name: destinations and sources read from memory say so" jq -s -e \
				"($sel | map(select(.dest_arg)) | all(.dest_verified == false)) and
				($sel | map(select(.source_arg)) | all(.source_verified == false))" "$trace"
		fi
		# The exit summary (the stopped record's rows) adds up what was printed.
		grep -q -- '--events all' "$d/args" &&
			check "$name: the summary of the helpers adds up their events" jq -e -n \
			--slurpfile s "$d/status.json" --slurpfile t "$trace" \
			"[\$s[] | select(.status == \"stopped\") | .processes[] | select(.pid | IN($(echo $pids | tr ' ' ',')))] as \$rows
			| [\$t[] | select(.pid | IN($(echo $pids | tr ' ' ',')))] as \$ev
			| def sum(f): map(f) | add // 0; def count(f): map(select(f)) | length;
			  (\$ev | map(select(.event == \"connect\"))) as \$c
			| [\$rows | sum(.out), sum(.in), sum(.other), sum(.failed),
			   sum(.sent_bytes), sum(.sends), sum(.recv_bytes), sum(.recvs)]
			== [(\$c | count((.async | not) and (.ret == 0 or .ret == -115)))
			    - (\$c | count(.async and .ret < 0))
			    - (\$ev | count(.event == \"close\" and .probe and .origin == \"connect\")),
			   (\$ev | count(.event == \"accept\")), (\$ev | count(.event == \"open\")),
			   (\$c | count(.ret < 0 and (.async or .ret != -115))),
			   (\$ev | map(select(.event == \"close\")) | sum(.sent_bytes), sum(.sends), sum(.recv_bytes), sum(.recvs))]"
		check "$name: no helper socket left open at the end" jq -e -n --slurpfile s "$d/status.json" \
			"[\$s[] | select(.status == \"stopped\") | .processes[] | select(.pid | IN($(echo $pids | tr ' ' ',')))
			| .open] | add // 0 | . == 0"
	fi
	if [ -e "$d/empty-at-end" ]; then
		check "$name: the kernel's tables are empty at the end" \
			[ "$(stopped "$d" '"\(.kernel.sockets) \(.kernel.tables)"')" = "0 0" ]
	fi
	check "$name: nothing went unfollowed" \
		[ "$(stopped "$d" '"\(.kernel.untracked) \(.kernel.incomplete) \(.kernel.unreturned) \(.kernel.unswept)"')" = "0 0 0 0" ]

	if [ -s "$d/excluded.json" ]; then
		while read -r helper pid; do
			check "$name: filtered out: $helper (pid $pid) has no events" jq -s -e \
				"[.[] | select(.pid == $pid)] | length == 0" "$trace"
		done < <(jq -r 'select(.helper) | "\(.helper) \(.pid)"' "$d/excluded.json")
	fi
}

for d in "$out"/*/; do
	d=${d%/}
	if [ -e "$d/flood.json" ]; then
		flood "$d"
	elif [ "$(basename "$d")" = races ]; then
		races "$d"
	else
		session "$d"
	fi
done
[ $((passed + failed)) -gt 0 ] || fail "no session found in $out"
finish
