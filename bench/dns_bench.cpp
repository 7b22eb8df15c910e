// SPDX-License-Identifier: Apache-2.0
// DNS substrate costs: a ZoneResolver lookup (the offline CLI, the demo and every suite
// case), and a CachingResolver hit over it, by direct callback and through lookup_sync.
#include <benchmark/benchmark.h>

#include <string>

#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace {

using hallmark::core::IpAddress;
using hallmark::dns::Answer;
using hallmark::dns::CachingResolver;
using hallmark::dns::Resolver;
using hallmark::dns::Type;
using hallmark::dns::ZoneResolver;

// A zone of realistic size: 10,000 domains with A, MX and an SPF policy each, plus the
// names the benchmarks ask for.
ZoneResolver& big_zone() {
  static ZoneResolver zone = [] {
    ZoneResolver z;
    for (int i = 0; i < 10000; ++i) {
      std::string domain = "domain" + std::to_string(i) + ".example";
      z.add_address(domain, *IpAddress::parse("192.0.2.1"));
      z.add_mx(domain, 10, "mx." + domain);
      z.add_txt(domain, {"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net ~all"});
    }
    z.add_txt("_dmarc.example.com", {"v=DMARC1; p=reject; adkim=r; aspf=r; ",
                                     "rua=mailto:dmarc-reports@example.net; fo=1"});
    z.add_cname("www.example.com", "web.example.com");
    z.add_cname("web.example.com", "example.com");
    z.add_address("example.com", *IpAddress::parse("192.0.2.80"));
    z.add_txt("*._report._dmarc.example.net", {"v=DMARC1;"});
    return z;
  }();
  return zone;
}

Resolver& zone_resolver() { return big_zone(); }

void lookup_direct(benchmark::State& state, Resolver& resolver, const char* name, Type type) {
  std::size_t records = 0;
  for (auto _ : state) {
    resolver.lookup(name, type, [&](hallmark::dns::AnswerPtr shared_answer) {
      const hallmark::dns::Answer& answer = *shared_answer;
      records += answer.size();
    });
    benchmark::DoNotOptimize(records);
  }
  if (records == 0) state.SkipWithError("no records");
}

void BM_Zone_Txt(benchmark::State& state) {
  lookup_direct(state, zone_resolver(), "_dmarc.example.com", Type::txt);
}
BENCHMARK(BM_Zone_Txt);

void BM_Zone_A(benchmark::State& state) {
  lookup_direct(state, zone_resolver(), "domain4242.example", Type::a);
}
BENCHMARK(BM_Zone_A);

void BM_Zone_UpperCaseTrailingDot(benchmark::State& state) {
  lookup_direct(state, zone_resolver(), "_DMARC.Example.COM.", Type::txt);
}
BENCHMARK(BM_Zone_UpperCaseTrailingDot);

void BM_Zone_CnameChain(benchmark::State& state) {
  lookup_direct(state, zone_resolver(), "www.example.com", Type::a);
}
BENCHMARK(BM_Zone_CnameChain);

void BM_Zone_Wildcard(benchmark::State& state) {
  lookup_direct(state, zone_resolver(), "example.com._report._dmarc.example.net", Type::txt);
}
BENCHMARK(BM_Zone_Wildcard);

void BM_Zone_Nxdomain(benchmark::State& state) {
  for (auto _ : state) {
    Answer answer = big_zone().answer("_dmarc.nothing.example", Type::txt);
    benchmark::DoNotOptimize(answer);
  }
}
BENCHMARK(BM_Zone_Nxdomain);

void BM_Zone_Txt_LookupSync(benchmark::State& state) {
  for (auto _ : state) {
    Answer answer = hallmark::dns::lookup_sync(zone_resolver(), "_dmarc.example.com", Type::txt);
    benchmark::DoNotOptimize(answer);
  }
}
BENCHMARK(BM_Zone_Txt_LookupSync);

// The same TXT lookup answered from the cache: compare with BM_Zone_Txt, its upstream.
void BM_CacheHit_Txt(benchmark::State& state) {
  static CachingResolver cache(zone_resolver());
  lookup_direct(state, cache, "_dmarc.example.com", Type::txt);
  state.counters["misses"] = static_cast<double>(cache.stats().misses);
}
BENCHMARK(BM_CacheHit_Txt);
BENCHMARK(BM_CacheHit_Txt)->Threads(2);

void BM_CacheHit_Txt_LookupSync(benchmark::State& state) {
  CachingResolver cache(zone_resolver());
  for (auto _ : state) {
    Answer answer = hallmark::dns::lookup_sync(cache, "_dmarc.example.com", Type::txt);
    benchmark::DoNotOptimize(answer);
  }
}
BENCHMARK(BM_CacheHit_Txt_LookupSync);

// Every lookup a miss (the cache holds one entry, two names alternate): the decorator's
// overhead on top of the upstream.
void BM_CacheMiss_Txt(benchmark::State& state) {
  hallmark::dns::CacheOptions options;
  options.max_entries = 1;
  CachingResolver cache(zone_resolver(), options);
  const char* names[] = {"domain1.example", "domain2.example"};
  std::size_t records = 0, i = 0;
  for (auto _ : state) {
    cache.lookup(names[i++ & 1], Type::txt, [&](hallmark::dns::AnswerPtr shared_answer) {
      const hallmark::dns::Answer& answer = *shared_answer;
      records += answer.size();
    });
    benchmark::DoNotOptimize(records);
  }
}
BENCHMARK(BM_CacheMiss_Txt);

}  // namespace
