# Shared compile settings for every imswitch target.
add_library(ims_build_flags INTERFACE)
add_library(ims::build_flags ALIAS ims_build_flags)
target_compile_options(ims_build_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(IMS_WERROR)
  target_compile_options(ims_build_flags INTERFACE -Werror)
  # GCC 12's flow analysis reports std::variant/std::optional moves as "maybe uninitialized"
  # at -O2 (a known false positive); keep it visible as a warning, not a build failure.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(ims_build_flags INTERFACE -Wno-error=maybe-uninitialized)
  endif()
endif()
if(IMS_SANITIZE)
  # UBSan without its null, alignment and vptr checks: together they double the compile time of
  # an instrumented file, and what they guard is caught here all the same (a null dereference
  # faults under ASan with its stack, x86 loads any alignment, and the only downcasts are a
  # connection's own shared_from_this).
  target_compile_options(ims_build_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize=null,alignment,vptr
    -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(ims_build_flags INTERFACE -fsanitize=address,undefined)
endif()
# Boost.Asio without the deprecated interfaces, and standalone of Boost.System's library.
target_compile_definitions(ims_build_flags INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_ERROR_CODE_HEADER_ONLY)
# Project-rooted includes: "common/sip/uri.hpp".
target_include_directories(ims_build_flags INTERFACE ${PROJECT_SOURCE_DIR})

# ims_library(NAME SOURCES... LINKS ...): one library target per folder, aliased ims::NAME.
function(ims_library name)
  cmake_parse_arguments(A "" "" "SOURCES;LINKS" ${ARGN})
  add_library(ims_${name} STATIC ${A_SOURCES})
  add_library(ims::${name} ALIAS ims_${name})
  target_link_libraries(ims_${name} PUBLIC ims::build_flags ${A_LINKS})
endfunction()
