#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# The whole suite, as `make test` runs it (after building everything):
# unit tests, the documents against the tables, the end-to-end and
# command-line tests on this machine's kernel with the plain and the
# sanitized binary, refusals, real programs, the packaging, then the guest
# kernel matrix. Chosen parts only, by name, for a faster loop.
#
#   tests/run.sh [--host | SUITE...]   --host: all but the guests
#   SUITEs: unit unit-asan docs bpf e2e e2e-asan cli cli-asan refusals
#           realprog metrics soak fuzz pkg vm
set -u
cd "$(dirname "$0")/.."
all="unit unit-asan docs bpf e2e e2e-asan cli cli-asan refusals realprog metrics soak fuzz pkg vm"
if [ "${1:-}" = --host ]; then
	chosen=${all% vm}
elif [ $# -gt 0 ]; then
	chosen=" $* "
	for s in "$@"; do
		[[ " $all " == *" $s "* ]] || { echo "tests/run.sh: no suite '$s' (suites: $all)" >&2; exit 2; }
	done
else
	chosen=$all
fi
out=build/test
rm -rf "$out"
mkdir -p "$out"
suites_failed=()

# suite NAME CMD...: runs one part if it is chosen, keeps its log,
# counts its verdict.
suite() {
	local name=$1 start=$SECONDS
	shift
	[[ " $chosen " == *" $name "* ]] || return 0
	echo "=== $name"
	"$@" 2>&1 | tee "$out/$name.log"
	[ "${PIPESTATUS[0]}" = 0 ] || suites_failed+=("$name")
	echo "=== $name: $((SECONDS - start)) s"
}

units() {
	local rc=0
	for t in "$@"; do "$t" || rc=1; done
	return $rc
}

e2e() { # e2e LABEL SOCKTRACE [ARGS...]
	local label=$1 bin=$2
	shift 2
	SOCKTRACE=$bin SOCKDRIVE=build/sockdrive tests/e2e-run.sh "$out/$label" "$@" &&
		tests/e2e-check.sh "$out/$label" "$label"
}

# The libFuzzer target for a bounded time; a finding fails it.
fuzz() {
	mkdir -p build/fuzz/corpus
	build/fuzz/fuzz_event -max_total_time=12 -rss_limit_mb=2048 -artifact_prefix=build/fuzz/ \
		build/fuzz/corpus 2>&1 | grep -E '^(Done|==|SUMMARY|artifact)|runtime error'
	local rc=${PIPESTATUS[0]}
	echo "fuzz: $((rc == 0)) passed, $((rc != 0)) failed"
	return "$rc"
}

# LeakSanitizer reports make the sanitized binary exit non-zero, which the
# end-to-end checks see as a failed run.
export ASAN_OPTIONS=abort_on_error=0:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

suite unit units build/unit/test_*
suite unit-asan units build/asan/test_*
suite docs tests/docs/check.sh build/unit/tables
suite bpf build/bpftest/filter_test
suite e2e e2e e2e build/socktrace
suite e2e-asan e2e e2e-asan build/asan/socktrace --attach tracepoint
suite cli env SOCKTRACE=build/socktrace SOCKDRIVE=build/sockdrive tests/cli.sh cli
suite cli-asan env SANITIZED=1 SOCKTRACE=build/asan/socktrace SOCKDRIVE=build/sockdrive tests/cli.sh cli-asan
suite refusals env SOCKTRACE=build/socktrace SOCKDRIVE=build/sockdrive tests/refusals.sh
suite realprog env SOCKTRACE=build/socktrace tests/realprog.sh realprog
suite metrics env SOCKTRACE=build/socktrace tests/metrics.sh metrics
suite soak env SOCKTRACE=build/socktrace SOCKDRIVE=build/sockdrive tests/soak.sh
suite fuzz fuzz
suite pkg tests/pkg.sh
suite vm tests/vm/run.sh

# One closing tally over every check of every part; a part that failed
# without printing its own tally counts as one failure.
echo
total_passed=0
total_failed=0
for log in "$out"/*.log; do
	name=$(basename "$log" .log)
	tally=$(grep -Eh '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed$' "$log" |
		awk '{ p += $2; f += $4 } END { print p + 0, f + 0 }')
	read -r p f <<< "$tally"
	if [[ " ${suites_failed[*]} " == *" $name "* ]] && [ "$f" = 0 ]; then
		f=1
	fi
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
done
# What failed, again at the end, where a reader of the last lines (CI)
# sees it: each failed part's failing checks and, of a guest, its steps
# and the end of its console.
for name in "${suites_failed[@]}"; do
	echo "--- $name, what failed:"
	grep -aE '(^|\| *)not ok |FAIL|: failed: |guest step .* rc=[1-9]|timed out' "$out/$name.log" | cut -c1-300 | head -n 40
	sed -n '/---- last 20 lines of/,/^vm-[a-z0-9-]*: ----$/p' "$out/$name.log" | cut -c1-300 | head -n 60
done
[ ${#suites_failed[@]} = 0 ] || echo "failed parts: ${suites_failed[*]}"
echo "tests: $total_passed passed, $total_failed failed"
[ ${#suites_failed[@]} = 0 ] && [ "$total_failed" = 0 ]
