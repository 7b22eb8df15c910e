// SPDX-License-Identifier: Apache-2.0
// ARC-Seal, ARC-Message-Signature and ARC-Authentication-Results values (RFC 8617 4.1), read
// with the tag readers DKIM uses and the RFC 8601 parser.
#include "hallmark/arc/parse.hpp"

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "dkim/internal/signature_tags.hpp"
#include "hallmark/core/base64.hpp"
#include "hallmark/core/tag_list.hpp"

namespace hallmark::arc {
namespace {

using core::Errc;
using dkim::detail::shown;
using dkim::detail::tag_error;

// i=: 1 to 50 in decimal, nothing else (RFC 8617 4.2.1).
core::Expected<unsigned> instance_of(const core::Tag& tag) {
  std::string_view digits = tag.value;
  unsigned value = 0;
  bool ok = !digits.empty() && digits.size() <= 2;
  for (char c : digits) {
    ok = ok && c >= '0' && c <= '9';
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (!ok || value < 1 || value > max_instances)
    return tag_error(
        Errc::bad_value, "i",
        fmt::format("'{}' is not an instance from 1 to {}", shown(digits), max_instances),
        tag.value_offset);
  return value;
}

core::Expected<unsigned> required_instance(const core::TagList& tags) {
  const core::Tag* i = tags.find("i");
  if (i == nullptr) return tag_error(Errc::missing_tag, "i", "is missing (RFC 8617 4.2.1)", 0);
  return instance_of(*i);
}

}  // namespace

core::Expected<unsigned> parse_instance(std::string_view value) {
  // An AAR's value is "i=N; authres-payload": only the part before the first ';' is a tag.
  // Seals and signatures are whole tag lists, where i= may come anywhere.
  if (auto first = core::parse_tag_list(value.substr(0, value.find(';'))))
    if (first->contains("i")) return required_instance(*first);
  auto tags = core::parse_tag_list(value);
  if (!tags) return tag_error(Errc::missing_tag, "i", "is missing (RFC 8617 4.2.1)", 0);
  return required_instance(*tags);
}

core::Expected<Seal> parse_seal(std::string_view value) {
  auto tags = core::parse_tag_list(value);
  if (!tags) return std::unexpected(std::move(tags.error()));
  Seal out;
  auto instance = required_instance(*tags);
  if (!instance) return std::unexpected(std::move(instance.error()));
  out.instance = *instance;
  // RFC 8617 4.1.3: the seal signs a fixed set of fields; an h= means it was made wrongly.
  if (const core::Tag* h = tags->find("h"))
    return tag_error(Errc::bad_value, "h", "is not allowed in an ARC-Seal (RFC 8617 4.1.3)",
                     h->value_offset);
  for (std::string_view name : {"a", "b", "cv", "d", "s"})
    if (!tags->contains(name))
      return tag_error(Errc::missing_tag, name, "is missing (RFC 8617 4.1.3)", 0);

  const core::Tag& a = *tags->find("a");
  auto algorithm = dkim::parse_algorithm(a.value);
  if (!algorithm)
    return tag_error(Errc::unsupported, "a",
                     fmt::format("names unknown algorithm '{}'", shown(a.value)), a.value_offset);
  out.algorithm = *algorithm;
  const core::Tag& b = *tags->find("b");
  auto signature = core::base64_decode(b.value);
  if (!signature || signature->empty())
    return tag_error(Errc::bad_value, "b", "is not base64", b.value_offset);
  out.signature = std::move(*signature);
  auto [b_offset, b_length] = dkim::detail::locate_b_value(value, b);
  out.b_value_offset = b_offset;
  out.b_value_length = b_length;
  const core::Tag& cv = *tags->find("cv");
  auto status = parse_chain_status(cv.value);
  if (!status)
    return tag_error(Errc::bad_value, "cv",
                     fmt::format("'{}' is not none, pass or fail", shown(cv.value)),
                     cv.value_offset);
  out.chain_status = *status;
  auto domain = dkim::detail::parse_domain_tag(*tags->find("d"), "d", "domain name");
  if (!domain) return std::unexpected(std::move(domain.error()));
  out.domain = std::move(*domain);
  auto selector = dkim::detail::parse_domain_tag(*tags->find("s"), "s", "selector");
  if (!selector) return std::unexpected(std::move(selector.error()));
  out.selector = std::move(*selector);
  if (const core::Tag* t = tags->find("t")) {
    auto time = dkim::detail::parse_timestamp(*t, "t");
    if (!time) return std::unexpected(std::move(time.error()));
    out.timestamp = *time;
  }
  return out;
}

core::Expected<MessageSignature> parse_message_signature(std::string_view value) {
  auto tags = core::parse_tag_list(value);
  if (!tags) return std::unexpected(std::move(tags.error()));
  auto instance = required_instance(*tags);
  if (!instance) return std::unexpected(std::move(instance.error()));
  auto signature = dkim::detail::parse_signature_as(
      value, *tags, dkim::detail::SignatureKind::arc_message_signature);
  if (!signature) return std::unexpected(std::move(signature.error()));
  // Without c=, an AMS is relaxed/relaxed, not DKIM's simple/simple: what dkimpy, the sealers
  // it interoperates with and the ARC test suite all do.
  if (!tags->contains("c")) {
    signature->header_canonicalization = dkim::Canonicalization::relaxed;
    signature->body_canonicalization = dkim::Canonicalization::relaxed;
  }
  // RFC 8617 4.1.2: ARC fields MUST NOT be signed by an AMS. A seal is what a later hop adds
  // on top, so signing one is the mark of a broken sealer (dkimpy refuses it too); an AMS
  // that lists its own name selects nothing, since a signature never covers itself.
  for (const std::string& name : signature->signed_headers)
    if (core::detail::iequals(name, "ARC-Seal"))
      return tag_error(Errc::bad_value, "h", "signs ARC-Seal (RFC 8617 4.1.2)",
                       tags->find("h")->value_offset);
  return MessageSignature{*instance, std::move(*signature)};
}

core::Expected<AuthenticationResults> parse_authentication_results(std::string_view value) {
  std::size_t semicolon = value.find(';');
  if (semicolon == std::string_view::npos)
    return core::fail(Errc::syntax, "no ';' after the instance tag (RFC 8617 4.1.1)", 0);
  auto instance = parse_instance(value);
  if (!instance) return std::unexpected(std::move(instance.error()));
  auto results = mail::parse_auth_results(value.substr(semicolon + 1));
  if (!results) {
    core::Error error = std::move(results.error());
    error.offset += semicolon + 1;
    return std::unexpected(std::move(error));
  }
  return AuthenticationResults{*instance, std::move(*results)};
}

}  // namespace hallmark::arc
