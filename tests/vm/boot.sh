#!/bin/bash
# boot.sh NAME: boot guest kernel NAME (a line of tests/vm/kernels) under
# qemu, TCG, with an initramfs of busybox, init.sh and the files the caller
# put in build/vm/NAME/t/; then decode the files its /init dumps on the
# serial console into build/vm/NAME/out/.
#
# Env: VM_TIMEOUT bounds the whole guest (seconds, default 600); STEP_SECS
# (default 120) and GUEST_ARGS, more kernel command line words, reach init as
# environment variables; VM_DIR replaces build/vm/NAME (so that the bench's
# guest never shares a directory with the test matrix's); QEMU_ARGS, more
# qemu words (the bench's -icount). Writes build/vm/NAME/boot.result (wall=,
# qemu_rc=, files=, damaged=) for the caller to judge; exits 1 if it could
# not boot at all (no kernel, no initramfs), 2 on bad usage.
set -u -o pipefail
shopt -s nullglob

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
name=${1:?usage: boot.sh NAME}
read -r _ arch rel re _ cpus < <(grep -v '^#' "$here/kernels" | awk -v n="$name" '$1 == n')
[ -n "${re:-}" ] || { echo "boot.sh: no kernel '$name' in $here/kernels" >&2; exit 2; }
vm=${VM_DIR:-$root/build/vm/$name}
log=$vm/serial.log
res=$vm/boot.result
rm -f "$log" "$res"

"$here/kernel.sh" "$vm/kernel" "$rel" "$arch" "$re" ||
    { echo "boot.sh: could not get the $name kernel (kernel.sh)" >&2; exit 1; }
case $arch in
amd64)
    bb=/bin/busybox
    # No NIC (only loopback is used), which also skips the iPXE option ROM.
    qemu=(qemu-system-x86_64)
    console=ttyS0
    ;;
arm64)
    "$here/sysroot.sh" "$root/build/arm64/sysroot" || exit 1
    bb=$root/build/arm64/sysroot/bin/busybox
    # cortex-a57: "max" would add pointer authentication, slow under TCG.
    qemu=(qemu-system-aarch64 -M virt -cpu cortex-a57)
    console=ttyAMA0
    ;;
*) echo "boot.sh: unknown arch $arch" >&2; exit 2 ;;
esac
BUSYBOX=$bb "$here/initramfs.sh" "$vm/initrd.gz" "$vm"/t/* ||
    { echo "boot.sh: initramfs.sh failed" >&2; exit 1; }

# stdin from /dev/null so qemu never touches a tty. Command line words
# with '=' that the kernel does not know reach init as environment.
timeout=${VM_TIMEOUT:-600}
read -ra extra <<<"${QEMU_ARGS:-}"
# The kernels line's CPUS unless VM_SMP says otherwise. Why one: with two,
# TCG may run a stale translation of kernel text another vCPU is patching
# (attaching a tracepoint flips static keys through int3): 6.12 died with
# "Oops: int3" in syscall_trace_enter, and 5.10's two vCPUs spun there
# for good (soft lockups), two guests sharing two host CPUs. Threads still
# interleave on one vCPU.
smp=${VM_SMP:-${cpus:-1}}
t0=$(date +%s.%N)
timeout -k 10 "$timeout" "${qemu[@]}" \
    -kernel "$vm/kernel/vmlinuz" -initrd "$vm/initrd.gz" \
    -append "console=$console quiet panic=-1 STEP_SECS=${STEP_SECS:-240} ${GUEST_ARGS:-}" \
    -nographic -no-reboot -m 1024 -smp "$smp" -nic none "${extra[@]}" \
    </dev/null >"$vm/serial.raw" 2>&1
qrc=$?
t1=$(date +%s.%N)
# The guest tty turns \n into \r\n, and firmware and kernel send terminal
# escapes (reset, clear screen) that can land before our first marker.
tr -d "\r" <"$vm/serial.raw" | sed -E "s/\x1b(\[[0-9;?]*[A-Za-z]|[A-Za-z])//g" >"$log"
rm -f "$vm/serial.raw"

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
# Packed by the guest's dump (init.sh): unpacked here.
if [ -f "$out/out.tgz" ] && [ ${#bad[@]} = 0 ]; then
    tar -xzf "$out/out.tgz" -C "$out" && rm -f "$out/out.tgz" || bad+=(out.tgz)
    nfiles=$(find "$out" -type f | wc -l)
fi
{
    echo "wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
    echo "qemu_rc=$qrc"
    echo "files=$nfiles"
    echo "damaged=${bad[*]:-}"
} >"$res"
