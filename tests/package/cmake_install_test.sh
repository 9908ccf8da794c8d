#!/usr/bin/env bash
# `cmake --install` from the build folder the tests use, into two prefixes:
#   DIR/opt/imswitch   a prefix of its own: configuration and state under it
#   DIR/root/usr       a /usr-like prefix: configuration in DIR/root/etc/imswitch, state in
#                      DIR/root/var/lib/imswitch (what /usr gives on a server)
# Each gets the binaries, the configs in share/imswitch, the man pages and a unit whose paths
# are that prefix's; the installed binary accepts the installed configuration and, started on
# it (port 0), answers OPTIONS with 200 and keeps its store in the state folder. A second
# install keeps an edited configuration.
#
#   cmake_install_test.sh BUILD_DIR
set -euo pipefail

build=$1
dir=$(mktemp -d /tmp/imswitch-install.XXXXXX)
sw=
cleanup() {
  [ -n "$sw" ] && kill -KILL "$sw" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "cmake_install_test: $*"; [ -f "$dir/switch.log" ] && tail -20 "$dir/switch.log"; exit 1; }

check_prefix() {  # prefix config-folder state-folder
  local prefix=$1 conf=$2 state=$3
  echo "== cmake --install $build --prefix $prefix"
  cmake --install "$build" --prefix "$prefix" >"$dir/install.log" 2>&1 ||
    { cat "$dir/install.log"; fail "cmake --install failed"; }
  for f in bin/imswitch bin/imtool share/imswitch/imswitch.yaml share/imswitch/minimal.yaml \
           share/man/man1/imswitch.1.gz share/man/man1/imtool.1.gz \
           lib/systemd/system/imswitch.service; do
    [ -f "$prefix/$f" ] || fail "no $prefix/$f"
  done
  [ -f "$conf/imswitch.yaml" ] || fail "no $conf/imswitch.yaml"
  [ -d "$state" ] || fail "no state folder $state"
  local unit=$prefix/lib/systemd/system/imswitch.service
  grep -qxF "ExecStart=$prefix/bin/imswitch --config $conf/imswitch.yaml" "$unit" ||
    fail "the unit does not run $prefix/bin/imswitch on $conf/imswitch.yaml: $(grep ^Exec "$unit")"
  grep -qxF "ReadWritePaths=$state" "$unit" || fail "the unit does not let the switch write $state"
  grep -qx "  path: $state/imswitch.db" "$conf/imswitch.yaml" ||
    fail "$conf/imswitch.yaml keeps its store elsewhere than $state"

  "$prefix/bin/imswitch" --check-config --config "$conf/imswitch.yaml" >"$dir/check.log" 2>&1 ||
    fail "the installed configuration is refused: $(cat "$dir/check.log")"
  rm -f "$dir/ports"
  "$prefix/bin/imswitch" --config "$conf/imswitch.yaml" --listen udp:127.0.0.1:0 \
    --http off --ports-file "$dir/ports" >"$dir/switch.log" 2>&1 &
  sw=$!
  # The ports file appears (written whole, by rename), the switch exits, or 15 s pass.
  grep -q -m1 '^udp ' <(timeout 15 tail -F -s 0.05 --pid="$sw" -n +1 "$dir/ports" 2>/dev/null) || {
    kill -0 "$sw" 2>/dev/null || fail "the installed switch exited at start"
    fail "the installed switch wrote no ports file in 15 s"
  }
  local port; port=$(awk '$1 == "udp" { print $3 }' "$dir/ports")
  sipsak -s "sip:ping@127.0.0.1:$port" --local-ip=127.0.0.1 -H 127.0.0.1 >"$dir/sipsak.log" 2>&1 ||
    fail "no 200 to OPTIONS: $(cat "$dir/sipsak.log")"
  kill -TERM "$sw"
  local rc=0
  wait "$sw" || rc=$?
  sw=
  [ "$rc" = 0 ] || fail "the switch exited $rc on SIGTERM"
  [ -f "$state/imswitch.db" ] || fail "the store is not in $state"
  echo "files, unit, configuration, OPTIONS 200, store in $state: as expected"

  echo "# edited" >>"$conf/imswitch.yaml"
  cmake --install "$build" --prefix "$prefix" >"$dir/install.log" 2>&1 || fail "second install failed"
  grep -qx '# edited' "$conf/imswitch.yaml" || fail "a second install replaced $conf/imswitch.yaml"
  echo "a second install keeps the edited configuration"
}

if ! command -v sipsak >/dev/null; then
  echo "cmake_install_test: skipped: sipsak is not installed (apt-get install sipsak)"
  exit 77
fi
check_prefix "$dir/opt/imswitch" "$dir/opt/imswitch/etc/imswitch" "$dir/opt/imswitch/var/lib/imswitch"
check_prefix "$dir/root/usr" "$dir/root/etc/imswitch" "$dir/root/var/lib/imswitch"
echo "cmake_install_test: passed"
