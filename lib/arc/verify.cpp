// SPDX-License-Identifier: Apache-2.0
// ARC chain validation (RFC 8617 5.2): structure at the end of the header section, where the
// header digests are taken and every key lookup starts; the AMS body hashes while the body
// streams; then the newest AMS, optionally the older ones, and every seal newest first.
#include "hallmark/arc/verify.hpp"

#include <fmt/format.h>

#include "arc/internal/chain.hpp"
#include "dkim/internal/body_hashes.hpp"
#include "dkim/internal/crypto.hpp"
#include "dkim/internal/header_hash.hpp"
#include "dkim/internal/key_fetch.hpp"
#include "dkim/internal/raw_input.hpp"
#include "hallmark/core/header_text.hpp"

namespace hallmark::arc {
namespace {

using dkim::detail::KeyList;

// One signature of the chain (an AMS or an AS) on its way to a verdict.
struct PendingSignature {
  dkim::Algorithm algorithm = dkim::Algorithm::rsa_sha256;
  std::string signature;
  dkim::detail::DigestBytes digest;
  std::size_t key = 0;
  std::string domain;
};

// Why a signature did not verify; `dns` when its key lookup failed temporarily.
struct Failure {
  std::string detail;
  bool dns = false;
};

// Checks the key and the signature; a description of the problem, or nullopt when it verifies.
std::optional<Failure> check(const PendingSignature& s, const dkim::detail::FetchedKey& key,
                             const VerifyOptions& options, dkim::Outcome& outcome) {
  if (s.algorithm == dkim::Algorithm::rsa_sha1 && !options.allow_sha1) {
    outcome = dkim::Outcome::permerror;
    return Failure{"rsa-sha1 is not accepted (RFC 8301 3.1)"};
  }
  dkim::detail::KeyProblem problem =
      dkim::detail::check_key(key, s.algorithm, {}, s.domain, options.min_rsa_bits);
  if (problem.outcome != dkim::Outcome::none) {
    outcome = problem.outcome;
    return Failure{std::move(problem.detail), problem.reason == dkim::Reason::key_unavailable};
  }
  if (!dkim::detail::verify_digest(key.key, s.algorithm, s.digest.view(), s.signature)) {
    outcome = dkim::Outcome::fail;
    return Failure{"signature does not verify"};
  }
  outcome = dkim::Outcome::pass;
  return std::nullopt;
}

}  // namespace

struct Verifier::Impl {
  Impl(Verifier& self, dns::Resolver& r, VerifyOptions o, dkim::detail::BodyHashes* shared)
      : resolver(r),
        options(std::move(o)),
        input(self, options.limits),
        own_bodies(shared ? nullptr : std::make_unique<dkim::detail::BodyHashes>()),
        bodies(shared ? *shared : *own_bodies),
        feeds_body(shared == nullptr) {}

  dns::Resolver& resolver;
  VerifyOptions options;
  dkim::detail::RawInput input;
  Result result;  // filled as far as the header section allows
  bool decided = false;
  std::vector<PendingSignature> seals;       // by instance - 1
  std::vector<PendingSignature> signatures;  // AMS by instance - 1; only the newest unless
                                             // oldest-pass was asked for
  std::vector<std::size_t> body_jobs;        // parallel to signatures
  std::vector<std::string> body_hashes;      // parallel to signatures: bh=
  std::vector<std::optional<std::uint64_t>> body_lengths;
  // Only when not shared: a verifier inside a session never feeds one.
  std::unique_ptr<dkim::detail::BodyHashes> own_bodies;
  dkim::detail::BodyHashes& bodies;
  bool feeds_body;  // false when the body hashes are shared and fed by their owner
  dkim::detail::KeyRequests keys;

  void fail(Reason reason, std::string detail, unsigned instance) {
    result.outcome = ChainStatus::fail;
    result.reason = reason;
    result.detail = std::move(detail);
    result.failed_instance = instance;
    decided = true;
  }

  void prepare(const mail::HeaderSection& headers) {
    detail::Chain chain = detail::collect_chain(headers);
    if (!chain.present) {
      decided = true;
      return;
    }
    if (chain.failure) return fail(*chain.failure, std::move(chain.detail), chain.failed_instance);
    const auto n = static_cast<unsigned>(chain.sets.size());
    dkim::detail::HeaderIndex index(headers);
    std::string sealed;  // every complete set so far, as the seals hash them
    for (const detail::ChainSet& set : chain.sets) {
      SetResult info;
      info.instance = set.instance;
      info.chain_status = set.seal.chain_status;
      info.seal_domain = set.seal.domain;
      info.seal_selector = set.seal.selector;
      info.seal_algorithm = std::string(dkim::to_string(set.seal.algorithm));
      info.ams_domain = set.signature.signature.domain;
      info.ams_selector = set.signature.signature.selector;
      info.aar = set.results;
      info.aar_text = core::echoed(set.results_text, 64 * 1024);
      result.sets.push_back(std::move(info));

      PendingSignature seal{set.seal.algorithm,
                            set.seal.signature,
                            {},
                            keys.add(set.seal.selector, set.seal.domain),
                            set.seal.domain};
      // Each seal signs the sets before it as they stand, then its own with b= emptied
      // (RFC 8617 5.1.1): the sets before it are canonicalized once for all the seals.
      detail::append_set_field(headers[set.results_field].raw, sealed);
      detail::append_set_field(headers[set.signature_field].raw, sealed);
      std::string canonical = sealed;
      detail::append_sealed_seal(headers, set, canonical);
      detail::append_set_field(headers[set.seal_field].raw, sealed);
      seal.digest = dkim::detail::digest_of(dkim::hash_of(seal.algorithm), canonical);
      seals.push_back(std::move(seal));

      // Step 4 needs the newest AMS only; step 5 (oldest-pass) every one.
      if (set.instance != n && !options.oldest_pass) continue;
      const dkim::Signature& s = set.signature.signature;
      signatures.push_back({s.algorithm, s.signature,
                            dkim::detail::header_digest(headers, index, set.signature_field, s),
                            keys.add(s.selector, s.domain), s.domain});
      body_jobs.push_back(
          bodies.job_for(s.body_canonicalization, dkim::hash_of(s.algorithm), s.body_length));
      body_hashes.push_back(s.body_hash);
      body_lengths.push_back(s.body_length);
    }
  }

  // Steps 4 to 7, once keys and body hashes are in.
  void conclude(const KeyList& fetched) {
    const auto n = static_cast<unsigned>(seals.size());
    // Step 4: the newest AMS (the last prepared).
    if (auto failure = check_signature(signatures.size() - 1, fetched)) {
      result.dns_failure = failure->dns;
      return fail(failure->dns ? Reason::key_unavailable : Reason::ams_invalid,
                  fmt::format("ARC-Message-Signature i={}: {}", n, failure->detail), n);
    }
    // Step 5: oldest-pass, from N-1 down; the first failure ends the walk.
    if (options.oldest_pass) {
      unsigned oldest = 0;
      for (unsigned instance = n - 1; instance >= 1; --instance) {
        if (check_signature(instance - 1, fetched)) {
          oldest = instance + 1;
          break;
        }
      }
      result.oldest_pass = oldest;
    }
    // Step 6: every seal, newest first.
    for (unsigned instance = n; instance >= 1; --instance) {
      SetResult& info = result.sets[instance - 1];
      const PendingSignature& seal = seals[instance - 1];
      if (auto failure = check(seal, *fetched[seal.key], options, info.seal_result)) {
        info.detail = failure->detail;
        result.dns_failure = failure->dns;
        result.oldest_pass.reset();
        return fail(failure->dns ? Reason::key_unavailable : Reason::seal_invalid,
                    fmt::format("ARC-Seal i={}: {}", instance, failure->detail), instance);
      }
    }
    result.outcome = ChainStatus::pass;
    result.reason = Reason::ok;
    decided = true;
  }

  // The AMS at `slot` of `signatures` (its instance's set result updated): nullopt when valid.
  std::optional<Failure> check_signature(std::size_t slot, const KeyList& fetched) {
    const PendingSignature& s = signatures[slot];
    unsigned instance =
        options.oldest_pass ? static_cast<unsigned>(slot) + 1 : static_cast<unsigned>(seals.size());
    SetResult& info = result.sets[instance - 1];
    const dkim::detail::BodyHashes::Job& job = bodies.job(body_jobs[slot]);
    std::optional<Failure> failure;
    // l= is not a way to let content be added to a sealed message: anything past it fails.
    if (body_lengths[slot] && *body_lengths[slot] != job.canonical_length) {
      info.ams_result = dkim::Outcome::fail;
      failure = Failure{fmt::format("l={} does not cover the {}-octet body", *body_lengths[slot],
                                    job.canonical_length)};
    } else if (job.digest.view() != body_hashes[slot]) {
      info.ams_result = dkim::Outcome::fail;
      failure = Failure{"body hash does not match bh="};
    } else {
      failure = check(s, *fetched[s.key], options, info.ams_result);
    }
    if (failure) info.detail = failure->detail;
    return failure;
  }
};

Verifier::Verifier(dns::Resolver& resolver, VerifyOptions options)
    : impl_(std::make_unique<Impl>(*this, resolver, std::move(options), nullptr)) {}

Verifier::Verifier(dns::Resolver& resolver, VerifyOptions options, dkim::detail::BodyHashes& shared)
    : impl_(std::make_unique<Impl>(*this, resolver, std::move(options), &shared)) {}

Verifier::~Verifier() = default;

core::Expected<void> Verifier::feed(std::string_view bytes) { return impl_->input.feed(bytes); }

void Verifier::on_end_of_headers(const mail::HeaderSection& headers) {
  impl_->input.saw_headers();
  impl_->prepare(headers);
  if (impl_->decided || impl_->keys.empty()) return;
  impl_->keys.start(impl_->resolver, impl_->options.key_cache ? *impl_->options.key_cache
                                                              : dkim::KeyCache::shared());
}

void Verifier::on_body(std::string_view chunk) {
  if (!impl_->decided && impl_->feeds_body) impl_->bodies.feed(chunk);
}

void Verifier::on_end() {
  impl_->bodies.finish();
  impl_->input.saw_end();
}

core::Task<Result> Verifier::finish() {
  Impl& v = *impl_;
  std::optional<core::Error> broken_headers = v.input.finish();
  if (!v.input.ended()) v.bodies.finish();
  if (broken_headers) {
    v.fail(Reason::header_section,
           "message header section not verifiable: " + broken_headers->message, 0);
    co_return std::move(v.result);
  }
  // No header section seen (nothing fed) or no ARC fields: the chain is none.
  if (!v.decided && !v.seals.empty()) {
    KeyList fetched = co_await v.keys.keys();
    v.conclude(fetched);
  }
  co_return std::move(v.result);
}

core::Task<Result> verify_message(dns::Resolver& resolver, std::string_view message,
                                  VerifyOptions options) {
  Verifier verifier(resolver, std::move(options));
  core::Expected<void> fed = verifier.feed(message);
  static_cast<void>(fed);  // a header section past the limits is reported by finish()
  Result result = co_await verifier.finish();
  co_return result;
}

std::string auth_results_fragment(const Result& result) {
  std::string out = fmt::format("arc={}", to_string(result.outcome));
  if (result.outcome == ChainStatus::fail) {
    out += fmt::format(" ({})", core::header_comment(result.detail));
  } else if (result.outcome == ChainStatus::pass) {
    std::string sealers;
    for (const SetResult& set : result.sets)
      sealers += (sealers.empty() ? "" : ", ") + set.seal_domain;
    out += fmt::format(" (i={} sealed by {})", result.sets.size(), core::header_comment(sealers));
    if (result.oldest_pass) out += fmt::format(" header.oldest-pass={}", *result.oldest_pass);
  }
  return out;
}

}  // namespace hallmark::arc
