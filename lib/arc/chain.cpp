// SPDX-License-Identifier: Apache-2.0
// Finding a message's ARC sets and checking their structure before any cryptography
// (RFC 8617 5.2 steps 1 to 3), and the header data each ARC-Seal signs (5.1.1).
#include "arc/internal/chain.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "dkim/internal/header_hash.hpp"
#include "hallmark/arc/parse.hpp"
#include "hallmark/dkim/canonicalize.hpp"

namespace hallmark::arc::detail {
namespace {

enum class FieldKind : std::uint8_t { seal, signature, results };

// One ARC field, parsed once: seals and signatures whole (their i= can be anywhere in the
// tag list), results only as far as the instance.
struct Found {
  FieldKind kind = FieldKind::seal;
  std::size_t field = 0;
  unsigned instance = 0;
  std::optional<Seal> seal;
  std::optional<MessageSignature> signature;
  std::string error;  // why the seal or signature does not parse, when its i= does
};

// Parses `f` and sets its instance; an error when not even the instance can be read.
std::optional<std::string> read(Found& f, std::string_view value) {
  auto keep = [&f](auto parsed, auto& slot) {
    if (parsed) {
      f.instance = parsed->instance;
      slot = std::move(*parsed);
      return true;
    }
    f.error = std::move(parsed.error().message);
    return false;
  };
  if (f.kind == FieldKind::seal && keep(parse_seal(value), f.seal)) return std::nullopt;
  if (f.kind == FieldKind::signature && keep(parse_message_signature(value), f.signature))
    return std::nullopt;
  auto instance = parse_instance(value);
  if (!instance) return std::move(instance.error().message);
  f.instance = *instance;
  return std::nullopt;
}

constexpr std::string_view field_name(FieldKind kind) noexcept {
  switch (kind) {
    case FieldKind::seal: return "ARC-Seal";
    case FieldKind::signature: return "ARC-Message-Signature";
    case FieldKind::results: return "ARC-Authentication-Results";
  }
  return "ARC-Seal";
}

Chain failed(Chain chain, Reason reason, std::string detail, unsigned instance = 0) {
  chain.failure = reason;
  chain.detail = std::move(detail);
  chain.failed_instance = instance;
  chain.sets.clear();
  return chain;
}

}  // namespace

Chain collect_chain(const mail::HeaderSection& headers) {
  Chain chain;
  std::vector<Found> found;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const mail::HeaderField& field = headers[i];
    for (FieldKind kind : {FieldKind::seal, FieldKind::signature, FieldKind::results}) {
      if (!field.name_is(field_name(kind))) continue;
      chain.present = true;
      // Step 1: no more than 50 sets. Counting fields first keeps a flood of them from costing
      // a parse each.
      if (found.size() == 3 * max_instances)
        return failed(std::move(chain), Reason::too_many_sets,
                      fmt::format("more than {} ARC fields", 3 * max_instances));
      Found& f = found.emplace_back();
      f.kind = kind;
      f.field = i;
    }
  }
  if (!chain.present) return chain;

  for (Found& f : found) {
    if (auto error = read(f, headers[f.field].value))
      return failed(std::move(chain), Reason::structure,
                    fmt::format("{}: {}", field_name(f.kind), *error));
    chain.highest = std::max(chain.highest, f.instance);
  }
  const unsigned n = chain.highest;

  // Step 2: a chain its newest sealer declared failed stays failed.
  for (const Found& f : found)
    if (f.seal && f.instance == n && f.seal->chain_status == ChainStatus::fail)
      return failed(std::move(chain), Reason::newest_cv_fail,
                    fmt::format("the newest seal (i={}) says cv=fail", n), n);

  // Step 3: exactly one of each field for every instance 1..N.
  std::vector<std::array<Found*, 3>> slots(n, {nullptr, nullptr, nullptr});
  for (Found& f : found) {
    Found*& slot = slots[f.instance - 1][static_cast<std::size_t>(f.kind)];
    if (slot != nullptr)
      return failed(std::move(chain), Reason::structure,
                    fmt::format("two {} fields with i={}", field_name(f.kind), f.instance),
                    f.instance);
    slot = &f;
  }
  chain.sets.resize(n);
  for (unsigned instance = 1; instance <= n; ++instance) {
    auto& slot = slots[instance - 1];
    for (FieldKind kind : {FieldKind::seal, FieldKind::signature, FieldKind::results})
      if (slot[static_cast<std::size_t>(kind)] == nullptr)
        return failed(std::move(chain), Reason::structure,
                      fmt::format("no {} with i={}", field_name(kind), instance), instance);
    Found& seal = *slot[0];
    Found& signature = *slot[1];
    ChainSet& set = chain.sets[instance - 1];
    set.instance = instance;
    set.seal_field = seal.field;
    set.signature_field = signature.field;
    set.results_field = slot[2]->field;
    if (!seal.seal)
      return failed(std::move(chain), Reason::structure,
                    fmt::format("ARC-Seal i={}: {}", instance, seal.error), instance);
    set.seal = std::move(*seal.seal);
    ChainStatus expected = instance == 1 ? ChainStatus::none : ChainStatus::pass;
    if (set.seal.chain_status != expected)
      return failed(std::move(chain), Reason::structure,
                    fmt::format("ARC-Seal i={} says cv={}, not {}", instance,
                                to_string(set.seal.chain_status), to_string(expected)),
                    instance);
    if (!signature.signature)
      return failed(std::move(chain), Reason::structure,
                    fmt::format("ARC-Message-Signature i={}: {}", instance, signature.error),
                    instance);
    set.signature = std::move(*signature.signature);
    std::string_view results = headers[set.results_field].value;
    set.results_text = std::string(core::detail::trim_fws(results.substr(results.find(';') + 1)));
    // The AAR is testimony for the reader, not part of the chain's validity: one that does not
    // parse as RFC 8601 is kept as text.
    if (auto parsed = parse_authentication_results(results))
      set.results = std::move(parsed->results);
  }
  return chain;
}

void append_set_field(std::string_view raw_field, std::string& out) {
  dkim::canonicalize_header(raw_field, dkim::Canonicalization::relaxed, out);
}

void append_seal_field(std::string_view raw_field, std::size_t b_begin, std::size_t b_end,
                       std::string& out) {
  dkim::detail::append_signature_field(raw_field, b_begin, b_end, dkim::Canonicalization::relaxed,
                                       out);
}

void append_sealed_seal(const mail::HeaderSection& headers, const ChainSet& set, std::string& out) {
  const mail::HeaderField& seal = headers[set.seal_field];
  auto value_offset = static_cast<std::size_t>(seal.value.data() - seal.raw.data());
  std::size_t b_begin = value_offset + set.seal.b_value_offset;
  append_seal_field(seal.raw, b_begin, b_begin + set.seal.b_value_length, out);
}

}  // namespace hallmark::arc::detail
