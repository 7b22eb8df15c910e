// SPDX-License-Identifier: Apache-2.0
// Child processes for tests that run programs (the hallmark CLI, the interoperability oracles):
// posix_spawn with pipes and a deadline, no shell, and private temporary directories.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hallmark::test_support {

struct ProcessRun {
  int status = -1;  // exit status; -1 when the program did not exit normally or did not start
  std::string out;
  std::string err;
  bool timed_out = false;
};

/// Runs argv[0] (a path; no shell, no PATH search) with `input` on standard input, so
/// arguments with spaces or non-ASCII bytes reach the program exactly. A child still running
/// after `timeout` is killed and reported as timed out.
ProcessRun run_process(const std::vector<std::string>& argv, std::string_view input = {},
                       std::chrono::seconds timeout = std::chrono::seconds(60));

/// A fresh temporary directory, removed with everything in it when this goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  /// Writes `content` to `name` in the directory; returns the path.
  std::string write(std::string_view name, std::string_view content) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hallmark::test_support
