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
. "$(dirname "$0")/lib.sh"

# The fields each event must have, exactly (some depend on ret).
read -r -d '' SCHEMA <<'EOF'
def base: ["time","event","pid","tid","uid","comm","fd","family","proto","saddr","sport","daddr","dport"]
  + (if has("nspid") then ["nspid"] else [] end);
def fields:
  if .event == "connect" then base + ["ret"] + (if .ret < 0 and .ret != -115 then ["error"] else [] end)
  elif .event == "send" then base + (if has("bytes") then ["bytes"] else ["ret","error"] end)
  elif .event == "close" then base + ["reason","duration_ns","sent_bytes","sends"]
  elif .event == "lost" then ["time","event","count"]
  else ["unknown event"] end;
def welltyped:
  (.time | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$"))
  and ([.pid, .tid, .uid, .fd, .sport, .dport] | all(type == "number" and . >= 0 and . == floor))
  and (.comm | type == "string")
  and (.family | IN("ipv4", "ipv6")) and (.proto | IN("tcp", "udp"))
  and (.family as $f | [.saddr, .daddr] | all(type == "string" and
         if $f == "ipv4" then test("^[0-9]{1,3}(\\.[0-9]{1,3}){3}$") else test("^[0-9a-f:.]+$") end))
  and (if .event == "close" then .duration_ns > 0 and .sent_bytes >= 0 and .sends >= 0
         and (.reason | IN("close", "exit", "exec", "dup2", "close_range")) else true end);
def schema_ok: (keys == (fields | sort)) and (if .event == "lost" then true else welltyped end);
EOF

# The fields compared with sockdrive's expectations (time and uid are not
# known to it in advance: uid is checked on its own, time by the schema).
read -r -d '' PROJECT <<'EOF'
def project: with_entries(select(.key | IN("event","pid","nspid","tid","comm","fd","family","proto",
  "saddr","sport","daddr","dport","ret","error","bytes","reason","sent_bytes","sends")));
EOF

read -r -d '' LIVES <<'EOF'
def lives: to_entries | group_by(.value.fd) | map(sort_by(.key) | map(.value)
  | reduce .[] as $e ([]; if $e.event == "connect" or length == 0 then . + [[$e]] else .[:-1] + [.[-1] + [$e]] end))
  | add // [];
def life_ok: (.[0].event | IN("connect", "send"))
  and (if .[-1].event == "close" then
         .[-1].sent_bytes == ([.[] | select(.event == "send") | .bytes // 0] | add // 0)
         and .[-1].sends == ([.[] | select(.event == "send" and has("bytes"))] | length)
         and ([.[:-1][] | select(.event == "close")] | length == 0)
       else all(.[]; .event != "close") end);
EOF

# The comm tests/e2e-run.sh gives as hex bytes, as JSON must show it: each
# invalid UTF-8 byte (ff, e2, 82) is U+FFFD, control characters escaped.
HOSTILE_COMM=$(printf 'q"\\\n\t\001\177\303\251\357\277\275\357\277\275\357\277\275\033[2')

# flood DIR: delivered + lost must be exactly what the process generated.
flood() {
	local d=$1 generated delivered lost summary_lost
	generated=$(jq -r "select(.generated) | .generated" "$d/flood.json")
	delivered=$(jq -s '[.[] | select(.comm == "st-flood")] | length' "$d/trace.json")
	lost=$(jq -s '[.[] | select(.event == "lost") | .count] | add // 0' "$d/trace.json")
	summary_lost=$(sed -n 's/^socktrace: stopped: [0-9]* events delivered, \([0-9]*\) lost$/\1/p' "$d/trace.err")
	check "flood: socktrace exited 0" [ "$(cat "$d/rc" 2>/dev/null)" = 0 ]
	check "flood: the ring overflowed ($lost lost)" [ "${lost:-0}" -gt 0 ]
	check "flood: delivered $delivered + lost $lost = generated $generated, exactly" \
		[ $((delivered + lost)) = "$generated" ]
	check "flood: the summary counts the same $lost lost" [ "$summary_lost" = "$lost" ]
	check "flood: every line of stdout is JSON" jq -e . "$d/trace.json"
}

session() {
	local d=$1 name
	name=$(basename "$d")
	local trace=$d/trace.json err=$d/trace.err facts=$d/facts.json

	if [ ! -s "$err" ]; then
		fail "$name: socktrace left no stderr"
		return
	fi
	check "$name: socktrace exited 0" [ "$(cat "$d/rc" 2>/dev/null)" = 0 ]
	check "$name: said it was tracing" grep -q '^socktrace: tracing with ' "$err"
	local mode
	mode=$(sed -n 's/.*--attach \([a-z]*\).*/\1/p' "$out/args")
	if [ -n "$mode" ] && [ "$mode" != auto ]; then
		check "$name: attached with $mode" grep -q "^socktrace: tracing with $mode " "$err"
	fi
	if ! jq -e . "$trace" > /dev/null 2>&1; then
		fail "$name: every line of stdout is JSON"
		return
	fi
	ok "$name: every line of stdout is JSON"
	check "$name: one object per line" \
		[ "$(jq -c . "$trace" | wc -l)" = "$(wc -l < "$trace")" ]
	check "$name: every event has exactly its documented fields, well typed" \
		jq -s -e "$SCHEMA all(schema_ok)" "$trace"
	local n
	n=$(wc -l < "$trace")
	check "$name: summary counts the $n events delivered, none lost" \
		grep -q "^socktrace: stopped: $n events delivered, 0 lost" "$err"

	# Each helper process: exactly the events it caused, field for field.
	local pid uid helper
	while read -r helper pid uid; do
		local want got
		want=$(jq -c -s "$PROJECT [.[] | select(.event and .pid == $pid) | project] | sort" "$facts")
		got=$(jq -c -s "$PROJECT [.[] | select(.pid == $pid) | project] | sort" "$trace")
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
			echo "#   want: $want"
			echo "#   got:  $got"
		fi
		check "$name: $helper (pid $pid): uid $uid" jq -s -e \
			"[.[] | select(.pid == $pid) | .uid == $uid] | all" "$trace"
		# Per socket (an fd from one connect to the next): connect (or,
		# unconnected, a send) first, close last, close totals = the
		# sends between.
		check "$name: $helper (pid $pid): each socket's life in order, totals add up" \
			jq -s -e "$LIVES [.[] | select(.pid == $pid)] | lives | map(life_ok) | all" "$trace"
	done < <(jq -r 'select(.helper) | "\(.helper) \(.pid) \(.uid)"' "$facts")

	# What the kernel and user space still hold for the helpers: nothing.
	local open
	open=$(jq -r 'select(.helper) | .pid' "$facts" | while read -r pid; do
		awk -v p="$pid" '$1 == p && $NF != 0' "$err"; done)
	check "$name: no helper socket left open in the summary" [ -z "$open" ]
	if [ -e "$d/empty-at-end" ]; then
		check "$name: the kernel's tables are empty at the end" \
			grep -q '^socktrace: kernel tables: 0 sockets of 0 processes still open' "$err"
	fi

	if [ -s "$d/excluded.json" ]; then
		while read -r helper pid; do
			check "$name: filtered out: $helper (pid $pid) has no events" jq -s -e \
				"[.[] | select(.pid == $pid)] | length == 0" "$trace"
		done < <(jq -r 'select(.helper) | "\(.helper) \(.pid)"' "$d/excluded.json")
	fi
}

for d in "$out"/*/; do
	if [ -e "$d/flood.json" ]; then flood "${d%/}"; else session "${d%/}"; fi
done
[ $((passed + failed)) -gt 0 ] || fail "no session found in $out"
finish
