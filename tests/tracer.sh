# SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0)
# Starting socktrace, stopping it and reading its --status records: one
# way for the end-to-end, command-line and refusal tests and the
# benchmarks. POSIX sh, so that the guests' busybox runs it too. Source it;
# SOCKTRACE names the binary.

# wait_line FILE REGEX PID [TENTHS]: back when FILE has a line matching
# REGEX; 1 when PID ended first, or after TENTHS tenths of a second
# (default 600).
wait_line() {
	_n=0
	while ! grep -q -- "$2" "$1" 2>/dev/null; do
		if ! kill -0 "$3" 2>/dev/null || [ "$_n" -ge "${4:-600}" ]; then
			grep -q -- "$2" "$1" 2>/dev/null
			return
		fi
		_n=$((_n + 1))
		sleep 0.1
	done
}

# stop_pid PID [SECS]: SIGINT, as a user's Ctrl-C, then SIGKILL after SECS
# (default 10); STOP_RC is its exit status, or "killed".
stop_pid() {
	kill -INT "$1" 2>/dev/null
	_n=0
	while kill -0 "$1" 2>/dev/null && [ "$_n" -lt $((${2:-10} * 10)) ]; do
		_n=$((_n + 1))
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		STOP_RC=killed
	else
		wait "$1"
		STOP_RC=$?
	fi
}

# tracer_start DIR ARGS...: socktrace with ARGS in the background, JSON
# lines to DIR/trace.json, stderr to DIR/trace.err, its status records in
# DIR/status.json; back once it says it is tracing, its pid in $tracer.
# 1 (and a line in DIR/trace.err) if it did not start.
tracer_start() {
	_dir=$1
	shift
	mkdir -p "$_dir"
	rm -f "$_dir/trace.json" "$_dir/trace.err" "$_dir/status.json"
	"$SOCKTRACE" --output json --status "$_dir/status.json" "$@" > "$_dir/trace.json" 2> "$_dir/trace.err" &
	tracer=$!
	wait_line "$_dir/status.json" '"status":"tracing"' "$tracer" && return 0
	echo "socktrace did not start" >> "$_dir/trace.err"
	return 1
}

# tracer_stop DIR: SIGINT, and back once its final status is in DIR
# (taking the probes off may go on a little longer: reap it with wait).
tracer_stop() {
	kill -INT "$tracer" 2>/dev/null
	wait_line "$1/status.json" '"status":"stopped"' "$tracer"
}

# stopped DIR FILTER: a field of the final --status record in DIR.
stopped() { jq -r "select(.status == \"stopped\") | $2" "$1/status.json" 2>/dev/null; }
