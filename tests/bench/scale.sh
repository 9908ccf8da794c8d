#!/usr/bin/env bash
# imswitch with a large generated directory: its resident memory with every agent registered,
# registrations refreshed for longer than they last, and the MESSAGE relay rate beside that of a
# switch whose directory holds only the 1,000 relaying agents.
#
#   tests/bench/scale.sh
#
# 1. Writes a config of config/bench.yaml's shape into OUT with AGENTS generated agents
#    (load000001.., password pw-<login>, a display name and an email each, as a contact
#    centre's directory has) beside agent0001..agent1000, and starts build/switch/imswitch on
#    it (UDP on 127.0.0.1, ports picked by the system, the HTTP API for GET /metrics).
# 2. One sipp (UDP, one socket, tests/bench/sipp/register_refresh.xml, MD5 digest) registers
#    every load agent at RATE a second with Expires: EXPIRES, then goes over the list again
#    and again: each agent is refreshed every AGENTS/RATE seconds (which must be well below
#    EXPIRES) and refreshing goes on for at least EXPIRES seconds.
# 3. Checks that every registration stayed: sipp saw no failed REGISTER, the switch counts
#    AGENTS registered agents (imswitch_registered_agents), its store holds AGENTS unexpired
#    bindings, and its log names no expired registration.
# 4. Registers every load agent once more with Expires: 3600, so that none expires while the
#    relay is measured, then relays MESSAGES messages among agent0001..agent1000
#    (build/tests/bench/bench_transport_relay, UDP, WINDOW in flight) through that switch and
#    through a second one whose directory holds only those 1,000 agents, PAIRS times,
#    alternating which goes first.
# Prints the switch's VmRSS after start, with every agent registered, after the refreshes and
# after the last pass, its VmHWM (peak), each relay rate and the ratio of the medians. The RSS
# while registrations flow includes the transactions kept after they complete (5 s here, as in
# config/bench.yaml): they grow with the request rate, not with the number of agents.
#
# sipp opens a new Call-ID for each refresh (RFC 3261 §10.2.4 would keep one): the switch
# treats it as a refresh all the same, as the contact is the same.
#
# Every load is bounded by its count and a timeout; loopback only. Build first
# (cmake --build build --target imswitch bench_transport_relay).
#
# Environment: AGENTS (100000), RATE (1000 registrations/s), EXPIRES (150 s), MESSAGES (30000),
# WINDOW (200), PAIRS (2), OUT (a new folder under /tmp, kept: configs, logs, sipp's files).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/switch/imswitch
relay=$top/build/tests/bench/bench_transport_relay
scenario=$top/tests/bench/sipp/register_refresh.xml
AGENTS=${AGENTS:-100000}
RATE=${RATE:-1000}
EXPIRES=${EXPIRES:-150}
MESSAGES=${MESSAGES:-30000}
WINDOW=${WINDOW:-200}
PAIRS=${PAIRS:-2}
OUT=${OUT:-$(mktemp -d /tmp/imswitch-scale.XXXXXX)}
for b in "$bin" "$relay"; do
  [ -x "$b" ] || { echo "scale: build first ($b)" >&2; exit 2; }
done
command -v sipp >/dev/null || { echo "scale: sipp is needed (apt-get install sip-tester)" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "scale: sqlite3 is needed (apt-get install sqlite3)" >&2; exit 2; }
[ "$AGENTS" -ge 1 ] && [ "$AGENTS" -le 999999 ] || { echo "scale: AGENTS 1..999999" >&2; exit 2; }
# One pass over the list must end well within a registration's life.
pass_s=$(( (AGENTS + RATE - 1) / RATE ))
if [ $(( pass_s * 4 )) -gt $(( EXPIRES * 3 )) ]; then
  echo "scale: a pass takes ${pass_s} s at RATE=$RATE, more than 3/4 of EXPIRES=$EXPIRES" >&2
  exit 2
fi
# Passes after the first, so that refreshing lasts at least EXPIRES seconds.
refresh_passes=$(( (EXPIRES + pass_s - 1) / pass_s ))
mkdir -p "$OUT"

# Two configs of config/bench.yaml's shape (one SIP core, MD5 offered first, short linger);
# only their directories differ.
write_config() {  # file, store, extra generate lines
  cat >"$1" <<EOF
sip:
  listen:
    - { transport: udp, address: 127.0.0.1, port: 5060 }
  domains: [127.0.0.1]
  threads: 1
  timers:
    completed_linger_ms: 5000
  limits:
    max_transactions: 1000000
store:
  path: $2
  synchronous: normal
  commit_window_ms: 2
auth:
  algorithms: [MD5, SHA-256]
  check_digest_uri: false
directory:
  generate:
    - { prefix: agent, from: 1, to: 1000, digits: 4, password: "pw-{login}", im_capacity: 1000 }
$3
EOF
}
write_config "$OUT/small.yaml" "$OUT/small.db" ""
write_config "$OUT/large.yaml" "$OUT/large.db" \
  "    - { prefix: load, from: 1, to: $AGENTS, digits: 6, password: \"pw-{login}\",
        display_name: \"Load Agent {n}\", email: \"{login}@example.com\" }"

# sipp's injection file, read in order: login;[authentication ...].
{
  echo SEQUENTIAL
  for ((i = 1; i <= AGENTS; ++i)); do
    printf -v login 'load%06d' "$i"
    echo "$login;[authentication username=$login password=pw-$login]"
  done
} >"$OUT/load.csv"

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
start_switch() {  # name: config OUT/<name>.yaml, log, ports file; sets spid
  rm -f "$OUT/$1.db"* "$OUT/$1.ports"
  "$bin" --config "$OUT/$1.yaml" --http 127.0.0.1:0 --ports-file "$OUT/$1.ports" \
    --listen udp:127.0.0.1:0 >"$OUT/$1.log" 2>&1 &
  spid=$!
  pids+=("$spid")
  grep -q -m1 http <(timeout 60 tail -F -n +1 "$OUT/$1.ports" 2>/dev/null) || {
    echo "scale: the switch did not start (see $OUT/$1.log)" >&2
    exit 1
  }
}
# Waits until process $1 has exited, at most $2 seconds (a sampler's period ends early when
# what it watches is gone).
wait_gone() { timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null 2>/dev/null || true; }
port() { awk -v t="$2" '$1 == t { print $3; exit }' "$OUT/$1.ports"; }
mem() { awk -v k="$2:" '$1 == k { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }  # MiB
transactions() {  # live SIP transactions over the switch's cores (completed ones lingering)
  curl -s --max-time 5 "http://127.0.0.1:$(port "$1" http)/metrics" |
    awk '$1 ~ /^imswitch_sip_transactions(\{|$)/ { n += $2 } END { print n + 0 }'
}
registered() {  # the switch's gauge of agents with a registration
  curl -s --max-time 5 "http://127.0.0.1:$(port "$1" http)/metrics" |
    awk '$1 == "imswitch_registered_agents" { print $2; exit }'
}

start_switch large
large=$spid
rss_start=$(mem "$large" VmRSS)
echo "scale: $((AGENTS + 1000)) agents in the directory; RSS after start ${rss_start} MiB" \
     "(peak $(mem "$large" VmHWM) MiB)"

total=$(( AGENTS * (1 + refresh_passes) ))
echo "scale: registering $AGENTS agents at $RATE/s (Expires $EXPIRES s), then $refresh_passes" \
     "refresh passes of ${pass_s} s"
sipp_port=$(( 20000 + RANDOM % 20000 ))
set +e
( cd "$OUT" && timeout $(( total / RATE * 2 + 120 )) sipp "127.0.0.1:$(port large udp)" \
    -sf "$scenario" -inf "$OUT/load.csv" -key expires "$EXPIRES" -t u1 \
    -i 127.0.0.1 -p "$sipp_port" -r "$RATE" -l $(( RATE * 4 )) -m "$total" \
    -nostdin -trace_err -trace_stat -fd 10 >"$OUT/sipp.out" 2>&1 ) &
sipp_pid=$!
pids+=("$sipp_pid")
set -e

# Every agent registered once: the first pass is over.
deadline=$(( SECONDS + pass_s * 3 + 60 ))
while [ "$(registered large || echo 0)" != "$AGENTS" ]; do
  if [ $SECONDS -gt $deadline ] || ! kill -0 "$sipp_pid" 2>/dev/null; then
    echo "scale: $(registered large) of $AGENTS registered after $((SECONDS)) s" >&2
    break
  fi
  wait_gone "$sipp_pid" 1
done
rss_registered=$(mem "$large" VmRSS)
echo "scale: $(registered large) registered; RSS ${rss_registered} MiB"

set +e
wait "$sipp_pid"
sipp_rc=$?
set -e
rss_refreshed=$(mem "$large" VmRSS)
peak=$(mem "$large" VmHWM)
now_ms=$(( $(date +%s%N) / 1000000 ))
stored=$(sqlite3 "file:$OUT/large.db?mode=ro" \
  "SELECT count(*) FROM bindings WHERE aor LIKE 'load%' AND expires_at_ms > $now_ms")
gauge=$(registered large)
expired=$(grep -c 'registration of load[0-9]* .* expired' "$OUT/large.log" || true)
failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; ++i) if ($i == "FailedCall(C)") c = i }
                    END { if (c) print $c }' "$OUT"/*_.csv 2>/dev/null | tail -1)
echo "scale: after ${refresh_passes} refresh passes: sipp exit $sipp_rc, failed REGISTERs" \
     "${failed:-?}; registered $gauge, unexpired bindings in the store $stored, expired" \
     "registrations logged $expired"
echo "scale: RSS ${rss_refreshed} MiB; peak (VmHWM) ${peak} MiB"
ok=1
# sipp's own verdict is shown, not required: it may abort a call on a retransmitted answer
# that crossed its own retransmission; the switch's three counts say whether anything was lost.
[ "$gauge" = "$AGENTS" ] && [ "$stored" = "$AGENTS" ] && [ "$expired" = 0 ] || ok=0

# One more pass with Expires 3600, so that no registration expires (and no mass expiry runs)
# while the relay is measured.
set +e
( cd "$OUT" && timeout $(( pass_s * 2 + 60 )) sipp "127.0.0.1:$(port large udp)" \
    -sf "$scenario" -inf "$OUT/load.csv" -key expires 3600 -t u1 \
    -i 127.0.0.1 -p "$sipp_port" -r "$RATE" -l $(( RATE * 4 )) -m "$AGENTS" \
    -nostdin >"$OUT/sipp-last.out" 2>&1 )
set -e
# The last pass's transactions linger 5 s (completed_linger_ms): measure once they are gone
# (polled, at most 15 s).
for _ in $(seq 150); do [ "$(transactions large)" = 0 ] && break; wait_gone "$large" 0.1; done
echo "scale: after a last pass with Expires 3600, its transactions ended ($(transactions large) left): RSS $(mem "$large" VmRSS) MiB"

# MESSAGE relay among agent0001..agent1000: the large switch (its bindings still live) against
# a switch that knows only those 1,000 agents, alternating which goes first.
start_switch small
small=$spid
run_relay() {  # name
  "$relay" --port "$(port "$1" udp)" --transport udp --agents 1000 --messages "$MESSAGES" \
    --window "$WINDOW" --timeout 120 2>/dev/null | sed -n 's/.*"rate":\([0-9]*\).*/\1/p'
}
small_rates=()
large_rates=()
for ((p = 0; p < PAIRS; ++p)); do
  if (( p % 2 == 0 )); then
    large_rates+=("$(run_relay large)"); small_rates+=("$(run_relay small)")
  else
    small_rates+=("$(run_relay small)"); large_rates+=("$(run_relay large)")
  fi
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ms=$(median "${small_rates[@]}")
ml=$(median "${large_rates[@]}")
echo "scale: MESSAGE/s with 1,000 agents: ${small_rates[*]} (median $ms); with" \
     "$((AGENTS + 1000)) agents, $AGENTS registered: ${large_rates[*]} (median $ml); ratio" \
     "$(awk -v a="$ml" -v b="$ms" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }')"
echo "scale: large switch RSS at the end $(mem "$large" VmRSS) MiB, peak $(mem "$large" VmHWM) MiB"
echo "scale: files in $OUT"
[ "$ok" = 1 ] || { echo "scale: some registration was lost (see above)" >&2; exit 1; }
