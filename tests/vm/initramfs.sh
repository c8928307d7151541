#!/bin/sh
# initramfs.sh OUTFILE FILES...: build the guest's gzip'd newc initramfs.
#
# Contents: busybox-static as the whole userland (applet symlinks made here,
# so the guest needs no setup step), /init = tests/vm/init.sh, and FILES
# copied into /t/ under their own base names. FILES must run without shared
# libraries (static binaries, sh scripts): the guest has no libc.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 OUTFILE FILES..." >&2; exit 2; }
out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bb=/bin/busybox
[ -x "$bb" ] || { echo "initramfs.sh: $bb missing (apt-get install busybox-static)" >&2; exit 1; }

stage=$out.d
rm -rf "$stage"
mkdir -p "$stage"/bin "$stage"/sbin "$stage"/usr/bin "$stage"/usr/sbin \
    "$stage"/proc "$stage"/sys "$stage"/dev "$stage"/tmp "$stage"/t
# An ELF with a program interpreter needs a libc the guest lacks.
dynamic() {
    command -v readelf >/dev/null || return 1
    readelf -l "$1" 2>/dev/null | grep -q "Requesting program interpreter"
}
dynamic "$bb" && { echo "initramfs.sh: $bb is not static (install busybox-static)" >&2; exit 1; }
cp "$bb" "$stage/bin/busybox"
# One symlink per applet, at the path busybox itself prefers.
for p in $("$stage/bin/busybox" --list-full); do
    [ -e "$stage/$p" ] || ln -s /bin/busybox "$stage/$p"
done
# The kernel opens /dev/console for init's stdio before we can mount
# devtmpfs; its built-in initramfs has one, but do not rely on that.
mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true

cp "$here/init.sh" "$stage/init"
chmod 755 "$stage/init"
for f in "$@"; do
    [ -f "$f" ] || { echo "initramfs.sh: no such file: $f" >&2; exit 1; }
    if dynamic "$f"; then
        echo "initramfs.sh: $f is dynamically linked; the guest has no libc" >&2
        exit 1
    fi
    cp "$f" "$stage/t/"
    chmod 755 "$stage/t/$(basename "$f")"
done

# Sorted for a reproducible archive; owner root, whoever builds it.
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
    gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
