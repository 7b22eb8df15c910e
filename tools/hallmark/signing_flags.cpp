// SPDX-License-Identifier: Apache-2.0
// Flags and output helpers shared by dkim-sign and arc-seal.
#include "signing_flags.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "hallmark/core/domain.hpp"

namespace hallmark::cli {

namespace {

struct FileCloser {
  void operator()(std::FILE* file) const noexcept { std::fclose(file); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

std::string read_key_file(const std::string& path) {
  File file(std::fopen(path.c_str(), "rb"));
  if (!file) throw Failure(fmt::format("{}: {}", path, std::strerror(errno)));
  std::string text;
  char buffer[4096];
  // Keys are a few KB; the cap keeps a wrong path (a device, a huge file) from being slurped.
  while (text.size() <= 1024 * 1024) {
    std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    text.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(file.get())) throw Failure(fmt::format("{}: {}", path, std::strerror(errno)));
  return text;
}

}  // namespace

std::string required(const Args& args, std::string_view flag) {
  std::optional<std::string> value = args.value(flag);
  if (!value || value->empty()) throw UsageError(fmt::format("--{} is required", flag));
  return *value;
}

std::string name_flag(const Args& args, std::string_view flag, std::string_view what) {
  std::string name = required(args, flag);
  if (!core::to_a_label(name, core::DomainSyntax::ldh_underscore))
    throw UsageError(fmt::format("--{} '{}' is not {}", flag, name, what));
  return name;
}

std::optional<dkim::Algorithm> algorithm_flag(const Args& args) {
  std::optional<std::string> text = args.value("algorithm");
  if (!text) return std::nullopt;
  if (*text == "rsa-sha1") throw UsageError("signers must not use rsa-sha1 (RFC 8301 3.1)");
  std::optional<dkim::Algorithm> algorithm = dkim::parse_algorithm(*text);
  if (!algorithm)
    throw UsageError(
        fmt::format("--algorithm '{}' is neither rsa-sha256 nor ed25519-sha256", *text));
  return algorithm;
}

dkim::PrivateKey load_private_key(const std::string& path) {
  core::Expected<dkim::PrivateKey> key = dkim::PrivateKey::from_pem(read_key_file(path));
  if (!key) throw Failure(fmt::format("{}: {}", path, key.error().message));
  return std::move(*key);
}

std::vector<std::string> parse_header_names(std::string_view text) {
  std::vector<std::string> names;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t colon = std::min(text.find(':', start), text.size());
    std::string_view name = text.substr(start, colon - start);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name.empty()) throw UsageError("--headers has an empty field name");
    for (char c : name) {
      auto byte = static_cast<unsigned char>(c);
      if (byte < 0x21 || byte > 0x7e)  // RFC 5322 2.2: field names are printable ASCII
        throw UsageError(fmt::format("--headers: '{}' is not a field name", name));
    }
    names.emplace_back(name);
    start = colon + 1;
  }
  return names;
}

std::string with_bare_lf(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (std::size_t i = 0; i < field.size(); ++i)
    if (!(field[i] == '\r' && i + 1 < field.size() && field[i + 1] == '\n')) out += field[i];
  return out;
}

void write_out(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size())
    throw Failure(fmt::format("standard output: {}", std::strerror(errno)));
}

}  // namespace hallmark::cli
