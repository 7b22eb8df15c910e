# SPDX-License-Identifier: Apache-2.0
# hallmark_add_test(NAME SOURCES a.cpp b.cpp [LIBRARIES x y]): one GoogleTest executable,
# every TEST registered with CTest. Tests may read lib/ internals and the conformance suites.
include(GoogleTest)

function(hallmark_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE hallmark_internal hallmark_test_support
    GTest::gmock GTest::gtest_main hallmark_warnings ${ARG_LIBRARIES})
  set(properties TIMEOUT 300)
  if(ARG_LABELS)
    list(APPEND properties LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DISCOVERY_TIMEOUT 120
    PROPERTIES ${properties})
endfunction()
