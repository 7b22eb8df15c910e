# SPDX-License-Identifier: Apache-2.0
# What the install tests share (included by their -P scripts): the built tree installed into a
# scratch prefix, and pkg-config pointed at that prefix's modules before any system-wide one.

# Empties WORK_DIR and installs BUILD_DIR into `prefix` under it.
function(install_into_scratch_prefix prefix)
  file(REMOVE_RECURSE ${WORK_DIR})
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix}
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  if(rc)
    message(FATAL_ERROR "install failed: ${rc}")
  endif()
endfunction()

# Sets PKG_CONFIG_PATH to the directory holding `module`.pc under `prefix` (lib/, lib64/ or
# lib/<multiarch>/, wherever GNUInstallDirs put it).
function(use_prefix_pkg_config prefix module)
  file(GLOB_RECURSE pc_files ${prefix}/*/${module}.pc)
  if(NOT pc_files)
    message(FATAL_ERROR "no ${module}.pc under ${prefix}")
  endif()
  list(GET pc_files 0 pc_file)
  get_filename_component(pc_dir ${pc_file} DIRECTORY)
  set(ENV{PKG_CONFIG_PATH} ${pc_dir})
endfunction()
