#!/usr/bin/env bash
# bench/run.sh: all of rolecall's benchmarks in one run, on this machine,
# in four sections (SECTIONS picks some):
#
#   load    rolecall and moto_server side by side under the same load:
#           builds rolecall and the load generator (bench/load), starts
#           `rolecall serve --ephemeral` and `moto_server` on free loopback
#           ports (timing exec to first answers), reads their idle memory,
#           runs each operation against both with the same settings, reads
#           their memory again, and prints a table with the rolecall/moto
#           ratio. If moto_server is not installed, rolecall runs alone.
#   cpu     server CPU per request: rolecall, the floor (a do-nothing
#           net/http server answering rolecall's own bytes) and moto_server
#           (go run ./bench/cpu).
#   scale   rolecall on SCALE_ACCOUNTS accounts of 1,000 roles each, next
#           to one account alone (go run ./bench/scale -data): start-up,
#           memory, CPU per request. The data set is built once with
#           bench/dataset into SCALE_DIR and kept for the next run (for
#           1,000 accounts: about 5 minutes and 1.6 GiB).
#   writes  durable CreateRole/s on a data directory at 1, 16 and 64 in
#           flight (go run ./bench/scale -writes).
#
# Every server is stopped on exit.
#
# Settings (environment):
#   SECTIONS="load cpu scale writes"
#   DURATION=5s      measured time per operation and server
#   WARMUP=1s        unmeasured load before each measurement
#   CONCURRENCY=8    requests in flight (closed loop), for throughput
#   OPS="GetRole ListRoles CreateRole"
#   LATENCY_CONCURRENCY=1  a second GetRole run at this concurrency, for
#                    latency without queueing ("" to skip)
#   STARTS=5         starts per server for the startup time (median)
#   CEILING=1        also load a do-nothing Go server (bench/load -serve-null)
#                    with GetRole, to show what this machine allows (0: skip)
#   MOTO=moto_server the moto server command
#   RESULTS=bench/results/<time>.jsonl   raw results, one JSON line each
#   CPU_DURATION=10s CPU_ROUNDS=40 CPU_CONCURRENCY=4   bench/cpu's -duration, -rounds and -concurrency
#   SCALE_ACCOUNTS=1000                   the scale section's accounts
#   SCALE_DIR=bench/results/scale-<accounts>x1000   its data set, kept
#   SCALE_DURATION=3s SCALE_CONCURRENCY=4 bench/scale's -duration and -concurrency
#   WRITES_DURATION=3s                    each CreateRole run of the writes section
#
# The generator shares the machine with the servers: on a 2-core machine the
# rolecall figures are bounded by the generator's CPU as much as by rolecall,
# and at CONCURRENCY above the core count a request's latency is mostly its
# wait for a CPU (latency = concurrency / throughput); the
# LATENCY_CONCURRENCY run shows latency without that queue.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
CONCURRENCY=${CONCURRENCY:-8}
OPS=${OPS:-GetRole ListRoles CreateRole}
LATENCY_CONCURRENCY=${LATENCY_CONCURRENCY-1}
STARTS=${STARTS:-5}
CEILING=${CEILING:-1}
MOTO=${MOTO:-moto_server}
RESULTS=${RESULTS:-bench/results/$(date +%Y%m%d-%H%M%S).jsonl}
SECTIONS=${SECTIONS:-load cpu scale writes}
CPU_DURATION=${CPU_DURATION:-10s}
CPU_ROUNDS=${CPU_ROUNDS:-40}
CPU_CONCURRENCY=${CPU_CONCURRENCY:-4}
SCALE_ACCOUNTS=${SCALE_ACCOUNTS:-1000}
SCALE_DIR=${SCALE_DIR:-bench/results/scale-${SCALE_ACCOUNTS}x1000}
SCALE_DURATION=${SCALE_DURATION:-3s}
SCALE_CONCURRENCY=${SCALE_CONCURRENCY:-4}
WRITES_DURATION=${WRITES_DURATION:-3s}

# section NAME: whether SECTIONS includes NAME.
section() { [[ " $SECTIONS " == *" $1 "* ]]; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/rolecall-bench.XXXXXX")

# stop ends a server we started: TERM, then KILL if it lingers. The servers
# are not this shell's children (the probe started them), so poll, not wait.
stop() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
	local f
	for f in "$tmp"/*.pid; do
		[ -e "$f" ] && stop "$(cat "$f")"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# record_rss TARGET PHASE: append the target's resident memory to RESULTS.
record_rss() {
	local pid kib
	pid=$(cat "$tmp/$1.pid")
	kib=$(rss_kib "$pid")
	printf '{"kind":"rss","target":"%s","phase":"%s","rss_kib":%s}\n' "$1" "$2" "$kib" >>"$RESULTS"
	printf 'rss      %-10s %-10s %s KiB\n' "$1" "$2" "$kib"
}

mkdir -p "$(dirname "$RESULTS")"
: >"$RESULTS"

echo "building rolecall and the benchmarks..."
go build -o "$tmp/rolecall" ./cmd/rolecall
for b in load cpu dataset scale; do go build -o "$tmp/$b" "./bench/$b"; done
load="$tmp/load"

# moto_server from pyenv is a shell shim that costs ~100 ms per start; run
# the real script so startup is moto's own.
moto_cmd=""
if command -v "$MOTO" >/dev/null 2>&1; then
	moto_cmd=$(command -v "$MOTO")
	if command -v pyenv >/dev/null 2>&1 && real=$(pyenv which "$MOTO" 2>/dev/null); then
		moto_cmd=$real
	fi
else
	echo "moto_server not found (set MOTO=/path/to/moto_server, or pip install 'moto[server]'): running rolecall alone" >&2
fi

echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(go version | awk '{print $3}'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u +%Y-%m-%d)"
echo

if section load; then
	echo "== load: rolecall and moto_server side by side =="
	echo "settings: duration=$DURATION warmup=$WARMUP concurrency=$CONCURRENCY latency-concurrency=${LATENCY_CONCURRENCY:-none}"
	echo

	targets=(rolecall)
	rc_port=$("$load" -free-port)
	"$load" -probe -starts "$STARTS" -target rolecall -endpoint "http://127.0.0.1:$rc_port" -health /_rolecall/health \
		-pidfile "$tmp/rolecall.pid" -log "$tmp/rolecall.log" -append "$RESULTS" \
		-- "$tmp/rolecall" serve --ephemeral --addr "127.0.0.1:$rc_port" --log-level warn ||
		{ cat "$tmp/rolecall.log" >&2; exit 1; }

	if [ -n "$moto_cmd" ]; then
		moto_port=$("$load" -free-port)
		"$load" -probe -starts "$STARTS" -target moto -endpoint "http://127.0.0.1:$moto_port" \
			-pidfile "$tmp/moto.pid" -log "$tmp/moto.log" -append "$RESULTS" \
			-- "$moto_cmd" -H 127.0.0.1 -p "$moto_port" ||
			{ tail -20 "$tmp/moto.log" >&2; exit 1; }
		targets+=(moto)
	fi

	if [ "$CEILING" = 1 ]; then
		null_port=$("$load" -free-port)
		"$load" -probe -target null -endpoint "http://127.0.0.1:$null_port" -health /_rolecall/health \
			-pidfile "$tmp/null.pid" -- "$load" -serve-null "127.0.0.1:$null_port" >/dev/null
	fi

	sleep 0.2 # let startup garbage settle before reading idle memory
	for t in "${targets[@]}"; do record_rss "$t" idle; done

	# run OP CONCURRENCY: the same load against each server in turn.
	run() {
		if [ "$CEILING" = 1 ] && [ "$1" = GetRole ]; then
			"$load" -target null -endpoint "http://127.0.0.1:$null_port" -op "$1" \
				-duration "$DURATION" -warmup "$WARMUP" -concurrency "$2" -append "$RESULTS"
		fi
		"$load" -target rolecall -endpoint "http://127.0.0.1:$rc_port" -op "$1" \
			-duration "$DURATION" -warmup "$WARMUP" -concurrency "$2" -append "$RESULTS"
		if [ -n "$moto_cmd" ]; then
			"$load" -target moto -endpoint "http://127.0.0.1:$moto_port" -op "$1" \
				-duration "$DURATION" -warmup "$WARMUP" -concurrency "$2" -append "$RESULTS"
		fi
	}
	for op in $OPS; do
		run "$op" "$CONCURRENCY"
	done
	if [ -n "$LATENCY_CONCURRENCY" ] && [ "$LATENCY_CONCURRENCY" != "$CONCURRENCY" ]; then
		run GetRole "$LATENCY_CONCURRENCY"
	fi

	for t in "${targets[@]}"; do record_rss "$t" after-load; done

	echo
	"$load" -report "$RESULTS"
	echo
	echo "raw results: $RESULTS"
	for t in "${targets[@]}" null; do
		if [ -e "$tmp/$t.pid" ]; then
			stop "$(cat "$tmp/$t.pid")"
			rm "$tmp/$t.pid"
		fi
	done
	echo
fi

if section cpu; then
	echo "== cpu: server CPU per request =="
	"$tmp/cpu" -duration "$CPU_DURATION" -rounds "$CPU_ROUNDS" -concurrency "$CPU_CONCURRENCY" -moto "$moto_cmd"
	echo
fi

if section scale; then
	echo "== scale: $SCALE_ACCOUNTS accounts of 1,000 roles =="
	# .complete marks a finished build; an interrupted one is taken up
	# where it stopped.
	if [ ! -e "$SCALE_DIR/.complete" ]; then
		echo "building the data set in $SCALE_DIR (kept for the next run)..."
		"$tmp/dataset" -dir "$SCALE_DIR" -accounts "$SCALE_ACCOUNTS" -roles 1000
		touch "$SCALE_DIR/.complete"
	fi
	"$tmp/scale" -rolecall "$tmp/rolecall" -data "$SCALE_DIR" -accounts "$SCALE_ACCOUNTS" \
		-duration "$SCALE_DURATION" -concurrency "$SCALE_CONCURRENCY" -starts "$STARTS"
fi

if section writes; then
	echo "== writes: durable CreateRole/s =="
	"$tmp/scale" -rolecall "$tmp/rolecall" -writes -duration "$WRITES_DURATION"
fi
