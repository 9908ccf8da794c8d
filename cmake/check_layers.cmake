# The layers of the source tree (STYLE: higher may use lower, never the reverse), checked on every
# project include: `cmake -DROOT=<source dir> -P cmake/check_layers.cmake` fails with one line per
# include a folder may not make. Every target has the source root on its include path, so a
# wrong include would otherwise compile; the test suite runs this (Layering.IncludesPointDown).
#
cmake_minimum_required(VERSION 3.25)

# Each rule: a folder, then the folders (first two path parts) its files may include. "common/*"
# stands for every folder of common/, "switch/*" for every folder of switch/.
set(rules
  "common/util|common/util"
  "common/sip|common/util common/sip"
  "common/auth|common/util common/sip common/auth"
  "common/txn|common/util common/sip common/txn"
  "common/dialog|common/util common/sip common/dialog"
  "common/transport|common/util common/sip common/transport"
  "common/stack|common/util common/sip common/auth common/txn common/dialog common/transport common/stack"
  "client|common/* client"
  "switch/directory|common/util common/auth switch/directory"
  "switch/agents|common/util common/sip switch/agents"
  "switch/routing|common/util switch/directory switch/agents switch/routing"
  "switch/store|common/util switch/store"
  "switch/registrar|common/* switch/registrar switch/store"
  "switch/proxy|common/* switch/proxy switch/store"
  "switch/im|common/* switch/im switch/proxy switch/store switch/directory switch/routing switch/agents"
  "switch/config|common/* switch/config switch/directory"
  "switch/http|common/* switch/http"
  "switch/app|common/* switch/*"
  "tools|common/* client tools")
# Folders whose decisions are plain values (STYLE: no Asio, no clock).
set(sans_io common/sip common/auth common/txn common/dialog switch/directory switch/agents
            switch/routing)

if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source dir> -P check_layers.cmake")
endif()

set(problems "")
foreach(rule IN LISTS rules)
  string(REPLACE "|" ";" parts "${rule}")
  list(GET parts 0 folder)
  list(GET parts 1 allowed)
  string(REPLACE " " ";" allowed "${allowed}")
  file(GLOB_RECURSE files "${ROOT}/${folder}/*.hpp" "${ROOT}/${folder}/*.cpp")
  foreach(f IN LISTS files)
    file(RELATIVE_PATH rel "${ROOT}" "${f}")
    file(STRINGS "${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
    foreach(line IN LISTS lines)
      if(line MATCHES "#[ \t]*include[ \t]*\"([a-z_]+)/([a-z_]+)")
        set(top "${CMAKE_MATCH_1}")
        set(target "${CMAKE_MATCH_1}/${CMAKE_MATCH_2}")
        if(top STREQUAL "client" OR top STREQUAL "tools")
          set(target "${top}")
        endif()
        set(ok FALSE)
        foreach(a IN LISTS allowed)
          if(a STREQUAL target OR a STREQUAL "${top}/*")
            set(ok TRUE)
          endif()
        endforeach()
        if(NOT ok)
          string(APPEND problems "${rel}: includes ${target}/ (${folder}/ may include: ${allowed})\n")
        endif()
      endif()
      if(folder IN_LIST sans_io AND line MATCHES "#[ \t]*include[ \t]*<boost/asio")
        string(APPEND problems "${rel}: includes Asio (${folder}/ holds no I/O)\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(problems)
  message(FATAL_ERROR "includes that point up the layers:\n${problems}")
endif()
message(STATUS "layers: every include points down")
