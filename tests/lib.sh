# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Sourced by the bash test scripts: TAP-like lines and one closing tally.
# The sourcing script sets $label first.
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $label: $1"; }
# fail WHAT [DETAIL]
fail() { failed=$((failed + 1)); echo "not ok - $label: $1"; [ -z "${2:-}" ] || echo "#   $2"; }
# check WHAT CMD...: passes when CMD succeeds; its output is not shown.
check() {
	local what=$1
	shift
	if "$@" > /dev/null 2>&1; then ok "$what"; else fail "$what"; fi
}
# finish: the tally line run.sh adds up, and the script's status.
finish() {
	echo "$label: $passed passed, $failed failed"
	[ "$failed" = 0 ]
}
