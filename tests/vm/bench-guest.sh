#!/bin/sh
# bench-guest.sh OUTDIR: the guest side of `make bench-vm` (bench/vm.sh),
# run by init.sh when booted with GUEST_MODE=bench (busybox ash; no bash, no
# jq here: the host does the arithmetic).
#
# In one boot, every loop of bench/load.c runs untraced, under the floor and
# under socktrace (--events all, JSON to a file), each in kprobe and in
# tracepoint mode; the order of the configurations rotates from round to
# round, and every traced run has a tracer of its own. One JSON line per run
# goes to OUTDIR/runs.jsonl: the load's own line plus the configuration, the
# round, the mode the tracer reported, and for socktrace the load's events
# it wrote, by kind, and its "stopped" status record.
#
# Needs /t/load, /t/floor, /t/socktrace (static); with /t/fentry (bench/fentry:
# the kprobe mode's hooks as fentry/fexit programs that return at once) a
# sixth configuration, floor-fentry. Kernel command line words
# (environment here): BENCH_ROUNDS [3], BENCH_MS [500], BENCH_PATTERNS
# [sendto,udpconn,tcp,openclose,write,read], BENCH_WAIT_SECS [120]: how long a
# tracer may take to attach or to exit. Under -icount these are guest
# seconds; the host bounds the whole boot in real time.
out=${1:?usage: bench-guest.sh OUTDIR}
ROUNDS=${BENCH_ROUNDS:-3}
MS=${BENCH_MS:-500}
PATTERNS=$(echo "${BENCH_PATTERNS:-sendto,udpconn,tcp,openclose,write,read}" | tr , ' ')
WAIT=${BENCH_WAIT_SECS:-120}
CONFIGS="untraced floor-kprobe socktrace-kprobe floor-tracepoint socktrace-tracepoint"
[ -x /t/fentry ] && CONFIGS="$CONFIGS floor-fentry"
T=/tmp/bench
mkdir -p "$out" $T
: >$T/file
runs=$out/runs.jsonl
: >"$runs"

# As on the host: the load alone on the last CPU, the tracers on CPU 0
# (with one CPU, as under -icount, they share it).
nproc >"$out/nproc"
load_cpu=$(($(nproc) - 1))
pin=""
[ "$load_cpu" -gt 0 ] && pin="taskset -c 0"

# wait_line and stop_pid: tests/tracer.sh, beside this in /t.
. /t/tracer.sh

# one ROUND PATTERN CONFIG: one run, its line appended to runs.
one() {
    # shellcheck disable=SC3043 # busybox ash has local
    local r="$1" p="$2" cfg="$3" mode="${3#*-}" pid='' ready='' got='' extra='' line lrc lpid seen status
    rm -f $T/out $T/err $T/status
    case $cfg in
    floor-fentry)
        $pin /t/fentry >/dev/null 2>$T/err </dev/null &
        pid=$! ready='^fentry: attached' ;;
    floor-*)
        $pin /t/floor --attach "$mode" >/dev/null 2>$T/err </dev/null &
        pid=$! ready='^floor: attached' ;;
    socktrace-*)
        $pin /t/socktrace --attach "$mode" --events all --output json --status $T/status \
            >$T/out 2>$T/err </dev/null &
        pid=$! ready='^socktrace: tracing' ;;
    esac
    if [ -n "$pid" ]; then
        if ! wait_line $T/err "$ready" "$pid" $((WAIT * 10)); then
            echo "bench-guest: $cfg did not attach: $(head -c 300 $T/err)"
            cp $T/err "$out/failed-$cfg-$r-$p.err"
            kill -KILL "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            return 1
        fi
        got=$(grep -m1 -o 'with [a-z]* programs' $T/err | cut -d' ' -f2)
    fi
    [ "$p" = openclose ] && extra="--file $T/file"
    # shellcheck disable=SC2086
    line=$(/t/load "$p" --ms "$MS" --cpu "$load_cpu" $extra)
    lrc=$?
    seen=null status=null STOP_RC=0
    if [ -n "$pid" ]; then
        # As on the host: the consumer catches up before the stop.
        sleep 0.2
        stop_pid "$pid" "$WAIT"
    fi
    if [ $lrc != 0 ] || [ -z "$line" ]; then
        echo "bench-guest: the $p load failed under $cfg"
        return 1
    fi
    case $cfg in socktrace-*)
        lpid=$(echo "$line" | sed 's/.*"pid":\([0-9]*\),.*/\1/')
        seen=$(awk -v k="\"pid\":$lpid," 'index($0, k) && match($0, /"event":"[a-z]+"/) {
                n[substr($0, RSTART + 9, RLENGTH - 10)]++; t++ }
            END { printf "{\"connect\":%d,\"accept\":%d,\"send\":%d,\"recv\":%d,\"close\":%d,\"listen\":%d,\"total\":%d}",
                n["connect"], n["accept"], n["send"], n["recv"], n["close"], n["listen"], t }' $T/out)
        status=$(grep -m1 '"status":"stopped"' $T/status 2>/dev/null)
        [ -n "$status" ] || status=null
        [ "$STOP_RC" = 0 ] || cp $T/err "$out/failed-$cfg-$r-$p.err" ;;
    esac
    echo "${line%?},\"config\":\"$cfg\",\"round\":$r,\"mode\":\"$got\",\"stop_rc\":\"$STOP_RC\",\"seen\":$seen,\"status\":$status}" >>"$runs"
    echo "bench-guest: round $r/$ROUNDS $p $cfg $got: $(echo "$line" | sed 's/.*"ns_per_op":\([0-9.]*\).*/\1/') ns/op"
    rm -f $T/out
}

echo "bench-guest: $ROUNDS rounds of $MS ms; loops: $PATTERNS; load on CPU $load_cpu"
fails=0
r=1
while [ $r -le "$ROUNDS" ]; do
    for p in $PATTERNS; do
        # Rotate the configurations by one each round.
        # shellcheck disable=SC2086 # split into words on purpose
        set -- $CONFIGS
        i=1
        while [ $i -lt $r ]; do
            c=$1
            shift
            set -- "$@" "$c"
            i=$((i + 1))
        done
        for cfg in "$@"; do
            one $r "$p" "$cfg" || fails=$((fails + 1))
        done
    done
    r=$((r + 1))
done
echo "bench-guest: done, $fails runs failed"
[ $fails = 0 ]
