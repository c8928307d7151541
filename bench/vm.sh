#!/bin/bash
# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# `make bench-vm`: socktrace's cost in kprobe mode, which the build machine's
# kernel may lack, measured in a qemu guest (tests/vm's infrastructure):
# Debian 12's 6.1 kernel, one boot, in which tests/vm/bench-guest.sh runs
# bench/load.c's loops untraced, under the floor and under socktrace
# (--events all, JSON to a file), in kprobe and in tracepoint mode, the
# configurations rotating over a few rounds. The guest dumps its runs on
# the serial console; this reports them as ratios to untraced and socktrace
# above its floor, per mode. See bench/README.md.
#
#   bench/vm.sh         environment (defaults in brackets):
#     SOCKTRACE, FLOOR, LOAD   static binaries [build/static/socktrace, build/static/floor,
#                              build/static/load]
#     FENTRY         static bench/fentry, the kprobe mode's hooks as fentry/fexit
#                    programs that return at once: measured too when given []
#     BENCH_VM       guest kernel, a line of tests/vm/kernels (amd64) [bookworm]
#     ROUNDS         rounds [3]
#     RUN_MS         length of one timed loop, guest ms [500]
#     PATTERNS       loops [sendto udpconn tcp openclose write read]
#     ICOUNT         qemu -icount setting, or "off" [shift=0,align=off,sleep=off]
#     VM_TIMEOUT     bound on the whole guest, real seconds [3600]
#     BENCH_OUT      where the report goes [build/bench]
#
# Writes BENCH_OUT/vm-report.txt and vm-report.json; the guest's files are in
# BENCH_OUT/vm/. Exits 1 when it could not measure.
set -u -o pipefail
if [ $# -gt 0 ]; then
	sed -n '3,23p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
fi
cd "$(dirname "$0")/.." || exit 1
root=$PWD
SOCKTRACE=${SOCKTRACE:-build/static/socktrace}
FLOOR=${FLOOR:-build/static/floor}
LOAD=${LOAD:-build/static/load}
FENTRY=${FENTRY:-}
NAME=${BENCH_VM:-bookworm}
ROUNDS=${ROUNDS:-3}
RUN_MS=${RUN_MS:-500}
PATTERNS=${PATTERNS:-sendto udpconn tcp openclose write read}
ICOUNT=${ICOUNT:-shift=0,align=off,sleep=off}
OUT=${BENCH_OUT:-build/bench}
case $OUT in /*) ;; *) OUT=$root/$OUT ;; esac
export VM_TIMEOUT=${VM_TIMEOUT:-3600}
# A bench-only directory: the test matrix uses build/vm/NAME at the same time.
export VM_DIR=$OUT/vm

say() { echo "bench-vm: $*" >&2; }
die() { say "cannot measure: $*"; exit 1; }

case $ROUNDS$RUN_MS$VM_TIMEOUT in *[!0-9]*) die "ROUNDS, RUN_MS, VM_TIMEOUT take numbers" ;; esac
for t in jq qemu-system-x86_64 cpio gzip; do
	command -v "$t" > /dev/null || die "$t is missing (make bench-vm installs it)"
done
read -r _ arch rel re _ < <(grep -v '^#' tests/vm/kernels | awk -v n="$NAME" '$1 == n')
[ -n "${re:-}" ] || die "no kernel '$NAME' in tests/vm/kernels"
[ "$arch" = amd64 ] || die "$NAME is $arch: bench-vm builds for amd64 guests only"
for f in "$SOCKTRACE" "$FLOOR" "$LOAD"; do
	[ -x "$f" ] || die "$f is not built (make $f)"
done

# The kernel from the test matrix's cache (fetched there if missing); the
# guest directory is the bench's own.
tests/vm/kernel.sh "$root/build/vm/$NAME/kernel" "$rel" "$arch" "$re" || die "could not get the $NAME kernel"
mkdir -p "$VM_DIR"
rm -rf "$VM_DIR/t" "$VM_DIR/out"
ln -sfn "$root/build/vm/$NAME/kernel" "$VM_DIR/kernel"
mkdir -p "$VM_DIR/t"
cp "$SOCKTRACE" "$VM_DIR/t/socktrace"
cp "$FLOOR" "$VM_DIR/t/floor"
cp "$LOAD" "$VM_DIR/t/load"
if [ -n "$FENTRY" ]; then
	[ -x "$FENTRY" ] || die "$FENTRY is not built (make $FENTRY)"
	cp "$FENTRY" "$VM_DIR/t/fentry"
fi
cp tests/vm/bench-guest.sh "$VM_DIR/t/bench-guest.sh"
cp tests/tracer.sh "$VM_DIR/t/tracer.sh"

# Under -icount the guest's clock is its instruction count (shift=0: 1 ns
# per instruction), not the host's clock, which other work on the host
# would disturb; sleep=off lets idle guest time pass at once. One vCPU (this
# -smp replaces boot.sh's): with two, qemu 7.2 under -icount never brings
# up the 6.1 kernel's second CPU.
QEMU_ARGS=
[ "$ICOUNT" != off ] && QEMU_ARGS="-icount $ICOUNT -smp 1"
export QEMU_ARGS
# Kernel command line words, which init gets as environment: no spaces.
read -ra pats <<< "$PATTERNS"
GUEST_ARGS="GUEST_MODE=bench BENCH_ROUNDS=$ROUNDS BENCH_MS=$RUN_MS BENCH_PATTERNS=$(IFS=,; echo "${pats[*]}")"
export GUEST_ARGS
# The whole benchmark is one guest step, bounded in guest seconds; the real
# bound is VM_TIMEOUT.
export STEP_SECS=$VM_TIMEOUT
say "booting $NAME ($(cat "$VM_DIR/kernel/package")), ${QEMU_ARGS:-no -icount}; $ROUNDS rounds of $RUN_MS ms; bounded by ${VM_TIMEOUT}s"
t0=$SECONDS
tests/vm/boot.sh "$NAME" || die "tests/vm/boot.sh could not boot the guest"
wall=$((SECONDS - t0))
log=$VM_DIR/serial.log
res() { sed -n "s/^$1=//p" "$VM_DIR/boot.result"; }
grep '^bench-guest: ' "$log" | grep -v ' ns/op$' >&2
runs=$VM_DIR/out/bench/runs.jsonl
grep -q '^@@GUEST-DONE' "$log" ||
	die "the guest did not finish (qemu exit $(res qemu_rc); 124: timed out after ${VM_TIMEOUT}s); see $log"
[ -z "$(res damaged)" ] || die "damaged guest files: $(res damaged)"
[ -s "$runs" ] || die "no runs from the guest; see $log"
facts=$VM_DIR/out/guest/facts
fact() { sed -n "s/^$1=//p" "$facts" 2> /dev/null | head -1; }
step=$(sed -n 's/^bench=//p' "$VM_DIR/out/guest/rc" 2> /dev/null)
cpus=$(cat "$VM_DIR/out/bench/nproc" 2> /dev/null)

jq -s -c --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg package "$(cat "$VM_DIR/kernel/package")" \
	--arg kernel "$(fact kernel)" --arg kprobes "$(fact kprobe_pmu)" --arg qemu "$(qemu-system-x86_64 --version | head -1)" \
	--arg icount "${QEMU_ARGS:-none}" --argjson rounds "$ROUNDS" --argjson run_ms "$RUN_MS" \
	--argjson wall "$wall" --arg step "$step" --arg cpus "${cpus:-?}" --arg patterns "$PATTERNS" --arg socktrace "$SOCKTRACE" '
def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
[$patterns | splits(" +") | select(. != "")] as $order |
(group_by(.pattern) | sort_by(.[0].pattern as $p | $order | index($p)) | map({key: .[0].pattern, value: (
	(map(select(.config == "untraced") | .ns_per_op) | median) as $base |
	group_by(.config) | map({key: .[0].config, value: {
		median_ns: (map(.ns_per_op) | median), ratio: ((map(.ns_per_op) | median) / $base),
		ns: (sort_by(.round) | map(.ns_per_op)),
		spread: (map(.ns_per_op) | (max - min) / median),
		modes: (map(.mode | select(. != "")) | unique),
		expected: (map(.expected_events) | add),
		seen: (map(.seen.total // 0) | add),
		written: (map(.status.events.written // null) | if all(. != null) then add else null end),
		lost: (map(.status.events.lost // null) | if all(. != null) then add else null end),
		events_ok: (if .[0].config | startswith("socktrace") then
			all(.[]; . as $r | .status != null and .status.events.lost == 0 and .seen.total == .expected_events and
				all(.expected | keys[]; ($r.seen[.] // 0) == $r.expected[.])) else null end),
		accounted: (if .[0].config | startswith("socktrace") then
			all(.[]; .status != null and .seen.total + .status.events.lost == .expected_events) else null end),
		failed_stops: [.[] | select(.stop_rc != "0") | .round]}}) | from_entries)}) | from_entries) as $loops |
{date: $date, guest: {package: $package, kernel: $kernel, kprobes: $kprobes, cpus: $cpus}, qemu: $qemu, icount: $icount,
 rounds: $rounds, run_ms: $run_ms, wall_s: $wall, guest_step_rc: $step, socktrace: $socktrace, loops: $loops,
 above_floor: ($loops | map_values(. as $v | {kprobe: (if $v["socktrace-kprobe"] and $v["floor-kprobe"] then
	$v["socktrace-kprobe"].ratio - $v["floor-kprobe"].ratio else null end),
	tracepoint: (if $v["socktrace-tracepoint"] and $v["floor-tracepoint"] then
	$v["socktrace-tracepoint"].ratio - $v["floor-tracepoint"].ratio else null end)}))}' "$runs" > "$OUT/vm-report.json" ||
	die "cannot assemble the report"

jq -r '
def r(n): if n == null then "-" else (n * 100 | round / 100 | tostring) end;
def r3(n): if n == null then "-" else (n * 1000 | round / 1000 | tostring) end;
def pad(w): tostring | if length >= w then . else . + (" " * (w - length)) end;
def lpad(w): tostring | if length >= w then . else (" " * (w - length)) + . end;
def cell(c): if c == null then "-" else "\(c.median_ns | round) (\(r(c.ratio)))" end;
def modes: ["kprobe", "tracepoint"];
def configs: ["untraced", "floor-kprobe", "socktrace-kprobe", "floor-tracepoint", "socktrace-tracepoint", "floor-fentry"];
.above_floor as $above |
"socktrace bench-vm — \(.date)",
"guest: \(.guest.package), kernel \(.guest.kernel) (kprobes: \(.guest.kprobes)), qemu TCG, \(.guest.cpus) vCPU(s); \(.qemu)",
"clock: \(if .icount == "none" then "host time (no -icount)" else "\(.icount): guest time counts instructions executed" end)",
"method: \(.rounds) rounds of \(.run_ms) ms (guest time) per loop and configuration, configurations rotating;",
"  socktrace --events all > file; one boot, \(.wall_s) s of real time; socktrace: \(.socktrace)",
"",
"ns per operation (guest clock), median of the rounds (ratio to untraced); above floor: socktrace ratio - floor ratio",
("" | pad(19)) + ("kprobe mode" | pad(44)) + "tracepoint mode",
("loop" | pad(10)) + ("untraced" | lpad(9)) + ([modes[] | ("floor" | lpad(16)) + ("socktrace" | lpad(16)) + ("above floor" | lpad(12))] | join("")),
(.loops | to_entries[] | .key as $p | .value as $v | ($p | pad(10)) + ("\($v.untraced.median_ns | round)" | lpad(9)) +
	([modes[] as $m | (cell($v["floor-" + $m]) | lpad(16)) + (cell($v["socktrace-" + $m]) | lpad(16)) +
		(r3($above[$p][$m]) | lpad(12))] | join(""))),
(if [.loops[] | has("floor-fentry")] | any then
	"",
	"the hooks alone, programs that return at once: ns per operation (ratio to untraced)",
	("loop" | pad(10)) + ("kprobe pairs" | lpad(16)) + ("fentry/fexit" | lpad(16)) + ("tracepoints" | lpad(16)),
	(.loops | to_entries[] | .key as $p | .value as $v | ($p | pad(10)) + (cell($v["floor-kprobe"]) | lpad(16)) +
		(cell($v["floor-fentry"]) | lpad(16)) + (cell($v["floor-tracepoint"]) | lpad(16)))
else empty end),
"",
"ns per operation round by round, and spread (max - min) / median",
(.loops | to_entries[] | .key as $p | .value | to_entries | sort_by(.key as $k | configs | index($k))[] |
	"  \($p | pad(10)) \(.key | pad(21)) \([.value.ns[] | round | tostring | lpad(8)] | join(""))   \(r(.value.spread * 100))%" +
	(if .key != "untraced" and .value.modes != [.key | sub("^[a-z]+-"; "")] then "   ATTACHED WITH \(.value.modes)" else "" end)),
"",
"events of the load, all rounds (socktrace): expected / seen in its output; written and lost from its status records",
(.loops | to_entries[] | .key as $p | .value | to_entries | sort_by(.key as $k | configs | index($k))[] |
	select(.key | startswith("socktrace")) | .value as $c |
	"  \($p | pad(10)) \(.key | pad(21)) \($c.expected | lpad(9)) / \($c.seen | lpad(9))   written \($c.written), lost \($c.lost)   " +
	(if $c.events_ok then "ok" elif $c.accounted then "losses, every one counted" else "MISMATCH" end) +
	(if ($c.failed_stops | length) > 0 then "   did not exit cleanly in rounds \($c.failed_stops | map(tostring) | join(","))" else "" end)),
(if .guest_step_rc != "0" then "", "the guest step ended with status \(.guest_step_rc) (runs failed or timed out): see the bench-guest lines above" else empty end)
' "$OUT/vm-report.json" > "$OUT/vm-report.txt" || die "cannot write the report"
echo
cat "$OUT/vm-report.txt"
