#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# The documents against the tables they describe: the event kinds, the
# calls behind sends and receives, close reasons, origins, directions, the
# kernel's counters and features, as the tables checker (tests/docs/tables.c,
# built from socktrace.h) prints them, must be what the JSON Schema, README
# and the man page list. A row added to a table, or a word to a document,
# and not to the other, fails here.
#
#   tests/docs/check.sh TABLES_BINARY [LABEL]
set -u
tables=${1:?usage: check.sh TABLES_BINARY [LABEL]}
label=${2:-docs}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/tests/lib.sh"
schema=$root/dist/events.schema.json
readme=$root/README.md
man=$root/dist/socktrace.8.scd

t=$("$tables")
get() { jq -c "$1 | sort" <<< "$t"; }
# same WHAT WANT GOT: two JSON lists, sorted, equal.
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "tables: $2, document: $3"; fi
}
# The quoted or backticked words of a text as a sorted JSON list.
words() { grep -oE "$1" | tr -d '`"*' | jq -R . | jq -s -c 'unique'; }

# The JSON Schema.
same "schema: the event kinds (and lost)" "$(get '.kinds + ["lost"]')" \
	"$(jq -c '[.oneOf[]."$ref" | ltrimstr("#/$defs/")] | sort' "$schema")"
same "schema: each kind's event name" "$(get '.kinds + ["lost"]')" \
	"$(jq -c '[.["$defs"][] | .properties.event.const // empty] | sort' "$schema")"
same "schema: the calls" "$(get .calls)" "$(jq -c '.["$defs"].io.properties.call.enum | sort' "$schema")"
same "schema: the close reasons" "$(get .reasons)" \
	"$(jq -c '.["$defs"].close.properties.reason.enum | sort' "$schema")"
same "schema: the origins" "$(get .origins)" "$(jq -c '.["$defs"].origin.enum | sort' "$schema")"
same "schema: the directions" "$(get .dirs)" "$(jq -c '.["$defs"].close.properties.dir.enum | sort' "$schema")"

# README.
same "README: the event kinds" "$(get '.kinds + ["lost"]')" \
	"$(grep '^| `event` |' "$readme" | cut -d'|' -f3 | words '`[a-z_]+`')"
same "README: the default --events" "$(get .default_kinds)" \
	"$(grep '^| `-e, --events LIST`' "$readme" | grep -oE 'default `[a-z,]+`' | cut -d'`' -f2 |
	   tr ',' '\n' | jq -R . | jq -s -c 'sort')"
same "README: every kind has a row of its own fields" "$(get '.kinds')" \
	"$(awk '/^\| event \| fields \|/ { on = 1; next } on && !/^\|/ { on = 0 } on' "$readme" |
	   cut -d'|' -f2 | words '`[a-z_]+`' | jq -c '. - ["lost"]')"
same "README: the calls" "$(get .calls)" \
	"$(grep '^| `send`, `recv` |' "$readme" | sed 's/.*`call` (\([^;]*\));.*/\1/' | words '`"[a-z_0-9]+"`')"
same "README: the close reasons" "$(get .reasons)" \
	"$(awk '/^A close.s `reason` says/ { on = 1 } on { print } on && /unseen/ { exit }' "$readme" |
	   words '`"[a-z_0-9]+"`')"
same "README: the origins" "$(get .origins)" \
	"$(grep '^| `close` |' "$readme" | sed 's/.*`origin` (\([^)]*\)).*/\1/' | words '`"[a-z_0-9]+"`')"
same "README: the directions" "$(get .dirs)" \
	"$(grep '^| `close` |' "$readme" | sed 's/.*`dir` (\([^)]*\)).*/\1/' | words '`"[a-z_0-9]+"`')"
same "README: the status file's kernel features" "$(get '.features + ["tracefs", "refused"]')" \
	"$(grep '^{"status":"tracing"' "$readme" | jq -c '.kernel | keys')"
same "README: the status file's counters" "$(get '.counters + ["sockets", "tables"]')" \
	"$(grep '^{"status":"stopped"' "$readme" | jq -c '.kernel | keys')"
same "README: the features' fallbacks table" "$(get .features)" \
	"$(awk '/^\| feature \(status key\) \|/ { on = 1; next } on && !/^\|/ { on = 0 } on' "$readme" |
	   cut -d'|' -f2 | words '`[a-z_]+`')"

# The man page.
same "man page: the event kinds" "$(get '.kinds + ["lost"]')" \
	"$(awk '/^\*event\*$/ { on = 1; next } on && /^$/ { exit } on' "$man" | words '\*[a-z_]+\*')"
same "man page: the kinds --events takes" "$(get .kinds)" \
	"$(awk '/^\*-e\*, \*--events\*/ { on = 1; next } on && /or \*all\*/ { print; exit } on' "$man" |
	   words '\*[a-z_]+\*' | jq -c '. - ["all", "none"]')"
same "man page: the calls" "$(get .calls)" \
	"$(awk '/One call\. \*call\*:/ { on = 1 } on { print } on && /;/ { exit }' "$man" | words '\*"[a-z_0-9]+"\*')"
same "man page: the close reasons" "$(get .reasons)" \
	"$(awk '/\*reason\*: \*"close"\*/ { on = 1 } on { print } on && /\*"unseen"\*/ { exit }' "$man" |
	   words '\*"[a-z_0-9]+"\*')"
same "man page: the origins" "$(get .origins)" \
	"$(grep -E '^\s*\*origin\* \(' "$man" | words '\*"[a-z_0-9]+"\*')"
same "man page: the directions" "$(get .dirs)" \
	"$(grep -E '\*dir\* \(' "$man" | sed 's/.*\*dir\* (\([^)]*\)).*/\1/' | words '\*"[a-z_0-9]+"\*')"

finish
