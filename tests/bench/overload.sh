#!/usr/bin/env bash
# The switch under overload and under an unauthenticated flood, with its CPU capped so that one
# load generator on the same machine can offer several times what it carries.
#
#   sudo tests/bench/overload.sh            # root: it writes the cgroup v1 cpu controller
#
# Setup: build/switch/imswitch on config/bench.yaml (one SIP core, UDP on 127.0.0.1, a fresh
# store per run) is put in the cgroup /sys/fs/cgroup/cpu/imsw-bench with cpu.cfs_quota_us=QUOTA
# of cpu.cfs_period_us=PERIOD (10 % of one CPU by default), removed at the end. AGENTS
# client-library agents (agent0001..) log in over UDP (bench_transport_relay) and relay
# MESSAGEs agent i to agent i+1, paced at a rate, every in-flight message allowed.
#   1. Capacity: a ladder of RATES, each STEP seconds on a fresh switch; the maximum MAX is the
#      highest rate with at least 99.9 % answered 200 (or MAX given in the environment).
#   2. Overload: 3 x MAX offered for DUR seconds. The switch's 200s per second while it was
#      offered (from /metrics, sampled each second) against MAX; the 503s (with Retry-After),
#      the requests dropped unparsed, the kernel's drops (/proc/net/udp), the switch's RSS at the
#      start, its peak and at the end; the unloaded round trip (one message in flight, 50 in a
#      row) before, and at once after the offered load stops.
#   3. Flood: the agents log in, then run at MAX / 2 for DUR seconds while sipp
#      (tests/bench/sipp/flood_unauth.xml) sends 10 x MAX requests a second without valid
#      credentials: REGISTER without credentials, REGISTER with wrong ones, MESSAGE without.
#      The share of the agents' messages answered 200. FLOOD_PORTS=one (default) sends the
#      flood from one UDP port; FLOOD_PORTS=many from a new socket for every call
#      (tests/bench/flood_ports.py), so that no per-source limit can hold it and the switch's
#      queue-delay shedding must.
# Every run is bounded by its count and a timeout; loopback only. Build first:
#   cmake --build build --target imswitch bench_transport_relay
#
# Environment: CONFIG (config/bench.yaml), QUOTA (10000), PERIOD (100000), AGENTS (1000), RATES ("1200 1600 2000 2400
# 2800"), STEP (10), MAX (measured), DUR (15), FLOOD_PORTS (one), OUT (a new folder under /tmp,
# kept: logs, samples and JSON lines).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/switch/imswitch
bench=$top/build/tests/bench/bench_transport_relay
QUOTA=${QUOTA:-10000}
PERIOD=${PERIOD:-100000}
AGENTS=${AGENTS:-1000}
RATES=${RATES:-"1200 1600 2000 2400 2800"}
STEP=${STEP:-10}
DUR=${DUR:-15}
MAX=${MAX:-}
FLOOD_PORTS=${FLOOD_PORTS:-one}
case $FLOOD_PORTS in
  one) flood_from="one port" ;;
  many) flood_from="a port per call" ;;
  *) echo "overload: FLOOD_PORTS is one or many, not '$FLOOD_PORTS'" >&2; exit 2 ;;
esac
OUT=${OUT:-$(mktemp -d /tmp/imswitch-overload.XXXXXX)}
CG=/sys/fs/cgroup/cpu/imsw-bench
for b in "$bin" "$bench"; do
  [ -x "$b" ] || { echo "overload: build first ($b)" >&2; exit 2; }
done
command -v sipp >/dev/null || { echo "overload: sipp is missing (apt-get install sip-tester)" >&2; exit 2; }
[ -w /sys/fs/cgroup/cpu ] || { echo "overload: /sys/fs/cgroup/cpu is not writable (root, cgroup v1)" >&2; exit 2; }
mkdir -p "$OUT" "$CG"
echo "$PERIOD" >"$CG/cpu.cfs_period_us"
echo "$QUOTA" >"$CG/cpu.cfs_quota_us"

pid=""
# Waits until process $1 has exited, at most $2 seconds (a sampler's period ends early when
# what it watches is gone).
wait_gone() { timeout "$2" tail -s 0.05 --pid="$1" -f /dev/null 2>/dev/null || true; }
stop_switch() {
  [ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  pid=""
}
cleanup() {
  stop_switch
  rmdir "$CG" 2>/dev/null || true
}
trap cleanup EXIT
start_switch() {
  stop_switch
  rm -f "$OUT/imswitch.db"* "$OUT/ports"
  "$bin" --config "${CONFIG:-$top/config/bench.yaml}" --store "$OUT/imswitch.db" --http 127.0.0.1:0 \
    --ports-file "$OUT/ports" --listen udp:127.0.0.1:0 >>"$OUT/imswitch.log" 2>&1 &
  pid=$!
  grep -q -m1 http <(timeout 10 tail -F -n +1 "$OUT/ports" 2>/dev/null) || {
    echo "overload: the switch did not start (see $OUT/imswitch.log)" >&2
    exit 1
  }
  echo "$pid" >"$CG/cgroup.procs"
  port=$(awk '$1 == "udp" { print $3; exit }' "$OUT/ports")
  http=$(awk '$1 == "http" { print $2 ":" $3; exit }' "$OUT/ports")
}
# The sum over cores of a metric (its samples matching an optional label filter).
metric() {
  curl -s --max-time 5 "http://$http/metrics" |
    awk -v n="$1" -v f="${2:-}" '$1 ~ "^" n "({|$)" && index($1, f) { s += $2 } END { printf "%d", s }'
}
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
# Datagrams the kernel dropped on the switch's socket (receive queue full): the last column of
# /proc/net/udp for its port.
kernel_drops() {
  awk -v p="$(printf '%04X' "$port")" 'NR > 1 { split($2, a, ":"); if (a[2] == p) s += $NF } END { printf "%d", s }' /proc/net/udp
}
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$2"; }
status_count() { sed -n "s/.*\"$1[^\"]*\":\([0-9]*\).*/\1/p" <<<"$2" | head -1; }
relay() {  # rate messages timeout [extra options]
  "$bench" --port "$port" --transport udp --agents "$AGENTS" --rate "$1" --messages "$2" \
    --window 100000 --timeout "$3" --switch-pid "$pid" "${@:4}" 2>>"$OUT/bench.log" || true
}
# Mean round trip of a MESSAGE, one in flight, 50 in a row, in ms (the agents' logins excluded).
rtt_ms() {
  local line
  line=$("$bench" --port "$port" --transport udp --agents 2 --messages 50 --window 1 --timeout 60 \
           2>>"$OUT/bench.log" || true)
  echo "$line" >>"$OUT/results.jsonl"
  awk -v s="$(field seconds "$line")" -v d="$(field done "$line")" \
    'BEGIN { printf (d > 0 ? "%.2f" : "-"), s * 1000 / d }'
}

echo "overload: cgroup $CG quota ${QUOTA}/${PERIOD} us, $AGENTS agents, logs in $OUT"

# ---- 1. capacity --------------------------------------------------------------------------------
if [ -z "$MAX" ]; then
  MAX=0
  printf '%-8s %8s %8s  %s\n' rate done "200s" outcomes
  for r in $RATES; do
    start_switch
    n=$((r * STEP))
    line=$(relay "$r" "$n" $((STEP + 20)))
    echo "$line" >>"$OUT/results.jsonl"
    ok=$(status_count 200 "$line"); ok=${ok:-0}
    printf '%-8s %8s %8s  %s\n' "$r" "$(field done "$line")" "$ok" \
      "$(sed -n 's/.*"outcomes":\({[^}]*}\).*/\1/p' <<<"$line")"
    if [ $((ok * 1000)) -ge $((n * 999)) ]; then MAX=$r; else break; fi
  done
fi
[ "$MAX" -gt 0 ] || { echo "overload: no rate of RATES held" >&2; exit 1; }
echo "maximum MESSAGE rate with >= 99.9 % 200: $MAX/s"

# ---- 2. three times the maximum ------------------------------------------------------------------
start_switch
before_rtt=$(rtt_ms)
rss_start=$(rss_kib)
offered=$((3 * MAX))
samples=$OUT/overload-samples.txt
: >"$samples"
(
  while kill -0 "$pid" 2>/dev/null; do
    echo "$(date +%s.%N) $(metric imswitch_sip_responses_sent_total 'code="200"') $(rss_kib)"
    wait_gone "$pid" 1
  done
) >"$samples" 2>/dev/null &
sampler=$!
t0=$(date +%s.%N)
# Offered for DUR seconds; the generator gives up 3 s later (its clients' retransmissions of
# what the switch dropped would run on for 32 s): then the round trip is probed at once.
line=$(relay "$offered" $((offered * DUR)) $((DUR + 3)))

after_rtt=$(rtt_ms)
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
echo "$(date +%s.%N) $(metric imswitch_sip_responses_sent_total 'code="200"') $(rss_kib)" >>"$samples"
echo "$line" >>"$OUT/results.jsonl"
rss_end=$(rss_kib)
rss_peak=$(awk 'NF == 3 && $3 > m { m = $3 } END { print m + 0 }' "$samples")
# The switch's 200s a second over the offered window, [t0 + 1 s, t0 + DUR].
ok_rate=$(awk -v a="$t0" -v d="$DUR" 'NF == 3 {
    if ($1 >= a + 1 && first == "") { first = $2; t1 = $1 }
    if ($1 <= a + d) { last = $2; t2 = $1 } }
  END { printf "%.0f", (t2 > t1 ? (last - first) / (t2 - t1) : 0) }' "$samples")
r503=$(metric imswitch_sip_overload_shed_total)
dropped=$(metric imswitch_sip_overload_dropped_total)
kdrops=$(kernel_drops)
table_full=$(metric imswitch_sip_overload_rejected_total)

# ---- 3. unauthenticated flood at 10 x with the agents at half the maximum -------------------------
start_switch
half=$((MAX / 2))
flood_calls=$((10 * MAX / 3))  # three requests a call
# The agents log in first (the goal is about agents that have authenticated), and the flood
# starts when the relay says they are sending: the line it writes to bench.log then.
exec 3< <(timeout $((DUR + 90)) tail -F -n 0 "$OUT/bench.log" 2>/dev/null)
relay "$half" $((half * DUR)) $((DUR + 45)) >"$OUT/flood-relay.json" &
agents=$!
grep -q -m1 'logged in, sending' <&3 || echo "overload: the agents did not all log in" >&2
exec 3<&-
if [ "$FLOOD_PORTS" = one ]; then
  printf 'SEQUENTIAL\n' >"$OUT/flood.csv"
  for i in $(seq 1 1000); do printf 'load%06d\n' "$i"; done >>"$OUT/flood.csv"
  ( cd "$OUT" && timeout $((DUR + 15)) sipp "127.0.0.1:$port" \
      -sf "$top/tests/bench/sipp/flood_unauth.xml" -inf flood.csv -r "$flood_calls" \
      -m $((flood_calls * (DUR + 5))) -t u1 -nd -nostdin >/dev/null 2>&1 || true ) &
else  # the same requests, each call from a socket of its own (sipp's -t un fails to bind)
  ( timeout $((DUR + 45)) python3 "$top/tests/bench/flood_ports.py" 127.0.0.1 "$port" \
      "$flood_calls" $((DUR + 5)) >>"$OUT/flood.log" 2>&1 || true ) &
fi
flood=$!
wait "$agents" 2>/dev/null || true
fline=$(cat "$OUT/flood-relay.json")
wait "$flood" 2>/dev/null || true
echo "$fline" >>"$OUT/results.jsonl"
fok=$(status_count 200 "$fline"); fok=${fok:-0}
fn=$((half * DUR))
shed=$(metric imswitch_sip_unauthenticated_shed_total)
blocked=$(metric imswitch_sip_blocked_dropped_total)
challenged=$(metric imswitch_digest_challenges_total)
stop_switch

echo
echo "imswitch under overload ($(date -u +%Y-%m-%dT%H:%MZ), CPU capped at ${QUOTA}/${PERIOD} us)"
printf '%-52s %s\n' "maximum MESSAGE rate (>= 99.9 % 200)" "$MAX/s"
printf '%-52s %s\n' "offered (3 x) for ${DUR} s" "$offered/s"
printf '%-52s %s\n' "completed (200/s while offered)" \
  "$ok_rate/s = $(awk -v a="$ok_rate" -v m="$MAX" 'BEGIN { printf "%.0f", a * 100 / m }') % of the maximum"
printf '%-52s %s\n' "generator's outcomes" "$(sed -n 's/.*"outcomes":\({[^}]*}\).*/\1/p' <<<"$line")"
printf '%-52s %s\n' "503 + Retry-After (late / table full)" "$r503 / $table_full"
printf '%-52s %s\n' "dropped unparsed (late) / by the kernel" "$dropped / $kdrops"
printf '%-52s %s\n' "RSS start / peak / end" "$((rss_start / 1024)) / $((rss_peak / 1024)) / $((rss_end / 1024)) MiB"
printf '%-52s %s\n' "unloaded round trip before / just after" "$before_rtt / $after_rtt ms"
printf '%-52s %s\n' "flood: agents at MAX/2, sipp at 10 x MAX from $flood_from" "$half/s, $((3 * flood_calls))/s"
printf '%-52s %s\n' "flood: agents' messages answered 200" \
  "$fok of $fn ($(awk -v a="$fok" -v n="$fn" 'BEGIN { printf "%.2f", a * 100 / n }') %)"
printf '%-52s %s\n' "flood: shed over the limit / dropped unparsed / challenged" "$shed / $blocked / $challenged"
echo "logs, samples and JSON lines: $OUT"
