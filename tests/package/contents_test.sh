#!/usr/bin/env bash
# The Debian package as built (build_debs.sh): its name, its control fields (dependencies from
# dpkg-shlibdeps, nothing vendored), its files, its conffile, its maintainer scripts, the unit's
# commands, the packaged configuration (valid, and the sample's content with the store in
# /var/lib/imswitch), and man pages that render without warnings.
#
#   contents_test.sh DEBS VERSION SOURCE_DIR
set -euo pipefail

debs=$1 version=$2 src=$3
arch=$(dpkg --print-architecture)
deb=$debs/current/imswitch_${version}_$arch.deb
dir=$(mktemp -d /tmp/imswitch-contents.XXXXXX)
trap 'rm -rf "$dir"' EXIT

fail() { echo "contents_test: $*"; exit 1; }
[ -f "$deb" ] || fail "no $deb (the file name must be imswitch_<version>_<arch>.deb)"

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = imswitch ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version), expected $version"
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
depends=$(field Depends)
echo "Depends: $depends"
for lib in adduser libc6 'libstdc\+\+6' libssl3 libsqlite3-0 'libyaml-cpp0\.7' 'libspdlog[-.0-9a-z]*' \
           'libfmt[0-9]*'; do
  grep -Eq "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done

# Files: exactly these, and no shared library of our own.
listing=$(dpkg-deb -c "$deb")
awk '$1 !~ /^d/ { print $6 }' <<<"$listing" | sort >"$dir/files"
cat >"$dir/expected" <<'FILES'
./etc/imswitch/imswitch.yaml
./usr/bin/imswitch
./usr/bin/imtool
./usr/lib/systemd/system/imswitch.service
./usr/share/imswitch/imswitch.yaml
./usr/share/imswitch/minimal.yaml
./usr/share/man/man1/imswitch.1.gz
./usr/share/man/man1/imtool.1.gz
FILES
diff -u "$dir/expected" "$dir/files" || fail "the package's files differ from the list above"
grep -q -- '^-rw-r----- root/root .* ./etc/imswitch/imswitch.yaml$' <<<"$listing" ||
  fail "/etc/imswitch/imswitch.yaml must be shipped 0640 (it holds passwords)"

# Control archive: the conffile, executable maintainer scripts that parse.
dpkg-deb -e "$deb" "$dir/control"
[ "$(cat "$dir/control/conffiles")" = /etc/imswitch/imswitch.yaml ] ||
  fail "conffiles: $(cat "$dir/control/conffiles")"
for script in postinst prerm postrm; do
  [ -x "$dir/control/$script" ] || fail "$script is missing or not executable"
  sh -n "$dir/control/$script" || fail "$script does not parse"
done

# The binaries run from the package's tree: no run path into a build folder.
dpkg-deb -x "$deb" "$dir/root"
for bin in imswitch imtool; do
  if readelf -d "$dir/root/usr/bin/$bin" | grep -Eq 'RPATH|RUNPATH'; then
    fail "usr/bin/$bin has a run path: $(readelf -d "$dir/root/usr/bin/$bin" | grep PATH)"
  fi
done

# The unit runs the installed binary on the installed configuration, checked first.
unit=$dir/root/usr/lib/systemd/system/imswitch.service
for line in 'ExecStart=/usr/bin/imswitch --config /etc/imswitch/imswitch.yaml' \
            'ExecStartPre=/usr/bin/imswitch --check-config --config /etc/imswitch/imswitch.yaml' \
            'ExecReload=/bin/kill -HUP $MAINPID' 'User=imswitch' 'StateDirectory=imswitch' \
            'ProtectSystem=strict' 'NoNewPrivileges=yes' 'Restart=on-failure'; do
  grep -qxF "$line" "$unit" || fail "the unit lacks the line $line"
done
if grep -q '^AmbientCapabilities=' "$unit"; then
  fail "the unit grants capabilities; the packaged configuration needs none"
fi

# The packaged configuration: the sample, with a banner and the store in /var/lib/imswitch.
config=$dir/root/etc/imswitch/imswitch.yaml
grep -qx '  path: /var/lib/imswitch/imswitch.db' "$config" || fail "store.path is not in /var/lib/imswitch"
diff <(grep -v '^  path: ' "$src/config/imswitch.yaml") \
     <(sed '1,/^$/d' "$config" | grep -v '^  path: ') >"$dir/config.diff" ||
  { cat "$dir/config.diff"; fail "the packaged configuration is not the sample's content"; }
out=$("$dir/root/usr/bin/imswitch" --check-config --config "$config" 2>&1) ||
  fail "the packaged configuration is refused: $out"

# Man pages: render without a warning, and name what matters.
for page in imswitch imtool; do
  file=$dir/root/usr/share/man/man1/$page.1.gz
  warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$file" \
             2>&1 >/dev/null) || fail "man $page fails"
  [ -z "$warnings" ] || fail "man $page warns: $warnings"
done
grep -q -- 'check\\-config' <(zcat "$dir/root/usr/share/man/man1/imswitch.1.gz") ||
  fail "imswitch.1 does not document --check-config"
grep -q 'imtool send' <(zcat "$dir/root/usr/share/man/man1/imtool.1.gz") ||
  fail "imtool.1 does not document its subcommands"
echo "contents_test: passed"
