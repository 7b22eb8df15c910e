// SPDX-License-Identifier: Apache-2.0
// ARC sealing (RFC 8617 5.1): validate the chain, then write the next set's AAR, sign the AMS
// like a DKIM signature and the AS over every set, and hand back the three fields.
#include "hallmark/arc/seal.hpp"

#include <chrono>

#include <fmt/format.h>

#include "arc/internal/chain.hpp"
#include "core/internal/ascii.hpp"
#include "dkim/internal/body_hashes.hpp"
#include "dkim/internal/crypto.hpp"
#include "dkim/internal/header_hash.hpp"
#include "hallmark/core/base64.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/mail/auth_results.hpp"

namespace hallmark::arc {
namespace {

using core::Errc;

bool is_arc_or_results_field(std::string_view name) {
  for (std::string_view excluded : {"ARC-Seal", "ARC-Message-Signature",
                                    "ARC-Authentication-Results", "Authentication-Results"})
    if (core::detail::iequals(name, excluded)) return true;
  return false;
}

// A field "Name: value" folded at the spaces between tags, with `b=` left empty; the position
// right after "b=" is where the signature goes. Folds replace single spaces, so relaxed
// canonicalization reads the same text folded or not, and simple reads the folded one, which
// is what is hashed.
struct DraftField {
  std::string text;
  std::size_t b_position = 0;
};

DraftField draft(std::string_view name, std::string_view value_before_b,
                 std::string_view value_after_b) {
  std::string field = fmt::format("{}: {}b={}", name, value_before_b, value_after_b);
  DraftField out;
  out.text = core::fold_header_field(field);
  // "b=" is followed by ";" (the next tag) in every field written here.
  out.b_position = out.text.find(" b=;");
  if (out.b_position == std::string::npos) out.b_position = out.text.find("\tb=;");
  out.b_position += 3;
  return out;
}

// The base64 signature, on one line when it fits within RFC 5322's 998 octets (RSA keys up to
// 4096 bits). Verifiers of this field drop b= whole, but later seals hash the AMS with its b=,
// where a fold reads as a space: sealers that are to produce the same seal must fold alike, and
// the ARC test suite's sealer (dkimpy's standard form) does not fold b= at all.
std::string folded_signature(std::string_view signature) {
  std::string b64 = core::base64_encode(signature);
  constexpr std::size_t one_line = 900;
  if (b64.size() <= one_line) return b64;
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 72) {
    if (i > 0) out += "\r\n ";
    out += b64.substr(i, 72);
  }
  return out;
}

core::Expected<std::string> sign(const dkim::PrivateKey& key, dkim::Algorithm algorithm,
                                 std::string_view canonical) {
  dkim::detail::DigestBytes digest = dkim::detail::digest_of(dkim::hash_of(algorithm), canonical);
  std::string signature =
      dkim::detail::sign_digest(static_cast<EVP_PKEY*>(key.native()), algorithm, digest.view());
  if (signature.empty()) return core::fail(Errc::bad_value, "the key could not sign");
  return signature;
}

core::Expected<dkim::Algorithm> algorithm_for(const dkim::PrivateKey& key,
                                              const SealOptions& options) {
  dkim::Algorithm algorithm = options.algorithm.value_or(dkim::Algorithm::rsa_sha256);
  if (algorithm == dkim::Algorithm::rsa_sha1)
    return core::fail(Errc::bad_value, "rsa-sha1 is not used for sealing (RFC 8301)");
  if (dkim::key_type_of(algorithm) != key.type())
    return core::fail(Errc::bad_value,
                      fmt::format("{} needs a different key type{}", dkim::to_string(algorithm),
                                  key.type() == dkim::KeyType::ed25519
                                      ? " (ed25519-sha256 must be asked for: RFC 8617 names RSA)"
                                      : ""));
  return algorithm;
}

// The AAR payload: this host's results with the chain's own, unless they already say it.
std::string results_payload(const SealOptions& options, ChainStatus status) {
  // Unfolded: the field is folded as a whole below, and the seal hashes it relaxed, where a
  // fold and a space read the same.
  std::string unfolded;
  for (char c : core::detail::trim_fws(options.auth_results))
    if (c != '\r' && c != '\n') unfolded += c;
  std::string_view given = unfolded;
  auto parsed = mail::parse_auth_results(fmt::format("x; {}", given));
  bool has_arc = parsed && parsed->find("arc") != nullptr;
  if (has_arc) return std::string(given);
  std::string arc = fmt::format("arc={}", to_string(status));
  if (given.empty() || given == "none") return arc;
  return fmt::format("{}; {}", arc, given);
}

// The AAR goes out under our signature: what the host gives must be an RFC 8601 value, with no
// control byte (a NUL, a bare line break) that would corrupt the field.
std::optional<std::string> results_problem(const SealOptions& options) {
  std::string_view given = core::detail::trim_fws(options.auth_results);
  auto parsed = mail::parse_auth_results(
      fmt::format("{}; {}", options.authserv_id, given.empty() ? "none" : given));
  if (parsed) return std::nullopt;
  return fmt::format("the authserv-id and results are not an RFC 8601 value: {}",
                     parsed.error().message);
}

core::Task<core::Expected<Sealed>> seal(dns::Resolver& resolver, std::string_view message,
                                        dkim::PrivateKey key, SealOptions options) {
  if (options.domain.empty() || options.selector.empty() || options.authserv_id.empty())
    co_return core::fail(Errc::bad_value, "sealing needs a domain, a selector and an authserv-id");
  if (std::optional<std::string> problem = results_problem(options))
    co_return core::fail(Errc::syntax, std::move(*problem));
  auto algorithm = algorithm_for(key, options);
  if (!algorithm) co_return std::unexpected(std::move(algorithm.error()));
  auto parsed = mail::parse_message(message, options.verify.limits);
  if (!parsed) co_return std::unexpected(std::move(parsed.error()));
  const mail::HeaderSection& headers = parsed->headers;
  if (headers.find("From") == nullptr)
    co_return core::fail(Errc::missing_tag, "the message has no From field");

  Sealed out;
  out.validation = co_await verify_message(resolver, message, options.verify);
  detail::Chain chain = detail::collect_chain(headers);
  // RFC 8617 5.1 step 2: a chain its newest sealer failed is not sealed again.
  if (chain.failure == Reason::newest_cv_fail) {
    out.skipped = "the newest ARC-Seal already says cv=fail";
    co_return out;
  }
  if (chain.highest >= max_instances || chain.failure == Reason::too_many_sets) {
    out.skipped = fmt::format("the chain already has {} sets", max_instances);
    co_return out;
  }
  out.instance = chain.highest + 1;
  out.chain_status = out.validation.outcome;
  const unsigned n = out.instance;

  std::int64_t now = options.now ? options.now()
                                 : std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
  const std::string_view a = dkim::to_string(*algorithm);

  // The AAR.
  std::string aar =
      core::fold_header_field(fmt::format("ARC-Authentication-Results: i={}; {}; {}", n,
                                          core::header_value(options.authserv_id),
                                          results_payload(options, out.chain_status))) +
      "\r\n";

  // The AMS: the chosen fields present in the message (each as often as it occurs, as a DKIM
  // signer lists them), never ARC fields or Authentication-Results (RFC 8617 4.1.2).
  dkim::detail::HeaderIndex index(headers);
  std::vector<std::string> names;
  for (const std::string& name : options.headers) {
    if (is_arc_or_results_field(name)) continue;
    std::size_t present = index.bottom_up(name).size();
    for (std::size_t i = 0; i < present; ++i) names.push_back(name);
  }
  dkim::detail::BodyHashes bodies;
  std::size_t job =
      bodies.job_for(options.body_canonicalization, dkim::hash_of(*algorithm), std::nullopt);
  bodies.feed(parsed->body);
  bodies.finish();
  std::string h;
  for (const std::string& name : names) h += (h.empty() ? "" : ":") + name;
  // Tags in alphabetical order, as other sealers write them.
  DraftField ams = draft("ARC-Message-Signature", fmt::format("a={}; ", a),
                         fmt::format("; bh={}; c={}/{}; d={}; h={}; i={}; s={}; t={}",
                                     core::base64_encode(bodies.job(job).digest.view()),
                                     dkim::to_string(options.header_canonicalization),
                                     dkim::to_string(options.body_canonicalization), options.domain,
                                     h, n, options.selector, now));
  std::string canonical;
  dkim::detail::append_signed_headers(headers, index, names, options.header_canonicalization,
                                      canonical);
  dkim::detail::append_signature_field(ams.text, ams.b_position, ams.b_position,
                                       options.header_canonicalization, canonical);
  auto ams_signature = sign(key, *algorithm, canonical);
  if (!ams_signature) co_return std::unexpected(std::move(ams_signature.error()));
  std::string ams_field = ams.text;
  ams_field.insert(ams.b_position, folded_signature(*ams_signature));
  ams_field += "\r\n";

  // The AS: every set so far and the new one, or the new one alone when the chain failed
  // (RFC 8617 5.1.2).
  DraftField as = draft("ARC-Seal", fmt::format("a={}; ", a),
                        fmt::format("; cv={}; d={}; i={}; s={}; t={}", to_string(out.chain_status),
                                    options.domain, n, options.selector, now));
  canonical.clear();
  if (out.chain_status != ChainStatus::fail) {
    for (const detail::ChainSet& set : chain.sets) {
      detail::append_set_field(headers[set.results_field].raw, canonical);
      detail::append_set_field(headers[set.signature_field].raw, canonical);
      detail::append_set_field(headers[set.seal_field].raw, canonical);
    }
  }
  detail::append_set_field(aar, canonical);
  detail::append_set_field(ams_field, canonical);
  detail::append_seal_field(as.text, as.b_position, as.b_position, canonical);
  auto as_signature = sign(key, *algorithm, canonical);
  if (!as_signature) co_return std::unexpected(std::move(as_signature.error()));
  std::string as_field = as.text;
  as_field.insert(as.b_position, folded_signature(*as_signature));
  as_field += "\r\n";

  out.fields = as_field + ams_field + aar;
  co_return out;
}

}  // namespace

const std::vector<std::string>& default_sealed_headers() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list = dkim::default_signed_headers();
    list.emplace_back("DKIM-Signature");
    return list;
  }();
  return names;
}

core::Task<core::Expected<Sealed>> seal_message(dns::Resolver& resolver, std::string_view message,
                                                dkim::PrivateKey key, SealOptions options) {
  return seal(resolver, message, std::move(key), std::move(options));
}

}  // namespace hallmark::arc
