// SPDX-License-Identifier: Apache-2.0
// The DKIM part of the domain audit: each selector's key record, read by the verifier's own
// parser and key decoder (RFC 6376 3.6.1, RFC 8301, RFC 8463), all selectors looked up at once.
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "dkim/internal/crypto.hpp"
#include "audit/internal/findings.hpp"
#include "hallmark/audit/audit.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dkim/record.hpp"

namespace hallmark::audit {
namespace {

using detail::add;
using detail::normal_domain;
using detail::shown;

// RFC 8301 3.2: verifiers must not accept RSA keys below 1024 bits; signers should use 2048.
constexpr unsigned min_rsa_bits = 1024;
constexpr unsigned recommended_rsa_bits = 2048;

std::string new_key_fix(std::string_view domain) {
  return fmt::format(
      "Generate a new key (hallmark keygen --type rsa --bits 2048 --domain {} --selector <new "
      "selector>), publish the record it prints, sign with it, then retire this selector",
      domain);
}

// The record a verifier uses, as it chooses: the first that parses (RFC 6376 3.6.2.2 leaves
// the choice open when there are several; lib/dkim/key_fetch.cpp takes the first that parses).
struct Chosen {
  std::string text;
  core::Expected<dkim::KeyRecord> parsed;
};

// `answer` has at least one TXT record.
Chosen choose_record(const dns::Answer& answer) {
  std::optional<Chosen> first;
  for (const dns::Txt& txt : answer.txt) {
    std::string text = txt.text();
    auto parsed = dkim::parse_key_record(text);
    if (parsed) return Chosen{std::move(text), std::move(parsed)};
    if (!first) first = Chosen{std::move(text), std::move(parsed)};
  }
  return std::move(*first);
}

// What the key data itself is worth: type and size, as the verifier decodes it.
void check_key_data(const dkim::KeyRecord& record, const std::string& name,
                    const std::string& domain, DkimKey& key) {
  auto decoded = dkim::detail::decode_public_key(record.type, record.public_key);
  if (!decoded) {
    add(key.findings, Severity::error, "DKIM_KEY_INVALID",
        fmt::format("{}: the key in p= does not load: {}", shown(name),
                    shown(decoded.error().message)),
        "Publish in p= the base64 of the DER SubjectPublicKeyInfo (openssl rsa -pubout "
        "-outform DER | base64 -w0), or of the 32 key octets for k=ed25519; verifiers "
        "treat this key as unusable (permerror)");
    return;
  }
  key.bits = decoded->bits;
  if (record.type == dkim::KeyType::ed25519) {
    add(key.findings, Severity::ok, "DKIM_KEY_OK",
        fmt::format("{}: ed25519 key ({} bits)", shown(name), key.bits));
  } else if (key.bits < min_rsa_bits) {
    add(key.findings, Severity::error, "DKIM_KEY_TOO_SHORT",
        fmt::format("{}: RSA key of {} bits: verifiers must not accept keys below {} bits "
                    "(RFC 8301 3.2), so its signatures fail",
                    shown(name), key.bits, min_rsa_bits),
        new_key_fix(shown(domain)));
  } else if (key.bits < recommended_rsa_bits) {
    add(key.findings, Severity::warning, "DKIM_KEY_WEAK",
        fmt::format("{}: RSA key of {} bits: RFC 8301 3.2 asks for {} bits", shown(name), key.bits,
                    recommended_rsa_bits),
        new_key_fix(shown(domain)));
  } else {
    add(key.findings, Severity::ok, "DKIM_KEY_OK",
        fmt::format("{}: RSA key of {} bits", shown(name), key.bits));
  }
}

// The tags of a record that parses.
void check_record(const dkim::KeyRecord& record, const std::string& name, const std::string& domain,
                  bool probing, DkimKey& key) {
  key.key_type = record.type == dkim::KeyType::ed25519 ? "ed25519" : "rsa";
  if (record.revoked()) {
    // Probing finds retired selectors too; a selector given by name is presumably in use.
    add(key.findings, probing ? Severity::info : Severity::warning, "DKIM_KEY_REVOKED",
        fmt::format("{}: the key is revoked (empty p=): signatures made with it fail", shown(name)),
        "Nothing to do if the selector was retired; if mail is still signed with it, sign "
        "with a published key instead");
    return;
  }
  bool for_email = record.services.empty() ||
                   std::ranges::any_of(record.services, [](const std::string& service) {
                     return service == "*" || service == "email";
                   });
  if (!for_email)
    add(key.findings, Severity::error, "DKIM_KEY_NOT_FOR_EMAIL",
        fmt::format("{}: s= does not list email or *: verifiers must not use it for mail "
                    "(RFC 6376 3.6.1)",
                    shown(name)),
        "Remove s= from the key record, or make it s=email");
  bool sha1_only = !record.hashes.empty() && std::ranges::none_of(record.hashes, [](dkim::Hash h) {
    return h == dkim::Hash::sha256;
  });
  if (sha1_only)
    add(key.findings, Severity::error, "DKIM_SHA1_ONLY",
        fmt::format("{}: h=sha1 allows only SHA-1 signatures, which verifiers must not accept "
                    "(RFC 8301 3.1)",
                    shown(name)),
        "Remove h= (or set h=sha256) and sign with rsa-sha256");
  if (record.testing)
    add(key.findings, Severity::warning, "DKIM_TESTING",
        fmt::format("{}: t=y: the domain is testing DKIM, and verifiers may treat mail whose "
                    "signature fails as unsigned (RFC 6376 3.6.1)",
                    shown(name)),
        "Remove t=y from the key record once signing works");
  check_key_data(record, name, domain, key);
}

void read_answer(const dns::Answer& answer, const std::string& name, const std::string& domain,
                 bool probing, DkimKey& key) {
  if (answer.is_error()) {
    add(key.findings, Severity::warning, "DKIM_LOOKUP_FAILED",
        fmt::format("the lookup of {} TXT failed ({}): verifiers get a temporary error",
                    shown(name), dns::to_string(answer.status)),
        fmt::format("Make sure the name servers of {} answer for {}", shown(domain), shown(name)));
    return;
  }
  if (answer.is_void() || answer.txt.empty()) {
    // Probing: an absent common selector is not a finding.
    if (!probing)
      add(key.findings, Severity::warning, "DKIM_KEY_MISSING",
          fmt::format("no DKIM key at {}: signatures with s={} fail", shown(name),
                      shown(key.selector)),
          fmt::format("Check the selector the signer uses (s= of its DKIM-Signature); publish "
                      "its key as {} TXT \"v=DKIM1; k=rsa; p=<base64 public key>\"",
                      shown(name)));
    return;
  }
  key.found = true;
  if (answer.txt.size() > 1)
    add(key.findings, Severity::error, "DKIM_MULTIPLE_RECORDS",
        fmt::format("{} has {} TXT records: verifiers may use any of them (RFC 6376 3.6.2.2)",
                    shown(name), answer.txt.size()),
        fmt::format("Keep exactly one key record at {}", shown(name)));
  Chosen chosen = choose_record(answer);
  key.record = std::move(chosen.text);
  if (!chosen.parsed) {
    const core::Error& error = chosen.parsed.error();
    // A p= that is not base64 is a key that cannot load; anything else is the record's syntax.
    bool bad_key = error.code == core::Errc::bad_encoding;
    add(key.findings, Severity::error, bad_key ? "DKIM_KEY_INVALID" : "DKIM_RECORD_INVALID",
        fmt::format("{}: {}", shown(name), shown(error.message)),
        fmt::format("Publish the record as {} TXT \"v=DKIM1; k=rsa; p=<base64 public key>\"; "
                    "verifiers treat this one as no usable key (permerror)",
                    shown(name)));
    return;
  }
  check_record(*chosen.parsed, name, domain, probing, key);
}

core::Task<DkimKey> audit_selector(dns::Resolver& resolver, std::string selector,
                                   std::string domain, bool probing) {
  DkimKey key;
  key.selector = std::move(selector);
  std::string name = dkim::key_name(key.selector, domain);
  if (!core::is_valid_domain(name, core::DomainSyntax::dns)) {
    add(key.findings, Severity::error, "DKIM_SELECTOR_INVALID",
        fmt::format("selector '{}' does not make a valid DNS name", shown(key.selector)),
        "Give the selector as it appears in s= of the domain's DKIM-Signature fields");
    co_return key;
  }
  dns::AnswerPtr answer = co_await dns::lookup(resolver, name, dns::Type::txt);
  read_answer(*answer, name, domain, probing, key);
  co_return key;
}

// Report-wide findings, once every selector is in.
void summarise(const std::vector<std::string>& selectors, const std::string& domain,
               DkimAudit& out) {
  bool any_found = std::ranges::any_of(out.keys, [](const DkimKey& k) { return k.found; });
  if (out.probed_common_selectors && !any_found) {
    std::string probed;
    for (const std::string& selector : selectors) probed += (probed.empty() ? "" : ", ") + selector;
    add(out.findings, Severity::info, "DKIM_NO_KEY_FOUND",
        fmt::format("no DKIM key found for {} at any of the {} common selectors probed ({})",
                    shown(domain), selectors.size(), shown(probed)),
        "Give the selector the domain signs with (s= of its DKIM-Signature) with --selector; "
        "if it does not sign, generate a key with hallmark keygen and publish it");
  }
  bool any_rsa = std::ranges::any_of(
      out.keys, [](const DkimKey& k) { return k.key_type == "rsa" && k.bits >= min_rsa_bits; });
  bool any_ed25519 = std::ranges::any_of(
      out.keys, [](const DkimKey& k) { return k.key_type == "ed25519" && k.bits > 0; });
  if (any_ed25519 && !any_rsa)
    add(out.findings, Severity::info, "DKIM_ED25519_ONLY",
        fmt::format("every usable DKIM key found for {} is ed25519, which not every verifier "
                    "knows yet (RFC 8463)",
                    shown(domain)),
        "Sign with an RSA key of 2048 bits as well (RFC 8463 recommends both signatures)");
}

// DNS names are case-insensitive: a selector given twice is looked up once.
std::vector<std::string> distinct_selectors(std::vector<std::string> selectors) {
  std::vector<std::string> distinct;
  for (std::string& selector : selectors) {
    bool seen = std::ranges::any_of(
        distinct, [&selector](const std::string& s) { return core::domain_equal(s, selector); });
    if (!seen) distinct.push_back(std::move(selector));
  }
  return distinct;
}

}  // namespace

core::Task<DkimAudit> audit_dkim(dns::Resolver& resolver, std::string domain,
                                 std::vector<std::string> selectors) {
  DkimAudit out;
  std::string name = normal_domain(domain);
  out.probed_common_selectors = selectors.empty();
  if (out.probed_common_selectors) selectors = common_dkim_selectors();
  out.probed_selectors = selectors;
  std::vector<std::string> distinct = distinct_selectors(std::move(selectors));
  // Every lookup starts before any answer is awaited.
  std::vector<core::Task<DkimKey>> checks;
  checks.reserve(distinct.size());
  for (const std::string& selector : distinct)
    checks.push_back(audit_selector(resolver, selector, name, out.probed_common_selectors));
  std::vector<DkimKey> keys = co_await core::when_all(std::move(checks));
  // Probing lists what it found (or could not look up), not every selector that is absent.
  for (DkimKey& key : keys)
    if (!out.probed_common_selectors || key.found || !key.findings.empty())
      out.keys.push_back(std::move(key));
  summarise(distinct, name, out);
  co_return out;
}

}  // namespace hallmark::audit
