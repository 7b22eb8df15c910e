// SPDX-License-Identifier: Apache-2.0
// The C API's cost over the C++ API: the same signed demo message, the same zone file, one
// authenticator each, verified whole (hallmark_verify against Authenticator::verify_blocking)
// and streamed field by field as a milter hands it over. The target: the C API within
// 5% of C++. Accessor calls that hosts make per message (the Authentication-Results text, the
// disposition) are included; the JSON, made only when asked for, is timed on its own.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/hallmark.h"

namespace {

using namespace hallmark;

const std::string demo_dir = std::string(HALLMARK_SOURCE_DIR) + "/examples/demo/";
constexpr const char* client_ip = "192.0.2.10";
constexpr const char* helo = "mail.example.com";
constexpr const char* mail_from = "alice@example.com";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Fixture {
  std::string message = read_file(demo_dir + "signed.eml");
  std::unique_ptr<authenticator::Authenticator> native;
  hallmark_options* options = nullptr;
  hallmark_ctx* ctx = nullptr;

  Fixture() {
    authenticator::Options settings;
    settings.authserv_id = "mx.example.org";
    authenticator::ResolverConfig dns;
    dns.zone_files = {demo_dir + "demo.zone"};
    native = std::move(*authenticator::Authenticator::create(settings, dns));
    options = hallmark_options_new();
    hallmark_options_set_authserv_id(options, "mx.example.org");
    hallmark_options_add_zone_file(options, (demo_dir + "demo.zone").c_str());
    if (hallmark_ctx_new(options, &ctx) != HALLMARK_OK)
      std::fprintf(stderr, "bench_capi: %s\n", hallmark_options_error(options));
  }
  ~Fixture() {
    hallmark_ctx_free(ctx);
    hallmark_options_free(options);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_CppVerify(benchmark::State& state) {
  Fixture& f = fixture();
  authenticator::Envelope envelope;
  for (auto _ : state) {
    // Built per message, as a host does from its own SMTP state.
    envelope.ip = *core::IpAddress::parse(client_ip);
    envelope.helo = helo;
    envelope.mail_from = mail_from;
    authenticator::Verdict verdict = f.native->verify_blocking(f.message, envelope);
    benchmark::DoNotOptimize(verdict.authentication_results.data());
    benchmark::DoNotOptimize(verdict.disposition);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_CVerify(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    hallmark_result* result = nullptr;
    hallmark_verify(f.ctx, f.message.data(), f.message.size(), client_ip, helo, mail_from, &result);
    benchmark::DoNotOptimize(hallmark_result_auth_results(result));
    benchmark::DoNotOptimize(hallmark_result_disposition(result));
    hallmark_result_free(result);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// The milter's way: envelope calls, then the bytes in 4 KB pieces, then the verdict.
void BM_CppStreamed(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    std::unique_ptr<authenticator::Session> session = f.native->start();
    session->set_client(*core::IpAddress::parse(client_ip));
    session->set_helo(helo);
    session->set_mail_from(mail_from);
    for (std::size_t at = 0; at < f.message.size(); at += 4096)
      (void)session->feed(std::string_view(f.message).substr(at, 4096));
    authenticator::Verdict verdict = session->finish_blocking();
    benchmark::DoNotOptimize(verdict.authentication_results.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_CStreamed(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    hallmark_message* message = nullptr;
    hallmark_message_new(f.ctx, &message);
    hallmark_message_set_client(message, client_ip, nullptr);
    hallmark_message_set_helo(message, helo);
    hallmark_message_set_mail_from(message, mail_from);
    for (std::size_t at = 0; at < f.message.size(); at += 4096)
      hallmark_message_feed(message, f.message.data() + at,
                            std::min<std::size_t>(4096, f.message.size() - at));
    hallmark_result* result = nullptr;
    hallmark_message_finish(message, &result);
    benchmark::DoNotOptimize(hallmark_result_auth_results(result));
    hallmark_result_free(result);
    hallmark_message_free(message);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// What asking for the JSON adds to a verdict.
void BM_CVerifyWithJson(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    hallmark_result* result = nullptr;
    hallmark_verify(f.ctx, f.message.data(), f.message.size(), client_ip, helo, mail_from, &result);
    benchmark::DoNotOptimize(hallmark_result_json(result));
    hallmark_result_free(result);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK(BM_CppVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CVerify)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CppStreamed)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CStreamed)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CVerifyWithJson)->Unit(benchmark::kMicrosecond);

}  // namespace
