#!/bin/sh
# Guest /init (busybox ash), packed by initramfs.sh, booted by run.sh.
#
# Runs the e2e scenarios (tests/e2e-run.sh) with --attach kprobe and
# --attach tracepoint, an --attach auto check, and a negative control with
# kprobes disabled; then dumps every file of /tmp/out on the serial console
# for run.sh to decode, and powers off. It does not judge: the host does,
# with tests/e2e-check.sh, since the guest has no bash or jq.
#
# It must never hang: every step runs under `timeout`, in its own session so
# whatever it leaves behind is killed by process group. STEP_SECS (a kernel
# command line word, which the kernel hands to init as an environment
# variable) bounds each step.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp
STEP_SECS=${STEP_SECS:-60}
OUT=/tmp/out

# Whatever happens, end by powering off; exiting init would panic the kernel.
trap 'poweroff -f' EXIT

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
mount -t debugfs debugfs /sys/kernel/debug
ip link set lo up
# Keep kernel messages off the console so they cannot interleave with the
# dump; they are dumped as guest/dmesg instead.
echo 1 > /proc/sys/kernel/printk
echo; echo "@@GUEST-START $(uname -r)"

mkdir -p $OUT/guest
facts=$OUT/guest/facts
{
    echo "kernel=$(uname -r)"
    if [ -d /sys/bus/event_source/devices/kprobe ]; then
        echo kprobe_pmu=yes
    else
        echo kprobe_pmu=no
    fi
    echo "btf=$([ -f /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
    echo "kprobes_enabled=$(cat /sys/kernel/debug/kprobes/enabled 2>&1)"
} > $facts

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
    echo "$name=$rc" >> $OUT/guest/rc
}

for mode in kprobe tracepoint; do
    mkdir -p $OUT/$mode
    step $mode sh /t/e2e-run.sh $OUT/$mode --attach $mode
done

# auto must pick kprobe on a kernel that has it; the host reads the stderr.
mkdir -p $OUT/auto
step auto sh -c "/t/socktrace --attach auto --duration 1 --output json \
    >$OUT/auto/stdout 2>$OUT/auto/stderr"

# Negative control: kprobes stay registered but never fire, so the checker
# must fail on this directory; if it passes, it cannot see kprobe events.
kp=/sys/kernel/debug/kprobes/enabled
echo 0 > $kp
echo "kprobes_enabled_negative=$(cat $kp 2>&1)" >> $facts
mkdir -p $OUT/negative
step negative sh /t/e2e-run.sh $OUT/negative --attach kprobe
echo 1 > $kp
echo "kprobes_enabled_after=$(cat $kp 2>&1)" >> $facts

dmesg > $OUT/guest/dmesg

# Dump: a header with size and md5 so the host can tell a damaged file.
cd $OUT || exit 1
find . -type f | sort | while read -r f; do
    f=${f#./}
    echo "@@FILE $f $(wc -c < "$f") $(md5sum < "$f" | cut -d' ' -f1)"
    base64 "$f"
    echo "@@END"
done
echo "@@GUEST-DONE $(tr '\n' ' ' < $OUT/guest/rc)"
