#!/usr/bin/env bash
# MESSAGE relay over TCP, TLS, WS and WSS against UDP, in the same run, and what idle WebSocket
# connections cost the switch.
#
#   tests/bench/transports.sh
#
# Starts build/switch/imswitch on config/bench.yaml listening on every transport (127.0.0.1,
# ports picked by the system, its self-signed certificate; a fresh switch and store for each
# measurement), then for each transport runs
# build/tests/bench/bench_transport_relay: AGENTS agents log in over it (persistent
# connections; UDP: a socket each) and relay MESSAGES messages, agent i to agent i+1, WINDOW in
# flight. The table gives each transport's rate and its ratio to UDP's. Then IDLE agents
# (load000001..) log in over WS and stay idle: the switch's resident memory before and after
# tells the cost of an idle WebSocket connection. Every run is bounded by its count and a
# timeout. Loopback only. Build first (cmake --build build).
#
# Environment: AGENTS (1000), MESSAGES (30000), WINDOW (200), IDLE (10000), OUT (a new folder
# under /tmp, kept: the switch's log and the JSON lines).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/switch/imswitch
bench=$top/build/tests/bench/bench_transport_relay
AGENTS=${AGENTS:-1000}
MESSAGES=${MESSAGES:-30000}
WINDOW=${WINDOW:-200}
IDLE=${IDLE:-10000}
OUT=${OUT:-$(mktemp -d /tmp/imswitch-transports.XXXXXX)}
for b in "$bin" "$bench"; do
  [ -x "$b" ] || { echo "transports: build first ($b)" >&2; exit 2; }
done
mkdir -p "$OUT"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# The bench directory, with room for every connection coming from 127.0.0.1.
sed -e 's/^  threads: 1$/  threads: 1\n  tcp: { max_connections: 50000, max_connections_per_address: 50000, idle_timeout_s: 3600 }/' \
  "$top/config/bench.yaml" >"$OUT/bench.yaml"

# A fresh switch (and store) for each measurement, so that no run inherits another's
# registrations: a device of an earlier run that is gone would be forked to as well.
pid=""
start_switch() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  rm -f "$OUT/imswitch.db"* "$OUT/ports"
  "$bin" --config "$OUT/bench.yaml" --store "$OUT/imswitch.db" --http off --ports-file "$OUT/ports" \
    --listen udp:127.0.0.1:0 --listen tcp:127.0.0.1:0 --listen tls:127.0.0.1:0 \
    --listen ws:127.0.0.1:0 --listen wss:127.0.0.1:0 >>"$OUT/imswitch.log" 2>&1 &
  pid=$!
  # The ports file appears, whole, once every listener is bound (tail -F follows it into
  # existence).
  grep -q -m1 wss <(timeout 10 tail -F -n +1 "$OUT/ports" 2>/dev/null) || {
    echo "transports: the switch did not start (see $OUT/imswitch.log)" >&2
    exit 1
  }
}
trap '[ -z "$pid" ] || kill $pid 2>/dev/null' EXIT
port() { awk -v t="$1" '$1 == t { print $3; exit }' "$OUT/ports"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }

# Two views of each transport: the rate the run reached (client and switch share the
# machine's cores), and the switch's own CPU time per 1000 messages relayed, whose inverse
# ratio to UDP's is the rate ratio when the switch alone is the limit.
printf '%-5s %10s %7s %14s %8s  %s\n' transport "MESSAGE/s" "vs UDP" "switch ms/1000" "vs UDP" \
  outcomes
udp_rate=""
udp_cpu=""
for t in udp tcp tls ws wss; do
  start_switch
  line=$("$bench" --port "$(port $t)" --transport $t --ca "$OUT/tls/imswitch.crt" \
           --agents "$AGENTS" --messages "$MESSAGES" --window "$WINDOW" --timeout 300 \
           --switch-pid "$pid" || true)
  # The switch's CPU while messages flowed (logins and handshakes left out), per 1000.
  switch_ms=$(sed -n 's/.*"switch_ms":\([0-9-]*\).*/\1/p' <<<"$line")
  cpu=$(( ${switch_ms:-0} * 1000 / MESSAGES ))
  echo "$line" >>"$OUT/results.jsonl"
  rate=$(sed -n 's/.*"rate":\([0-9]*\).*/\1/p' <<<"$line")
  outcomes=$(sed -n 's/.*"outcomes":\({[^}]*}\).*/\1/p' <<<"$line")
  [ -n "$udp_rate" ] || udp_rate=$rate
  [ -n "$udp_cpu" ] || udp_cpu=$cpu
  ratio=$(awk -v r="${rate:-0}" -v u="${udp_rate:-0}" 'BEGIN { printf (u > 0 ? "%.2f" : "-"), r / u }')
  cpu_ratio=$(awk -v c="$cpu" -v u="$udp_cpu" 'BEGIN { printf (c > 0 ? "%.2f" : "-"), u / c }')
  printf '%-5s %10s %7s %14s %8s  %s\n' $t "${rate:-0}" "$ratio" "$cpu" "$cpu_ratio" "$outcomes"
done

start_switch
before=$(rss_kib)
fifo=$OUT/idle.out
"$bench" --port "$(port ws)" --transport ws --prefix load --digits 6 --agents "$IDLE" --idle \
  --timeout 600 >"$fifo" &
idle_pid=$!
# It prints its one line once every agent is logged in, then holds the connections.
grep -q -m1 logged_in <(timeout 600 tail -F -n +1 "$fifo" 2>/dev/null) || true
after=$(rss_kib)
kill $idle_pid 2>/dev/null; wait $idle_pid 2>/dev/null || true
echo "idle WebSocket connections: $(cat "$fifo" | tr -d '\n'); switch RSS ${before} KiB before," \
     "${after} KiB with them: $(( (after - before) / 1024 )) MiB more," \
     "$(( (after - before) * 1024 / IDLE )) bytes each"
echo "logs and JSON lines: $OUT"
