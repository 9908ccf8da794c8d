# Run by `cmake --install` (and by cpack, which installs the same way): installs the files whose
# content depends on the install prefix, known only now. Input variables:
#   IMS_SOURCE_DIR, IMS_STAGE_DIR (a build-tree folder for the generated files).
#
# The folders follow the switch's own rule for an installed binary (<prefix>/bin/imswitch):
# a prefix whose last component is `usr` (/usr, or /some/root/usr) keeps its configuration in
# <prefix>/../etc/imswitch and its state in <prefix>/../var/lib/imswitch; any other prefix
# (/usr/local, /opt/imswitch) in <prefix>/etc/imswitch and <prefix>/var/lib/imswitch.
#
# Installed:
#   <prefix>/lib/systemd/system/imswitch.service   the unit, with these paths filled in
#   <config folder>/imswitch.yaml                  the sample configuration with the store in the
#                                                  state folder; never replaced once there
#                                                  (an operator's edits stay; the Debian
#                                                  package marks it a conffile instead)

set(prefix "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/+$" "" prefix "${prefix}")
get_filename_component(last "${prefix}" NAME)
if(last STREQUAL "usr")
  get_filename_component(root "${prefix}" DIRECTORY)
  string(REGEX REPLACE "/+$" "" root "${root}")
else()
  set(root "${prefix}")
endif()
set(IMS_BINDIR "${prefix}/bin")
set(IMS_CONFDIR "${root}/etc/imswitch")
set(IMS_STATEDIR "${root}/var/lib/imswitch")

# systemd creates /var/lib/<name> itself, owned by the unit's user (StateDirectory=); a state
# folder elsewhere is created here and only made writable by the unit: its owner must be the
# service's user (chown imswitch: README, "Install on a server").
if(IMS_STATEDIR STREQUAL "/var/lib/imswitch")
  set(IMS_UNIT_STATE "StateDirectory=imswitch\nStateDirectoryMode=0750")
else()
  set(IMS_UNIT_STATE "ReadWritePaths=${IMS_STATEDIR}")
  file(MAKE_DIRECTORY "$ENV{DESTDIR}${IMS_STATEDIR}")
endif()
# One staging folder per destination: installs to different places may run at once.
string(MD5 tag "$ENV{DESTDIR}${prefix}")
set(stage "${IMS_STAGE_DIR}/${tag}")
configure_file("${IMS_SOURCE_DIR}/packaging/imswitch.service.in" "${stage}/imswitch.service"
               @ONLY)

# The installed configuration: config/imswitch.yaml, its store path made absolute.
file(READ "${IMS_SOURCE_DIR}/config/imswitch.yaml" sample)
string(FIND "${sample}" "\nstore:\n" store_at)
if(store_at LESS 0)
  message(FATAL_ERROR "config/imswitch.yaml: no store section to point at ${IMS_STATEDIR}")
endif()
string(SUBSTRING "${sample}" 0 ${store_at} head)
string(SUBSTRING "${sample}" ${store_at} -1 tail)
string(REGEX MATCH "\n  path: [^\n]*\n" path_line "${tail}")
if(NOT path_line)
  message(FATAL_ERROR "config/imswitch.yaml: no store.path line to point at ${IMS_STATEDIR}")
endif()
string(REPLACE "${path_line}" "\n  path: ${IMS_STATEDIR}/imswitch.db\n" tail "${tail}")
set(banner
"# ${IMS_CONFDIR}/imswitch.yaml: the configuration of the imswitch service.
#
# Installed as the sample configuration (share/imswitch/imswitch.yaml) with the store in
# ${IMS_STATEDIR}/. Edit it here: a package upgrade keeps your edits (a Debian conffile).
# Check it with `imswitch --check-config --config ${IMS_CONFDIR}/imswitch.yaml`, apply the
# directory with `systemctl reload imswitch`, anything else with `systemctl restart imswitch`.

")
file(WRITE "${stage}/imswitch.yaml" "${banner}${head}${tail}")

file(INSTALL "${stage}/imswitch.service"
     DESTINATION "${prefix}/lib/systemd/system" FILE_PERMISSIONS OWNER_READ OWNER_WRITE
     GROUP_READ WORLD_READ)
if(EXISTS "$ENV{DESTDIR}${IMS_CONFDIR}/imswitch.yaml")
  message(STATUS "Kept: $ENV{DESTDIR}${IMS_CONFDIR}/imswitch.yaml (already there)")
else()
  # Agents' passwords are in it: not for everyone to read (the Debian package gives the group
  # imswitch read access with dpkg-statoverride).
  file(INSTALL "${stage}/imswitch.yaml"
       DESTINATION "${IMS_CONFDIR}" FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
endif()
