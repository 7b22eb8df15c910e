// SPDX-License-Identifier: Apache-2.0
// Runs the built hallmark binary as a child process and captures its exit status and output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hallmark::cli {

struct RunResult {
  int status = -1;  // exit status, or -1 if it did not exit normally
  std::string out;
  std::string err;
};

/// Runs `hallmark ARGS...` with `input` on standard input.
RunResult run_cli(const std::vector<std::string>& args, std::string_view input = {});

/// Writes `content` to a fresh file in a per-process temporary directory; returns its path.
std::string write_temp_file(std::string_view name, std::string_view content);

}  // namespace hallmark::cli
