#!/bin/bash
# run.sh: test socktrace's kprobe attach mode inside a qemu guest.
#
# Why a guest: the host kernel has no kprobes. We boot Debian 12's cloud
# kernel (kernel.sh) under TCG with a busybox initramfs (initramfs.sh) whose
# /init (init.sh) runs tests/e2e-run.sh in kprobe and tracepoint mode, an
# --attach auto check, and a negative control with kprobes disabled, then
# dumps its result files on the serial console. Here we decode them into
# build/vm/out/ and judge them with tests/e2e-check.sh on the host.
#
# Exits 0 only if every check passed; never passes by skipping.
# Env (all optional): SOCKTRACE, SOCKDRIVE (default build/static/*, built by
# `make static` unless given), E2E_RUN, E2E_CHECK (default tests/e2e-*.sh),
# STEP_SECS (bound on each guest step, default 60), VM_TIMEOUT (bound on the
# whole guest, default 4 steps + 60 s).
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
vm=$root/build/vm
log=$vm/serial.log
STEP_SECS=${STEP_SECS:-60}
VM_TIMEOUT=${VM_TIMEOUT:-$((4 * STEP_SECS + 60))}
E2E_RUN=${E2E_RUN:-$root/tests/e2e-run.sh}
E2E_CHECK=${E2E_CHECK:-$root/tests/e2e-check.sh}

passed=0
failed=0
pass() { echo "vm: PASS $*"; passed=$((passed + 1)); }
fail() { echo "vm: FAIL $*"; failed=$((failed + 1)); }

finish() {
    if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
        [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && failed=1
        if [ -s "$log" ]; then
            # The base64 dump would fill the tail; leave it out here.
            echo "vm: ---- last 40 lines of $log (file dump blocks left out) ----"
            awk '/^@@FILE / { skip = 1; next } skip && /^@@END$/ { skip = 0; next } !skip' "$log" | tail -n 40
            echo "vm: ----"
        fi
    fi
    echo "vm: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

# Setup failures end the run at once, counted as one failed check.
die() { fail "$*"; finish; }

# qemu-system-x86, busybox-static, cpio and jq come from `make deps-test`.
mkdir -p "$vm"
rm -f "$log"

if [ -z "${SOCKTRACE:-}" ]; then
    SOCKTRACE=$root/build/static/socktrace
    make -C "$root" static >&2 || die "setup: make static failed"
fi
SOCKDRIVE=${SOCKDRIVE:-$root/build/static/sockdrive}
for f in "$SOCKTRACE" "$SOCKDRIVE" "$E2E_RUN" "$E2E_CHECK"; do
    [ -f "$f" ] || die "setup: missing $f"
done

"$here/kernel.sh" "$vm/kernel" || die "setup: could not get the guest kernel (kernel.sh)"

# The guest expects these names in /t.
rm -rf "$vm/t"
mkdir -p "$vm/t"
cp "$SOCKTRACE" "$vm/t/socktrace"
cp "$SOCKDRIVE" "$vm/t/sockdrive"
cp "$E2E_RUN" "$vm/t/e2e-run.sh"
"$here/initramfs.sh" "$vm/initrd.gz" "$vm"/t/* || die "setup: initramfs.sh failed"

# Boot. TCG (no KVM here); stdin from /dev/null so qemu never touches a tty;
# no NIC (only loopback is used), which also skips the iPXE option ROM.
# STEP_SECS on the command line reaches init as an environment variable.
echo "vm: booting $(cat "$vm/kernel/package" 2>/dev/null) (timeout ${VM_TIMEOUT}s)"
t0=$(date +%s.%N)
timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 \
    -kernel "$vm/kernel/vmlinuz" -initrd "$vm/initrd.gz" \
    -append "console=ttyS0 quiet panic=-1 STEP_SECS=$STEP_SECS" \
    -nographic -no-reboot -m 1024 -smp 2 -nic none \
    </dev/null >"$vm/serial.raw" 2>&1
qrc=$?
t1=$(date +%s.%N)
# The guest tty turns \n into \r\n, and firmware and kernel send terminal
# escapes (reset, clear screen) that can land before our first marker.
tr -d "\r" <"$vm/serial.raw" | sed -E "s/\x1b(\[[0-9;?]*[A-Za-z]|[A-Za-z])//g" >"$log"
rm -f "$vm/serial.raw"
echo "vm: guest wall time $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s (qemu exit $qrc$([ $qrc -eq 124 ] && echo ', timed out'))"

# Per-step status lines, for the record.
sed -n 's/^@@STEP \(.* rc=.*\)$/vm: guest step \1/p' "$log"

grep -q '^@@GUEST-START' "$log" && pass "guest booted: $(sed -n 's/^@@GUEST-START //p' "$log" | head -1)" ||
    fail "guest booted (no @@GUEST-START in $log)"
grep -q '^@@GUEST-DONE' "$log" && pass "guest finished and dumped its results" ||
    fail "guest finished (no @@GUEST-DONE verdict line: hung, crashed or timed out)"

# Decode the dump: "@@FILE path size md5", base64 lines, "@@END". Lines that
# are not base64 inside a block (stray console output) are dropped; the md5
# tells whether that lost anything.
out=$vm/out
rm -rf "$out" "$vm/dump"
mkdir -p "$out" "$vm/dump"
awk -v d="$vm/dump" '
    /^@@FILE / { n++; f = d "/" n ".b64"; printf "" > f; print n, $2, $3, $4 > (d "/list"); inb = 1; next }
    /^@@END$/ { if (inb) close(f); inb = 0; next }
    inb && /^[A-Za-z0-9+\/=]+$/ { print >> f }
' "$log"
nfiles=0
bad=()
if [ -f "$vm/dump/list" ]; then
    while read -r n path size md5; do
        case "/$path/" in
        */../* | //*) bad+=("$path(unsafe path)"); continue ;;
        esac
        mkdir -p "$(dirname "$out/$path")"
        base64 -d <"$vm/dump/$n.b64" >"$out/$path" 2>/dev/null
        if [ "$(wc -c <"$out/$path")" != "$size" ] ||
            [ "$(md5sum <"$out/$path" | cut -d' ' -f1)" != "$md5" ]; then
            bad+=("$path")
        fi
        nfiles=$((nfiles + 1))
    done <"$vm/dump/list"
fi
rm -rf "$vm/dump"
if [ "$nfiles" -gt 0 ] && [ ${#bad[@]} -eq 0 ]; then
    pass "decoded $nfiles guest files into $out"
else
    fail "decoded guest files: $nfiles files, damaged: ${bad[*]:-none}"
fi

fact() { sed -n "s/^$1=//p" "$out/guest/facts" 2>/dev/null | head -1; }
[ "$(fact kprobe_pmu)" = yes ] &&
    pass "guest kernel $(fact kernel) has kprobes (/sys/bus/event_source/devices/kprobe)" ||
    fail "guest kernel has kprobes (/sys/bus/event_source/devices/kprobe: $(fact kprobe_pmu))"

steprc() { sed -n "s/^$1=//p" "$out/guest/rc" 2>/dev/null | tail -1; }

# check NAME [quiet]: run e2e-check.sh on out/NAME, keep its whole output in
# build/vm/check-NAME.log, show its failures and last line (only the last
# with "quiet"), indented; return its status.
check() {
    local clog=$vm/check-$1.log rc
    [ -d "$out/$1" ] || { echo "    $1| (no directory $out/$1)"; return 2; }
    bash "$E2E_CHECK" "$out/$1" "$1" >"$clog" 2>&1
    rc=$?
    if [ "${2:-}" = quiet ]; then
        tail -n 1 "$clog"
    else
        grep -v '^ok ' "$clog"
    fi | sed "s/^/    $1| /"
    echo "    $1| (whole output: $clog)"
    return $rc
}

for mode in kprobe tracepoint; do
    rc=$(steprc "$mode")
    if check "$mode"; then
        if [ "${rc:-x}" = 0 ]; then
            pass "e2e --attach $mode: e2e-check.sh passed"
        else
            fail "e2e --attach $mode: checks passed but e2e-run.sh exited ${rc:-?} (>=124: timed out after ${STEP_SECS}s)"
        fi
    else
        fail "e2e --attach $mode: e2e-check.sh failed on $out/$mode (e2e-run.sh exit ${rc:-?})"
    fi
done

# auto must choose kprobe where the kernel has kprobes.
line=$(grep -m1 '^socktrace: tracing' "$out/auto/stderr" 2>/dev/null)
rc=$(steprc auto)
if printf '%s\n' "$line" | grep -qw kprobe && [ "${rc:-x}" = 0 ]; then
    pass "--attach auto chose kprobe: $line"
else
    fail "--attach auto chose kprobe (exit ${rc:-?}; tracing line: '${line:-none}'; see $out/auto/stderr)"
    sed 's/^/    auto| /' "$out/auto/stderr" 2>/dev/null | tail -n 10
fi

# Negative control: with kprobes disabled the kprobe events never come, so
# e2e-check.sh must fail. To be sure it fails for that reason, the tracer
# must have attached in kprobe mode there, and kprobes must have been off.
if check negative quiet; then
    fail "negative control: e2e-check.sh PASSED with kprobes disabled, so it did not catch disabled kprobes"
elif [ "$(fact kprobes_enabled_negative)" != 0 ]; then
    fail "negative control: kprobes could not be disabled (enabled=$(fact kprobes_enabled_negative))"
elif ! grep -rqsE '^socktrace: tracing.*\bkprobe\b' "$out/negative"; then
    fail "negative control: e2e-check.sh failed, but no 'socktrace: tracing ... kprobe' line in $out/negative, so not for the right reason"
else
    pass "negative control: e2e-check.sh failed with kprobes disabled, as it must"
fi

finish
