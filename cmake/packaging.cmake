# Installing imswitch (cmake --install build --prefix DIR) and its Debian package (cpack -G DEB
# in the build folder). One build serves the checkout, the install and the package: nothing here
# changes what is compiled, and the binary finds its folders at run time from where it lies.
#
#   <prefix>/bin/                  imswitch, imtool
#   <prefix>/share/imswitch/       imswitch.yaml (the sample, every key commented), minimal.yaml
#   <prefix>/share/man/man1/       imswitch.1.gz, imtool.1.gz (from their --help, help2man)
#   <prefix>/lib/systemd/system/   imswitch.service
#   <config folder>/imswitch.yaml  the service's configuration (packaging/install_files.cmake
#                                  says where, and never replaces one already there)
#
# The unit goes to <prefix>/lib/systemd/system, /usr/lib/systemd/system in the package. Debian
# 12 has a merged /usr (/lib is a link to usr/lib), and its systemd and deb-systemd-helper read
# both /lib/systemd/system and /usr/lib/systemd/system. The package keeps the unit at one path
# for good, the one Debian moves every unit to after 12: moving a file between /lib and /usr/lib
# from one package version to the next is what loses it under dpkg (the same file by two names).

include(GNUInstallDirs)

install(TARGETS imswitch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET imtool)
  install(TARGETS imtool RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(FILES config/imswitch.yaml config/minimal.yaml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/imswitch)
install(CODE "
  set(IMS_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
  set(IMS_STAGE_DIR \"${PROJECT_BINARY_DIR}/packaging/stage\")
  include(\"${PROJECT_SOURCE_DIR}/packaging/install_files.cmake\")
")

# Man pages, written at build time from each binary's --help with help2man, plus the sections in
# packaging/*.h2m. Without help2man there are none, and the package tests say so. Not in a
# sanitizer build: nobody installs it, and its binaries would run at build time under ASan.
find_program(IMS_HELP2MAN help2man)
find_program(IMS_GZIP gzip)
if(IMS_SANITIZE)
  # no man pages
elseif(IMS_HELP2MAN AND IMS_GZIP)
  set(pages "")
  foreach(tool imswitch imtool)
    if(NOT TARGET ${tool})
      continue()
    endif()
    set(page ${PROJECT_BINARY_DIR}/packaging/man/${tool}.1)
    if(tool STREQUAL "imswitch")
      set(summary "SIP instant-messaging switch for contact centres")
      set(subcommands OFF)
    else()
      set(summary "imswitch agent in the terminal, one-shot commands and load generator")
      set(subcommands ON)
    endif()
    add_custom_command(
      OUTPUT ${page} ${page}.gz
      COMMAND ${CMAKE_COMMAND} -DHELP2MAN=${IMS_HELP2MAN} -DBINARY=$<TARGET_FILE:${tool}>
              -DNAME=${tool} -DSUMMARY=${summary} -DVERSION=${PROJECT_VERSION}
              -DINCLUDE=${PROJECT_SOURCE_DIR}/packaging/${tool}.h2m -DOUT=${page}
              -DSUBCOMMANDS=${subcommands} -DGZIP=${IMS_GZIP} -P ${PROJECT_SOURCE_DIR}/packaging/man_page.cmake
      DEPENDS ${tool} ${PROJECT_SOURCE_DIR}/packaging/${tool}.h2m
              ${PROJECT_SOURCE_DIR}/packaging/man_page.cmake
      COMMENT "Man page ${tool}.1 from ${tool} --help"
      VERBATIM)
    list(APPEND pages ${page}.gz)
  endforeach()
  add_custom_target(man_pages ALL DEPENDS ${pages})
  install(FILES ${pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man or gzip not found: no man pages in the install or the package "
                  "(apt-get install help2man)")
endif()

# The Debian package: imswitch_<version>_amd64.deb, built by `cpack -G DEB` in the build folder
# (cpack -D CPACK_PACKAGE_VERSION=... packs the same build under another version).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME imswitch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "imswitch")
set(CPACK_PACKAGE_CONTACT "imswitch maintainers <imswitch@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SIP instant-messaging switch for contact centres")
set(CPACK_PACKAGE_DESCRIPTION
    "imswitch is a SIP registrar, stateful proxy and IM-session B2BUA for contact centres:
agents log in with digest authentication, exchange pager messages (stored for offline agents)
and IM sessions through queues and routing points, with every transcript saved. The package
runs it as the systemd service imswitch, as the system user imswitch, with its configuration in
/etc/imswitch/imswitch.yaml and its store in /var/lib/imswitch. imtool, an agent in the terminal
and a load generator, comes with it.")
# The install rules above are written for a prefix; the package's is /usr, and DESTDIR staging
# lets packaging/install_files.cmake see /usr (and so /etc and /var/lib) as the prefix.
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Shared libraries come from Debian, found by dpkg-shlibdeps; the maintainer scripts need
# adduser (init-system-helpers, for deb-systemd-helper, is essential).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "sip-tester, sipsak")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
