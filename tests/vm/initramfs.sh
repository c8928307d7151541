#!/bin/sh
# initramfs.sh OUTFILE FILES...: build the guest's gzip'd newc initramfs.
#
# Contents: busybox-static as the whole userland ($BUSYBOX, default the
# host's /bin/busybox; for another architecture, that architecture's), /init
# = tests/vm/init.sh, and FILES copied into /t/ under their own base names.
# Only /bin/sh is linked here: init makes the other applet links itself, as
# this busybox may not run on the host. FILES must run without shared
# libraries (static binaries, sh scripts): the guest has no libc.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 OUTFILE FILES..." >&2; exit 2; }
out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
bb=${BUSYBOX:-/bin/busybox}
[ -f "$bb" ] || { echo "initramfs.sh: $bb missing (apt-get install busybox-static)" >&2; exit 1; }

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
chmod 755 "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
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
