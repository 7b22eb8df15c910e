# SPDX-License-Identifier: Apache-2.0
# Installs the built tree into a scratch prefix (as tests/install/run_install_test.cmake
# does), then builds consumer.c the way a C project would, from `pkg-config hallmark-c`
# alone, and runs it against the installed libhallmark-c.
# Inputs: BUILD_DIR, SOURCE_DIR, WORK_DIR, CC, VERSION.
set(prefix ${WORK_DIR}/prefix)
include(${SOURCE_DIR}/tests/install/install_prefix.cmake)
install_into_scratch_prefix(${prefix})

use_prefix_pkg_config(${prefix} hallmark-c)

function(pkg_config out)
  execute_process(COMMAND pkg-config ${ARGN} hallmark-c OUTPUT_VARIABLE text
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc)
    message(FATAL_ERROR "pkg-config ${ARGN} hallmark-c failed: ${err}")
  endif()
  set(${out} "${text}" PARENT_SCOPE)
endfunction()
pkg_config(modversion --modversion)
pkg_config(cflags --cflags)
pkg_config(libs --libs)
pkg_config(libdir --variable=libdir)
message(STATUS "hallmark-c ${modversion}: cflags '${cflags}', libs '${libs}'")
if(NOT modversion STREQUAL VERSION)
  message(FATAL_ERROR "hallmark-c.pc says version ${modversion}, the project is ${VERSION}")
endif()
# A C compiler given C++ flags fails or warns: the module must carry none.
if(cflags MATCHES "-std=(c|gnu)\\+\\+|-stdlib=|-fcoroutines")
  message(FATAL_ERROR "pkg-config --cflags hallmark-c carries C++ flags: ${cflags}")
endif()
if(NOT EXISTS ${libdir}/libhallmark-c.so.1)
  message(FATAL_ERROR "${libdir}/libhallmark-c.so.1 (the soname's link) is not installed")
endif()

separate_arguments(cflags UNIX_COMMAND "${cflags}")
separate_arguments(libs UNIX_COMMAND "${libs}")
execute_process(COMMAND ${CC} -std=c99 -Wall -Wextra -Wpedantic -Werror ${cflags}
                        ${SOURCE_DIR}/tests/capi/consumer.c ${libs} -o ${WORK_DIR}/consumer
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "the pkg-config consumer does not build:\n${out}")
endif()
set(ENV{LD_LIBRARY_PATH} ${libdir})
execute_process(COMMAND ${WORK_DIR}/consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(rc OR NOT out STREQUAL "${VERSION}\n")
  message(FATAL_ERROR "the consumer gave status ${rc} and printed '${out}', want '${VERSION}'")
endif()
message(STATUS "consumer: ${out}")
