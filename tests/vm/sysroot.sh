#!/bin/sh
# sysroot.sh DIR: Debian 12's arm64 libbpf, libelf and zlib (headers and
# static libraries) and busybox-static, unpacked into DIR, for the arm64
# cross build (tests/vm/vm.mk) and the arm64 guest's initramfs. Fetched by
# apt.sh, the private apt: the machine gets no foreign architecture. DIR/.stamp
# lists the packages and marks it complete; if it exists nothing is done.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
[ -f "$dir/.stamp" ] && exit 0
rm -rf "$dir"
mkdir -p "$dir"
# libelf 0.188 and libbpf 1.1 need only zlib besides libc (no zstd).
"$(dirname "$0")/apt.sh" bookworm arm64 "$dir" '^libbpf-dev$' '^libelf-dev$' \
    '^zlib1g-dev$' '^busybox-static$' >"$dir/.stamp.tmp"
mv "$dir/.stamp.tmp" "$dir/.stamp"
