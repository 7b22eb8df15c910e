// SPDX-License-Identifier: Apache-2.0
// CaresResolver against a real nsd on 127.0.0.1: record types, TCP fallback, negative answers,
// failures (SERVFAIL, REFUSED, timeout, refused port), concurrency, destruction, event loop.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/core/when_all.hpp"
#include "hallmark/dns/cares_resolver.hpp"
#include "support/nsd_server.hpp"
#include "support/silent_server.hpp"

namespace hallmark::cares_test {
namespace {

using dns::Answer;
using dns::Status;
using dns::Type;
using namespace std::chrono_literals;
using test_support::SilentServer;

// 13 strings of 250 octets: over 3,000 octets of TXT, far past 512, so UDP answers truncate.
std::vector<std::string> big_strings() {
  std::vector<std::string> pieces;
  for (char c = 'a'; c < 'a' + 13; ++c) pieces.push_back(std::string(250, c));
  return pieces;
}

std::string hallmark_zone() {
  std::string big;
  for (const std::string& piece : big_strings()) big += " \"" + piece + "\"";
  return "$ORIGIN hallmark.test.\n"
         "$TTL 300\n"
         "@     3600 IN SOA ns.hallmark.test. hostmaster.hallmark.test. 1 3600 600 86400 120\n"
         "@          NS    ns\n"
         "ns         A     127.0.0.1\n"
         "www        A     192.0.2.10\n"
         "www        A     192.0.2.11\n"
         "www   600  AAAA  2001:db8::10\n"
         "@          MX    10 mx1\n"
         "@          MX    20 mx2.hallmark.test.\n"
         "txt        TXT   \"v=spf1 \" \"ip4:192.0.2.0/24 -all\"\n"
         "txt        TXT   \"second record\"\n"
         "alias      CNAME www\n"
         "big        TXT   (" +
         big + " )\n";
}

constexpr const char* reverse_zone =
    "$ORIGIN 2.0.192.in-addr.arpa.\n"
    "$TTL 300\n"
    "@  IN SOA ns.hallmark.test. hostmaster.hallmark.test. 1 3600 600 86400 120\n"
    "@  NS  ns.hallmark.test.\n"
    "10 PTR www.hallmark.test.\n";

class CaresResolver : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = test_support::NsdServer::start(
        {{"hallmark.test", hallmark_zone()},
         {"2.0.192.in-addr.arpa", reverse_zone},
         // Configured but unparsable: nsd answers SERVFAIL for every name in it.
         {"broken.test", "this is not a zone file ((\n"}});
    if (started) {
      server_ = std::move(*started);
    } else {
      skip_ = started.error().code == core::Errc::unsupported && std::getenv("CI") == nullptr;
      why_ = started.error().message;
    }
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (server_) return;
    if (skip_) GTEST_SKIP() << why_;
    FAIL() << why_;
  }

  static std::unique_ptr<dns::CaresResolver> make(dns::CaresOptions options = {}) {
    if (options.servers.empty()) options.servers = {server_->address()};
    auto resolver = dns::CaresResolver::create(std::move(options));
    EXPECT_TRUE(resolver) << resolver.error().message;
    return resolver ? std::move(*resolver) : nullptr;
  }

  static Answer ask(std::string_view name, Type type, dns::CaresOptions options = {}) {
    auto resolver = make(std::move(options));
    return dns::lookup_sync(*resolver, name, type);
  }

  static inline std::unique_ptr<test_support::NsdServer> server_;
  static inline bool skip_ = false;
  static inline std::string why_;
};

std::vector<std::string> addresses(const Answer& answer) {
  std::vector<std::string> out;
  for (const core::IpAddress& address : answer.addresses) out.push_back(address.to_string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(CaresResolver, AnswersAWithTtl) {
  Answer answer = ask("www.hallmark.test", Type::a);
  ASSERT_EQ(answer.status, Status::noerror) << answer.detail;
  EXPECT_EQ(addresses(answer), (std::vector<std::string>{"192.0.2.10", "192.0.2.11"}));
  EXPECT_EQ(answer.ttl, 300u);
  EXPECT_FALSE(answer.authenticated) << "nsd is authoritative, not validating";
}

TEST_F(CaresResolver, AnswersAaaa) {
  Answer answer = ask("www.hallmark.test", Type::aaaa);
  ASSERT_EQ(answer.status, Status::noerror) << answer.detail;
  EXPECT_EQ(addresses(answer), (std::vector<std::string>{"2001:db8::10"}));
  EXPECT_EQ(answer.ttl, 600u);
}

TEST_F(CaresResolver, AnswersMx) {
  Answer answer = ask("hallmark.test", Type::mx);
  ASSERT_EQ(answer.status, Status::noerror) << answer.detail;
  std::sort(answer.mx.begin(), answer.mx.end(),
            [](const dns::Mx& x, const dns::Mx& y) { return x.preference < y.preference; });
  EXPECT_EQ(answer.mx,
            (std::vector<dns::Mx>{{10, "mx1.hallmark.test"}, {20, "mx2.hallmark.test"}}));
}

TEST_F(CaresResolver, KeepsTxtStringsApart) {
  Answer answer = ask("txt.hallmark.test", Type::txt);
  ASSERT_EQ(answer.status, Status::noerror) << answer.detail;
  std::vector<std::vector<std::string>> records;
  for (const dns::Txt& txt : answer.txt) records.push_back(txt.strings);
  std::sort(records.begin(), records.end());
  EXPECT_EQ(records, (std::vector<std::vector<std::string>>{{"second record"},
                                                            {"v=spf1 ", "ip4:192.0.2.0/24 -all"}}));
}

TEST_F(CaresResolver, AnswersPtr) {
  auto ip = core::IpAddress::parse("192.0.2.10");
  ASSERT_TRUE(ip);
  Answer answer = ask(ip->reverse_name(), Type::ptr);
  ASSERT_EQ(answer.status, Status::noerror) << answer.detail;
  EXPECT_EQ(answer.ptr, (std::vector<std::string>{"www.hallmark.test"}));
}

TEST_F(CaresResolver, FollowsCname) {
  Answer answer = ask("alias.hallmark.test", Type::a);
  ASSERT_EQ(answer.status, Status::noerror) << answer.detail;
  EXPECT_EQ(answer.cname, (std::vector<std::string>{"www.hallmark.test"}));
  EXPECT_EQ(addresses(answer), (std::vector<std::string>{"192.0.2.10", "192.0.2.11"}));
}

TEST_F(CaresResolver, TruncatedAnswerRetriesOverTcp) {
  for (bool dnssec : {false, true}) {
    Answer answer = ask("big.hallmark.test", Type::txt, {.servers = {}, .request_dnssec = dnssec});
    ASSERT_EQ(answer.status, Status::noerror) << answer.detail;
    ASSERT_EQ(answer.txt.size(), 1u);
    EXPECT_EQ(answer.txt[0].strings, big_strings());
    EXPECT_GT(answer.txt[0].text().size(), 3000u);
  }
}

TEST_F(CaresResolver, NxdomainAndNodataStayApartWithSoaTtl) {
  // RFC 2308 5: min(SOA TTL 3600, MINIMUM 120).
  Answer missing = ask("nope.hallmark.test", Type::a);
  EXPECT_EQ(missing.status, Status::nxdomain) << missing.detail;
  EXPECT_EQ(missing.ttl, 120u);
  Answer empty = ask("www.hallmark.test", Type::txt);
  EXPECT_EQ(empty.status, Status::nodata) << empty.detail;
  EXPECT_EQ(empty.ttl, 120u);
}

TEST_F(CaresResolver, ServfailFromZoneThatFailedToLoad) {
  Answer answer = ask("www.broken.test", Type::a);
  EXPECT_EQ(answer.status, Status::servfail) << answer.detail;
}

TEST_F(CaresResolver, RefusedOutsideServedZones) {
  Answer answer = ask("outside.invalid", Type::a);
  EXPECT_EQ(answer.status, Status::refused) << answer.detail;
}

TEST_F(CaresResolver, TimesOutAgainstSilentServer) {
  SilentServer silent;
  auto start = std::chrono::steady_clock::now();
  Answer answer = ask("www.hallmark.test", Type::a,
                      {.servers = {silent.address()}, .timeout = 200ms, .tries = 1});
  EXPECT_EQ(answer.status, Status::timeout) << answer.detail;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(CaresResolver, RefusedPortIsAnError) {
  std::uint16_t port = 0;
  {
    SilentServer closed_after;  // take a free port, then free it: nothing listens there
    port = closed_after.port();
  }
  Answer answer = ask("www.hallmark.test", Type::a,
                      {.servers = {"127.0.0.1:" + std::to_string(port)}, .timeout = 2000ms});
  EXPECT_EQ(answer.status, Status::error);
  EXPECT_NE(answer.detail.find("refused"), std::string::npos) << answer.detail;
}

TEST_F(CaresResolver, FallsBackToNextServer) {
  SilentServer silent;
  Answer answer =
      ask("www.hallmark.test", Type::a,
          {.servers = {silent.address(), server_->address()}, .timeout = 200ms, .tries = 1});
  EXPECT_EQ(answer.status, Status::noerror) << answer.detail;
}

TEST_F(CaresResolver, TrailingDotIsOptional) {
  auto resolver = make();
  Answer dotted = dns::lookup_sync(*resolver, "www.hallmark.test.", Type::a);
  Answer plain = dns::lookup_sync(*resolver, "WWW.hallmark.test", Type::a);
  EXPECT_EQ(dotted.status, Status::noerror) << dotted.detail;
  EXPECT_EQ(plain.status, Status::noerror) << plain.detail;
  EXPECT_EQ(dotted.name, "www.hallmark.test.");
  EXPECT_EQ(plain.name, "WWW.hallmark.test");
  EXPECT_EQ(addresses(dotted), addresses(plain));
}

TEST_F(CaresResolver, InvalidNamesAnswerErrorWithoutSending) {
  auto resolver = make();
  for (const std::string& name :
       {std::string(), std::string("a..hallmark.test"), std::string(".hallmark.test"),
        std::string(64, 'x') + ".test", std::string(260, 'a')}) {
    bool answered = false;
    resolver->lookup(name, Type::a, [&](hallmark::dns::AnswerPtr shared_answer) {
      const hallmark::dns::Answer& answer = *shared_answer;
      answered = true;
      EXPECT_EQ(answer.status, Status::error) << name;
      EXPECT_NE(answer.detail.find("not a valid query name"), std::string::npos) << answer.detail;
    });
    EXPECT_TRUE(answered) << "answered before lookup() returns: " << name;
  }
  EXPECT_EQ(resolver->pending(), 0u);
  EXPECT_TRUE(resolver->watches().empty()) << "no socket was ever opened";
  EXPECT_FALSE(resolver->pump_once());
}

// Counts lookups in flight, to show that when_all starts all of them before any completes.
class CountingResolver final : public dns::Resolver {
 public:
  explicit CountingResolver(dns::Resolver& inner) : inner_(inner) {}
  void lookup(std::string_view name, Type type, Completion done) override {
    ++in_flight_;
    inner_.lookup(name, type, [this, done = std::move(done)](dns::AnswerPtr answer) {
      if (in_flight_at_first_answer_ == 0) in_flight_at_first_answer_ = in_flight_;
      --in_flight_;
      done(std::move(answer));
    });
  }
  core::Pump* pump() noexcept override { return inner_.pump(); }
  std::size_t in_flight_at_first_answer() const { return in_flight_at_first_answer_; }

 private:
  dns::Resolver& inner_;
  std::size_t in_flight_ = 0;
  std::size_t in_flight_at_first_answer_ = 0;
};

core::Task<Answer> lookup_task(dns::Resolver& resolver, std::string name, Type type) {
  dns::AnswerPtr answer = co_await dns::lookup(resolver, std::move(name), type);
  co_return *answer;
}

TEST_F(CaresResolver, HundredConcurrentLookupsAllAnswered) {
  auto resolver = make();
  CountingResolver counting(*resolver);
  std::vector<core::Task<Answer>> tasks;
  const Type types[] = {Type::a, Type::aaaa, Type::mx, Type::txt};
  const char* names[] = {"www.hallmark.test", "www.hallmark.test", "hallmark.test",
                         "txt.hallmark.test"};
  for (int i = 0; i < 100; ++i) tasks.push_back(lookup_task(counting, names[i % 4], types[i % 4]));
  std::vector<Answer> answers = core::sync_wait(core::when_all(std::move(tasks)), counting.pump());
  ASSERT_EQ(answers.size(), 100u);
  for (const Answer& answer : answers) EXPECT_EQ(answer.status, Status::noerror) << answer.detail;
  EXPECT_EQ(counting.in_flight_at_first_answer(), 100u);
  EXPECT_EQ(resolver->pending(), 0u);
}

TEST_F(CaresResolver, DestructionCompletesPendingLookupsOnce) {
  SilentServer silent;
  auto resolver = make({.servers = {silent.address()}, .timeout = 30s, .tries = 1});
  std::vector<int> calls(20, 0);
  std::vector<Status> statuses(20, Status::noerror);
  dns::CaresResolver* raw = resolver.get();
  int late_answers = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    resolver->lookup(
        "www.hallmark.test", Type::a, [&, i, raw](hallmark::dns::AnswerPtr shared_answer) {
          const hallmark::dns::Answer& answer = *shared_answer;
          ++calls[i];
          statuses[i] = answer.status;
          // A completion that starts another lookup on the dying resolver gets its answer at once.
          if (i == 0)
            raw->lookup("www.hallmark.test", Type::a, [&](dns::AnswerPtr) { ++late_answers; });
        });
  }
  // ares_send() has put every query on the wire already; nothing will ever answer them.
  EXPECT_FALSE(resolver->watches().empty());
  EXPECT_EQ(resolver->pending(), 20u);
  resolver.reset();
  for (std::size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(calls[i], 1) << i;
    EXPECT_EQ(statuses[i], Status::error) << i;
  }
  EXPECT_EQ(late_answers, 1);
}

TEST_F(CaresResolver, HostEventLoopDrivesLookups) {
  auto resolver = make();
  std::vector<Answer> answers;
  for (const char* name : {"www.hallmark.test", "big.hallmark.test", "txt.hallmark.test"})
    resolver->lookup(name, name[0] == 'w' ? Type::a : Type::txt,
                     [&](hallmark::dns::AnswerPtr shared_answer) {
                       const hallmark::dns::Answer& answer = *shared_answer;
                       answers.push_back(std::move(answer));
                     });
  EXPECT_TRUE(answers.empty()) << "completions wait for the loop";
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (resolver->pending() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> fds;
    for (const dns::CaresResolver::Watch& watch : resolver->watches())
      fds.push_back(pollfd{
          watch.fd,
          static_cast<short>((watch.readable ? POLLIN : 0) | (watch.writable ? POLLOUT : 0)), 0});
    std::optional<std::chrono::milliseconds> wait = resolver->next_timeout();
    ASSERT_TRUE(wait) << "a pending lookup always has a deadline";
    ::poll(fds.data(), fds.size(), static_cast<int>(std::min<std::int64_t>(wait->count(), 1000)));
    std::vector<int> readable;
    std::vector<int> writable;
    for (const pollfd& entry : fds) {
      if (entry.revents & (POLLIN | POLLERR | POLLHUP)) readable.push_back(entry.fd);
      if (entry.revents & POLLOUT) writable.push_back(entry.fd);
    }
    resolver->process(readable, writable);
  }
  ASSERT_EQ(answers.size(), 3u);
  for (const Answer& answer : answers) EXPECT_EQ(answer.status, Status::noerror) << answer.name;
  EXPECT_FALSE(resolver->next_timeout());
}

TEST_F(CaresResolver, RunAnswersEveryLookup) {
  auto resolver = make({.servers = {}, .request_dnssec = true});
  int answered = 0;
  for (int i = 0; i < 5; ++i)
    resolver->lookup("alias.hallmark.test", Type::a, [&](hallmark::dns::AnswerPtr shared_answer) {
      const hallmark::dns::Answer& answer = *shared_answer;
      EXPECT_EQ(answer.status, Status::noerror) << answer.detail;
      ++answered;
    });
  resolver->run();
  EXPECT_EQ(answered, 5);
  EXPECT_EQ(resolver->pending(), 0u);
}

TEST(CaresResolverOptions, RejectsMalformedServersAndLimits) {
  for (const char* server : {"not-an-address", "192.0.2.1:0", "192.0.2.1:70000",
                             "192.0.2.1:", "[2001:db8::1", "[2001:db8::1]5353", "192.0.2.300"}) {
    auto resolver = dns::CaresResolver::create({.servers = {server}});
    ASSERT_FALSE(resolver) << server;
    EXPECT_EQ(resolver.error().code, core::Errc::bad_value) << server;
  }
  for (const char* server : {"192.0.2.1", "192.0.2.1:5353", "[2001:db8::1]:5353", "2001:db8::1"})
    EXPECT_TRUE(dns::CaresResolver::create({.servers = {server}})) << server;
  EXPECT_FALSE(dns::CaresResolver::create({.servers = {"192.0.2.1"}, .timeout = 0ms}));
  EXPECT_FALSE(dns::CaresResolver::create({.servers = {"192.0.2.1"}, .tries = 0}));
}

}  // namespace
}  // namespace hallmark::cares_test
