#!/usr/bin/env bash
# IM sessions to a queue against IM sessions to agents' own addresses, in the same run: the
# highest rate each holds with no failed session, and their ratio (PRODUCT §4: choosing an agent
# must cost next to nothing). Both kinds are the same session: INVITE with a first message, 407 and
# credentials, 180, 200, ACK, three in-dialog MESSAGEs, BYE.
#
#   tests/bench/queue-sessions.sh [RATE ...]            default rates: 250 500 1000 1500 2000
#
# It starts build/switch/imswitch on config/bench.yaml (queue 2100: every agent, longest idle) on
# 127.0.0.1:PORT, registers agent0001..agentAGENTS with one sipp whose UAS answers every session
# (tests/bench/sipp/uas_sessions.xml), then for each rate runs the sipp initiator
# (tests/conformance/sipp/session_uac_md5.xml) for STEP_SECS seconds against the agents and
# against the queue, in alternating order. A step passes when sipp reports no failed call and the
# sessions it completed held at least 95 % of the rate. Loopback only; every sipp run is bounded
# by its call count and a timeout. Build first (tools/dev/imswitch-dev test, or cmake --build).
#
# Environment: STEP_SECS (10), AGENTS (1000), PORT (15160), UAS_PORT (15161), UAC_PORT (15162),
# OUT (a new folder under /tmp; kept, with every sipp log).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/switch/imswitch
STEP_SECS=${STEP_SECS:-10}
AGENTS=${AGENTS:-1000}
PORT=${PORT:-15160}
UAS_PORT=${UAS_PORT:-15161}
UAC_PORT=${UAC_PORT:-15162}
OUT=${OUT:-$(mktemp -d /tmp/imswitch-queue-bench.XXXXXX)}
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(250 500 1000 1500 2000)

command -v sipp >/dev/null || { echo "queue-sessions: sipp is missing (apt-get install sip-tester)" >&2; exit 2; }
[ -x "$bin" ] || { echo "queue-sessions: build imswitch first ($bin)" >&2; exit 2; }
[ "$AGENTS" -ge 1 ] && [ "$AGENTS" -le 1000 ] || { echo "queue-sessions: AGENTS is 1..1000" >&2; exit 2; }
mkdir -p "$OUT"

# The sipp CSVs: agents (login; credentials), and the initiators cust0001..cust0100 asking an
# agent (direct) or queue 2100 (queue), round robin over both.
{
  echo SEQUENTIAL
  for i in $(seq 1 "$AGENTS"); do
    a=$(printf 'agent%04d' "$i")
    echo "$a;[authentication username=$a password=pw-$a]"
  done
} >"$OUT/agents.csv"
for kind in direct queue; do
  {
    echo SEQUENTIAL
    for i in $(seq 1 "$AGENTS"); do
      c=$(printf 'cust%04d' $(( (i - 1) % 100 + 1 )))
      target=$(printf 'agent%04d' "$i")
      [ "$kind" = queue ] && target=2100
      echo "$c;$target;[authentication username=$c password=pw-$c]"
    done
  } >"$OUT/$kind.csv"
done

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

"$bin" --config "$top/config/bench.yaml" --listen "udp:127.0.0.1:$PORT" \
  --store "$OUT/bench.db" --http off --ports-file "$OUT/ports" --log-level warn >"$OUT/imswitch.log" 2>&1 &
pids+=($!)
# The ports file appears once every listener is bound (tail -F follows it into existence).
grep -q -m1 udp <(timeout 10 tail -F -n +1 "$OUT/ports" 2>/dev/null) ||
  { echo "queue-sessions: imswitch did not start, see $OUT/imswitch.log" >&2; exit 1; }

sipp -sf "$top/tests/bench/sipp/uas_sessions.xml" -i 127.0.0.1 -p "$UAS_PORT" -nostdin \
  -ci 127.0.0.1 -bind_local >"$OUT/uas.log" 2>&1 &
pids+=($!)
echo "registering $AGENTS agents (session-capable devices at 127.0.0.1:$UAS_PORT)"
(cd "$OUT" && timeout 120 sipp "127.0.0.1:$PORT" -sf "$top/tests/conformance/sipp/register_session_md5.xml" \
  -inf agents.csv -i 127.0.0.1 -p "$UAC_PORT" -key cport "$UAS_PORT" -m "$AGENTS" -r 500 \
  -nostdin -ci 127.0.0.1 -bind_local -timeout 100s >register.log 2>&1) ||
  { echo "queue-sessions: registering the agents failed, see $OUT/register.log" >&2; exit 1; }

# step KIND RATE: prints "pass|fail achieved_per_s failed_calls"
step() {
  local kind=$1 rate=$2 calls=$(( $2 * STEP_SECS )) dir=$OUT/$1-$2 rc t0 t1
  mkdir -p "$dir"
  t0=$(date +%s.%N)
  set +e
  (cd "$dir" && timeout $(( STEP_SECS * 3 + 30 )) sipp "127.0.0.1:$PORT" \
    -sf "$top/tests/conformance/sipp/session_uac_md5.xml" -inf "$OUT/$kind.csv" -i 127.0.0.1 \
    -p "$UAC_PORT" -r "$rate" -m "$calls" -nostdin -ci 127.0.0.1 -bind_local \
    -timeout $(( STEP_SECS * 2 + 15 ))s -trace_stat -stf stat.csv -fd 1 >sipp.log 2>&1)
  rc=$?
  set -e
  t1=$(date +%s.%N)
  local failed
  failed=$(awk -F';' 'NR==1 {for (i=1;i<=NF;i++) if ($i=="FailedCall(C)") c=i} NR>1 && c {v=$c} END {print v+0}' "$dir/stat.csv" 2>/dev/null || echo "?")
  awk -v rc="$rc" -v calls="$calls" -v rate="$rate" -v t0="$t0" -v t1="$t1" -v failed="$failed" 'BEGIN {
    achieved = calls / (t1 - t0)
    ok = (rc == 0 && failed == 0 && achieved >= 0.95 * rate)
    printf "%s %.0f %s\n", ok ? "pass" : "fail", achieved, failed }'
}

printf '%-8s %8s %8s %10s %8s\n' kind rate result sessions/s failed
declare -A best=([direct]=0 [queue]=0) open=([direct]=1 [queue]=1)
n=0
for rate in "${rates[@]}"; do
  order=(direct queue)
  [ $((n % 2)) -eq 1 ] && order=(queue direct)
  n=$((n + 1))
  for kind in "${order[@]}"; do
    [ "${open[$kind]}" = 1 ] || continue
    read -r result achieved failed <<<"$(step "$kind" "$rate")"
    printf '%-8s %8s %8s %10s %8s\n' "$kind" "$rate" "$result" "$achieved" "$failed"
    if [ "$result" = pass ]; then best[$kind]=$rate; else open[$kind]=0; fi
  done
done
echo "highest rate with no failed session: direct ${best[direct]}/s, queue ${best[queue]}/s"
if [ "${best[direct]}" -gt 0 ]; then
  awk -v q="${best[queue]}" -v d="${best[direct]}" 'BEGIN { printf "queue / direct = %.2f\n", q / d }'
fi
echo "logs: $OUT"
