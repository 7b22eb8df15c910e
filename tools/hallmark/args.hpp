// SPDX-License-Identifier: Apache-2.0
// Command-line arguments of one verb: flags with values ("--zone FILE", "--zone=FILE",
// repeatable), boolean switches ("--json") and positional arguments.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hallmark::cli {

/// Thrown for a bad command line; main() prints it with the verb's usage and exits 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Thrown for anything else that stops a verb; main() prints it and exits 1.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Args {
 public:
  /// `valued` names the flags that take a value, `switches` those that do not; anything
  /// else starting with "--" is a usage error. "--" ends the flags.
  Args(std::vector<std::string_view> argv, std::set<std::string, std::less<>> valued,
       std::set<std::string, std::less<>> switches);

  bool has(std::string_view flag) const;
  /// The last value given for `flag`, if any.
  std::optional<std::string> value(std::string_view flag) const;
  /// Every value given for a repeatable flag, in order.
  std::vector<std::string> values(std::string_view flag) const;
  const std::vector<std::string>& positional() const { return positional_; }

  /// Parses an unsigned number flag, with a usage error naming it on bad input.
  std::optional<unsigned> number(std::string_view flag) const;

 private:
  std::map<std::string, std::vector<std::string>, std::less<>> values_;
  std::set<std::string, std::less<>> switches_seen_;
  std::vector<std::string> positional_;
};

}  // namespace hallmark::cli
