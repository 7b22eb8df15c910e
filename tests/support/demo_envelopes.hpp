// SPDX-License-Identifier: Apache-2.0
// The demo's messages as examples/demo/envelopes lists them, with their SMTP envelopes and
// stories, for the tests that verify them through the library and through the CLI.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hallmark::test_support {

inline std::string demo_path(std::string_view name) {
  return std::string(HALLMARK_SOURCE_DIR) + "/examples/demo/" + std::string(name);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// One message line of examples/demo/envelopes, with the "#" line above it as its story.
struct DemoMessage {
  std::string story;
  std::string file;
  std::string ip, helo, mail_from, rcpt;
};

// Read as examples/demo/run reads it: blank lines reset the story, "#" lines set it, any other
// line is MESSAGE IP HELO MAIL_FROM RCPT.
inline std::vector<DemoMessage> read_envelopes() {
  std::vector<DemoMessage> messages;
  std::istringstream lines(read_file(demo_path("envelopes")));
  std::string line, story;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      story.clear();
      continue;
    }
    if (line.front() == '#') {
      story = line.substr(line.find_first_not_of("# "));
      continue;
    }
    DemoMessage m;
    std::istringstream words(line);
    std::string extra;
    words >> m.file >> m.ip >> m.helo >> m.mail_from >> m.rcpt;
    EXPECT_FALSE(m.rcpt.empty()) << "want MESSAGE IP HELO MAIL_FROM RCPT: " << line;
    EXPECT_FALSE(words >> extra) << "want MESSAGE IP HELO MAIL_FROM RCPT: " << line;
    m.story = std::move(story);
    story.clear();
    messages.push_back(std::move(m));
  }
  return messages;
}

inline std::optional<DemoMessage> demo_message(std::string_view file) {
  for (DemoMessage& m : read_envelopes())
    if (m.file == file) return std::move(m);
  return std::nullopt;
}

}  // namespace hallmark::test_support
