// SPDX-License-Identifier: Apache-2.0
// `hallmark keygen`: a new DKIM signing key (RSA or Ed25519) and the DNS TXT record that
// publishes its public half, as a line to paste into a zone file.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "args.hpp"
#include "commands.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/dkim/sign.hpp"

namespace hallmark::cli {

const std::string_view keygen_usage =
    "usage: hallmark keygen --type rsa|ed25519 [--bits N] --domain D --selector S [--out FILE]\n"
    "  --type T            rsa or ed25519 (RFC 8463; not every verifier knows it yet)\n"
    "  --bits N            RSA modulus size, 1024..8192 (default 2048)\n"
    "  --domain D          the signing domain the key is for\n"
    "  --selector S        the selector it is published under\n"
    "  --out FILE          write the private key (PKCS#8 PEM) to FILE, created with mode\n"
    "                      0600 and never overwritten, instead of standard output\n"
    "Then prints the TXT record to publish, as a zone-file line:\n"
    "  S._domainkey.D. IN TXT ( \"v=DKIM1; k=rsa; \" \"p=...\" )\n";

namespace {

// RFC 1035 3.3.14: one character-string holds at most 255 octets; longer TXT data is split
// into several strings, which DKIM verifiers join (RFC 6376 3.6.2.2). The first split goes
// before p= so the fixed tags read as one piece.
std::string zone_line(std::string_view name, std::string_view record) {
  std::vector<std::string_view> strings;
  std::size_t p = record.find("p=");
  if (p == std::string_view::npos) p = 0;
  if (p > 0) strings.push_back(record.substr(0, p));
  for (std::size_t i = p; i < record.size(); i += 255) strings.push_back(record.substr(i, 255));
  std::string line = fmt::format("{}. IN TXT (", name);
  for (std::string_view text : strings) line += fmt::format(" \"{}\"", text);
  return line + " )\n";
}

std::string label_form(const Args& args, std::string_view flag) {
  std::optional<std::string> value = args.value(flag);
  if (!value || value->empty()) throw UsageError(fmt::format("--{} is required", flag));
  // DNS holds A-labels; a U-label domain is published under its A-label form.
  core::Expected<std::string> a_label =
      core::to_a_label(core::strip_trailing_dot(*value), core::DomainSyntax::ldh_underscore);
  if (!a_label)
    throw UsageError(fmt::format("--{} '{}': {}", flag, *value, a_label.error().message));
  return *a_label;
}

void write_private_file(const std::string& path, std::string_view pem) {
  // O_EXCL: replacing a key that is already published would break every signature made
  // with it until DNS catches up, so an existing file is an error, not overwritten.
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Failure(fmt::format("{}: {}", path, std::strerror(errno)));
  std::size_t written = 0;
  while (written < pem.size()) {
    ssize_t n = write(fd, pem.data() + written, pem.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = errno;
      close(fd);
      throw Failure(fmt::format("{}: {}", path, std::strerror(error)));
    }
    written += static_cast<std::size_t>(n);
  }
  if (close(fd) != 0) throw Failure(fmt::format("{}: {}", path, std::strerror(errno)));
}

}  // namespace

int run_keygen(std::vector<std::string_view> argv) {
  Args args(std::move(argv), {"type", "bits", "domain", "selector", "out"}, {});
  if (!args.positional().empty()) throw UsageError("keygen takes no positional arguments");
  std::optional<std::string> type_name = args.value("type");
  if (!type_name) throw UsageError("--type is required (rsa or ed25519)");
  dkim::KeyType type = dkim::KeyType::rsa;
  if (*type_name == "ed25519") {
    type = dkim::KeyType::ed25519;
  } else if (*type_name != "rsa") {
    throw UsageError(fmt::format("--type '{}' is neither rsa nor ed25519", *type_name));
  }
  std::optional<unsigned> bits = args.number("bits");
  if (bits && type == dkim::KeyType::ed25519) throw UsageError("--bits applies to RSA keys only");
  if (bits && (*bits < 1024 || *bits > 8192))
    throw UsageError(fmt::format("--bits {} is not in 1024..8192 (RFC 8301 3.2)", *bits));
  std::string domain = label_form(args, "domain");
  std::string selector = label_form(args, "selector");

  core::Expected<dkim::PrivateKey> key = dkim::PrivateKey::generate(type, bits.value_or(2048));
  if (!key) throw Failure(key.error().message);
  std::string pem = key->to_pem();
  if (std::optional<std::string> out = args.value("out")) {
    write_private_file(*out, pem);
  } else {
    std::fputs(pem.c_str(), stdout);
  }
  std::fputs(
      zone_line(fmt::format("{}._domainkey.{}", selector, domain), key->dns_record()).c_str(),
      stdout);
  if (std::fflush(stdout) != 0)
    throw Failure(fmt::format("standard output: {}", std::strerror(errno)));
  return 0;
}

}  // namespace hallmark::cli
