# SPDX-License-Identifier: Apache-2.0
# Third-party libraries, all from Debian 12 packages (scripts/setup installs them).
find_package(PkgConfig REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
pkg_check_modules(CARES REQUIRED IMPORTED_TARGET libcares)
pkg_check_modules(IDN2 REQUIRED IMPORTED_TARGET libidn2)
pkg_check_modules(PSL REQUIRED IMPORTED_TARGET libpsl)
# Reports (lib/report): XML through expat, gzip through zlib, zip archives through libzip.
pkg_check_modules(EXPAT REQUIRED IMPORTED_TARGET expat)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
# The report store: SQLite (the embedded default) and PostgreSQL (libpq).
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
# The CLI fetches reports over IMAP and posts bulk documents with libcurl, and enriches
# source IPs from MaxMind-format databases.
if(HALLMARK_BUILD_TOOLS)
  pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
  pkg_check_modules(MAXMINDDB REQUIRED IMPORTED_TARGET libmaxminddb)
endif()
if(HALLMARK_FUZZ)
  # Debian's libfmt is built against libstdc++; the libc++ fuzz build uses it header-only.
  find_package(fmt REQUIRED)
  add_library(hallmark_fmt INTERFACE)
  target_link_libraries(hallmark_fmt INTERFACE fmt::fmt-header-only)
else()
  find_package(fmt REQUIRED)
  add_library(hallmark_fmt INTERFACE)
  target_link_libraries(hallmark_fmt INTERFACE fmt::fmt)
endif()
# Header-only; the library renders results as JSON with it (never in a public header).
find_package(nlohmann_json 3 REQUIRED)
if(HALLMARK_BUILD_TESTS)
  find_package(GTest REQUIRED)
  find_package(yaml-cpp REQUIRED)
endif()
if(HALLMARK_BUILD_BENCH AND NOT HALLMARK_FUZZ)
  find_package(benchmark REQUIRED)
endif()
