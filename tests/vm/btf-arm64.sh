#!/bin/sh
# btf-arm64.sh: regenerate vmlinux/arm64/vmlinux.h, the kernel types the BPF
# programs are built against for arm64, from Debian 12's arm64 cloud kernel
# (the bookworm-arm64 line of tests/vm/kernels). Not run by make test: run it
# by hand when that kernel changes, and commit the header.
#
# The kernel's BTF is read where the kernel publishes it, /sys/kernel/btf/
# vmlinux, in the booted guest (init.sh with GUEST_MODE=btf dumps it on the
# serial console); bpftool turns it into C, as for vmlinux/x86/vmlinux.h.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
vm=$root/build/vm/bookworm-arm64
rm -rf "$vm/t"
mkdir -p "$vm/t"
GUEST_ARGS=GUEST_MODE=btf VM_TIMEOUT=${VM_TIMEOUT:-900} "$here/boot.sh" bookworm-arm64
cat "$vm/boot.result" >&2
btf=$vm/out/guest/btf
if ! grep -qx 'damaged=' "$vm/boot.result" || [ ! -s "$btf" ]; then
    echo "btf-arm64.sh: no intact BTF came back; see $vm/serial.log" >&2
    exit 1
fi
echo "btf-arm64.sh: BTF of $(sed -n 's/^@@GUEST-START //p' "$vm/serial.log"), $(wc -c <"$btf") bytes" >&2
mkdir -p "$root/vmlinux/arm64"
bpftool btf dump file "$btf" format c >"$root/vmlinux/arm64/vmlinux.h.tmp"
mv "$root/vmlinux/arm64/vmlinux.h.tmp" "$root/vmlinux/arm64/vmlinux.h"
echo "btf-arm64.sh: wrote vmlinux/arm64/vmlinux.h ($(wc -l <"$root/vmlinux/arm64/vmlinux.h") lines)" >&2
