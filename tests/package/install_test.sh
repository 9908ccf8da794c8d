#!/usr/bin/env bash
# The Debian package installed, used, upgraded and purged as an operator would, in a throwaway
# root: a mount namespace of its own (unshare -m) with an overlay over / whose writable layer is
# a tmpfs, entered with chroot. apt and dpkg run there with the real maintainer scripts; the
# machine's own files, users and package database are never written. No systemd runs in the
# root (as in a container), so the scripts skip starting the service, and this test starts the
# installed binary itself the way the unit does: the unit's own ExecStartPre and ExecStart
# lines, as its User, in its WorkingDirectory, with listeners on 127.0.0.1 port 0 added.
#
# 1. apt-get install the previous version: user and group imswitch, /var/lib/imswitch 0750,
#    /etc/imswitch/imswitch.yaml root:imswitch 0640 and listed as a conffile, the unit enabled
#    and clean under `systemd-analyze verify` and `security`.
# 2. The operator edits the configuration (a new agent, zoe); the switch answers OPTIONS 200;
#    it gets a registration (carol's device, which then vanishes), a stored message (alice to
#    bob, offline) and a transcript (alice and bob); it stops.
# 3. apt-get install the current version, stdin closed and no --force-conf* option: no conffile
#    prompt, the edit kept. The switch starts again: OPTIONS 200, carol still registered, bob
#    gets the stored message when he logs in, the transcript is there (imswitch --transcripts
#    and the HTTP API), zoe logs in.
# 4. A newer package whose default configuration changed, with --force-confold: the edit is
#    kept and the new default lies beside it as imswitch.yaml.dpkg-dist.
# 5. Purge: the user, the unit and /etc/imswitch go, the store stays; reinstalled, the switch
#    runs on it again; purge after `touch /etc/imswitch/purge-data`: the store goes too.
#
# Exit 77 (skipped) where the machine cannot do this: not root, no mount namespace or overlayfs.
#
#   install_test.sh DEBS VERSION
set -euo pipefail

if [ "${1:-}" != --inside ]; then
  if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
    echo "install_test: skipped: needs root and a mount namespace (unshare -m)"
    exit 77
  fi
  if ! grep -qw overlay /proc/filesystems && ! modprobe overlay 2>/dev/null; then
    echo "install_test: skipped: no overlayfs here"
    exit 77
  fi
  exec unshare -m --propagation private "$0" --inside "$@"
fi
shift
debs=$1 version=$2
arch=$(dpkg --print-architecture)

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "install_test: FAILED: $*"
  for log in "$R"/tmp/t/*.log; do
    [ -f "$log" ] && { echo "--- ${log#$R} (last lines)"; tail -15 "$log"; }
  done
  exit 1
}

# The throwaway root. Everything mounted here vanishes with the namespace when the test ends.
top=$(mktemp -d /tmp/imswitch-root.XXXXXX)
sw_pid=
cleanup() {
  [ -n "$sw_pid" ] && kill -KILL "$sw_pid" 2>/dev/null
  for job in $(jobs -p); do kill -KILL "$job" 2>/dev/null || true; done
  umount -R "$top" 2>/dev/null || umount -lR "$top" 2>/dev/null || true
  rmdir "$top" 2>/dev/null || true
}
trap cleanup EXIT
mount -t tmpfs -o size=512m imswitch-test "$top"
mkdir "$top/upper" "$top/work" "$top/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$top/upper,workdir=$top/work" "$top/root" ||
  { echo "install_test: skipped: overlayfs over / refused"; exit 77; }
R=$top/root
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/run"     # no /run/systemd/system: the scripts leave systemd alone
mount -t tmpfs tmpfs "$R/tmp"
mkdir -p "$R/tmp/t" "$R/tmp/debs"
cp "$debs/previous/imswitch_${version}~prev_$arch.deb" "$debs/current/imswitch_${version}_$arch.deb" \
   "$R/tmp/debs/"
# man-db rebuilds its index after every install; nothing here reads it.
rm -f "$R/var/lib/man-db/auto-update"

# A command in the root, with a clean environment. Started in the background as
# `{ exec "${root[@]}" ...; } &`, so that $! is the command itself.
root=(chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8
      DEBIAN_FRONTEND=noninteractive)
in_root() { "${root[@]}" "$@"; }
apt_install() {  # deb file (in the root), then apt-get options
  local deb=$1; shift
  in_root apt-get install -y --no-install-recommends "$@" "/tmp/debs/$deb" </dev/null \
    >"$R/tmp/t/apt.log" 2>&1 || fail "apt-get install $deb"
  grep -E 'newly installed|upgraded,' "$R/tmp/t/apt.log" || true
}

# The overlay holds / only: a machine whose /usr or /var is a file system of its own cannot be
# copied this way.
for tool in /usr/bin/apt-get /usr/bin/dpkg /usr/sbin/adduser /usr/bin/setpriv /usr/bin/sipsak; do
  if [ ! -x "$R$tool" ]; then
    echo "install_test: skipped: no $tool in the overlay of / (not installed, or on another mount)"
    exit 77
  fi
done
[ -d "$R/var/lib/dpkg/info" ] || { echo "install_test: skipped: /var/lib/dpkg is on another mount"; exit 77; }

# A copy of this machine may have imswitch installed: the root starts without it.
if in_root dpkg-query -W -f='${Status}' imswitch 2>/dev/null | grep -q installed; then
  in_root dpkg --purge imswitch >/dev/null
fi
in_root userdel imswitch 2>/dev/null || true
in_root groupdel imswitch 2>/dev/null || true

# --- the installed switch, as the unit runs it -------------------------------------------------
unit=/usr/lib/systemd/system/imswitch.service
unit_value() { sed -n "s/^$1=//p" "$R$unit" | tail -1; }
service_env() {  # sets svc: the prefix that runs a command as the unit's user, in its folder
  svc=(setpriv --reuid="$(unit_value User)" --regid="$(unit_value Group)" --init-groups
       sh -c 'cd "$1" && shift && exec "$@"' sh "$(unit_value WorkingDirectory)")
}
as_service() { service_env; in_root "${svc[@]}" "$@"; }
start_switch() {
  local pre; pre=$(unit_value ExecStartPre)
  # shellcheck disable=SC2086  # the unit's command line, split as systemd splits it here
  as_service $pre >"$R/tmp/t/check.log" 2>&1 || fail "ExecStartPre refused: $pre"
  grep -q '^config OK' "$R/tmp/t/check.log" || fail "ExecStartPre said: $(cat "$R/tmp/t/check.log")"
  mkdir -p "$R/run/t" && chmod 0777 "$R/run/t" && rm -f "$R/run/t/ports"
  service_env
  # shellcheck disable=SC2046
  { exec "${root[@]}" "${svc[@]}" $(unit_value ExecStart) --listen udp:127.0.0.1:0 \
      --listen tcp:127.0.0.1:0 --http 127.0.0.1:0 --ports-file /run/t/ports; } \
    >>"$R/tmp/t/switch.log" 2>&1 &
  sw_pid=$!
  # The ports file appears (written whole, by rename), the switch exits, or 15 s pass.
  grep -q -m1 '^http ' <(timeout 15 tail -F -s 0.05 --pid="$sw_pid" -n +1 "$R/run/t/ports" \
                          2>/dev/null) || {
    kill -0 "$sw_pid" 2>/dev/null || fail "the installed switch exited at start"
    fail "the installed switch wrote no ports file in 15 s"
  }
  udp=$(awk '$1 == "udp" { print $3 }' "$R/run/t/ports")
  http=$(awk '$1 == "http" { print $2 ":" $3 }' "$R/run/t/ports")
}
stop_switch() {
  kill -TERM "$sw_pid"
  local rc=0
  wait "$sw_pid" || rc=$?
  sw_pid=
  [ "$rc" = 0 ] || fail "the switch exited $rc on SIGTERM"
}
options_200() {
  in_root sipsak -s "sip:ping@127.0.0.1:$udp" --local-ip=127.0.0.1 -H 127.0.0.1 -vv \
    >"$R/tmp/t/sipsak.log" 2>&1 || fail "sipsak: no 200 to OPTIONS"
  grep -q 'SIP/2.0 200' "$R/tmp/t/sipsak.log" || fail "sipsak: no 200 to OPTIONS"
  echo "OPTIONS answered 200"
}
imtool() {  # subcommand login, then arguments
  local sub=$1 login=$2; shift 2
  in_root /usr/bin/imtool "$sub" --server "127.0.0.1:$udp" --login "$login" \
    --password "pw-$login" "$@"
}
api() {  # subcommand login, then arguments: imtool on the HTTP API
  local sub=$1 login=$2; shift 2
  in_root /usr/bin/imtool "$sub" --server 127.0.0.1 --api "http://$http" --login "$login" \
    --password "pw-$login" "$@"
}
wait_for() {  # file text seconds: the text appears in the file, or the time passes
  grep -qF -m1 -- "$2" <(timeout "$3" tail -F -s 0.05 -n +1 "$1" 2>/dev/null) ||
    fail "no \"$2\" in ${1#$R} within $3 s"
}
# A scripted `imtool agent`: its script is written to file descriptor FD, the writing end of
# the FIFO it reads; closing FD ends the script, and the agent logs out and leaves.
agent_start() {  # login fd
  local login=$1 fd=$2
  rm -f "$R/tmp/t/$login.in" && mkfifo "$R/tmp/t/$login.in"
  { exec "${root[@]}" /usr/bin/imtool agent --plain --server "127.0.0.1:$udp" --login "$login" \
      --password "pw-$login"; } <"$R/tmp/t/$login.in" >"$R/tmp/t/$login.log" 2>&1 &
  agent_pid=$!
  eval "exec $fd>\"\$R/tmp/t/\$login.in\""
  wait_for "$R/tmp/t/$login.log" "logged in as" 10
}
agent_stop() {  # fd: ends the script of the agent started last, waits for it to leave
  eval "exec $1>&-"
  timeout 10 tail -s 0.05 --pid="$agent_pid" -f /dev/null 2>/dev/null || true
  local rc=0
  wait "$agent_pid" || rc=$?
  [ "$rc" = 0 ] || fail "imtool agent exited $rc"
}

# --- 1. install the previous version ---------------------------------------------------------
step "apt-get install imswitch ${version}~prev"
apt_install "imswitch_${version}~prev_$arch.deb"
[ "$(in_root dpkg-query -W -f='${Version}' imswitch)" = "${version}~prev" ] || fail "not installed"
IFS=: read -r _ _ uid _ _ home shell < <(in_root getent passwd imswitch) || fail "no user imswitch"
[ "$uid" -lt 1000 ] || fail "imswitch is not a system user (uid $uid)"
[ "$home" = /var/lib/imswitch ] || fail "imswitch's home is $home"
[ "$shell" = /usr/sbin/nologin ] || fail "imswitch's shell is $shell"
in_root getent group imswitch >/dev/null || fail "no group imswitch"
[ "$(in_root stat -c '%U:%G %a' /var/lib/imswitch)" = "imswitch:imswitch 750" ] ||
  fail "/var/lib/imswitch is $(in_root stat -c '%U:%G %a' /var/lib/imswitch)"
[ "$(in_root stat -c '%U:%G %a' /etc/imswitch/imswitch.yaml)" = "root:imswitch 640" ] ||
  fail "/etc/imswitch/imswitch.yaml is $(in_root stat -c '%U:%G %a' /etc/imswitch/imswitch.yaml)"
in_root dpkg-query -W -f='${Conffiles}\n' imswitch | grep -q '^ /etc/imswitch/imswitch.yaml ' ||
  fail "dpkg does not list /etc/imswitch/imswitch.yaml as a conffile"
[ -L "$R/etc/systemd/system/multi-user.target.wants/imswitch.service" ] ||
  fail "the unit is not enabled (no multi-user.target.wants link)"
in_root man -w imswitch >/dev/null || fail "man imswitch: no page"
echo "user, folders, conffile, enabled unit, man page: as expected"

step "systemd-analyze verify and security on the installed unit"
if in_root sh -c 'command -v systemd-analyze' >/dev/null; then
  out=$(in_root systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $out"
  [ -z "$out" ] || fail "systemd-analyze verify warns: $out"
  # Exposure 0.0 (locked down) .. 10.0 (none): what the hardening lines buy, bounded.
  in_root systemd-analyze security --offline=true --threshold=25 "$unit" >"$R/tmp/t/security.log" \
    2>&1 || fail "systemd-analyze security: exposure above 2.5: $(tail -1 "$R/tmp/t/security.log")"
  tail -1 "$R/tmp/t/security.log"
else
  fail "systemd-analyze is not installed (apt-get install systemd)"
fi

# --- 2. edit, start, make a registration, a stored message and a transcript ------------------
step "the operator adds an agent to /etc/imswitch/imswitch.yaml"
sed -i 's/^  agents:$/  agents:\n    - { login: zoe, password: pw-zoe }  # added by the operator/' \
  "$R/etc/imswitch/imswitch.yaml"
grep -q 'login: zoe' "$R/etc/imswitch/imswitch.yaml" || fail "the edit did not apply"
cp -p "$R/etc/imswitch/imswitch.yaml" "$R/tmp/t/edited.yaml"

step "start the installed switch as the unit does"
start_switch
echo "udp port $udp, API $http"
options_200

step "a transcript: alice opens an IM with bob, who accepts"
agent_start bob 4
echo '/wait invitation 20' >&4
echo '/accept' >&4
echo 'see you after the upgrade' >&4
echo '/end' >&4
echo '/wait ended 20' >&4
imtool im alice bob "before the upgrade" --wait --timeout 30 >"$R/tmp/t/im.log" 2>&1 ||
  fail "imtool im alice -> bob"
agent_stop 4

step "a stored message: alice to bob, offline"
imtool send alice bob "kept across the upgrade" --json >"$R/tmp/t/send.log" 2>&1 ||
  fail "imtool send alice -> bob"
grep -q '"result":"stored"\|"result": "stored"' "$R/tmp/t/send.log" ||
  fail "the message was not stored: $(cat "$R/tmp/t/send.log")"

step "a registration: carol's device logs in, then vanishes without logging out"
agent_start carol 5
kill -KILL "$agent_pid"
wait "$agent_pid" 2>/dev/null || true
exec 5>&-
api search alice carol --json >"$R/tmp/t/search.log" 2>&1 || fail "imtool search carol"
grep -q '"state": *"ready"' "$R/tmp/t/search.log" ||
  fail "carol is not logged in: $(cat "$R/tmp/t/search.log")"

stop_switch

# --- 3. upgrade ------------------------------------------------------------------------------
step "apt-get install imswitch $version (the upgrade; stdin closed, no --force-conf option)"
apt_install "imswitch_${version}_$arch.deb"
[ "$(in_root dpkg-query -W -f='${Version}' imswitch)" = "$version" ] || fail "not upgraded"
cmp -s "$R/tmp/t/edited.yaml" "$R/etc/imswitch/imswitch.yaml" ||
  fail "the operator's edit of /etc/imswitch/imswitch.yaml was not kept"
ls "$R"/etc/imswitch/*.dpkg-* 2>/dev/null && fail "dpkg left a .dpkg-* file for an unchanged conffile"
[ "$(in_root stat -c '%U:%G %a' /etc/imswitch/imswitch.yaml)" = "root:imswitch 640" ] ||
  fail "after the upgrade /etc/imswitch/imswitch.yaml is $(in_root stat -c '%U:%G %a' /etc/imswitch/imswitch.yaml)"
echo "edit kept, no prompt"

step "the upgraded switch has everything"
start_switch
options_200
api search alice carol --json >"$R/tmp/t/search.log" 2>&1 || fail "imtool search carol"
grep -q '"state": *"ready"' "$R/tmp/t/search.log" ||
  fail "carol's registration is gone: $(cat "$R/tmp/t/search.log")"
echo "carol is still registered"
agent_start bob 4
wait_for "$R/tmp/t/bob.log" "(pager) alice: kept across the upgrade" 15
agent_stop 4
echo "bob got the stored message"
as_service /usr/bin/imswitch --config /etc/imswitch/imswitch.yaml --transcripts 5 \
  >"$R/tmp/t/transcripts.log" 2>&1 || fail "imswitch --transcripts"
grep -q '#1 alice: before the upgrade' "$R/tmp/t/transcripts.log" &&
  grep -q '#2 bob: see you after the upgrade' "$R/tmp/t/transcripts.log" ||
  fail "the transcript is gone: $(cat "$R/tmp/t/transcripts.log")"
api transcripts alice upgrade --json >"$R/tmp/t/api-transcripts.log" 2>&1 ||
  fail "the HTTP API finds no transcript: $(cat "$R/tmp/t/api-transcripts.log")"
grep -q '"snippet":"before the «upgrade»"' "$R/tmp/t/api-transcripts.log" ||
  fail "the HTTP API lost the transcript"
echo "the transcript is there (imswitch --transcripts and the HTTP API)"
imtool send zoe alice "zoe is here" --json >"$R/tmp/t/zoe.log" 2>&1 ||
  fail "zoe (the operator's agent) cannot log in: $(cat "$R/tmp/t/zoe.log")"
echo "zoe, the operator's agent, logs in"
stop_switch

# --- 4. a new default configuration, --force-confold -----------------------------------------
step "a newer package whose default configuration changed, with --force-confold"
next="${version}+confchange"
in_root dpkg-deb -R "/tmp/debs/imswitch_${version}_$arch.deb" /tmp/t/next >/dev/null
sed -i "s/^Version: .*/Version: $next/" "$R/tmp/t/next/DEBIAN/control"
echo "# a changed default" >>"$R/tmp/t/next/etc/imswitch/imswitch.yaml"
(cd "$R/tmp/t/next" && find etc usr -type f -exec md5sum {} + >DEBIAN/md5sums)
in_root dpkg-deb -b /tmp/t/next "/tmp/debs/imswitch_${next}_$arch.deb" >/dev/null
apt_install "imswitch_${next}_$arch.deb" -o Dpkg::Options::=--force-confold
cmp -s "$R/tmp/t/edited.yaml" "$R/etc/imswitch/imswitch.yaml" || fail "--force-confold lost the edit"
grep -q '# a changed default' "$R/etc/imswitch/imswitch.yaml.dpkg-dist" ||
  fail "no imswitch.yaml.dpkg-dist with the new default"
echo "edit kept, the new default in imswitch.yaml.dpkg-dist"
rm "$R/etc/imswitch/imswitch.yaml.dpkg-dist"

# --- 5. purge --------------------------------------------------------------------------------
step "apt-get purge: the store stays"
in_root apt-get purge -y imswitch </dev/null >"$R/tmp/t/apt.log" 2>&1 || fail "apt-get purge"
grep 'imswitch:' "$R/tmp/t/apt.log" || true
in_root getent passwd imswitch >/dev/null && fail "purge left the user imswitch"
in_root getent group imswitch >/dev/null && fail "purge left the group imswitch"
[ -e "$R/etc/imswitch" ] && fail "purge left /etc/imswitch: $(ls -A "$R/etc/imswitch")"
[ -e "$R$unit" ] && fail "purge left the unit"
[ -e "$R/etc/systemd/system/multi-user.target.wants/imswitch.service" ] && fail "purge left the unit enabled"
in_root dpkg-statoverride --list /etc/imswitch/imswitch.yaml >/dev/null && fail "purge left the statoverride"
[ -f "$R/var/lib/imswitch/imswitch.db" ] || fail "purge removed the store without being asked"
echo "user, configuration and unit gone; the store kept"

step "reinstalled, the switch runs on the kept store"
apt_install "imswitch_${version}_$arch.deb"
[ "$(in_root stat -c '%U' /var/lib/imswitch/imswitch.db)" = imswitch ] ||
  fail "the kept store does not belong to the new user imswitch"
start_switch
options_200
stop_switch
as_service /usr/bin/imswitch --config /etc/imswitch/imswitch.yaml --transcripts 5 \
  >"$R/tmp/t/transcripts.log" 2>&1 || fail "imswitch --transcripts"
grep -q '#1 alice: before the upgrade' "$R/tmp/t/transcripts.log" || fail "the kept store lost the transcript"

step "touch /etc/imswitch/purge-data; apt-get purge: the store goes too"
touch "$R/etc/imswitch/purge-data"
in_root apt-get purge -y imswitch </dev/null >"$R/tmp/t/apt.log" 2>&1 || fail "apt-get purge"
grep 'imswitch:' "$R/tmp/t/apt.log" || true
[ -e "$R/var/lib/imswitch" ] && fail "purge with /etc/imswitch/purge-data left /var/lib/imswitch"
[ -e "$R/etc/imswitch" ] && fail "purge left /etc/imswitch"
echo "install_test: passed"
