// SPDX-License-Identifier: Apache-2.0
// A scratch file for the load() tests of the authenticator's lists, removed when it goes out
// of scope.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace hallmark::authenticator::test {

class TempFile {
 public:
  // Named per process, so parallel ctest runs of the same test never share a file.
  TempFile(std::string_view name, std::string_view content)
      : path_(std::filesystem::temp_directory_path() /
              ("hallmark_" + std::to_string(::getpid()) + "_" + std::string(name))) {
    std::ofstream out(path_, std::ios::binary);
    out << content;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace hallmark::authenticator::test
