#!/usr/bin/env bash
# Soak: imswitch under steady load for a long time, registrations expiring and refreshing, and
# what it holds sampled every 30 s: resident memory, open descriptors, live transactions, live
# IM sessions, registered agents (its /metrics). Then the load stops and, once the lingering
# transactions have expired (64*T1), the counts must be back to where they started: no leaked
# transaction, dialog or descriptor. Loopback only, bounded by DURATION.
#
#   tests/bench/soak.sh [RATE] [DURATION]        (defaults: 1500/s for 30m)
#
# imswitch runs on config/bench.yaml (one SIP core, UDP) with its store in a temporary folder;
# `imtool load` logs in agent0001..agent1000 with a 60 s registration (refreshed every 30 s by
# each agent) and offers pager MESSAGEs, IM sessions and REGISTER refreshes (8:1:1) at RATE.
# Pick RATE at about half the switch's ceiling on the machine (imtool load --rate 0 finds it).
set -euo pipefail

rate=${1:-1500}
duration=${2:-30m}
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/switch/imswitch
tool=$top/build/tools/imtool/imtool
[ -x "$bin" ] && [ -x "$tool" ] || { echo "soak: build first (tools/dev/imswitch-dev test)" >&2; exit 2; }
dir=$(mktemp -d /tmp/imswitch-soak.XXXXXX)
sw=
cleanup() { [ -n "$sw" ] && kill "$sw" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

sed "s|^\(  path:\) imswitch-bench.db|\1 $dir/imswitch.db|" "$top/config/bench.yaml" >"$dir/imswitch.yaml"
# The RFC's 32 s linger, not the bench config's 5 s: the soak checks the switch as shipped.
sed -i 's/^    completed_linger_ms: 5000/    completed_linger_ms: 0/' "$dir/imswitch.yaml"
"$bin" --config "$dir/imswitch.yaml" --listen udp:127.0.0.1:0 --http 127.0.0.1:0 \
  --ports-file "$dir/ports" --log-level warn >"$dir/switch.log" 2>&1 &
sw=$!
grep -q -m1 '^http ' <(timeout 10 tail -F -n +1 "$dir/ports" 2>/dev/null) ||
  { echo "soak: the switch did not start (see $dir/switch.log)" >&2; exit 1; }
port=$(awk '$1 == "udp" { print $3 }' "$dir/ports")
http=$(awk '$1 == "http" { print $2 ":" $3 }' "$dir/ports")

metric() {  # name: the sum of its samples
  curl -s "http://$http/metrics" | awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f", s }'
}
sample() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date +%H:%M:%S)" \
    "$(( $(metric process_resident_memory_bytes) / 1024 / 1024 ))" "$(metric process_open_fds)" \
    "$(metric imswitch_sip_transactions)" "$(metric imswitch_im_live_sessions)" \
    "$(metric imswitch_registered_agents)"
}

echo "soak: imswitch (pid $sw) on 127.0.0.1:$port, $rate/s for $duration; samples in $dir/samples.tsv"
printf 'time\trss_MiB\tfds\ttransactions\tlive_sessions\tregistered\n' | tee "$dir/samples.tsv"
sample | tee -a "$dir/samples.tsv"
"$tool" load --server "127.0.0.1:$port" --agents 'agent{0001..1000}' --expires 60s \
  --register-rate 500 --mix message=8,session=1,register=1 --rate "$rate" --ramp 10s \
  --duration "$duration" --api "http://$http" --json "$dir/report.json" --progress 60 \
  >"$dir/load.txt" 2>"$dir/load.err" &
load=$!
while kill -0 "$load" 2>/dev/null; do
  timeout 30 tail -s 0.2 --pid="$load" -f /dev/null 2>/dev/null || true  # a sample every 30 s
  sample | tee -a "$dir/samples.tsv"
done
wait "$load" || echo "soak: imtool load exited $?"
cat "$dir/load.txt"
echo "soak: load over; waiting (at most 60 s) for lingering transactions (64*T1 = 32 s) to expire"
for _ in $(seq 120); do
  [ "$(metric imswitch_sip_transactions)" = 0 ] && break
  timeout 0.5 tail -s 0.1 --pid="$sw" -f /dev/null 2>/dev/null || true  # or the switch is gone
done
sample | tee -a "$dir/samples.tsv"
awk -F'\t' 'NR == 2 { start = $2 } NR > 3 { n++; if ($2 > max) max = $2; if (min == "" || $2 < min) min = $2 }
  END { printf "soak: RSS at start %d MiB; under load %d-%d MiB (max/min %.2f)\n", start, min, max, max / (min ? min : 1) }' \
  "$dir/samples.tsv"
first=$(sed -n 2p "$dir/samples.tsv"); last=$(tail -1 "$dir/samples.tsv")
echo "soak: before: fds $(cut -f3 <<<"$first"), transactions $(cut -f4 <<<"$first"), live sessions $(cut -f5 <<<"$first")"
echo "soak: after:  fds $(cut -f3 <<<"$last"), transactions $(cut -f4 <<<"$last"), live sessions $(cut -f5 <<<"$last")"
