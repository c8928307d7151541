#!/bin/sh
# apt.sh RELEASE ARCH DEST REGEX...: fetch from Debian's archive, for RELEASE
# (bullseye, bookworm, trixie) and ARCH (amd64, arm64), the newest package
# whose name matches each REGEX (apt-cache search --names-only), and unpack
# each into DEST with dpkg -x. Prints "package version" per package.
#
# Why a private apt: the guest kernels and the arm64 libraries come from
# other releases and another architecture than this machine's. apt runs with
# its own configuration, sources, lists, cache and an empty dpkg status under
# build/apt/RELEASE-ARCH (APT_CONFIG is read before anything else, so the
# machine's /etc/apt is not even read), and nothing is installed: the
# machine's apt and dpkg state are never changed. Only the mirror host is
# taken from the machine's sources, since that is the one it can reach.
set -eu

[ $# -ge 4 ] || { echo "usage: $0 RELEASE ARCH DEST REGEX..." >&2; exit 2; }
rel=$1 arch=$2 dest=$3
shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/build/apt/$rel-$arch
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/empty" "$dir/debs" "$dest"
[ -f "$dir/status" ] || : >"$dir/status"

# scheme://host of the machine's first Debian mirror (deb.debian.org by
# default); VM_MIRROR overrides it.
mirror=${VM_MIRROR:-$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v '^[[:space:]]*#' |
    grep -oE 'https?://[^/[:space:]]+/debian([/[:space:]]|$)' | head -1 | sed 's#/debian.*##')}
mirror=${mirror:-http://deb.debian.org}
keys=/usr/share/keyrings/debian-archive-keyring.gpg
o="[arch=$arch signed-by=$keys]"
cat >"$dir/sources.list" <<EOF
deb $o $mirror/debian $rel main
deb $o $mirror/debian $rel-updates main
deb $o $mirror/debian-security $rel-security main
EOF

# Check-Valid-Until off as on this machine: its mirror may be a snapshot
# whose security Release files have expired. Lists kept compressed and no
# binary caches: 60 MB instead of 130 MB per release, at 2 s per look-up.
cat >"$dir/apt.conf" <<EOF
Dir::Etc::main "/dev/null";
Dir::Etc::parts "$dir/empty";
Dir::Etc::sourcelist "$dir/sources.list";
Dir::Etc::sourceparts "$dir/empty";
Dir::Etc::preferences "$dir/empty/none";
Dir::Etc::preferencesparts "$dir/empty";
Dir::Etc::trustedparts "$dir/empty";
Dir::State "$dir";
Dir::State::lists "$dir/lists";
Dir::State::status "$dir/status";
Dir::Cache "$dir/cache";
Dir::Log "$dir";
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
APT::Sandbox::User "root";
Acquire::Languages "none";
Acquire::Check-Valid-Until "false";
Acquire::GzipIndexes "true";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Retries "3";
Acquire::http::Timeout "60";
EOF
export APT_CONFIG="$dir/apt.conf"

update() { timeout 600 apt-get -q update >&2; }
newest() { apt-cache search --names-only "$1" | cut -d' ' -f1 | sort -V | tail -1; }

# The lists are kept: update only the first time, or when they turn out
# stale (a name not found, or a .deb the mirror no longer has).
ls "$dir"/lists/*Packages* >/dev/null 2>&1 || update
for re in "$@"; do
    pkg=$(newest "$re")
    if [ -z "$pkg" ]; then
        update
        pkg=$(newest "$re")
    fi
    [ -n "$pkg" ] || { echo "apt.sh: no package matching $re in $rel/$arch" >&2; exit 1; }
    rm -f "$dir/debs/${pkg}"_*.deb
    if ! (cd "$dir/debs" && timeout 900 apt-get -q download "$pkg" >&2); then
        update
        pkg=$(newest "$re")
        (cd "$dir/debs" && timeout 900 apt-get -q download "$pkg" >&2)
    fi
    deb=$(ls "$dir/debs/${pkg}"_*.deb | head -1)
    dpkg -x "$deb" "$dest"
    echo "$pkg $(dpkg-deb -f "$deb" Version)"
    rm -f "$deb"
done
