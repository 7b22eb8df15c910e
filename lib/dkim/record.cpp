// SPDX-License-Identifier: Apache-2.0
// DKIM key record text -> dkim::KeyRecord (RFC 6376 3.6.1, RFC 8463 4).
#include "hallmark/dkim/record.hpp"

#include <fmt/format.h>

#include "hallmark/core/base64.hpp"
#include "hallmark/core/tag_list.hpp"
#include "core/internal/ascii.hpp"

namespace hallmark::dkim {
namespace {

using core::Errc;

// Colon-separated lists (h=, s=, t=) with white space allowed around the items.
template <class Each>
void for_each_item(std::string_view list, Each each) {
  for (std::size_t start = 0; start <= list.size();) {
    std::size_t colon = list.find(':', start);
    if (colon == std::string_view::npos) colon = list.size();
    std::string_view item = core::detail::trim_fws(list.substr(start, colon - start));
    if (!item.empty()) each(item);
    start = colon + 1;
  }
}

// Record values are echoed into errors: bound what a publisher's text can add to them.
std::string shown(std::string_view value) {
  constexpr std::size_t limit = 64;
  if (value.size() <= limit) return std::string(value);
  return fmt::format("{}...", value.substr(0, limit));
}

}  // namespace

std::string key_name(std::string_view selector, std::string_view domain) {
  return fmt::format("{}._domainkey.{}", selector, domain);
}

core::Expected<KeyRecord> parse_key_record(std::string_view text) {
  auto tags = core::parse_tag_list(text);
  if (!tags) return std::unexpected(std::move(tags.error()));
  KeyRecord key;
  if (const core::Tag* v = tags->find("v")) {
    // RFC 6376 3.6.1: if present, v= MUST be "DKIM1" and the first tag.
    if (v->value != "DKIM1")
      return core::fail(Errc::unsupported,
                        fmt::format("key tag 'v' is '{}', not DKIM1", shown(v->value)),
                        v->value_offset);
    if (&(*tags)[0] != v)
      return core::fail(Errc::bad_value, "key tag 'v' is not the first tag", v->offset);
  }
  if (const core::Tag* k = tags->find("k")) {
    if (k->value == "rsa") {
      key.type = KeyType::rsa;
    } else if (k->value == "ed25519") {
      key.type = KeyType::ed25519;
    } else {
      return core::fail(Errc::unsupported,
                        fmt::format("key tag 'k' names unknown key type '{}'", shown(k->value)),
                        k->value_offset);
    }
  }
  const core::Tag* p = tags->find("p");
  if (p == nullptr) return core::fail(Errc::missing_tag, "key record has no p= tag", 0);
  auto public_key = core::base64_decode(p->value);
  if (!public_key)
    return core::fail(Errc::bad_encoding,
                      fmt::format("key tag 'p' is not base64: {}", public_key.error().message),
                      p->value_offset);
  key.public_key = std::move(*public_key);
  if (const core::Tag* h = tags->find("h")) {
    for_each_item(h->value, [&](std::string_view name) {
      if (name == "sha256") key.hashes.push_back(Hash::sha256);
      if (name == "sha1") key.hashes.push_back(Hash::sha1);
    });
    // Only unknown hashes listed: nothing this verifier can use (RFC 6376 3.6.1 h=).
    if (key.hashes.empty())
      return core::fail(Errc::unsupported, "key tag 'h' lists no known hash algorithm",
                        h->value_offset);
  }
  if (const core::Tag* s = tags->find("s"))
    for_each_item(s->value, [&](std::string_view service) { key.services.emplace_back(service); });
  if (const core::Tag* t = tags->find("t")) {
    for_each_item(t->value, [&](std::string_view flag) {
      if (flag == "y") key.testing = true;
      if (flag == "s") key.strict_subdomains = true;
    });
  }
  if (const core::Tag* n = tags->find("n")) key.notes = std::string(n->value);
  return key;
}

}  // namespace hallmark::dkim
