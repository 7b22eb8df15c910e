# SPDX-License-Identifier: Apache-2.0
# The examples against an installed copy: installs the built tree into a scratch prefix, then
# builds examples/standalone with find_package(hallmark), and the same sources again with the
# compiler and pkg-config alone (hallmark-c for the C programs, hallmark for the C++ one), and
# runs every program over examples/demo.
# Inputs: BUILD_DIR, SOURCE_DIR, WORK_DIR, CC, CXX.
set(prefix ${WORK_DIR}/prefix)
set(demo ${SOURCE_DIR}/examples/demo)
include(${CMAKE_CURRENT_LIST_DIR}/install_prefix.cmake)
install_into_scratch_prefix(${prefix})

# find_package(hallmark): the targets hallmark::hallmark and hallmark::hallmark_c.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/standalone
                        -B ${WORK_DIR}/standalone -DCMAKE_PREFIX_PATH=${prefix}
                        -DCMAKE_C_COMPILER=${CC} -DCMAKE_CXX_COMPILER=${CXX}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "examples/standalone does not configure:\n${out}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/standalone --parallel 2
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc)
  message(FATAL_ERROR "examples/standalone does not build:\n${out}")
endif()

# pkg-config: the modules of the prefix, before any installed system-wide.
use_prefix_pkg_config(${prefix} hallmark-c)
function(pkg_config out module)
  execute_process(COMMAND pkg-config --cflags --libs ${module} OUTPUT_VARIABLE text
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(rc)
    message(FATAL_ERROR "pkg-config --cflags --libs ${module} failed: ${err}")
  endif()
  separate_arguments(text UNIX_COMMAND "${text}")
  set(${out} ${text} PARENT_SCOPE)
endfunction()
pkg_config(c_flags hallmark-c)
pkg_config(cxx_flags hallmark)
# compile(OUTPUT COMPILER ARGS...): one program, warnings as errors.
function(compile output)
  execute_process(COMMAND ${ARGN} -o ${WORK_DIR}/pkg-config/${output}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc)
    message(FATAL_ERROR "${output} does not build from pkg-config:\n${out}")
  endif()
endfunction()
file(MAKE_DIRECTORY ${WORK_DIR}/pkg-config)
foreach(name verify poll_verify)
  compile(${name} ${CC} -std=c99 -Wall -Wextra -Wpedantic -Werror
          ${SOURCE_DIR}/examples/c/${name}.c ${c_flags})
endforeach()
# hallmark.pc carries -std=c++23 itself.
compile(verify_cpp ${CXX} -Wall -Wextra -Wpedantic -Werror
        ${SOURCE_DIR}/examples/cpp/verify.cpp ${cxx_flags})

# Each program, as built both ways, against the installed libraries only.
execute_process(COMMAND pkg-config --variable=libdir hallmark-c OUTPUT_VARIABLE libdir
                OUTPUT_STRIP_TRAILING_WHITESPACE)
set(ENV{LD_LIBRARY_PATH} ${libdir})
set(batch_verdicts "signed.eml: disposition none.*dmarc=pass.*spoof.eml: disposition reject")
foreach(built standalone pkg-config)
  foreach(program verify poll_verify verify_cpp)
    if(program STREQUAL "verify")
      set(arguments 192.0.2.10 mail.example.com alice@example.com ${demo}/signed.eml)
      set(expected "dkim=pass header.d=example.com.*dmarc=pass")
    else()
      set(arguments ${demo}/envelopes)
      set(expected "${batch_verdicts}")
    endif()
    execute_process(COMMAND ${WORK_DIR}/${built}/${program} --zone ${demo}/demo.zone ${arguments}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(rc OR NOT out MATCHES "${expected}")
      message(FATAL_ERROR "${built}/${program} gave status ${rc}, printed:\n${out}${err}")
    endif()
    message(STATUS "${built}/${program}: ok")
  endforeach()
endforeach()
