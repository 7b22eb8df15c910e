// SPDX-License-Identifier: Apache-2.0
// Fuzz target: DMARC evaluation of a message's From fields against a hostile policy. The
// first line of the input is the TXT record served at every _dmarc name; the rest is the
// header section. A pass must come from an aligned identifier, and a From without a single
// author domain must never pass under the default handling.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/mail/header.hpp"

namespace {

// Serves the fuzzed record at every _dmarc name, NXDOMAIN for names under "gone.", and an
// empty answer for everything else, synchronously.
class FuzzResolver final : public hallmark::dns::Resolver {
 public:
  explicit FuzzResolver(std::string_view record) : record_(record) {}
  void lookup(std::string_view name, hallmark::dns::Type type, Completion done) override {
    hallmark::dns::Answer answer;
    answer.name = std::string(name);
    answer.type = type;
    answer.status = hallmark::dns::Status::nodata;
    if (name.starts_with("gone.")) {
      answer.status = hallmark::dns::Status::nxdomain;
    } else if (type == hallmark::dns::Type::txt && name.find("_dmarc.") != std::string_view::npos) {
      answer.status = hallmark::dns::Status::noerror;
      answer.txt.push_back(hallmark::dns::Txt{{std::string(record_)}});
    }
    done(std::make_shared<const hallmark::dns::Answer>(std::move(answer)));
  }

 private:
  std::string_view record_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hallmark;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  FuzzResolver resolver(input.substr(0, newline));
  auto message = mail::parse_message(input.substr(newline + 1));
  if (!message) return 0;

  dmarc::Options options;
  options.random = [] { return 0.5; };
  // The input size picks the From handling, so every mode gets inputs.
  options.unusable_from = static_cast<dmarc::UnusableFrom>(size % 3);
  dmarc::Identifiers identifiers{"bounce.example.com", true, {"example.com", "example.org"}};
  dmarc::Result r =
      core::sync_wait(dmarc::evaluate(resolver, message->headers, identifiers, options));
  if (r.outcome == dmarc::Outcome::pass && !r.spf_aligned && !r.dkim_aligned) std::abort();
  if (r.unusable_from && options.unusable_from == dmarc::UnusableFrom::reject &&
      r.disposition != dmarc::Disposition::reject)
    std::abort();
  static_cast<void>(dmarc::auth_results_fragment(r));
  return 0;
}
