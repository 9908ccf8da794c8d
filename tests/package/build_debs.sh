#!/usr/bin/env bash
# Packs the build folder the other tests use (no second build) twice, into OUT:
#   OUT/current/imswitch_<version>_<arch>.deb   the package as CI and operators build it
#   OUT/previous/imswitch_<version>~prev_<arch>.deb  the same build under a lower version, the
#                                               "previous release" that install_test.sh upgrades
# Exit 77 (skipped) where there is no dpkg-deb or dpkg-shlibdeps (not a Debian machine).
#
#   build_debs.sh BUILD_DIR OUT VERSION
set -euo pipefail

build=$1 out=$2 version=$3

for tool in cpack dpkg-deb dpkg-shlibdeps; do
  if ! command -v "$tool" >/dev/null; then
    echo "build_debs: skipped: no $tool here (apt-get install dpkg-dev)"
    exit 77
  fi
done
if [ ! -f "$build/packaging/man/imswitch.1.gz" ]; then
  echo "build_debs: $build has no man pages: configure it with help2man installed"
  exit 1
fi

rm -rf "$out"
mkdir -p "$out/current" "$out/previous"
(cd "$build" && cpack -G DEB -B "$out/current" >"$out/current.log" 2>&1) ||
  { cat "$out/current.log"; exit 1; }
(cd "$build" && cpack -G DEB -B "$out/previous" -D "CPACK_PACKAGE_VERSION=$version~prev" \
   >"$out/previous.log" 2>&1) || { cat "$out/previous.log"; exit 1; }
rm -rf "$out/current/_CPack_Packages" "$out/previous/_CPack_Packages"
arch=$(dpkg --print-architecture)
ls -l "$out/current/imswitch_${version}_$arch.deb" "$out/previous/imswitch_${version}~prev_$arch.deb"
