#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Shipping socktrace: the man page (lint, and its options and events in step
# with --help and README.md), the shell completion, make install and
# uninstall, the systemd unit, and the Debian package: built from a copy of
# the tree in build/pkg/, linted, installed, run, its service started under
# systemd, then purged. Needs root, a git checkout, and besides the build's
# packages: scdoc mandoc man-db build-essential debhelper dpkg-dev lintian
# systemd systemd-container zsh jq git.
#
#   tests/pkg.sh
set -u
cd "$(dirname "$0")/.."
label=pkg
. tests/lib.sh
tmp=$(mktemp -d)
pkgdir=$PWD/build/pkg
bin=$PWD/build/socktrace
comp=$PWD/dist/socktrace.bash-completion
version=$(sed -n 's/^VERSION := //p' Makefile)
arch=$(dpkg --print-architecture)
ours= # set while the package this test installed is on the machine
bg=()
cleanup() {
	[ ${#bg[@]} = 0 ] || kill "${bg[@]}" 2> /dev/null
	[ -z "$ours" ] || dpkg --purge socktrace > /dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# same WHAT WANT GOT: passes when the two lists (one item a line) are equal.
same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		fail "$1" "$(diff <(echo "$2") <(echo "$3") | grep '^[<>]' | tr '\n' ' ')"; fi
}
# subset WHAT A B: every line of A is in B; names the ones that are not.
subset() {
	local missing
	missing=$(comm -23 <(sort -u <<< "$2") <(sort -u <<< "$3") | tr '\n' ' ')
	if [ -z "$missing" ]; then ok "$1"; else fail "$1" "missing: $missing"; fi
}

if [ "$(id -u)" != 0 ]; then
	fail "run as root (dpkg -i, tracing)"
	finish
	exit
fi
if ! make -s all > "$tmp/make.log" 2>&1 || [ ! -s build/socktrace.8 ]; then
	fail "make builds build/socktrace and build/socktrace.8" "$(tail -5 "$tmp/make.log" | tr '\n' ' ')"
	finish
	exit
fi
ok "make builds build/socktrace and build/socktrace.8"

## The man page.

out=$(mandoc -Tlint -W warning build/socktrace.8 2>&1)
[ $? = 0 ] && [ -z "$out" ] && ok "man page: mandoc -Tlint, no warning" ||
	fail "man page: mandoc -Tlint, no warning" "$out"
# What lintian runs on every man page.
out=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z build/socktrace.8 2>&1 > /dev/null)
[ -z "$out" ] && ok "man page: groff -ww (man --warnings), no warning" ||
	fail "man page: groff -ww (man --warnings), no warning" "$out"

# The page as text: headings at column 0; list entries at 7 columns with
# their text at 11 columns below them.
mandoc -Tascii -O width=300 build/socktrace.8 | col -bx > "$tmp/man.txt"
section() { awk -v s="$1" '$0 == s { on = 1; next } /^[A-Z]/ { on = 0 } on' "$tmp/man.txt"; }
entries() { section "$1" | awk 'prev ~ /^       [^ ]/ && /^           [^ ]/ { print substr(prev, 8) } { prev = $0 }'; }
missing=
for s in NAME SYNOPSIS DESCRIPTION OPTIONS EVENTS "EXIT STATUS" "ATTACH MODES AND KERNEL REQUIREMENTS" \
	EXAMPLES FILES "SEE ALSO"; do
	grep -qx "$s" "$tmp/man.txt" || missing="$missing $s,"
done
[ -z "$missing" ] && ok "man page: every section" || fail "man page: every section" "missing:$missing"

## Options: --help, the man page's OPTIONS and README's usage table agree.

"$bin" --help > "$tmp/help"
long() { grep -oE -- '--[a-z0-9-]+' | sort -u; }
# "-p --pid" for every option with a short form.
pairs() { grep -oE -- '(^|[ `])-[^- ], --[a-z0-9-]+' | sed -E 's/^[ `]//; s/, / /' | sort -u; }
help_long=$(sed -nE 's/^ {2}(-[^-], | {4})(--[a-z0-9-]+).*/\2/p' "$tmp/help" | sort -u)
help_pairs=$(sed -nE 's/^ {2}(-[^-]), (--[a-z0-9-]+).*/\1 \2/p' "$tmp/help" | sort -u)
man_opts=$(entries OPTIONS)
man_long=$(long <<< "$man_opts")
awk '/^## Usage/ { on = 1; next } /^#/ { on = 0 } on && /^\| `-/' README.md | cut -d'|' -f2 > "$tmp/usage"
readme_long=$(long < "$tmp/usage")
# argp's own options, which README's table leaves out.
argp_own=$(printf '%s\n' --help --usage --version)
[ -n "$help_long" ] && [ -n "$man_long" ] && [ -n "$readme_long" ] &&
	ok "options found: $(wc -l <<< "$help_long") in --help, $(wc -l <<< "$man_long") in the man page, $(wc -l <<< "$readme_long") in README's usage table" ||
	fail "options found in --help, the man page and README's usage table"
subset "options: every one of --help is in the man page's OPTIONS" "$help_long" "$man_long"
subset "options: every one of the man page's OPTIONS is in --help" "$man_long" "$help_long"
subset "options: every one of --help (but argp's --help, --usage, --version) is in README's usage table" \
	"$(comm -23 <(echo "$help_long") <(echo "$argp_own"))" "$readme_long"
subset "options: every one of README's usage table is in --help" "$readme_long" "$help_long"
same "options: the man page pairs the same short and long names as --help" "$help_pairs" "$(pairs <<< "$man_opts")"
subset "options: README's usage table pairs short and long names as --help does" "$(pairs < "$tmp/usage")" "$help_pairs"

## Events: README's "JSON lines" tables and the man page's EVENTS agree.

awk '/^### JSON lines/ { on = 1; next } /^#/ { on = 0 } on' README.md > "$tmp/json.md"
names() { grep -oE '`[a-z_][a-z0-9_]*`' | tr -d '`' | sort -u; }
readme_entries=$(awk -F'|' '/^\| `/ { print $2 }' "$tmp/json.md" | names)
readme_named=$( { awk -F'|' '/^\| `/ { for (i = 3; i <= NF; i++) print $i }' "$tmp/json.md" | names
	grep '^{"' "$tmp/json.md" | jq -r 'keys[]'; } | sort -u)
man_entries=$(entries EVENTS | tr ',' '\n' | tr -d ' ' | sort -u)
man_words=$(section EVENTS | grep -oE '[a-z_][a-z0-9_]*' | sort -u)
[ -n "$readme_entries" ] && [ -n "$man_entries" ] &&
	ok "events found: $(wc -l <<< "$readme_entries") fields and kinds in README, $(wc -l <<< "$man_entries") in the man page" ||
	fail "events found in README's JSON lines section and in the man page's EVENTS"
subset "events: every field and kind of README's JSON lines tables is an entry of the man page's EVENTS" \
	"$readme_entries" "$man_entries"
subset "events: every entry of the man page's EVENTS is in README's JSON lines tables" "$man_entries" "$readme_entries"
subset "events: every name in README's per-event fields and JSON examples is in the man page's EVENTS" \
	"$readme_named" "$man_words"

## Shell completion.

# offered WORD...: what bash completion offers for the last word, one a line.
offered() {
	bash --norc --noprofile -c '. "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _socktrace
		printf "%s\n" "${COMPREPLY[@]}"' "$comp" "$bin" "$@" | sort
}
same "bash completion: an empty word offers every option of --help" "$help_long" "$(offered '')"
same "bash completion: --ou completes to --output" "--output" "$(offered --ou)"
same "bash completion: --output offers text and json" "$(printf 'json\ntext')" "$(offered --output '')"
same "bash completion: -a offers auto, kprobe, tracepoint" "$(printf 'auto\nkprobe\ntracepoint')" "$(offered -a '')"
same "bash completion: --output=j (split at =) completes to json" "json" "$(offered --output = j)"
same "bash completion: -e offers the kinds of --help, and all" \
	"$(printf '%s\n' all $("$bin" --help | sed -n '/^Event kinds/,/^$/s/^  \([a-z]*\) .*/\1/p') | sort)" "$(offered -e '')"
same "bash completion: --events connect,cl completes the last kind" "connect,close" "$(offered --events connect,cl)"
same "bash completion: --proto offers tcp and udp" "$(printf 'tcp\nudp')" "$(offered --proto '')"
same "bash completion: --sort offers the keys" "$(printf 'connections\nin\nout\ntotal')" "$(offered --top --sort '')"
same "bash completion: -u ro offers root" "root" "$(offered -u ro)"
grep -qx "$$" <<< "$(offered --pid "$$")" && ok "bash completion: --pid offers a running pid ($$)" ||
	fail "bash completion: --pid offers a running pid ($$)" "$(offered --pid "$$" | head -5 | tr '\n' ' ')"
# A command name is anyone's to choose: it is offered quoted, never run.
ln -s "$(command -v sleep)" "$tmp/\$(touch pwned)"
"$tmp/\$(touch pwned)" 30 &
bg+=($!)
for _ in $(seq 50); do [ "$(cat /proc/$!/comm 2> /dev/null)" = '$(touch pwned)' ] && break; sleep 0.1; done
got=$(cd "$tmp" && offered --comm '$(to')
[ "$got" = '\$\(touch\ pwned\)' ] && [ ! -e "$tmp/pwned" ] &&
	ok "bash completion: --comm offers running command names, quoted: $got" ||
	fail "bash completion: --comm offers running command names, quoted" "got '$got'; $(ls "$tmp" | tr '\n' ' ')"
kill "${bg[@]}" 2> /dev/null
bg=()
check "zsh completion: zsh -n" zsh -n dist/_socktrace

## make install, make uninstall.

root=$pkgdir/root
rm -rf "$root"
mkdir -p "$root"
files() { (cd "$root" && find . ! -type d | sort); }
before=$(files)
make -s install DESTDIR="$root" PREFIX=/usr > "$tmp/install.log" 2>&1 ||
	fail "make install" "$(tail -3 "$tmp/install.log" | tr '\n' ' ')"
same "make install DESTDIR=build/pkg/root PREFIX=/usr: binary, man page, completions" \
	"$(printf '%s\n' ./usr/sbin/socktrace ./usr/share/bash-completion/completions/socktrace \
		./usr/share/man/man8/socktrace.8 ./usr/share/zsh/site-functions/_socktrace | sort)" "$(files)"
[ "$(stat -c %a "$root/usr/sbin/socktrace" 2> /dev/null)" = 755 ] && ok "make install: the binary is mode 755" ||
	fail "make install: the binary is mode 755"
make -s uninstall DESTDIR="$root" PREFIX=/usr > "$tmp/install.log" 2>&1
same "make uninstall leaves no file behind" "$before" "$(files)"
rm -rf "$root"

## The systemd unit, as it is in the tree.

sed "s|^ExecStart=/usr/sbin/socktrace|ExecStart=$bin|" dist/socktrace.service > "$tmp/socktrace.service"
out=$(systemd-analyze verify --man=no "$tmp/socktrace.service" 2>&1)
[ $? = 0 ] && [ -z "$out" ] && ok "unit: systemd-analyze verify" || fail "unit: systemd-analyze verify" "$out"

## The Debian package, from a copy of the tree as it is (changes included).

same "debian/changelog has the Makefile's VERSION" "$version" "$(dpkg-parsechangelog -l debian/changelog -S Version)"
start=$SECONDS
make -s deb > "$tmp/deb.log" 2>&1
deb=$pkgdir/socktrace_${version}_$arch.deb
if [ -s "$deb" ]; then
	ok "dpkg-buildpackage -us -uc -b: $(basename "$deb") in $((SECONDS - start)) s"
else
	fail "dpkg-buildpackage -us -uc -b" "$(tail -5 "$tmp/deb.log" | tr '\n' ' ')"
	finish
	exit
fi
lintian --fail-on none "$pkgdir/socktrace_${version}_$arch.changes" 2>&1 | grep -v 'root privileges' > "$pkgdir/lintian.log"
for level in E:error W:warning; do
	if grep -q "^${level%%:*}:" "$pkgdir/lintian.log"; then
		fail "lintian: no ${level#*:}" "$(grep "^${level%%:*}:" "$pkgdir/lintian.log" | tr '\n' ' ')"
	else
		ok "lintian: no ${level#*:}"
	fi
done

if dpkg-query -W -f='${Status}' socktrace 2> /dev/null | grep -q 'ok installed'; then
	echo "# socktrace was installed before this test: it is replaced, then purged"
fi
ours=1
out=$(dpkg -i "$deb" 2>&1) && ok "dpkg -i $(basename "$deb")" || fail "dpkg -i $(basename "$deb")" "$out"
unit=$(dpkg -L socktrace | grep '/systemd/system/socktrace.service$')
shipped="/usr/sbin/socktrace /usr/share/man/man8/socktrace.8.gz /usr/share/bash-completion/completions/socktrace $unit
	/usr/share/doc/socktrace/events.schema.json /usr/share/doc/socktrace/examples/metrics.conf"
missing=
for f in $shipped; do [ -e "$f" ] || missing="$missing $f"; done
[ -z "$missing" ] && [ -n "$unit" ] && ok "installed: binary, man page, bash completion, the events' schema, $unit" ||
	fail "installed: binary, man page, bash completion, unit" "missing:$missing"
same "installed: socktrace --version" "socktrace $version" "$(/usr/sbin/socktrace --version)"
same "installed: man -w socktrace finds the page" /usr/share/man/man8/socktrace.8.gz "$(man -w socktrace 2> /dev/null)"
same "installed: the service is disabled" disabled "$(systemctl is-enabled socktrace 2> /dev/null)"
out=$(systemd-analyze verify "$unit" 2>&1)
[ $? = 0 ] && [ -z "$out" ] && ok "installed unit: systemd-analyze verify" || fail "installed unit: systemd-analyze verify" "$out"
level=$(systemd-analyze security --offline=yes "$unit" 2> /dev/null | sed -n 's/.*Overall exposure level.*: \([0-9.]*\).*/\1/p')
systemd-analyze security --offline=yes --threshold=20 "$unit" > /dev/null 2>&1 &&
	ok "installed unit: systemd-analyze security exposure $level, at most 2.0" ||
	fail "installed unit: systemd-analyze security exposure at most 2.0" "exposure $level"

# The installed binary traces a connect: bash's /dev/tcp to a local port
# (refused or not, the connect is an event).
/usr/sbin/socktrace --duration 3 --output json > "$tmp/run.json" 2> "$tmp/run.err" &
st=$!
bg+=($st)
for _ in $(seq 100); do grep -q '^socktrace: tracing' "$tmp/run.err" 2> /dev/null && break; sleep 0.1; done
bash -c 'echo $$ > "$0"; exec 3<> /dev/tcp/127.0.0.1/9' "$tmp/conn.pid" 2> /dev/null
wait $st
rc=$?
bg=()
n=$(jq -s --argjson p "$(cat "$tmp/conn.pid")" \
	'[.[] | select(.event == "connect" and .pid == $p and .daddr == "127.0.0.1" and .dport == 9)] | length' "$tmp/run.json")
[ "$rc" = 0 ] && [ "$n" = 1 ] && ok "installed: /usr/sbin/socktrace traced the connect of pid $(cat "$tmp/conn.pid"), exit 0" ||
	fail "installed: /usr/sbin/socktrace traced a connect" "exit $rc, $n events: $(head -c 300 "$tmp/run.err")"

# The service, under systemd: this machine's, or one booted in a container
# over this root (read-only /usr, so the package is there; fresh /etc, /var).
mkdir -p "$tmp/nsp/out"
cat > "$tmp/nsp/probe.sh" << 'EOF'
#!/bin/bash
# probe OUT: start socktrace.service, connect, stop it, report into OUT.
out=$1
systemctl daemon-reload
systemctl start socktrace
id=$(systemctl show -P InvocationID socktrace)
for _ in $(seq 100); do
	journalctl -o cat _SYSTEMD_INVOCATION_ID="$id" | grep -q '^socktrace: tracing' && break
	sleep 0.1
done
grep -E '^(Cap(Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/"$(systemctl show -P MainPID socktrace)"/status > "$out/status"
bash -c 'echo $$ > "$0"; exec 3<> /dev/tcp/127.0.0.1/9' "$out/conn.pid" 2> /dev/null
# More events in a few seconds than journald's default rate limit lets
# through in 30 (10000, times up to 5 on a disk with room): the unit turns
# it off, so none is dropped there.
python3 -c 'import os, socket, sys
open(sys.argv[1], "w").write(str(os.getpid()))
for _ in range(80000):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", 9))
    except OSError:
        pass
    s.close()' "$out/burst.pid"
sleep 2
systemctl stop socktrace
systemctl show -P ExecMainStatus socktrace > "$out/exit"
journalctl --sync
journalctl -o cat _SYSTEMD_INVOCATION_ID="$id" > "$out/journal"
# As README reads it.
journalctl -o cat -u socktrace | jq -R -c 'fromjson?' > "$out/events"
# The metrics drop-in, as README installs it: refused connects counted
# by the process that made them, no event in the journal.
mkdir -p /etc/systemd/system/socktrace.service.d
cp /usr/share/doc/socktrace/examples/metrics.conf /etc/systemd/system/socktrace.service.d/
systemctl daemon-reload
systemctl start socktrace
id=$(systemctl show -P InvocationID socktrace)
for _ in $(seq 100); do
	journalctl -o cat _SYSTEMD_INVOCATION_ID="$id" | grep -q '^socktrace: tracing' && break
	sleep 0.1
done
python3 -c 'import ctypes, socket
ctypes.CDLL(None).prctl(15, b"st-dropin", 0, 0, 0)
for _ in range(7):
    s = socket.socket()
    try:
        s.connect(("127.0.0.1", 9))
    except OSError:
        pass
    s.close()'
sleep 1
curl -s -m 5 http://127.0.0.1:9477/metrics > "$out/metrics"
systemctl stop socktrace
journalctl --sync
journalctl -o cat _SYSTEMD_INVOCATION_ID="$id" > "$out/metrics.journal"
rm -r /etc/systemd/system/socktrace.service.d
systemctl daemon-reload
EOF
if [ "$(ps -p 1 -o comm=)" = systemd ]; then
	where="this machine's systemd"
	bash "$tmp/nsp/probe.sh" "$tmp/nsp/out"
	systemctl reset-failed socktrace 2> /dev/null
elif command -v systemd-nspawn > /dev/null; then
	where="systemd in a container"
	printf '%s\n' '[Unit]' 'SuccessAction=poweroff' 'FailureAction=poweroff' \
		'[Service]' 'Type=oneshot' 'ExecStart=/bin/bash /nsp/probe.sh /nsp/out' > "$tmp/nsp/probe.service"
	# nspawn's own seccomp filter refuses bpf() and perf_event_open(). Up
	# to basic.target only: the machine's other services need not start.
	timeout 120 systemd-nspawn -q -D / --volatile=yes --register=no --keep-unit --capability=all \
		--system-call-filter='bpf perf_event_open' --bind="$tmp/nsp:/nsp" \
		--bind-ro="$tmp/nsp/probe.service:/etc/systemd/system/pkgprobe.service" -b -- \
		systemd.firstboot=off systemd.unit=basic.target systemd.wants=pkgprobe.service > "$tmp/nsp/console.log" 2>&1
else
	where="nothing: no systemd as PID 1, no systemd-nspawn"
fi
o=$tmp/nsp/out
grep -q '^socktrace: tracing' "$o/journal" 2> /dev/null && ok "service under $where: attached" ||
	fail "service under $where: attached" "$(tail -c 600 "$o/journal" "$tmp/nsp/console.log" 2> /dev/null | tr '\n' '|')"
[ "$(grep -cE '^Cap(Prm|Eff|Bnd|Amb):\s+0+$' "$o/status" 2> /dev/null)" = 4 ] &&
	grep -qE '^NoNewPrivs:\s+1$' "$o/status" && grep -qE '^Seccomp:\s+2$' "$o/status" &&
	ok "service: once attached, no capability, no_new_privs, seccomp" ||
	fail "service: once attached, no capability, no_new_privs, seccomp" "$(tr '\n' ' ' < "$o/status" 2> /dev/null)"
p=$(cat "$o/conn.pid" 2> /dev/null)
n=$(jq -s --argjson p "${p:-0}" '[.[] | select(.event == "connect" and (.pid == $p or .nspid == $p) and .dport == 9)] | length' \
	"$o/events" 2> /dev/null)
[ "$n" = 1 ] && ok "service: journalctl -o cat -u socktrace | jq -R 'fromjson?' shows the connect of pid $p" ||
	fail "service: journalctl -o cat -u socktrace | jq -R 'fromjson?' shows the connect" "$n events for pid $p"
same "service: systemctl stop, exit status 0" 0 "$(cat "$o/exit" 2> /dev/null)"
p=$(cat "$o/burst.pid" 2> /dev/null)
n=$(jq -s --argjson p "${p:-0}" '[.[] | select(.event == "connect" and (.pid == $p or .nspid == $p) and .dport == 9)] | length' \
	"$o/events" 2> /dev/null)
same "service: 80000 connects in seconds, past journald's default rate limit, all in the journal" 80000 "$n"
same "service with the metrics drop-in: 7 refused connects of st-dropin scraped" 1 \
	"$(grep -c '^socktrace_connections_total{process="st-dropin",.*result="refused"} 7$' "$o/metrics" 2> /dev/null)"
same "service with the metrics drop-in: no event in the journal" 0 \
	"$(jq -R 'fromjson? | select(.event)' "$o/metrics.journal" 2> /dev/null | wc -l)"

out=$(dpkg --purge socktrace 2>&1) && ok "dpkg --purge socktrace" || fail "dpkg --purge socktrace" "$out"
ours=
left=
for f in $shipped; do [ -e "$f" ] && left="$left $f"; done
[ -z "$left" ] && ! dpkg-query -W -f='${Status}' socktrace 2> /dev/null | grep -q 'ok installed' &&
	ok "purged: /usr/sbin/socktrace and the rest are gone" || fail "purged: everything gone" "left:$left"

finish
