#!/bin/bash
# run.sh [NAME...]: socktrace's end-to-end tests in a matrix of guest
# kernels, one guest after the other (guest.sh NAME each; NAMEs are lines of
# tests/vm/kernels). Without arguments: every line marked for the default
# matrix there. `make test-vm` and `make test` run it so.
#
# Each guest prints its own PASS/FAIL lines and tally "vm-NAME: N passed,
# M failed" (tests/run.sh adds up every tally); this prints no tally of its
# own, only a closing table of each guest's verdict and wall time. Exits 0
# only if every guest passed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
if [ $# -gt 0 ]; then
    names=("$@")
else
    mapfile -t names < <(grep -v '^#' "$here/kernels" | awk '$5 == "yes" { print $1 }')
fi

rc=0
summary=()
for n in "${names[@]}"; do
    t0=$SECONDS
    echo "=== vm-$n"
    if "$here/guest.sh" "$n"; then v=ok; else v=FAILED; rc=1; fi
    summary+=("$(printf '  %-16s %-7s %4d s' "$n" "$v" $((SECONDS - t0)))")
done
echo "vm matrix, guest by guest (wall time includes fetching and building):"
printf '%s\n' "${summary[@]}"
exit $rc
