#!/bin/bash
# run.sh [NAME...]: socktrace's end-to-end tests in a matrix of guest
# kernels (guest.sh NAME each; NAMEs are lines of tests/vm/kernels). Without
# arguments: every line marked for the default matrix there. `make test-vm`
# and `make test` run it so.
#
# Guests run VM_JOBS at a time (default: the number of CPUs). Why: a TCG
# guest keeps about one host CPU busy, so on 2 CPUs two guests take little
# more wall time than one. Each guest's output is kept and printed whole, in
# the order of the matrix, once it is done.
#
# Each guest prints its own PASS/FAIL lines and tally "vm-NAME: N passed,
# M failed" (tests/run.sh adds up every tally); this prints no tally of its
# own, only a closing table of each guest's verdict and wall time. Exits 0
# only if every guest passed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -gt 0 ]; then
    names=("$@")
else
    mapfile -t names < <(grep -v '^#' "$here/kernels" | awk '$5 == "yes" { print $1 }')
fi
jobs=${VM_JOBS:-$(nproc)}
logs=$root/build/vm/logs
mkdir -p "$logs"

# Built once here, not by guests racing each other in one make.
if [ -z "${SOCKTRACE:-}" ]; then
    make -C "$root" static >&2 || exit 1
    export SOCKTRACE=$root/build/static/socktrace
fi
for n in "${names[@]}"; do
    if grep -v '^#' "$here/kernels" | awk -v n="$n" '$1 == n && $2 == "arm64" { f = 1 } END { exit !f }'; then
        make -C "$root" arm64-static >&2 || exit 1
        break
    fi
done

one() { # one NAME: a guest, its verdict and wall time into its log directory
    local t0=$SECONDS v=ok
    "$here/guest.sh" "$1" > "$logs/$1.out" 2>&1 || v=FAILED
    printf '  %-16s %-7s %4d s\n' "$1" "$v" $((SECONDS - t0)) > "$logs/$1.verdict"
}

rm -f "$logs"/*.verdict
for n in "${names[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    one "$n" &
done

rc=0
for n in "${names[@]}"; do
    while [ ! -f "$logs/$n.verdict" ] && [ -n "$(jobs -rp)" ]; do wait -n; done
    echo "=== vm-$n"
    cat "$logs/$n.out" 2>/dev/null
    [ -f "$logs/$n.verdict" ] || printf '  %-16s %-7s\n' "$n" FAILED > "$logs/$n.verdict"
    grep -q ' ok ' "$logs/$n.verdict" || rc=1
done
wait
echo "vm matrix, guest by guest, $jobs at a time (wall time includes fetching and building):"
for n in "${names[@]}"; do cat "$logs/$n.verdict"; done
exit $rc
