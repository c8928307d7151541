#!/bin/sh
# Guest /init (busybox ash), packed by initramfs.sh, booted by boot.sh.
#
# Records what the kernel offers (guest/facts, guest/bpf_*), then runs the
# e2e scenarios (tests/e2e-run.sh) with --attach kprobe and --attach
# tracepoint, an --attach auto check, and, where the kernel has kprobes, a
# negative control with kprobes disabled; then dumps every file of /tmp/out
# on the serial console for boot.sh to decode, and powers off. It does not
# judge: the host does, with tests/e2e-check.sh, since the guest has no bash
# or jq. With GUEST_MODE=btf it only dumps /sys/kernel/btf/vmlinux (for
# btf-arm64.sh); with GUEST_MODE=bench it runs /t/bench-guest.sh (for
# bench/vm.sh) instead of the tests.
#
# It must never hang: every step runs under `timeout`, in its own session so
# whatever it leaves behind is killed by process group. STEP_SECS (a kernel
# command line word, which the kernel hands to init as an environment
# variable) bounds each step.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp
STEP_SECS=${STEP_SECS:-240}
OUT=/tmp/out

# Whatever happens, end by powering off; exiting init would panic the kernel.
trap '/bin/busybox poweroff -f' EXIT

# The applet links are made here, not by initramfs.sh: this busybox may be
# of another architecture than the host that packs the initramfs.
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
ip link set lo up
# Keep kernel messages off the console so they cannot interleave with the
# dump; they are dumped as guest/dmesg instead.
echo 1 >/proc/sys/kernel/printk
echo; echo "@@GUEST-START $(uname -r) $(uname -m)"
mkdir -p $OUT/guest

# dump: every file of $OUT, each with a header giving its size and md5 so
# the host can tell a damaged file.
# The results go out on the serial console, in base64: tens of MB of JSON
# lines would take minutes, so they go as one gzip'd tar (boot.sh unpacks
# it), file by file only where this busybox cannot make one.
dump() {
    cd $OUT || exit 1
    if tar -czf /tmp/out.tgz . 2>/dev/null; then
        mkdir -p /tmp/packed && mv /tmp/out.tgz /tmp/packed/out.tgz && cd /tmp/packed || exit 1
    fi
    find . -type f | sort | while read -r f; do
        f=${f#./}
        echo "@@FILE $f $(wc -c <"$f") $(md5sum <"$f" | cut -d' ' -f1)"
        base64 "$f"
        echo "@@END"
    done
}

if [ "${GUEST_MODE:-}" = btf ]; then
    cp /sys/kernel/btf/vmlinux $OUT/guest/btf && echo "btf=0" >$OUT/guest/rc ||
        echo "btf=1" >$OUT/guest/rc
    dump
    echo "@@GUEST-DONE $(cat $OUT/guest/rc)"
    exit 0
fi

# What this kernel offers, for the record: yes/no per feature the modes
# depend on; BPF helper ids, iterator types and open-coded iterator kfuncs
# by name, read from the string table of the kernel's BTF.
yn() { if [ -e "$1" ]; then echo yes; else echo no; fi; }
tp=/sys/kernel/tracing/events
facts=$OUT/guest/facts
{
    echo "kernel=$(uname -r)"
    echo "machine=$(uname -m)"
    echo "kprobe_pmu=$(yn /sys/bus/event_source/devices/kprobe)"
    echo "kprobes_enabled=$(cat /sys/kernel/debug/kprobes/enabled 2>&1)"
    echo "btf=$(yn /sys/kernel/btf/vmlinux)"
    echo "tp_sock_send_length=$(yn $tp/sock/sock_send_length)"
    echo "tp_sock_recv_length=$(yn $tp/sock/sock_recv_length)"
    for s in enter_connect exit_connect enter_sendto exit_sendto enter_close \
        exit_dup2 exit_dup3 exit_close_range; do
        echo "tp_sys_$s=$(yn $tp/syscalls/sys_$s)"
    done
    echo "raw_tp_sched_process_exec=$(yn $tp/sched/sched_process_exec)"
    echo "raw_tp_sched_process_exit=$(yn $tp/sched/sched_process_exit)"
} >$facts
if [ -f /sys/kernel/btf/vmlinux ]; then
    tr '\0' '\n' </sys/kernel/btf/vmlinux >/tmp/btf-strings
    grep -E '^BPF_FUNC_[a-z0-9_]+$' /tmp/btf-strings | sort -u >$OUT/guest/bpf_helpers
    grep -E '^bpf_iter__[a-z0-9_]+$' /tmp/btf-strings | sort -u >$OUT/guest/bpf_iter_targets
    grep -E '^bpf_iter_[a-z0-9_]+_(new|next|destroy)$' /tmp/btf-strings | grep -v _seq_ |
        sort -u >$OUT/guest/bpf_iter_kfuncs
    grep -E '^BPF_(PROG|MAP|LINK)_TYPE_[A-Z0-9_]+$' /tmp/btf-strings | sort -u >$OUT/guest/bpf_types
    rm -f /tmp/btf-strings
fi

export SOCKTRACE=/t/socktrace SOCKDRIVE=/t/sockdrive

# step NAME CMD...: run CMD bounded by STEP_SECS, log its status.
step() {
    name=$1
    shift
    echo "@@STEP $name start"
    t0=$(date +%s)
    # Not a group leader here (no job control), so setsid execs in place:
    # $! is the new session's process group.
    setsid timeout -k 5 "$STEP_SECS" "$@" &
    pg=$!
    wait $pg
    rc=$?
    kill -KILL -$pg 2>/dev/null
    echo "@@STEP $name rc=$rc secs=$(($(date +%s) - t0))"
    echo "$name=$rc" >>$OUT/guest/rc
}

# diagnose MODE: when socktrace did not start in MODE, run it once more with
# --verbose and keep the end of libbpf's log (where a load or attach failure
# is told), so the host can show why.
diagnose() {
    grep -q '^socktrace: tracing' "$OUT/$1/all/trace.err" 2>/dev/null && return
    mkdir -p $OUT/diag
    step "diag-$1" sh -c "/t/socktrace --verbose --attach $1 --duration 1 --output json \
        >/dev/null 2>/tmp/diag.err; echo \"exit status \$?\" >>/tmp/diag.err"
    tail -n 300 /tmp/diag.err >"$OUT/diag/$1.err"
    rm -f /tmp/diag.err
}

# GUEST_MODE=bench: the benchmark of `make bench-vm` (bench/vm.sh) instead
# of the tests, one bounded step, then the same dump.
if [ "${GUEST_MODE:-}" = bench ]; then
    step bench sh /t/bench-guest.sh $OUT/bench
    dump
    echo "@@GUEST-DONE $(tr '\n' ' ' <$OUT/guest/rc)"
    exit 0
fi

# GUEST_MODE=repeat: the cases that depend on timing (threads, races,
# threads blocked at once, connects in progress), REPEAT times in each mode, for the host to
# judge each run (tests/vm/repeat.sh): a flaky one fails some of them.
if [ "${GUEST_MODE:-}" = repeat ]; then
    i=1
    while [ $i -le "${REPEAT:-10}" ]; do
        for mode in kprobe tracepoint; do
            mkdir -p $OUT/$mode-$i
            E2E_CASES="threads 4" E2E_SESSIONS="races blocked pending" \
                step $mode-$i sh /t/e2e-run.sh $OUT/$mode-$i --attach $mode
        done
        i=$((i + 1))
    done
    dump
    echo "@@GUEST-DONE $(tr '\n' ' ' <$OUT/guest/rc)"
    exit 0
fi

kprobe_events=/sys/kernel/tracing/kprobe_events
for mode in kprobe tracepoint; do
    mkdir -p $OUT/$mode
    step $mode sh /t/e2e-run.sh $OUT/$mode --attach $mode
    diagnose $mode
done
# The kprobe mode's kretprobes, made through tracefs, are gone once it
# stopped; those a SIGKILL leaves, the next socktrace takes out.
mkdir -p $OUT/kretprobes
grep -c socktrace_ $kprobe_events >$OUT/kretprobes/after_runs 2>/dev/null
step kretprobes sh -c ". /t/tracer.sh; SOCKTRACE=/t/socktrace
    tracer_start $OUT/kretprobes/killed --attach kprobe || exit 1
    grep -c socktrace_ $kprobe_events >$OUT/kretprobes/while_tracing
    kill -KILL \$tracer; wait \$tracer; sleep 1
    grep -c socktrace_ $kprobe_events >$OUT/kretprobes/after_kill
    tracer_start $OUT/kretprobes/next --attach kprobe || exit 1
    tracer_stop $OUT/kretprobes/next; wait \$tracer
    grep -c socktrace_ $kprobe_events >$OUT/kretprobes/after_next; true"

# auto must pick kprobe on a kernel that has it; the host reads the stderr.
mkdir -p $OUT/auto
step auto sh -c "/t/socktrace --attach auto --duration 1 --output json \
    >$OUT/auto/stdout 2>$OUT/auto/stderr"

# Negative control: kprobes stay registered but never fire, so the checker
# must fail on this directory; if it passes, it cannot see kprobe events.
kp=/sys/kernel/debug/kprobes/enabled
if [ -f $kp ]; then
    echo 0 >$kp
    echo "kprobes_enabled_negative=$(cat $kp 2>&1)" >>$facts
    mkdir -p $OUT/negative
    # One short session is enough to show the checker catches it.
    E2E_CASES=tcp step negative sh /t/e2e-run.sh $OUT/negative --attach kprobe
    echo 1 >$kp
    echo "kprobes_enabled_after=$(cat $kp 2>&1)" >>$facts
fi

dmesg >$OUT/guest/dmesg
dump
echo "@@GUEST-DONE $(tr '\n' ' ' <$OUT/guest/rc)"
