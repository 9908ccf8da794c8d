#!/usr/bin/env bash
# imtool load through 10 % packet loss: in a network namespace of its own (unshare -n), with an
# nftables rule dropping one UDP datagram in ten on the loopback (every datagram leaves through
# the output hook once, so each direction of every exchange loses 10 %), imswitch and
# `imtool load` run pager MESSAGEs and IM sessions between 40 agents. Retransmissions (RFC 3261
# timers, on both sides) must complete at least 99.9 % of them, and no message answered 2xx may
# be lost or delivered twice (the tool's own delivery checks). Exit 77 (skipped) where the
# machine allows no network namespace or has no nft.
#
#   loss_test.sh IMSWITCH IMTOOL [COUNT] [RATE]
set -euo pipefail

imswitch=$1 imtool=$2 count=${3:-400} rate=${4:-80}

if [ "${1:-}" != --inside ]; then
  if ! command -v nft >/dev/null || ! unshare -n true 2>/dev/null; then
    echo "loss_test: skipped: no network namespace or no nft here"
    exit 77
  fi
  exec unshare -n "$0" --inside "$@"
fi
shift
imswitch=$1 imtool=$2 count=${3:-400} rate=${4:-80}

dir=$(mktemp -d /tmp/imswitch-loss.XXXXXX)
sw=
cleanup() {
  [ -n "$sw" ] && kill "$sw" 2>/dev/null && wait "$sw" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

ip link set lo up
nft -f - <<'NFT'
table inet loss {
  chain out {
    type filter hook output priority 0;
    meta l4proto udp numgen random mod 10 0 counter drop
  }
}
NFT

cat >"$dir/imswitch.yaml" <<YAML
sip:
  domains: [127.0.0.1]
directory:
  generate:
    - { prefix: load, from: 1, to: 40, digits: 3, password: "pw-{login}", im_capacity: 20 }
store:
  path: $dir/imswitch.db
YAML

"$imswitch" --config "$dir/imswitch.yaml" --listen udp:127.0.0.1:0 --http 127.0.0.1:0 \
  --ports-file "$dir/ports" >"$dir/switch.log" 2>&1 &
sw=$!
# The ports file appears (written whole, by rename), the switch exits, or 10 s pass.
grep -q -m1 '^http ' <(timeout 10 tail -F -s 0.05 --pid="$sw" -n +1 "$dir/ports" 2>/dev/null) ||
  { echo "loss_test: the switch did not start"; cat "$dir/switch.log"; exit 1; }
port=$(awk '$1 == "udp" { print $3 }' "$dir/ports")
http=$(awk '$1 == "http" { print $2 ":" $3 }' "$dir/ports")
[ -n "$port" ] && [ -n "$http" ] || { echo "loss_test: the switch did not start"; cat "$dir/switch.log"; exit 1; }

rc=0
timeout 300 "$imtool" load --server "127.0.0.1:$port" --agents 'load{001..040}' \
  --mix message=10,session=1 --session-messages 3 --count "$count" --rate "$rate" \
  --register-rate 100 --drain 60s --api "http://$http" --json "$dir/report.json" \
  --max-failure-rate 0.001 --progress 10 || rc=$?
dropped=$(nft list ruleset | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
echo "loss_test: datagrams dropped by the rule: $dropped"

fail() { echo "loss_test: $*"; cat "$dir/report.json" 2>/dev/null; tail -20 "$dir/switch.log"; exit 1; }
[ "$rc" = 0 ] || fail "imtool load exited $rc (more than 0.1 % failed)"
[ "${dropped:-0}" -gt 0 ] || fail "the rule dropped nothing: the run proves nothing"
report=$(cat "$dir/report.json")
grep -q '"retransmissions": [1-9]' <<<"$report" || fail "no retransmission counted"
grep -A3 '"delivery"' <<<"$report" | grep -q '"lost": 0' || fail "pager messages lost"
grep -A3 '"delivery"' <<<"$report" | grep -q '"duplicated": 0' || fail "pager messages delivered twice"
grep -A2 '"session_delivery"' <<<"$report" | grep -q '"lost": 0' || fail "session messages lost"
grep -q '"passed": true' <<<"$report" || fail "the report says failed"
echo "loss_test: passed"
