// SPDX-License-Identifier: Apache-2.0
// The streaming DKIM verifier (RFC 6376 6.1): per-signature checks, header hashes at the end
// of the header section, one body pass per distinct (canonicalization, hash, l=), and the
// final verdict once keys and body hashes are in.
#include "hallmark/dkim/verify.hpp"

#include <chrono>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "core/internal/inline_bytes.hpp"
#include "dkim/internal/body_hashes.hpp"
#include "dkim/internal/crypto.hpp"
#include "dkim/internal/header_hash.hpp"
#include "dkim/internal/key_fetch.hpp"
#include "dkim/internal/parse_reason.hpp"
#include "dkim/internal/raw_input.hpp"
#include "dkim/internal/signature_tags.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/started.hpp"
#include "hallmark/core/tag_list.hpp"
#include "hallmark/dkim/canonicalize.hpp"
#include "hallmark/dkim/parse.hpp"
#include "hallmark/dkim/record.hpp"

namespace hallmark::dkim {
namespace {

using detail::KeyList;

// One DKIM-Signature field on its way to a verdict.
struct Pending {
  Result result;
  bool decided = false;  // an outcome was reached before any key or body was needed
  // What the verdict needs of the signature, kept from the parse (the field's text need not
  // outlive on_end_of_headers); set unless decided by then.
  Algorithm algorithm = Algorithm::rsa_sha256;
  std::optional<std::uint64_t> body_length;  // l=
  core::detail::InlineBytes<512> signature;  // b=, decoded
  core::detail::InlineBytes<32> body_hash;   // bh=, decoded
  // The domain of i= where it is a subdomain of d=, which a key's t=s refuses; empty when it
  // is d= itself, as nearly always.
  std::string auid_subdomain;
  detail::DigestBytes header_digest;
  std::size_t body_job = 0;
  std::size_t key_index = 0;
};

void decide(Pending& p, Outcome outcome, Reason reason, std::string detail) {
  p.result.outcome = outcome;
  p.result.reason = reason;
  p.result.detail = std::move(detail);
  p.decided = true;
}

std::string header_b_of(std::string_view value, const detail::SignatureFields& signature) {
  std::string out;
  for (char c : value.substr(signature.b_value_offset, signature.b_value_length)) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    out += c;
    if (out.size() == 12) break;  // RFC 6008 2: enough to tell signatures apart
  }
  return out;
}

// What the verdict needs of a parsed signature that passed check_signature().
void keep_for_verdict(Pending& p, const detail::SignatureFields& s) {
  p.algorithm = s.algorithm;
  p.body_length = s.body_length;
  p.signature = s.signature;
  p.body_hash = s.body_hash;
  std::string_view auid_domain = std::string_view(s.auid).substr(s.auid.rfind('@') + 1);
  if (!core::domain_equal(auid_domain, s.domain)) p.auid_subdomain = std::string(auid_domain);
}

// Fills what can be known of a signature that does not parse, for the report.
void describe_unparsed(std::string_view value, Result& result) {
  auto tags = core::parse_tag_list(value);
  if (!tags) return;
  // Whatever the sender wrote, cut to a bounded length (core::echoed marks the cut).
  if (const core::Tag* d = tags->find("d")) result.domain = core::echoed(d->value);
  if (const core::Tag* s = tags->find("s")) result.selector = core::echoed(s->value);
  if (const core::Tag* a = tags->find("a")) result.algorithm = core::echoed(a->value);
}

// Checks of RFC 6376 6.1.1 and RFC 8301 that need neither the key nor the body.
void check_signature(Pending& p, const detail::SignatureFields& s, const VerifyOptions& options,
                     std::int64_t now) {
  if (s.algorithm == Algorithm::rsa_sha1 && !options.allow_sha1)
    return decide(p, Outcome::permerror, Reason::sha1_rejected,
                  "rsa-sha1 is not accepted (RFC 8301 3.1)");
  if (s.expiration && *s.expiration + options.clock_skew_seconds < now)
    return decide(p, Outcome::permerror, Reason::expired,
                  fmt::format("signature expired at x={}", *s.expiration));
  if (s.timestamp && *s.timestamp > now + options.clock_skew_seconds)
    return decide(p, Outcome::permerror, Reason::future_timestamp,
                  fmt::format("signature time t={} is in the future", *s.timestamp));
}

// Checks of RFC 6376 6.1.2 and RFC 8301 3.2 on the key.
void check_key(Pending& p, const detail::FetchedKey& key, const VerifyOptions& options) {
  if (key.failure == Outcome::none) {
    p.result.testing = key.record.testing;
    p.result.key_bits = key.key.bits;
  }
  // Result::domain is d= as written, whole.
  detail::KeyProblem problem =
      detail::check_key(key, p.algorithm, p.auid_subdomain, p.result.domain, options.min_rsa_bits);
  if (problem.outcome != Outcome::none)
    decide(p, problem.outcome, problem.reason, std::move(problem.detail));
}

}  // namespace

std::string_view to_string(UnsignedBody policy) noexcept {
  switch (policy) {
    case UnsignedBody::accept: return "accept";
    case UnsignedBody::neutral: return "neutral";
    case UnsignedBody::fail: return "fail";
  }
  return "neutral";
}

struct Verifier::Impl {
  Impl(Verifier& self, dns::Resolver& r, VerifyOptions o, detail::BodyHashes* shared)
      : resolver(r),
        options(std::move(o)),
        input(self, options.limits),
        bodies(shared ? *shared : own_bodies.emplace()),
        feeds_body(shared == nullptr) {}

  dns::Resolver& resolver;
  VerifyOptions options;
  detail::RawInput input;
  std::vector<Pending> pending;
  // Only when not shared: a verifier inside a session never feeds one. Held here, not on the
  // heap: those few dozen bytes are not worth an allocation per message.
  std::optional<detail::BodyHashes> own_bodies;
  detail::BodyHashes& bodies;
  bool feeds_body;  // false when the body hashes are shared and fed by their owner
  detail::KeyRequests keys;

  std::int64_t now() const {
    if (options.now) return options.now();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  void add_signature(const mail::HeaderSection& headers, std::size_t index,
                     detail::HeaderIndex& lookup, std::int64_t time) {
    const mail::HeaderField& field = headers[index];
    Pending p;
    p.result.field_index = index;
    if (pending.size() >= options.max_signatures) {
      describe_unparsed(field.value, p.result);
      decide(p, Outcome::permerror, Reason::too_many_signatures,
             fmt::format("more than {} signatures; not verified", options.max_signatures));
      pending.push_back(std::move(p));
      return;
    }
    // As parse_signature() parses it, without copying the field's text.
    auto parsed = detail::parse_signature_fields(field.value, detail::SignatureKind::dkim);
    if (!parsed) {
      describe_unparsed(field.value, p.result);
      decide(p, Outcome::permerror, detail::reason_for(parsed.error()), parsed.error().message);
      pending.push_back(std::move(p));
      return;
    }
    const detail::SignatureFields& s = *parsed;
    p.result.domain = std::string(s.domain);
    p.result.selector = std::string(s.selector);
    p.result.algorithm = std::string(to_string(s.algorithm));
    p.result.auid = core::echoed(s.auid);  // i= has an unbounded local part
    p.result.body_length = s.body_length;
    p.result.header_b = header_b_of(field.value, s);
    check_signature(p, s, options, time);
    if (!p.decided) {
      keep_for_verdict(p, s);
      p.header_digest = detail::header_digest(headers, lookup, index, s);
      p.body_job = bodies.job_for(s.body_canonicalization, hash_of(s.algorithm), s.body_length);
      p.key_index = keys.add(s.selector, s.domain);
    }
    pending.push_back(std::move(p));
  }

  void verdict(Pending& p, const KeyList& fetched) {
    if (p.decided) return;
    check_key(p, *fetched[p.key_index], options);
    if (p.decided) return;
    const detail::BodyHashes::Job& job = bodies.job(p.body_job);
    p.result.canonical_body_length = job.canonical_length;
    if (p.body_length && *p.body_length < job.canonical_length)
      p.result.unsigned_body_octets = job.canonical_length - *p.body_length;
    if (p.body_length && *p.body_length > job.canonical_length)
      return decide(p, Outcome::fail, Reason::body_length_exceeds,
                    fmt::format("l={} is longer than the {}-octet body", *p.body_length,
                                job.canonical_length));
    if (job.digest.view() != p.body_hash.view())
      return decide(p, Outcome::fail, Reason::body_hash_mismatch,
                    "body hash does not match bh= (RFC 6376 6.1.3)");
    if (!detail::verify_digest(fetched[p.key_index]->key, p.algorithm, p.header_digest.view(),
                               p.signature.view()))
      return decide(p, Outcome::fail, Reason::signature_mismatch, "signature does not verify");
    if (p.result.unsigned_body_octets == 0 || options.unsigned_body == UnsignedBody::accept)
      return decide(p, Outcome::pass, Reason::ok, {});
    decide(p, options.unsigned_body == UnsignedBody::fail ? Outcome::fail : Outcome::neutral,
           Reason::body_not_covered,
           fmt::format("l={} leaves {} of the {} body octets unsigned", *p.body_length,
                       p.result.unsigned_body_octets, job.canonical_length));
  }
};

Verifier::Verifier(dns::Resolver& resolver, VerifyOptions options)
    : impl_(std::make_unique<Impl>(*this, resolver, std::move(options), nullptr)) {}

Verifier::Verifier(dns::Resolver& resolver, VerifyOptions options, detail::BodyHashes& shared)
    : impl_(std::make_unique<Impl>(*this, resolver, std::move(options), &shared)) {}

Verifier::~Verifier() = default;

core::Expected<void> Verifier::feed(std::string_view bytes) { return impl_->input.feed(bytes); }

void Verifier::on_end_of_headers(const mail::HeaderSection& headers) {
  impl_->input.saw_headers();
  std::int64_t time = impl_->now();
  std::optional<detail::HeaderIndex> lookup;  // only signed messages need it
  std::size_t signatures = 0;
  for (const mail::HeaderField& field : headers) signatures += field.name_is("DKIM-Signature");
  impl_->pending.reserve(signatures);
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!headers[i].name_is("DKIM-Signature")) continue;
    if (!lookup) lookup.emplace(headers);
    impl_->add_signature(headers, i, *lookup, time);
  }
  if (impl_->keys.empty()) return;
  // Keys in the cache are taken now; only the others are looked up, concurrently.
  impl_->keys.start(impl_->resolver,
                    impl_->options.key_cache ? *impl_->options.key_cache : KeyCache::shared());
}

void Verifier::on_body(std::string_view chunk) {
  if (impl_->feeds_body) impl_->bodies.feed(chunk);
}

void Verifier::on_end() {
  impl_->bodies.finish();
  impl_->input.saw_end();
}

core::Task<std::vector<Result>> Verifier::finish() {
  std::optional<core::Error> broken_headers = impl_->input.finish();
  if (!impl_->input.ended()) impl_->bodies.finish();
  KeyList fetched;
  if (!impl_->keys.empty()) fetched = co_await impl_->keys.keys();
  std::vector<Result> results;
  // Not reported as unsigned ("none"), which a flood of fields would otherwise buy.
  if (broken_headers) {
    Result broken;
    broken.outcome = Outcome::permerror;
    broken.reason = Reason::syntax;
    broken.detail = "message header section not verifiable: " + broken_headers->message;
    results.push_back(std::move(broken));
    co_return results;
  }
  results.reserve(impl_->pending.size());
  for (Pending& p : impl_->pending) {
    impl_->verdict(p, fetched);
    results.push_back(std::move(p.result));
  }
  co_return results;
}

core::Task<std::vector<Result>> verify_message(dns::Resolver& resolver, std::string_view message,
                                               VerifyOptions options) {
  Verifier verifier(resolver, std::move(options));
  core::Expected<void> fed = verifier.impl_->input.feed_whole(message);
  static_cast<void>(fed);  // a malformed header section leaves the results it could give
  std::vector<Result> results = co_await verifier.finish();
  co_return results;
}

}  // namespace hallmark::dkim
