// SPDX-License-Identifier: Apache-2.0
// The built hallmark binary as a child process, for the CLI tests.
#include "cli_runner.hpp"

#include "support/child_process.hpp"

namespace hallmark::cli {

RunResult run_cli(const std::vector<std::string>& args, std::string_view input) {
  std::vector<std::string> argv = {HALLMARK_CLI_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  test_support::ProcessRun run = test_support::run_process(argv, input);
  if (run.timed_out) run.err += "\n(timed out)";
  return RunResult{run.status, std::move(run.out), std::move(run.err)};
}

std::string write_temp_file(std::string_view name, std::string_view content) {
  // One directory for the whole test process, removed when it exits.
  static const test_support::TempDir dir;
  return dir.write(name, content);
}

}  // namespace hallmark::cli
