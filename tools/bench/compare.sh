#!/usr/bin/env bash
# imswitch against Kamailio 5.6 on the same machine, side by side in one run (docs/measuring.md).
#
#   tools/bench/compare.sh [--quick] [--out DIR] [--scenarios LIST] [--source NAME]
#                          [--kamailio-children N]
#
# Runs as root on Debian 12 and installs what it lacks (sip-tester, kamailio, tcpdump, python3,
# iproute2: apt-get update once, then apt-get install -y). It builds nothing: it takes imswitch
# from build/switch/imswitch. Everything talks to 127.0.0.1 only, on ports 15260-15267.
#
# It writes the sipp users (agent0001..agent1000 answering, cust0001..cust0100 sending,
# load000001..load020000 registering, password pw-<login>: the users config/bench.yaml gives
# imswitch) and Kamailio's password table; starts imswitch on a copy of config/bench.yaml whose
# store lies in the results folder, Kamailio (tools/bench/kamailio.cfg: digest authentication,
# locations in memory, tm stateful relay, record-routed sessions), one sipp for the agents'
# devices (registered at both proxies) and one sipp that stands in for a proxy and an agent at
# once (the baseline). Then, each proxy and the baseline in turn, the order rotating:
#
#   1. unloaded round trips: MESSAGE and REGISTER, one request in flight, p50/p99 in us
#   2. the proxy's own residence time at a fixed moderate rate, from a loopback capture
#      (MESSAGE in -> MESSAGE out, 200 in -> 200 out, MESSAGE in -> 407 out)
#   3. CPU per MESSAGE at one fixed rate, from /proc/<pid>/stat (all threads and processes)
#   4. ceilings (a ladder of rates, then bisection): the highest rate at which one step has no
#      failed call, every call completes and at least 95 % of the offered rate is held, for
#      MESSAGE relay with digest, IM sessions (INVITE with a text body, 407, 180, 200, ACK,
#      3 in-dialog MESSAGEs, BYE) and REGISTER with digest over 20,000 users. The baseline is
#      the same client scenarios against the stand-in sipp: the harness's own ceiling. The
#      first failed step of a full run's ladder is tried once more (a shared machine has bad
#      seconds).
#
# Then it prints one table (both proxies, the baseline, imswitch/Kamailio and
# imswitch/baseline) and the goals of the comparison judged on it. Raw results (every step,
# every sipp log, the captures) stay in the results folder: a new /tmp/imswitch-vs-kamailio.*
# unless --out names one (never inside the repository).
#
# Options:
#   --quick               short steps and fewer rates: a check of the harness in under 5 min
#   --out DIR             results folder (created; must lie outside the repository)
#   --scenarios LIST      ceilings to search, comma-separated: message,session,register (all)
#   --source LIST         what sends the MESSAGE load, comma-separated: sipp (default), imtool
#                         (imtool load from build/tools/imtool/imtool: 100 senders, client-
#                         library agents); with both, each one's ceiling and CPU per message
#   --kamailio-children N Kamailio's UDP worker processes (default 4)
#   -h, --help            this text
#
# Every sipp run is bounded by its call count (-m), a global timeout (-timeout) and timeout(1);
# a trap stops everything this script started on exit, Ctrl-C included.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tools/bench
bin=$top/build/switch/imswitch
tool=$top/build/tools/imtool/imtool
lib=$here/benchlib.py

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

quick=0
out=""
scenarios="message,session,register"
sources=(sipp)
kam_children=4
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --out) [ $# -ge 2 ] || { echo "compare: --out needs a folder" >&2; exit 2; }; out=$2; shift ;;
    --out=*) out=${1#--out=} ;;
    --scenarios) [ $# -ge 2 ] || { echo "compare: --scenarios needs a list" >&2; exit 2; }
                 scenarios=$2; shift ;;
    --scenarios=*) scenarios=${1#--scenarios=} ;;
    --source) [ $# -ge 2 ] || { echo "compare: --source needs a name" >&2; exit 2; }
              IFS=, read -r -a sources <<<"$2"; shift ;;
    --source=*) IFS=, read -r -a sources <<<"${1#--source=}" ;;
    --kamailio-children) [ $# -ge 2 ] || { echo "compare: --kamailio-children needs N" >&2; exit 2; }
                         kam_children=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for s in ${scenarios//,/ }; do
  case $s in message|session|register) ;;
    *) echo "compare: unknown scenario '$s' (message, session, register)" >&2; exit 2 ;;
  esac
done
[[ $kam_children =~ ^[0-9]+$ ]] && [ "$kam_children" -ge 1 ] && [ "$kam_children" -le 32 ] ||
  { echo "compare: --kamailio-children is 1..32" >&2; exit 2; }

# ----------------------------------------------------------------------------------- settings

ims_port=15260        # imswitch, UDP
kam_port=15261        # Kamailio, UDP
base_port=15262       # the stand-in sipp (baseline)
agent_port=15263      # the agents' devices, registered at both proxies
uac_port=15264        # the client sipp of every step
reg_port=15265        # the sipp that registers the agents
probe_port=15266      # the round-trip probe
sink_port=15267       # the Contact of the REGISTER load (nothing listens there)
targets=(baseline imswitch kamailio)

if [ "$quick" = 1 ]; then
  step_secs=3; settle=1; drain=1; bisections=1; retries=0; recv_timeout=3
  ladder_message=(4000 8000 16000)
  ladder_session=(1000 2000)
  ladder_register=(4000 8000 16000)
  cpu_rate=2000; cpu_secs=4; cpu_rounds=1
  res_rate=1000; res_secs=3
  probes=300
else
  step_secs=8; settle=2; drain=5; bisections=3; retries=1; recv_timeout=5
  ladder_message=(2000 4000 8000 16000 32000)
  ladder_session=(500 1000 2000 4000 8000)
  ladder_register=(2000 4000 8000 16000 32000)
  cpu_rate=4000; cpu_secs=10; cpu_rounds=2
  res_rate=2000; res_secs=5
  probes=2000
fi

# ------------------------------------------------------------------------------ prerequisites

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }

if [ ! -x "$bin" ]; then
  cat >&2 <<EOF
compare: $bin is missing. Build first, in the repository:
  tools/dev/imswitch-dev test       (installs what is missing, builds Release, runs the tests), or
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build --target imswitch
EOF
  exit 2
fi
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$top/build/CMakeCache.txt" 2>/dev/null || true)
[ "$build_type" = Release ] ||
  echo "compare: warning: build/ is a '${build_type:-unknown}' build, not Release: figures will be low" >&2

pkgs=(sip-tester kamailio tcpdump python3 iproute2 time)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "compare: run as root to install ${missing[*]}" >&2; exit 2; }
  say "installing ${missing[*]}"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi
[ "$(id -u)" -eq 0 ] || { echo "compare: run as root (tcpdump on the loopback)" >&2; exit 2; }

for port in $ims_port $kam_port $base_port $agent_port $uac_port $reg_port $probe_port $sink_port; do
  if ss -Hlnu "sport = :$port" | grep -q .; then
    echo "compare: UDP port $port is taken (ss -lnup 'sport = :$port'); ports 15260-15267 must be free" >&2
    exit 2
  fi
done

if [ -z "$out" ]; then
  out=$(mktemp -d /tmp/imswitch-vs-kamailio.XXXXXX)
else
  mkdir -p "$out"
  out=$(cd "$out" && pwd -P)
  case $out/ in "$(cd "$top" && pwd -P)"/*)
    echo "compare: --out must lie outside the repository ($top)" >&2; exit 2 ;;
  esac
fi
# Everything printed also goes to run.log (tee ignores Ctrl-C so that the last lines get there).
exec > >(trap '' INT; exec tee -a "$out/run.log") 2>&1

# ------------------------------------------------------------------------------- the processes

pids=()   # long-running processes, stopped on exit
# The bounded command of the step in progress (run_bounded) may run in a subshell: its pid is
# kept in a file, where the exit trap finds it.
step_pid_file=$out/.step.pid
: >"$step_pid_file"
cleanup() {
  trap - EXIT INT TERM
  local p all
  all=("${pids[@]}" $(cat "$step_pid_file" 2>/dev/null))
  for p in "${all[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for p in "${all[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for p in "${all[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  rm -f "$step_pid_file"
}
trap cleanup EXIT
trap 'echo "compare: interrupted; results so far in $out" >&2; exit 130' INT TERM

# run_bounded SECS CMD...: CMD under timeout(1), its pid where the exit trap finds it.
run_bounded() {
  local secs=$1; shift
  timeout -k 5 "$secs" "$@" &
  local p=$! rc=0
  echo "$p" >"$step_pid_file"
  wait "$p" || rc=$?
  : >"$step_pid_file"
  return $rc
}

drop_pid() {  # forget a long-running process that has ended
  local p keep=()
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  pids=("${keep[@]}")
}

wait_udp() {  # port seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do
    ss -Hlnu "sport = :$1" | grep -q . && return 0
    sleep 0.1
  done
  return 1
}

cpu_of() { python3 "$lib" cpu "$1"; }

server_pid() {  # target: the process whose CPU the steps report
  case $1 in baseline) echo "$base_pid" ;; imswitch) echo "$ims_pid" ;; kamailio) echo "$kam_pid" ;; esac
}
target_port() {
  case $1 in baseline) echo $base_port ;; imswitch) echo $ims_port ;; kamailio) echo $kam_port ;; esac
}

# ------------------------------------------------------------------------------------ sources
#
# A source sends one step of load: step_source_NAME SCENARIO TARGET RATE SECS DIR. It runs for
# about SECS seconds at RATE calls a second against the target's port and prints one line:
#   pass|fail  achieved/s  failed  completed  retransmissions  seconds
# (pass: no failed call, every call completed, at least 95 % of RATE held). compare.sh adds the
# target's CPU around it. sipp drives every scenario. Another MESSAGE source (for instance
# `imtool load`, sending the same MESSAGE with digest from client-library agents) plugs in as
# step_source_imtool with the same contract, chosen with --source imtool; it has to answer
# only the message scenario (the session and register ceilings always use sipp).

step_source_sipp() {
  local sc=$1 target=$2 rate=$3 secs=$4 dir=$5
  local calls=$(( rate * secs )) port rc=0
  port=$(target_port "$target")
  local args=(-sf "$here/sipp/uac_$sc.xml" -inf "$out/senders.csv")
  [ "$sc" = register ] && args=(-sf "$here/sipp/uac_register.xml" -inf "$out/load.csv"
                                -key cport $sink_port -key ctag "")
  mkdir -p "$dir"
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -o "$dir/time.txt")
  (cd "$dir" && run_bounded $(( secs * 3 + 40 )) "${timer[@]}" sipp "127.0.0.1:$port" "${args[@]}" \
    -i 127.0.0.1 -p $uac_port -bind_local -r "$rate" -m "$calls" -nostdin \
    -timeout $(( secs * 3 + 30 ))s -recv_timeout $(( recv_timeout * 1000 )) -trace_stat -stf stat.csv -fd 1 \
    -trace_err -error_file errors.log -ringbuffer_files 1 -ringbuffer_size 2000000 \
    >sipp.log 2>&1) || rc=$?
  python3 "$lib" step "$dir/stat.csv" "$rate" "$calls" --rc "$rc"
  [ -s "$dir/time.txt" ] && awk 'END { printf "%.3f\n", $1 + $2 }' "$dir/time.txt" >"$dir/source_cpu"
  return 0
}

step_source_imtool() {
  local sc=$1 target=$2 rate=$3 secs=$4 dir=$5 port rc=0
  port=$(target_port "$target")
  mkdir -p "$dir"
  # cust0001..cust0100 log in (not timed), then send to agent0001..agent1000 (the agents' sipp
  # answers) at RATE for SECS; the report's JSON gives the contract's line and imtool's CPU.
  run_bounded $(( secs * 3 + 60 )) "$tool" load --server "127.0.0.1:$port" \
    --agents 'cust{0001..0100}' --targets 'agent{0001..1000}' --register-rate 1000 \
    --mix message=1 --rate "$rate" --duration "${secs}s" --drain "${recv_timeout}s" \
    --progress 0 --max-failure-rate 1 --json "$dir/load.json" >"$dir/load.txt" 2>&1 || rc=$?
  python3 - "$dir/load.json" "$rate" "$rc" "$dir/source_cpu" <<'PY'
import json, sys
path, rate, rc, cpu_file = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    r = json.load(open(path))
except Exception:
    print("fail 0 0 0 0 0"); sys.exit(0)
m = r["scenarios"]["message"]
secs = r["seconds"]["traffic"] + r["seconds"]["drain"]
failed = m["failed"] + r["unfinished"]
achieved = m["completed"] / secs if secs > 0 else 0
ok = failed == 0 and m["completed"] == m["started"] and achieved >= 0.95 * rate
print("pass" if ok else "fail", round(achieved), failed, m["completed"], r["retransmissions"],
      round(secs, 1))
open(cpu_file, "w").write("%.3f\n" % r["seconds"]["cpu"])
PY
}

# step SOURCE SCENARIO TARGET RATE SECS DIR: the source's line plus the target's CPU in that
# time, "cpu_seconds", appended.
step() {
  local src=$1 sc=$2 target=$3 rate=$4 secs=$5 dir=$6 pid c0 c1 line
  pid=$(server_pid "$target")
  c0=$(cpu_of "$pid")
  line=$("step_source_$src" "$sc" "$target" "$rate" "$secs" "$dir")
  c1=$(cpu_of "$pid")
  printf '%s\t%s\n' "$line" "$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')"
}

for s in "${sources[@]}"; do
  [ "$s" != imtool ] || [ -x "$tool" ] ||
    { echo "compare: --source imtool needs $tool (build first)" >&2; exit 2; }
  declare -F "step_source_$s" >/dev/null ||
    { echo "compare: unknown source '$s' (sipp, imtool)" >&2; exit 2; }
  [ "$s" = sipp ] || [ "$scenarios" = message ] ||
    { echo "compare: --source $s measures only the message ceiling: add --scenarios message" >&2; exit 2; }
done

# ------------------------------------------------------------------------------------ the plan

n_ladder=0
for s in ${scenarios//,/ }; do
  eval "n=\${#ladder_$s[@]}"
  n_ladder=$(( n_ladder + (n + retries + bisections) * ${#targets[@]} * ${#sources[@]} ))
done
# A step costs its seconds, the settling pause and sipp's start and stop; a failed one up to
# recv_timeout more (its last calls wait for it) and the drain. A search fails at most
# 1 + retries + bisections times.
n_fail=0
for s in ${scenarios//,/ }; do
  n_fail=$(( n_fail + (1 + retries + bisections) * ${#targets[@]} * ${#sources[@]} ))
done
est=$(( n_ladder * (step_secs + settle + 1) + n_fail * (recv_timeout + drain)
        + cpu_rounds * 2 * (cpu_secs + settle + 1) + 2 * (res_secs + 8) + 3 * probes / 200 + 20 ))
started=$(date +%s)

say "imswitch against Kamailio, $( [ $quick = 1 ] && echo quick || echo full ) run: at most about $(( (est + 59) / 60 )) min ($n_ladder ladder steps of ${step_secs} s at most, fewer if the ladders stop early)"
say "results: $out"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f MiB", $2/1024}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "kernel: $(uname -r)"
  echo "imswitch: $("$bin" --version 2>&1 | head -1) ($bin, ${build_type:-unknown} build, commit $(git -C "$top" describe --always --dirty 2>/dev/null || echo ?))"
  echo "kamailio: $(kamailio -v 2>&1 | head -1), $kam_children UDP workers"
  echo "sipp: $(sipp -v 2>&1 | grep -m1 -o 'SIPp v[^ ]*')"
  echo "mode: $( [ $quick = 1 ] && echo quick || echo full ), steps of ${step_secs} s, $bisections bisections, sources: ${sources[*]}"
} | tee "$out/setup.txt"

# ------------------------------------------------------------------------------------ start-up

python3 "$lib" users "$out"

# imswitch: config/bench.yaml as it is, but its store in the results folder.
sed "s|^\(  path:\) imswitch-bench.db|\1 $out/imswitch-bench.db|" "$top/config/bench.yaml" >"$out/imswitch.yaml"
grep -q "path: $out/imswitch-bench.db" "$out/imswitch.yaml" ||
  { echo "compare: could not point the store of config/bench.yaml into $out" >&2; exit 1; }
"$bin" --config "$out/imswitch.yaml" --listen "udp:127.0.0.1:$ims_port" --http off \
  --ports-file "$out/imswitch.ports" --log-level warn >"$out/imswitch.log" 2>&1 &
ims_pid=$!
pids+=("$ims_pid")

mkdir -p "$out/kamailio-run"
kamailio -DD -E -f "$here/kamailio.cfg" -Y "$out/kamailio-run" -m 1024 -M 16 \
  -A BENCH_PORT=$kam_port -A BENCH_CHILDREN="$kam_children" \
  -A "BENCH_DB=\"text://$out/kamailio-db\"" >"$out/kamailio.log" 2>&1 </dev/null &
kam_pid=$!
pids+=("$kam_pid")

sipp -sf "$here/sipp/uas_baseline.xml" -i 127.0.0.1 -p $base_port -bind_local -nostdin \
  >"$out/uas-baseline.log" 2>&1 &
base_pid=$!
pids+=("$base_pid")
sipp -sf "$here/sipp/uas_agent.xml" -i 127.0.0.1 -p $agent_port -bind_local -nostdin \
  >"$out/uas-agents.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")

wait_udp $ims_port 20 || { echo "compare: imswitch did not start, see $out/imswitch.log" >&2; exit 1; }
wait_udp $kam_port 20 || { echo "compare: Kamailio did not start, see $out/kamailio.log" >&2; exit 1; }
wait_udp $base_port 10 && wait_udp $agent_port 10 ||
  { echo "compare: a sipp server did not start, see $out/uas-*.log" >&2; exit 1; }

for target in imswitch kamailio; do
  port=$(target_port "$target")
  say "registering agent0001..agent1000 at $target (devices at 127.0.0.1:$agent_port)"
  rc=0
  (cd "$out" && run_bounded 90 sipp "127.0.0.1:$port" -sf "$here/sipp/uac_register.xml" \
    -inf agents.csv -key cport $agent_port -key ctag ";+imswitch.session" -i 127.0.0.1 \
    -p $reg_port -bind_local -r 500 -m 1000 -nostdin -timeout 60s -recv_timeout 5000 \
    -trace_stat -stf "register-agents-$target.csv" >"register-agents-$target.log" 2>&1) || rc=$?
  read -r result _ failed ok _ <<<"$(python3 "$lib" step "$out/register-agents-$target.csv" 1 1000 --rc $rc)"
  [ "$ok" = 1000 ] ||
    { echo "compare: registering the agents at $target failed ($ok of 1000, see $out/register-agents-$target.log)" >&2; exit 1; }
done

# ----------------------------------------------------------------------------- 1. round trips

rotate() {  # index, then items: the items rotated left by index
  local k=$1; shift
  local items=("$@") n=$#
  for i in $(seq 0 $(( n - 1 ))); do printf '%s ' "${items[$(( (i + k) % n ))]}"; done
}

echo "# target kind ok failures whole_p50_us whole_p99_us auth_p50_us auth_p99_us" >"$out/probe.tsv"
say "unloaded round trips, $probes each, one in flight"
for kind in message register; do
  for target in $(rotate $([ $kind = message ] && echo 0 || echo 1) "${targets[@]}"); do
    line=$(run_bounded 120 python3 "$lib" probe "$kind" 127.0.0.1 "$(target_port "$target")" \
      --local-port $probe_port --count $probes --max-secs 100) || line="0	$probes	-	-	-	-"
    printf '%s\t%s\t%s\n' "$target" "$kind" "$line" >>"$out/probe.tsv"
    say "  $kind via $target: $line"
  done
done

# ------------------------------------------------------------------------ 2. residence times

echo "# target what n p50_us p99_us mean_us" >"$out/residence.tsv"
echo "$res_rate" >"$out/residence.rate"
say "residence time at $res_rate MESSAGE/s for $res_secs s, from a loopback capture"
for target in kamailio imswitch; do
  port=$(target_port "$target")
  cap=$out/residence-$target.pcap
  tcpdump -i lo -nn -s 4096 -B 65536 --time-stamp-precision=nano -w "$cap" "udp port $port" \
    2>"$out/residence-$target.tcpdump.log" &
  tcpdump_pid=$!
  pids+=("$tcpdump_pid")
  for _ in $(seq 1 50); do grep -q listening "$out/residence-$target.tcpdump.log" && break; sleep 0.1; done
  line=$(step sipp message "$target" $res_rate $res_secs "$out/residence-$target")
  sleep 0.5
  kill -INT "$tcpdump_pid" 2>/dev/null || true
  wait "$tcpdump_pid" 2>/dev/null || true
  drop_pid "$tcpdump_pid"
  python3 "$lib" residence "$cap" "$port" --target "$target" >>"$out/residence.tsv" \
    2>>"$out/residence-$target.tcpdump.log"
  say "  $target: step $line; $(grep -h 'dropped by kernel' "$out/residence-$target.tcpdump.log" || true)"
  sleep "$settle"
done

# ------------------------------------------------------------------------------ 3. CPU per msg

echo "# target rate completed cpu_s cpu_us_per_msg cpu_pct_of_core result" >"$out/cpu.tsv"
say "CPU per MESSAGE at $cpu_rate/s for $cpu_secs s, $cpu_rounds round(s)"
for r in $(seq 0 $(( cpu_rounds * 2 - 1 ))); do
  # imswitch, kamailio, kamailio, imswitch, ...
  target=$( [ $(( (r + r / 2) % 2 )) = 0 ] && echo imswitch || echo kamailio )
  read -r result achieved failed ok retrans secs cpu <<<"$(step sipp message "$target" $cpu_rate $cpu_secs "$out/cpu-$r-$target")"
  awk -v t="$target" -v rate=$cpu_rate -v ok="$ok" -v cpu="$cpu" -v secs="$secs" -v res="$result" 'BEGIN {
    printf "%s\t%d\t%d\t%.2f\t%.1f\t%.1f\t%s\n", t, rate, ok, cpu, (ok > 0 ? cpu * 1e6 / ok : 0),
      (secs > 0 ? 100 * cpu / secs : 0), res }' >>"$out/cpu.tsv"
  say "  $target: $result, $ok MESSAGEs in ${secs}s, ${cpu}s CPU"
  sleep "$settle"
done

# -------------------------------------------------------------------------------- 4. ceilings

echo "# source scenario target ceiling" >"$out/ceilings.tsv"
echo "# source scenario target rate result achieved failed completed retrans secs server_cpu_s" >"$out/steps.tsv"

# search SOURCE SCENARIO: every target climbs the ladder until its first failed step, then
# bisects; the targets take turns step by step, the order rotating each round. On a shared
# machine one bad second can fail a step: in a full run the first step that fails on the ladder
# is tried once more before the ladder stops. After a failed step everything gets `drain` seconds more, so
# that the retransmissions it left behind do not fall into the next target's step.
search() {
  local src=$1 sc=$2
  local -n ladder=ladder_$sc
  local -A lo=() hi=() idx=() nb=() fin=() retried=()
  local t round=0 rate line result grain
  grain=$([ "$sc" = session ] && echo 50 || echo 100)
  for t in "${targets[@]}"; do lo[$t]=0; hi[$t]=0; idx[$t]=0; nb[$t]=0; fin[$t]=0; retried[$t]=0; done
  say "$sc ceiling ($src): ladder ${ladder[*]}, then $bisections bisection(s)"
  while :; do
    local open=0
    for t in $(rotate $round "${targets[@]}"); do
      [ "${fin[$t]}" = 1 ] && continue
      if [ "${hi[$t]}" = 0 ]; then
        rate=${ladder[${idx[$t]}]}
      else
        rate=$(( (lo[$t] + hi[$t]) / 2 / grain * grain ))
        if [ "${nb[$t]}" -ge "$bisections" ] || [ "$rate" -le "${lo[$t]}" ]; then
          fin[$t]=1; continue
        fi
      fi
      open=1
      local dir=$out/steps/$src-$sc-$t-$rate
      [ -d "$dir" ] && dir=$dir-again
      line=$(step "$src" "$sc" "$t" "$rate" $step_secs "$dir")
      printf '%s\t%s\t%s\t%s\t%s\n' "$src" "$sc" "$t" "$rate" "$line" >>"$out/steps.tsv"
      read -r result achieved failed ok retrans secs cpu <<<"$line"
      local src_cpu=-
      [ -s "$dir/source_cpu" ] && src_cpu=$(cat "$dir/source_cpu")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$src" "$sc" "$t" "$rate" "$result" "$ok" "$src_cpu" \
        >>"$out/sources.tsv"
      say "  $(printf '%-8s %6s/s %s: %6s/s held, %s failed, %s retransmissions, server CPU %ss, source CPU %ss' \
        "$t" "$rate" "$result" "$achieved" "$failed" "$retrans" "$cpu" "$src_cpu")"
      if [ "$result" = pass ]; then
        lo[$t]=$rate
        if [ "${hi[$t]}" = 0 ]; then
          idx[$t]=$(( idx[$t] + 1 ))
          [ "${idx[$t]}" -lt "${#ladder[@]}" ] || fin[$t]=1
        else
          nb[$t]=$(( nb[$t] + 1 ))
        fi
      elif [ "${hi[$t]}" = 0 ] && [ "${retried[$t]}" -lt "$retries" ]; then
        retried[$t]=$(( retried[$t] + 1 ))   # the same rate again in the next round
        sleep "$drain"
      else
        [ "${hi[$t]}" = 0 ] || nb[$t]=$(( nb[$t] + 1 ))
        hi[$t]=$rate
        sleep "$drain"
      fi
      sleep "$settle"
    done
    round=$(( round + 1 ))
    [ $open = 1 ] || break
  done
  for t in "${targets[@]}"; do
    local c=${lo[$t]}
    if [ "${hi[$t]}" = 0 ]; then c=">=$c"; elif [ "$c" = 0 ]; then c="<${hi[$t]}"; fi
    printf '%s\t%s\t%s\t%s\n' "$src" "$sc" "$t" "$c" >>"$out/ceilings.tsv"
    say "  $sc ceiling via $t: $c/s"
  done
}

for sc in ${scenarios//,/ }; do
  if [ "$sc" = message ]; then
    for src in "${sources[@]}"; do search "$src" message; done
  else
    search sipp "$sc"
  fi
done

# ------------------------------------------------------------------------------------ the table

echo
python3 "$lib" table "$out" | tee "$out/table.txt"
if [ ${#sources[@]} -gt 1 ]; then
  # The load generators side by side: each one's MESSAGE ceiling against imswitch and its own
  # CPU per message (the median over its passing steps).
  echo
  echo "load sources against imswitch (MESSAGE with digest):" | tee -a "$out/table.txt"
  for src in "${sources[@]}"; do
    c=$(awk -F'\t' -v s="$src" '$1 == s && $2 == "message" && $3 == "imswitch" { print $4 }' "$out/ceilings.tsv")
    u=$(awk -F'\t' -v s="$src" '$1 == s && $3 == "imswitch" && $5 == "pass" && $6 > 0 && $7 != "-" {
          print $7 * 1e6 / $6 }' "$out/sources.tsv" | sort -n | awk '{ v[NR] = $1 } END {
          if (NR) printf "%.1f", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2); else printf "-" }')
    printf '  %-7s ceiling %s/s, source CPU %s us per message\n' "$src" "$c" "$u" | tee -a "$out/table.txt"
  done
fi
echo
say "done in $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s; raw results in $out"
