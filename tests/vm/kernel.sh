#!/bin/sh
# kernel.sh OUTDIR RELEASE ARCH REGEX: leave a guest kernel in OUTDIR/vmlinuz,
# from the newest Debian package of RELEASE/ARCH whose name matches REGEX
# (fetched by apt.sh, the private apt), with its config and package name.
#
# We boot Debian's cloud kernels: they are in the only registry we can
# reach, are small, and have everything we use built in (serial console,
# loopback, BPF, kprobes, tracefs, debugfs), so the initramfs needs no
# modules. Cached: if OUTDIR/vmlinuz exists, nothing is done.
set -eu

[ $# -eq 4 ] || { echo "usage: $0 OUTDIR RELEASE ARCH REGEX" >&2; exit 2; }
out=$1 rel=$2 arch=$3 re=$4
[ -f "$out/vmlinuz" ] && exit 0
mkdir -p "$out"
out=$(cd "$out" && pwd)

x=$out/x
rm -rf "$x"
pkg=$("$(dirname "$0")/apt.sh" "$rel" "$arch" "$x" "$re")
echo "kernel.sh: using $pkg" >&2
img=$(ls "$x"/boot/vmlinuz-* | head -1)
[ -f "$img" ] || { echo "kernel.sh: no /boot/vmlinuz-* in $pkg" >&2; exit 1; }
# Keep the config beside it: handy to check what is built in.
cp "$x"/boot/config-* "$out/config" 2>/dev/null || true
echo "$pkg" >"$out/package"
# Write vmlinuz last so an interrupted run is not mistaken for a cache hit.
cp "$img" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
rm -rf "$x"
