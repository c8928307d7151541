#!/bin/sh
# kernel.sh OUTDIR: leave a guest kernel in OUTDIR/vmlinuz.
#
# The host kernel has no kprobes, so the kprobe attach mode is tested in a
# qemu guest. We boot Debian 12's cloud kernel: it is in the only registry we
# can reach (Debian's apt), is small, and has everything we use built in
# (8250 serial console, loopback, BPF, kprobes, tracefs, debugfs), so no
# modules are needed in the initramfs.
# Cached: if OUTDIR/vmlinuz exists, nothing is done.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
[ -f "$out/vmlinuz" ] && exit 0
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Newest 6.1.0-N cloud image the local index knows of.
newest() {
    apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' |
        cut -d' ' -f1 | sort -V | tail -1
}

pkg=$(newest)
if [ -z "$pkg" ]; then
    # A fresh machine may have no package lists yet.
    apt-get update >&2
    pkg=$(newest)
fi
[ -n "$pkg" ] || { echo "kernel.sh: no linux-image-6.1.0-*-cloud-amd64 in apt" >&2; exit 1; }
echo "kernel.sh: using $pkg" >&2

dl=$out/deb
rm -rf "$dl"
mkdir -p "$dl"
# apt-get download writes into the current directory. As root it may warn
# that the _apt sandbox user cannot write here; that is harmless.
if ! (cd "$dl" && apt-get download "$pkg" >&2); then
    # A stale index names a .deb the mirror no longer has: refresh once.
    apt-get update >&2
    pkg=$(newest)
    (cd "$dl" && apt-get download "$pkg" >&2)
fi

dpkg -x "$dl"/"$pkg"_*.deb "$dl/root"
img=$(ls "$dl"/root/boot/vmlinuz-* | head -1)
[ -f "$img" ] || { echo "kernel.sh: no vmlinuz in $pkg" >&2; exit 1; }
# Keep the config beside it: handy to check what is built in.
cp "$dl"/root/boot/config-* "$out/config" 2>/dev/null || true
echo "$pkg" > "$out/package"
# Write vmlinuz last so an interrupted run is not mistaken for a cache hit.
cp "$img" "$out/vmlinuz.tmp"
mv "$out/vmlinuz.tmp" "$out/vmlinuz"
rm -rf "$dl"
echo "kernel.sh: $out/vmlinuz" >&2
