#!/bin/bash
# guest.sh NAME: socktrace's end-to-end tests in one guest kernel, NAME
# being a line of tests/vm/kernels (bullseye, bookworm, trixie,
# bookworm-arm64).
#
# Why guests: the host kernel may lack kprobes, and is one kernel of one
# architecture. boot.sh boots NAME under qemu with static socktrace and
# sockdrive; its /init (init.sh) runs tests/e2e-run.sh with --attach kprobe
# and --attach tracepoint, an --attach auto check and, where kprobes exist, a
# negative control with kprobes disabled, and dumps its result files. Here
# they are judged with tests/e2e-check.sh, as on the host.
#
# Prints "vm-NAME: PASS|FAIL ..." lines and closes with the tally
# "vm-NAME: N passed, M failed" (tests/run.sh adds up such lines). Exits 0
# only if every check passed; never passes by skipping.
# Env (all optional): SOCKTRACE, SOCKDRIVE (amd64 guests; default
# build/static/*, built by `make static` unless given; arm64 guests always
# use build/arm64/static/*, built by `make arm64-static`), E2E_RUN, E2E_CHECK
# (default tests/e2e-*.sh), STEP_SECS (bound on each guest step, default
# 240: an e2e step takes up to two minutes under TCG), VM_TIMEOUT (bound on the
# whole guest, default 600 s: one step that runs out of time and every
# other to its usual end; a guest that takes longer hangs, and waiting for
# it would run the suite past its budget).
set -u -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=${1:?usage: guest.sh NAME}
label=vm-$name
vm=$root/build/vm/$name
log=$vm/serial.log
arch=$(grep -v '^#' "$here/kernels" | awk -v n="$name" '$1 == n { print $2 }')
export STEP_SECS=${STEP_SECS:-240}
export VM_TIMEOUT=${VM_TIMEOUT:-600}
E2E_RUN=${E2E_RUN:-$root/tests/e2e-run.sh}
E2E_CHECK=${E2E_CHECK:-$root/tests/e2e-check.sh}
start=$SECONDS

passed=0
failed=0
pass() { echo "$label: PASS $*"; passed=$((passed + 1)); }
fail() { echo "$label: FAIL $*"; failed=$((failed + 1)); }
info() { echo "$label: $*"; }

finish() {
    if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
        [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && failed=1
        if [ -s "$log" ]; then
            # The base64 dump would fill the tail; leave it out here.
            echo "$label: ---- last 20 lines of $log (file dump blocks left out) ----"
            awk '/^@@FILE / { skip = 1; next } skip && /^@@END$/ { skip = 0; next } !skip' "$log" | tail -n 20
            echo "$label: ----"
        fi
    fi
    info "wall time $((SECONDS - start)) s in all (fetch, build, boot, checks)"
    echo "$label: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

# Setup failures end the run at once, counted as one failed check.
die() { fail "$*"; finish; }

[ -n "$arch" ] || die "setup: no kernel '$name' in $here/kernels"
mkdir -p "$vm"

# The binaries for the guest's architecture, and the BPF object and kernel
# types they were built from (to name the helpers the object calls).
case $arch in
amd64)
    if [ -z "${SOCKTRACE:-}" ]; then
        SOCKTRACE=$root/build/static/socktrace
        make -C "$root" static >&2 || die "setup: make static failed"
    fi
    SOCKDRIVE=${SOCKDRIVE:-$root/build/static/sockdrive}
    obj=$root/build/socktrace.bpf.o types=$root/vmlinux/x86/vmlinux.h elf=X86-64
    ;;
arm64)
    make -C "$root" arm64-static >&2 || die "setup: make arm64-static failed"
    SOCKTRACE=$root/build/arm64/static/socktrace SOCKDRIVE=$root/build/arm64/static/sockdrive
    obj=$root/build/arm64/socktrace.bpf.o types=$root/vmlinux/arm64/vmlinux.h elf=AArch64
    ;;
esac
for f in "$SOCKTRACE" "$SOCKDRIVE" "$E2E_RUN" "$E2E_CHECK"; do
    [ -f "$f" ] || die "setup: missing $f"
done
for f in "$SOCKTRACE" "$SOCKDRIVE"; do
    readelf -h "$f" 2>/dev/null | grep -q "Machine:.*$elf" || die "setup: $f is not an $elf binary"
done

# The guest expects these names in /t.
rm -rf "$vm/t"
mkdir -p "$vm/t"
cp "$SOCKTRACE" "$vm/t/socktrace"
cp "$SOCKDRIVE" "$vm/t/sockdrive"
cp "$E2E_RUN" "$vm/t/e2e-run.sh"
cp "$root/tests/tracer.sh" "$vm/t/tracer.sh"

"$here/boot.sh" "$name" || die "setup: boot.sh could not boot the guest (see above)"
out=$vm/out
res() { sed -n "s/^$1=//p" "$vm/boot.result"; }
qrc=$(res qemu_rc)
info "booted $(cat "$vm/kernel/package") ($arch): guest wall time $(res wall) s" \
    "(qemu exit $qrc$([ "$qrc" = 124 ] && echo ", timed out after ${VM_TIMEOUT}s"))"

# Per-step status lines, for the record.
sed -n "s/^@@STEP \(.* rc=.*\)$/$label: guest step \1/p" "$log"

grep -q '^@@GUEST-START' "$log" && pass "guest booted: $(sed -n 's/^@@GUEST-START //p' "$log" | head -1)" ||
    fail "guest booted (no @@GUEST-START in $log)"
grep -q '^@@GUEST-DONE' "$log" && pass "guest finished and dumped its results" ||
    fail "guest finished (no @@GUEST-DONE verdict line: hung, crashed or timed out)"
if [ "$(res files)" -gt 0 ] && [ -z "$(res damaged)" ]; then
    pass "decoded $(res files) guest files into $out"
else
    fail "decoded guest files: $(res files) files, damaged: $(res damaged)"
fi

# What the kernel offers, as init.sh found it (guest/facts, guest/bpf_*).
fact() { sed -n "s/^$1=//p" "$out/guest/facts" 2>/dev/null | head -1; }
[ -f "$out/guest/facts" ] && info "kernel $(fact kernel) $(fact machine): btf=$(fact btf) kprobe_pmu=$(fact kprobe_pmu)" \
    "tracepoints sock_send_length=$(fact tp_sock_send_length) sock_recv_length=$(fact tp_sock_recv_length)"
missing=$(sed -n 's/^tp_\(sys_.*\)=no$/\1/p' "$out/guest/facts" 2>/dev/null | xargs)
[ -z "$missing" ] || info "syscall tracepoints this kernel lacks: $missing"
if [ -s "$out/guest/bpf_helpers" ]; then
    info "BPF helpers $(wc -l <"$out/guest/bpf_helpers"), iterator targets" \
        "$(wc -l <"$out/guest/bpf_iter_targets"), open-coded iterator kfuncs" \
        "$(grep -c _new "$out/guest/bpf_iter_kfuncs")  (lists: $out/guest/bpf_*)"
    # Helpers the BPF object calls ("call N", src_reg 0), named by the
    # enum bpf_func_id of the types it was built against. A call the
    # kernel lacks loads only if a CO-RE check makes it dead code there.
    absent=$(llvm-objdump -d "$obj" 2>/dev/null | awk '$2 == "85" && $3 == "00" && $(NF-1) == "call" { print $NF }' |
        sort -un | while read -r id; do
            sed -n "s/^[[:space:]]*\(BPF_FUNC_[a-z0-9_]*\) = $id,$/\1/p" "$types"
        done | grep -vxF -f "$out/guest/bpf_helpers" | xargs)
    info "helpers called in the BPF object that this kernel lacks (fine only where CO-RE guarded): ${absent:-none}"
fi

[ "$(fact kprobe_pmu)" = yes ] &&
    pass "guest kernel $(fact kernel) has kprobes (/sys/bus/event_source/devices/kprobe)" ||
    fail "guest kernel has kprobes (/sys/bus/event_source/devices/kprobe: $(fact kprobe_pmu))"

steprc() { sed -n "s/^$1=//p" "$out/guest/rc" 2>/dev/null | tail -1; }

# check NAME [quiet]: run e2e-check.sh on out/NAME, keep its whole output in
# build/vm/NAME/check-NAME.log, show its failures (the first 12 lines, cut
# at 200 characters) and its tally (only the tally with "quiet"), indented;
# return its status.
check() {
    local clog=$vm/check-$1.log rc
    [ -d "$out/$1" ] || { echo "    $1| (no directory $out/$1)"; return 2; }
    bash "$E2E_CHECK" "$out/$1" "$1" >"$clog" 2>&1
    rc=$?
    if [ "${2:-}" != quiet ]; then
        sed '$d' "$clog" | grep -v '^ok ' | cut -c1-200 |
            awk 'NR <= 12; END { if (NR > 12) print "(" NR - 12 " more lines)" }'
    fi | sed "s/^/    $1| /"
    tail -n 1 "$clog" | sed "s/^/    $1| /"
    echo "    $1| (whole output: $clog)"
    return $rc
}

# started MODE: whether socktrace attached in the guest's run of MODE.
started() { grep -q '^socktrace: tracing' "$out/$1/all/trace.err" 2>/dev/null; }

# why MODE: when socktrace did not start, what it said, and the end of its
# --verbose run (init.sh's diagnose): libbpf's lines on what failed, and the
# verifier's last words before the end of a program's load log.
why() {
    local diag=$out/diag/$1.err
    started "$1" && return
    grep -h '^socktrace:' "$out/$1/all/trace.err" 2>/dev/null | head -n 3 | sed "s/^/    $1 stderr| /"
    [ -f "$diag" ] || return
    { grep -B3 -e '-- END PROG LOAD LOG --' "$diag" | grep -v -e '-- END PROG LOAD LOG --' -e '^--$'
      grep -iE '^libbpf: .*(fail|error|invalid|unknown|not (found|supported))|^socktrace:|^exit status' "$diag"
    } | head -n 15 | sed "s/^/    $1 --verbose| /"
    echo "    $1 --verbose| (last 300 lines: $diag)"
}

for mode in kprobe tracepoint; do
    rc=$(steprc "$mode")
    # If socktrace never started, every check fails for the reason why()
    # shows: the tally is enough.
    if check "$mode" "$(started "$mode" || echo quiet)"; then
        if [ "${rc:-x}" = 0 ]; then
            pass "e2e --attach $mode: e2e-check.sh passed"
        else
            fail "e2e --attach $mode: checks passed but e2e-run.sh exited ${rc:-?} (>=124: timed out after ${STEP_SECS}s)"
        fi
    else
        fail "e2e --attach $mode: e2e-check.sh failed on $out/$mode (e2e-run.sh exit ${rc:-?}$([ "${rc:-0}" -ge 124 ] &&
            echo ", timed out after ${STEP_SECS}s"))"
        why "$mode"
    fi
done

# The kprobe mode's kretprobes: made with room (kretprobe_room), gone
# after each run; a SIGKILL leaves them, the next run takes them out.
if [ "$(jq -r 'select(.status == "tracing") | .kernel.kretprobe_room' "$out/kprobe/all/status.json" 2>/dev/null)" = true ]; then
    pass "kprobe mode: kretprobes made through tracefs with room for calls in flight"
else
    fail "kprobe mode: kretprobes made with room ($(grep -h refused "$out/kprobe/all/status.json" 2>/dev/null | head -c 300))"
fi
k=$out/kretprobes
counts="$(cat "$k/after_runs" "$k/while_tracing" "$k/after_kill" "$k/after_next" 2>/dev/null | xargs)"
if [ "$(cat "$k/after_runs" 2>/dev/null)" = 0 ] && [ "$(cat "$k/while_tracing" 2>/dev/null)" -gt 0 ] &&
    [ "$(cat "$k/after_kill" 2>/dev/null)" -gt 0 ] && [ "$(cat "$k/after_next" 2>/dev/null)" = 0 ]; then
    pass "kprobe_events: none left after the runs, none after a SIGKILL and the next run (counts: $counts)"
else
    fail "kprobe_events: socktrace's kretprobes left behind (after runs, tracing, after SIGKILL, after next: $counts)"
fi

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
