#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# A kernel that refuses one optional program, in turn for each: socktrace
# must start, say in one line what it lost, report the refusal in --status
# and --check, and trace the cases that the fallback serves exactly as
# tests/e2e-check.sh judges them. The kernel's refusals are played by a
# preload shim (tests/refuse.c); what the host kernel refuses by itself is
# allowed for. Tracepoint mode: the host may have no kprobes.
#
#   SOCKTRACE=build/socktrace SOCKDRIVE=build/sockdrive tests/refusals.sh [LABEL]
set -u
: "${SOCKTRACE:?}" "${SOCKDRIVE:?}"
label=${1:-refusals}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$here/lib.sh"

if ! cc -Wall -Wextra -Werror -shared -fPIC -o "$tmp/refuse.so" "$here/refuse.c" -ldl; then
	fail "the shim builds"
	finish
	exit
fi
shim=$tmp/refuse.so

# What this kernel refuses with no shim (some refuse the map iterator).
"$SOCKTRACE" --duration 1 --status "$tmp/plain.json" > /dev/null 2>&1
native=$(jq -c 'select(.status == "tracing") | [.kernel.refused[].feature]' "$tmp/plain.json" 2>/dev/null)
echo "# this kernel refuses by itself: ${native:-?}"

# refusal REFUSE FEATURE PROGRAM HOOKS CASES: with the shim refusing
# REFUSE, socktrace gives up FEATURE (refused PROGRAM), follows syscalls
# with HOOKS, and traces CASES exactly.
refusal() {
	local refuse=$1 feature=$2 prog=$3 hooks=$4 cases=$5 d=$tmp/${1//[:\/]/-} what
	what="$refuse"
	REFUSE=$refuse LD_PRELOAD=$shim "$SOCKTRACE" --check > "$tmp/check" 2>&1
	local rc=$?
	if [ $rc = 0 ] && grep -q "refused: the kernel refused $prog .*(EPERM" "$tmp/check" &&
	   grep -q '^result: *can trace' "$tmp/check"; then
		ok "$what: --check says it can trace, and what was refused"
	else
		fail "$what: --check says it can trace, and what was refused" "exit $rc: $(tr '\n' '|' < "$tmp/check")"
	fi
	REFUSE=$refuse LD_PRELOAD=$shim E2E_CASES=$cases SOCKTRACE=$SOCKTRACE SOCKDRIVE=$SOCKDRIVE \
		"$here/e2e-run.sh" "$d" --attach tracepoint
	local err=$d/all/trace.err status=$d/all/status.json
	if grep -q "^socktrace: the kernel refused $prog.* (EPERM, .*: " "$err" &&
	   [ "$(grep -c "^socktrace: the kernel refused $prog" "$err")" = 1 ]; then
		ok "$what: one line says what was refused and what socktrace does instead"
	else
		fail "$what: one line says what was refused" "$(tr '\n' '|' < "$err")"
	fi
	check "$what: the status names $feature as refused ($prog), and off" jq -e -s --arg f "$feature" \
		--arg p "$prog" '.[0].kernel | (.[$f] == false) and any(.refused[]; .feature == $f and .program == $p
		and .error == "EPERM")' "$status"
	check "$what: syscalls followed by $hooks hooks" jq -e -s --arg h "$hooks" '.[0].syscall_hooks == $h' "$status"
	check "$what: nothing else refused but what this kernel refuses itself" jq -e -s \
		--arg f "$feature" --argjson native "${native:-[]}" \
		'[.[0].kernel.refused[].feature | select(. != $f)] - $native == []' "$status"
	"$here/e2e-check.sh" "$d" "$label: $what" > "$tmp/judged"
	grep -v ' passed, [0-9]* failed$' "$tmp/judged"
	passed=$((passed + $(grep -c '^ok - ' "$tmp/judged")))
	failed=$((failed + $(grep -c '^not ok - ' "$tmp/judged")))
}

# Per-syscall tracepoints refused (at attach): the raw dispatch.
refusal attach:sys_enter_conn syscall_tracepoints sys_enter_connect raw "tcp udp dup2 close_range nonblock"
# Sock tracepoints refused: sends and receives from their syscalls (raw).
refusal load:rt_sock_send sock_tracepoints rt_sock_send raw "tcp io-tcp io-udp"
# bpf_loop refused: bounded walks at exit, exec and fork.
refusal load:rt_exit_loop bpf_loop rt_exit_loop per-syscall "exit exec fork tcp"
# The iterators refused: followed from first use; no final snapshot.
refusal load:iter_existing task_file_iter iter_existing per-syscall "tcp udp"
refusal attach:iter_existing task_file_iter iter_existing per-syscall "tcp udp"
refusal load:iter_open map_iter iter_open per-syscall "tcp udp"
# A program refused while BTF pointer loads are on: tried without them.
refusal once:rt_sock_send btf_loads rt_sock_send per-syscall "tcp io-tcp io-udp"
# The connect outcome tracepoint refused: connects in progress stay so.
refusal load:rt_sock_state connect_outcomes rt_sock_state per-syscall "tcp udp refused"
refusal load:rt_sock_state_2 connect_outcomes rt_sock_state_2 per-syscall "tcp refused"

# A core program refused: one line naming it, the errno and the cause; exit 1.
REFUSE=load:rt_sys_enter,attach:sys_enter_conn LD_PRELOAD=$shim "$SOCKTRACE" > /dev/null 2> "$tmp/err"
rc=$?
if [ $rc = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] &&
   grep -q "^socktrace: the kernel refused to load rt_sys_enter (raw_tp/sys_enter): EPERM: .*policy" "$tmp/err" &&
   ! grep -qi 'run .*as root\|sudo' "$tmp/err"; then
	ok "a core program refused: exit 1, one line naming it and a kernel policy: $(cat "$tmp/err")"
else
	fail "a core program refused: exit 1, one line naming it and the cause" "exit $rc: $(cat "$tmp/err")"
fi
REFUSE=load:rt_sys_enter,attach:sys_enter_conn LD_PRELOAD=$shim "$SOCKTRACE" --check > "$tmp/check" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '^result: *cannot trace: the kernel refused to load rt_sys_enter' "$tmp/check" &&
	ok "... and --check agrees: exit 1" || fail "... and --check agrees: exit 1" "exit $rc: $(tail -1 "$tmp/check")"

# A kernel before 5.8: no ring buffer.
REFUSE=ringbuf LD_PRELOAD=$shim "$SOCKTRACE" > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 1 ] && [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q 'ring buffer' "$tmp/err" &&
	ok "no BPF ring buffer: exit 1, one line: $(cat "$tmp/err")" ||
	fail "no BPF ring buffer: exit 1, one line" "exit $rc: $(cat "$tmp/err")"

finish
