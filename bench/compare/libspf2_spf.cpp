// SPDX-License-Identifier: Apache-2.0
// hallmark against Debian's libspf2 on the same SPF policy and clients (bench/spf_fixture.hpp):
// checks both give the same result for each client, times both, prints hallmark's rate over
// libspf2's.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "spf_fixture.hpp"
#include "median_reporter.hpp"

// libspf2's headers are C without extern "C" and lean on the socket headers being included
// first. They come last so their many macros (MECH_A, PARM_*, NOERROR via nameser) cannot
// reach into hallmark's headers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/types.h>
extern "C" {
#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>
}

namespace {

using namespace hallmark;
using hallmark_bench::SpfClient;

// ---- hallmark ----------------------------------------------------------------------------

dns::ZoneResolver& zone() { return hallmark_bench::shared_spf_zone(); }
dns::CachingResolver& cache() { return hallmark_bench::shared_spf_cache(); }

spf::Envelope envelope_for(const SpfClient& client) {
  return spf::Envelope{hallmark_bench::spf_client_ip(client), std::string(hallmark_bench::spf_helo),
                       std::string(hallmark_bench::spf_mail_from)};
}

spf::Result hallmark_check(dns::Resolver& resolver, const spf::Envelope& envelope,
                           const spf::Options& options) {
  return core::sync_wait(spf::check_mail_from(resolver, envelope, options), resolver.pump());
}

// ---- libspf2 ----------------------------------------------------------------------------

// libspf2's zone layer, filled from hallmark's parse of the same master text so both sides
// answer from identical records. A type absent at an existing name is added as NO_DATA: the
// zone layer otherwise answers HOST_NOT_FOUND, and libspf2 asks for type SPF (99) before TXT.
class Libspf2 {
 public:
  Libspf2() {
    SPF_dns_server_t* dns = SPF_dns_zone_new(nullptr, "hallmark-fixture", 0);
    if (dns == nullptr) fail("SPF_dns_zone_new failed");
    struct {
      dns::Type ours;
      ns_type theirs;
    } const types[] = {{dns::Type::txt, ns_t_txt},
                       {dns::Type::spf, static_cast<ns_type>(ns_t_spf)},
                       {dns::Type::a, ns_t_a},
                       {dns::Type::aaaa, ns_t_aaaa},
                       {dns::Type::mx, ns_t_mx}};
    for (const std::string& name :
         hallmark_bench::fixture_owner_names(hallmark_bench::spf_zone_text)) {
      for (const auto& type : types) {
        dns::Answer answer = zone().answer(name, type.ours);
        if (!answer.ok()) {
          add(dns, name, type.theirs, NO_DATA, std::nullopt);
          continue;
        }
        for (const dns::Txt& txt : answer.txt)
          add(dns, name, type.theirs, NETDB_SUCCESS, txt.text());
        for (const core::IpAddress& address : answer.addresses)
          add(dns, name, type.theirs, NETDB_SUCCESS, address.to_string());
        for (const dns::Mx& mx : answer.mx)
          add(dns, name, type.theirs, NETDB_SUCCESS,
              std::to_string(mx.preference) + " " + mx.exchange);
      }
    }
    server_ = SPF_server_new_dns(dns, 0);  // owns `dns` from here on
    if (server_ == nullptr) fail("SPF_server_new_dns failed");
  }
  ~Libspf2() { SPF_server_free(server_); }
  Libspf2(const Libspf2&) = delete;
  Libspf2& operator=(const Libspf2&) = delete;

  // What an MTA does per message: a request with the parsed client address and envelope,
  // the MAIL FROM query, and freeing both.
  struct Request {
    bool v6 = false;
    in_addr ipv4{};
    in6_addr ipv6{};
  };
  static Request request_for(const SpfClient& client) {
    Request request;
    std::string ip(client.ip);
    request.v6 = ip.find(':') != std::string::npos;
    int ok = request.v6 ? inet_pton(AF_INET6, ip.c_str(), &request.ipv6)
                        : inet_pton(AF_INET, ip.c_str(), &request.ipv4);
    if (ok != 1) fail("inet_pton failed for " + ip);
    return request;
  }

  struct Outcome {
    SPF_result_t result = SPF_RESULT_INVALID;
    std::string comment;  // libspf2's header comment, for a disagreement report
  };

  Outcome check(const Request& client, bool want_comment = false) {
    SPF_request_t* request = SPF_request_new(server_);
    if (client.v6)
      SPF_request_set_ipv6(request, client.ipv6);
    else
      SPF_request_set_ipv4(request, client.ipv4);
    SPF_request_set_helo_dom(request, helo_.c_str());
    SPF_request_set_env_from(request, mail_from_.c_str());
    SPF_response_t* response = nullptr;
    SPF_request_query_mailfrom(request, &response);
    Outcome outcome;
    if (response != nullptr) {
      outcome.result = SPF_response_result(response);
      if (want_comment) {
        const char* comment = SPF_response_get_header_comment(response);
        outcome.comment = comment != nullptr ? comment : "";
        if (SPF_response_errcode(response) != SPF_E_SUCCESS)
          outcome.comment += std::string(" (") + SPF_strerror(SPF_response_errcode(response)) + ")";
      }
      SPF_response_free(response);
    }
    SPF_request_free(request);
    return outcome;
  }

 private:
  [[noreturn]] static void fail(const std::string& message) {
    std::fprintf(stderr, "libspf2: %s\n", message.c_str());
    std::exit(EXIT_FAILURE);
  }
  static void add(SPF_dns_server_t* dns, const std::string& name, ns_type type, int herrno,
                  const std::optional<std::string>& data) {
    SPF_errcode_t err =
        SPF_dns_zone_add_str(dns, name.c_str(), type, herrno, data ? data->c_str() : nullptr);
    if (err != SPF_E_SUCCESS) fail("cannot add " + name + ": " + SPF_strerror(err));
  }

  SPF_server_t* server_ = nullptr;
  std::string helo_{hallmark_bench::spf_helo};
  std::string mail_from_{hallmark_bench::spf_mail_from};
};

Libspf2& libspf2() {
  static Libspf2 peer;
  return peer;
}

std::optional<spf::Outcome> outcome_of(SPF_result_t result) {
  switch (result) {
    case SPF_RESULT_NEUTRAL: return spf::Outcome::neutral;
    case SPF_RESULT_PASS: return spf::Outcome::pass;
    case SPF_RESULT_FAIL: return spf::Outcome::fail;
    case SPF_RESULT_SOFTFAIL: return spf::Outcome::softfail;
    case SPF_RESULT_NONE: return spf::Outcome::none;
    case SPF_RESULT_TEMPERROR: return spf::Outcome::temperror;
    case SPF_RESULT_PERMERROR: return spf::Outcome::permerror;
    case SPF_RESULT_INVALID: break;
  }
  return std::nullopt;
}

// ---- agreement --------------------------------------------------------------------------

// A rate of an implementation that gives a different answer means nothing, so any
// disagreement, with each other or with the fixture's expectation, stops the run.
bool implementations_agree() {
  bool agree = true;
  for (const SpfClient& client : hallmark_bench::spf_clients) {
    spf::Result ours = hallmark_check(zone(), envelope_for(client), spf::Options{});
    spf::Result cached = hallmark_check(cache(), envelope_for(client), spf::Options{});
    spf::Options traced;
    traced.trace = true;
    spf::Result quiet = hallmark_check(cache(), envelope_for(client), traced);
    Libspf2::Outcome theirs = libspf2().check(Libspf2::request_for(client), true);
    std::optional<spf::Outcome> their_outcome = outcome_of(theirs.result);
    std::string their_name =
        their_outcome ? std::string(spf::to_string(*their_outcome)) : std::string("invalid");
    bool same = their_outcome == ours.outcome && cached.outcome == ours.outcome &&
                quiet.outcome == ours.outcome && ours.outcome == client.expected;
    std::printf("%-9s %-16s hallmark=%s libspf2=%s%s\n", std::string(client.name).c_str(),
                std::string(client.ip).c_str(), std::string(spf::to_string(ours.outcome)).c_str(),
                their_name.c_str(), same ? "" : "  <-- DISAGREE");
    if (!same) {
      std::fprintf(stderr,
                   "disagreement for %s (expected %s):\n  hallmark: %s (%s)\n"
                   "  hallmark via cache: %s, traced: %s\n  libspf2: %s %s\n",
                   std::string(client.ip).c_str(),
                   std::string(spf::to_string(client.expected)).c_str(),
                   std::string(spf::to_string(ours.outcome)).c_str(), ours.reason.str().c_str(),
                   std::string(spf::to_string(cached.outcome)).c_str(),
                   std::string(spf::to_string(quiet.outcome)).c_str(), their_name.c_str(),
                   theirs.comment.c_str());
      agree = false;
    }
  }
  return agree;
}

// ---- timing -----------------------------------------------------------------------------

void time_hallmark(benchmark::State& state, dns::Resolver& resolver, const SpfClient& client,
                   const spf::Options& options = {}) {
  const spf::Envelope envelope = envelope_for(client);
  for (auto _ : state) {
    spf::Result result = hallmark_check(resolver, envelope, options);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

void time_libspf2(benchmark::State& state, const SpfClient& client) {
  const Libspf2::Request request = Libspf2::request_for(client);
  for (auto _ : state) {
    Libspf2::Outcome outcome = libspf2().check(request);
    benchmark::DoNotOptimize(outcome);
  }
  state.SetItemsProcessed(state.iterations());
}

constexpr std::string_view hallmark_zone_prefix = "BM_Hallmark_ZoneOnly_";
constexpr std::string_view hallmark_cache_prefix = "BM_Hallmark_WarmCache_";
constexpr std::string_view hallmark_traced_prefix = "BM_Hallmark_WarmCache_Traced_";
constexpr std::string_view libspf2_prefix = "BM_Libspf2_Zone_";

// Each case's contenders run next to each other, so a noisy spell on the shared machine is
// more likely to hit all of them than one. libspf2 keeps no per-term trace; hallmark's is off
// by default (the like-for-like figures) and shown once turned on, for its cost.
void register_benchmarks() {
  for (const SpfClient& client : hallmark_bench::spf_clients) {
    std::string suffix(client.name);
    benchmark::RegisterBenchmark(
        (std::string(hallmark_zone_prefix) + suffix).c_str(),
        [&client](benchmark::State& state) { time_hallmark(state, zone(), client); });
    benchmark::RegisterBenchmark(
        (std::string(hallmark_cache_prefix) + suffix).c_str(),
        [&client](benchmark::State& state) { time_hallmark(state, cache(), client); });
    benchmark::RegisterBenchmark((std::string(hallmark_traced_prefix) + suffix).c_str(),
                                 [&client](benchmark::State& state) {
                                   spf::Options options;
                                   options.trace = true;
                                   time_hallmark(state, cache(), client, options);
                                 });
    benchmark::RegisterBenchmark(
        (std::string(libspf2_prefix) + suffix).c_str(),
        [&client](benchmark::State& state) { time_libspf2(state, client); });
  }
}

void print_ratios(const hallmark_bench::MedianReporter& reporter) {
  std::printf("\n%-9s %10s %10s %10s %10s %9s %9s %9s\n", "case", "zone", "cache", "traced",
              "libspf2", "zone/l", "cache/l", "traced/l");
  for (const SpfClient& client : hallmark_bench::spf_clients) {
    std::string suffix(client.name);
    auto zone_rate = reporter.median(std::string(hallmark_zone_prefix) + suffix);
    auto cache_rate = reporter.median(std::string(hallmark_cache_prefix) + suffix);
    auto traced_rate = reporter.median(std::string(hallmark_traced_prefix) + suffix);
    auto their_rate = reporter.median(std::string(libspf2_prefix) + suffix);
    auto show = hallmark_bench::show_rate;
    auto ratio = [&](std::optional<double> ours) {
      return hallmark_bench::show_ratio(ours, their_rate);
    };
    std::printf("%-9s %10s %10s %10s %10s %9s %9s %9s\n", suffix.c_str(), show(zone_rate).c_str(),
                show(cache_rate).c_str(), show(traced_rate).c_str(), show(their_rate).c_str(),
                ratio(zone_rate).c_str(), ratio(cache_rate).c_str(), ratio(traced_rate).c_str());
  }
  std::printf(
      "(hallmark over its ZoneResolver, through a warm CachingResolver, and cached with\n"
      " Options::trace = true; evaluations per second by CPU time;\n"
      " x/l = hallmark rate / libspf2 rate)\n");
}

}  // namespace

int main(int argc, char** argv) {
  return hallmark_bench::compare_main(argc, argv, "libspf2", implementations_agree,
                                      register_benchmarks, print_ratios);
}
