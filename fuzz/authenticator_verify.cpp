// SPDX-License-Identifier: Apache-2.0
// Fuzz target: whole messages through the Authenticator against the demo zone (whose keys
// signed the seeds, so signatures and seals get as far as the crypto), fed whole and cut into
// chunks, which must give the same verdict. The rendered Authentication-Results field must parse
// back, start no new header field, and stay bounded whatever the message says.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/mail/auth_results.hpp"

namespace {

using namespace hallmark;

authenticator::Authenticator& shared_authenticator() {
  static std::unique_ptr<authenticator::Authenticator> instance = [] {
    authenticator::Options options;
    options.authserv_id = "mx.example.org";
    options.iprev = true;
    options.dkim.now = [] { return std::int64_t{1796000000}; };
    options.trusted_arc_sealers = std::make_shared<const authenticator::AllowList>(
        *authenticator::AllowList::parse("lists.example.net\n"));
    authenticator::ResolverConfig resolver;
    resolver.zone_files = {HALLMARK_SOURCE_DIR "/examples/demo/demo.zone"};
    auto created = authenticator::Authenticator::create(std::move(options), std::move(resolver));
    if (!created) std::abort();
    return std::move(*created);
  }();
  return *instance;
}

authenticator::Envelope envelope() {
  authenticator::Envelope out;
  out.ip = *core::IpAddress::parse("192.0.2.10");
  out.helo = "mail.example.com";
  out.mail_from = "alice@example.com";
  return out;
}

void check_field(const std::string& field) {
  constexpr std::string_view name = "Authentication-Results:";
  if (field.compare(0, name.size(), name) != 0) std::abort();
  // Every line after the first continues the field.
  for (std::size_t at = field.find("\r\n"); at != std::string::npos;
       at = field.find("\r\n", at + 2))
    if (at + 2 >= field.size() || (field[at + 2] != ' ' && field[at + 2] != '\t')) std::abort();
  if (!mail::parse_auth_results(std::string_view(field).substr(name.size()))) std::abort();
  // Each echoed value is cut at 255 octets; signatures past the tenth are not rendered in full.
  if (field.size() > 64 * 1024) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view message(reinterpret_cast<const char*>(data), size);
  authenticator::Authenticator& authenticator = shared_authenticator();
  authenticator::Verdict whole = authenticator.verify_blocking(message, envelope());
  check_field(whole.authentication_results);

  std::unique_ptr<authenticator::Session> session = authenticator.start(envelope());
  for (std::size_t at = 0; at < message.size(); at += 61)
    if (!session->feed(message.substr(at, 61))) break;
  authenticator::Verdict split = session->finish_blocking();
  if (split.authentication_results != whole.authentication_results) std::abort();
  if (split.score != whole.score || split.tags != whole.tags) std::abort();
  return 0;
}
