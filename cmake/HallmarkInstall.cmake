# SPDX-License-Identifier: Apache-2.0
# Install rules: libraries, headers, the CLI, a CMake package (find_package(hallmark)) and a
# pkg-config module (hallmark.pc).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS hallmark hallmark_static hallmark_c EXPORT hallmark-targets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  FILE_SET HEADERS DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT hallmark-targets NAMESPACE hallmark::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hallmark)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/hallmark-config.cmake.in
  ${PROJECT_BINARY_DIR}/hallmark-config.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hallmark)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/hallmark-config-version.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/hallmark-config.cmake
              ${PROJECT_BINARY_DIR}/hallmark-config-version.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hallmark)
# A relocatable .pc: the prefix is found from the file's own place, so an install moved or
# made with `cmake --install --prefix` still works.
file(RELATIVE_PATH hallmark_pc_to_prefix "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" hallmark_pc_to_prefix "${hallmark_pc_to_prefix}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/hallmark.pc.in ${PROJECT_BINARY_DIR}/hallmark.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hallmark.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
# The C API's module: plain C flags, no C++ standard (a C compiler would choke on it).
configure_file(${PROJECT_SOURCE_DIR}/cmake/hallmark-c.pc.in ${PROJECT_BINARY_DIR}/hallmark-c.pc
  @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/hallmark-c.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
