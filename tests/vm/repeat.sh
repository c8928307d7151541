#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# repeat.sh NAME [N]: the cases that depend on timing (threads, the races
# session, threads blocked at once in recv, accept and connect, 9000
# connects in progress ending in timers) N times
# (default 10) in each attach mode, in one boot of the guest NAME, each run
# judged by tests/e2e-check.sh: a flaky case fails some of them. Not part
# of `make test` (too long); run it when a change touches what they test.
#
# Prints a line per run and closes with the tally "repeat-NAME: N passed,
# M failed".
set -u -o pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=${1:?usage: repeat.sh NAME [N]}
n=${2:-10}
label=repeat-$name
vm=$root/build/vm/$name
export STEP_SECS=${STEP_SECS:-240}
export VM_TIMEOUT=${VM_TIMEOUT:-$((n * 2 * 120 + 300))}
export GUEST_ARGS="GUEST_MODE=repeat REPEAT=$n"
passed=0
failed=0

make -C "$root" static build/unit/tables >&2 || exit 1
arch=$(grep -v '^#' "$here/kernels" | awk -v n="$name" '$1 == n { print $2 }')
[ "$arch" = arm64 ] && { make -C "$root" arm64-static >&2 || exit 1; }
rm -rf "$vm/t"
mkdir -p "$vm/t"
if [ "$arch" = arm64 ]; then
	cp "$root/build/arm64/static/socktrace" "$root/build/arm64/static/sockdrive" "$vm/t/"
else
	cp "$root/build/static/socktrace" "$root/build/static/sockdrive" "$vm/t/"
fi
cp "$root/tests/e2e-run.sh" "$root/tests/tracer.sh" "$vm/t/"
"$here/boot.sh" "$name" || { echo "$label: the guest did not boot"; exit 1; }
for ((i = 1; i <= n; i++)); do
	for mode in kprobe tracepoint; do
		d=$vm/out/$mode-$i
		if [ -d "$d" ] && bash "$root/tests/e2e-check.sh" "$d" "$mode-$i" > "$vm/check-$mode-$i.log" 2>&1; then
			passed=$((passed + 1))
			echo "$label: PASS $mode run $i: $(tail -n 1 "$vm/check-$mode-$i.log")"
		else
			failed=$((failed + 1))
			echo "$label: FAIL $mode run $i: $(grep -m3 '^not ok' "$vm/check-$mode-$i.log" 2>/dev/null | tr '\n' '|')"
		fi
	done
done
echo "$label: $passed passed, $failed failed"
[ "$failed" = 0 ]
