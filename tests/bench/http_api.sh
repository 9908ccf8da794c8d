#!/usr/bin/env bash
# The HTTP API beside SIP: Team Communicator searches over the 21,100-agent bench directory,
# as an agent's client makes them (HTTP Digest, keep-alive), alone and while the SIP core
# relays MESSAGEs at half the rate it reached on its own in the same run.
#
#   tests/bench/http_api.sh
#
# Starts build/switch/imswitch on config/bench.yaml (one SIP core, UDP on 127.0.0.1, the API
# on 127.0.0.1, ports picked by the system; a fresh switch and store per step) and runs:
#   1. MESSAGE relay flat out: build/tests/bench/bench_transport_relay, AGENTS agents over UDP,
#      MESSAGES messages, WINDOW in flight: the SIP ceiling R of this run;
#   2. the API alone: build/tests/bench/bench_http_api, CONNECTIONS connections, REQUESTS
#      directory searches (queries in turn: names, logins, digits);
#   3. both at once: the relay paced at R/2 for about DURATION seconds, and the same searches.
# Prints each step's JSON line and a summary: the API's rate and client-side p50/p99, the CPU
# the API thread used, and whether every MESSAGE got its 2xx. Loopback only; each step is
# bounded by its count and a timeout. Build first (cmake --build build).
#
# Environment: AGENTS (1000), MESSAGES (30000), WINDOW (200), CONNECTIONS (4), REQUESTS
# (50000), DURATION (15), OUT (a new folder under /tmp, kept: the switch's log and JSON lines).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/switch/imswitch
relay=$top/build/tests/bench/bench_transport_relay
api=$top/build/tests/bench/bench_http_api
AGENTS=${AGENTS:-1000}
MESSAGES=${MESSAGES:-30000}
WINDOW=${WINDOW:-200}
CONNECTIONS=${CONNECTIONS:-4}
REQUESTS=${REQUESTS:-50000}
SECONDS_LOADED=${DURATION:-15}
OUT=${OUT:-$(mktemp -d /tmp/imswitch-http-api.XXXXXX)}
for b in "$bin" "$relay" "$api"; do
  [ -x "$b" ] || { echo "http_api: build first ($b)" >&2; exit 2; }
done
mkdir -p "$OUT"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

pid=""
start_switch() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  rm -f "$OUT/imswitch.db"* "$OUT/ports"
  "$bin" --config "$top/config/bench.yaml" --store "$OUT/imswitch.db" --ports-file "$OUT/ports" \
    --listen udp:127.0.0.1:0 --http 127.0.0.1:0 >>"$OUT/imswitch.log" 2>&1 &
  pid=$!
  grep -q -m1 '^http ' <(timeout 10 tail -F -n +1 "$OUT/ports" 2>/dev/null) || {
    echo "http_api: the switch did not start (see $OUT/imswitch.log)" >&2
    exit 1
  }
}
trap '[ -z "$pid" ] || kill $pid 2>/dev/null' EXIT
port() { awk -v t="$1" '$1 == t { print $3; exit }' "$OUT/ports"; }
field() { sed -n "s/.*\"$1\":\([0-9.-]*\).*/\1/p" <<<"$2"; }
searches() {
  "$api" --port "$(port http)" --login agent0001 --password pw-agent0001 \
    --connections "$CONNECTIONS" --requests "$1" --timeout 120 --switch-pid "$pid" || true
}

echo "1. MESSAGE relay flat out ($AGENTS agents over UDP, $MESSAGES messages, $WINDOW in flight)"
start_switch
line=$("$relay" --port "$(port udp)" --transport udp --agents "$AGENTS" --messages "$MESSAGES" \
         --window "$WINDOW" --timeout 300 --switch-pid "$pid" || true)
echo "$line" | tee -a "$OUT/results.jsonl"
ceiling=$(field rate "$line")
[ "${ceiling:-0}" -gt 0 ] || { echo "http_api: the relay failed (see $OUT)" >&2; exit 1; }
half=$(( ceiling / 2 ))

echo "2. Directory searches alone ($CONNECTIONS connections, $REQUESTS requests)"
start_switch
alone=$(searches "$REQUESTS")
echo "$alone" | tee -a "$OUT/results.jsonl"

echo "3. Both: MESSAGEs paced at $half/s (half of $ceiling/s) for ~${SECONDS_LOADED} s, and searches"
start_switch
paced=$(( half * SECONDS_LOADED ))
"$relay" --port "$(port udp)" --transport udp --agents "$AGENTS" --messages "$paced" \
  --window "$WINDOW" --rate "$half" --timeout $(( SECONDS_LOADED * 3 + 60 )) \
  >"$OUT/paced.json" 2>"$OUT/paced.err" &
relay_pid=$!
# The relay logs its agents in before it sends; searches start once MESSAGEs flow.
grep -q -m1 sending <(timeout 120 tail -F -n +1 "$OUT/paced.err" 2>/dev/null) || true
loaded=$(searches "$REQUESTS")
wait $relay_pid || true
echo "$loaded" | tee -a "$OUT/results.jsonl"
relayed=$(cat "$OUT/paced.json")
echo "$relayed" | tee -a "$OUT/results.jsonl"

echo
printf '%-26s %9s %8s %8s %10s  %s\n' step "search/s" "p50 µs" "p99 µs" "API ms/1k" outcomes
for step in alone loaded; do
  l=${!step}
  n=$(field answered "$l"); ms=$(field api_ms "$l")
  per=$(awk -v m="${ms:--1}" -v n="${n:-0}" 'BEGIN { printf (n > 0 && m >= 0 ? "%.0f" : "-"), m * 1000 / n }')
  printf '%-26s %9s %8s %8s %10s  %s\n' \
    "$([ $step = alone ] && echo "searches alone" || echo "with MESSAGEs at $half/s")" \
    "$(field rate "$l")" "$(field p50_us "$l")" "$(field p99_us "$l")" "$per" \
    "$(sed -n 's/.*"outcomes":\({[^}]*}\).*/\1/p' <<<"$l")"
done
echo "MESSAGEs during step 3: $(field rate "$relayed")/s achieved of $half/s asked;" \
     "outcomes $(sed -n 's/.*"outcomes":\({[^}]*}\).*/\1/p' <<<"$relayed")"
echo "logs and JSON lines: $OUT"
