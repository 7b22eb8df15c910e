// SPDX-License-Identifier: Apache-2.0
// The subcommands of `hallmark report`, one file each; report_command.cpp dispatches.
#pragma once

#include <string_view>
#include <vector>

namespace hallmark::cli {

int run_report_parse(const std::vector<std::string_view>& args);
int run_report_fetch(const std::vector<std::string_view>& args);
int run_report_html(const std::vector<std::string_view>& args);

}  // namespace hallmark::cli
