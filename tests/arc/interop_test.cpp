// SPDX-License-Identifier: Apache-2.0
// Interoperability of ARC chains with dkimpy (Debian python3-dkim) as a child process, both
// ways: chains of 1 to 3 hops sealed by hallmark (c=relaxed/relaxed and simple/simple) validate
// with dkimpy, chains sealed by dkimpy validate with hallmark, mixed chains validate with both,
// and a body altered after a seal makes both say fail. Without dkimpy the tests skip, or fail
// when CI is set.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "arc_fixtures.hpp"
#include "support/child_process.hpp"

namespace hallmark::arc::testing {
namespace {

using test_support::ProcessRun;
using test_support::TempDir;

#define REQUIRE_ORACLE(missing)                \
  do {                                         \
    const std::string why_missing = (missing); \
    if (!why_missing.empty()) {                \
      if (std::getenv("CI") != nullptr) {      \
        FAIL() << why_missing;                 \
      }                                        \
      GTEST_SKIP() << why_missing;             \
    }                                          \
  } while (false)

// The python3 on PATH may be another interpreter without Debian's modules.
constexpr const char* python = "/usr/bin/python3";
const std::string oracle_dir = std::string(HALLMARK_SOURCE_DIR) + "/tests/arc/oracles/";

std::string dkimpy_missing() {
  static const std::string why = [] {
    if (access(python, X_OK) != 0)
      return std::string("/usr/bin/python3 is missing (Debian package python3)");
    // dkimpy's arc_sign needs authres, which python3-dkim only recommends.
    ProcessRun probe = test_support::run_process({python, "-c", "import dkim, authres"});
    if (probe.status != 0)
      return "/usr/bin/python3 cannot import dkim and authres (Debian packages python3-dkim, "
             "python3-authres): " +
             probe.err;
    return std::string();
  }();
  return why;
}

std::string describe(const ProcessRun& r) {
  if (r.timed_out) return "timed out";
  return "exit status " + std::to_string(r.status) + ": " + r.err;
}

enum class Sealer { hallmark, dkimpy };

struct HopSpec {
  Sealer sealer;
  dkim::Canonicalization c = dkim::Canonicalization::relaxed;  // hallmark's AMS c=; dkimpy
                                                               // always seals relaxed/relaxed
};

std::string name_of(const HopSpec& hop) {
  if (hop.sealer == Sealer::dkimpy) return "dkimpy";
  return hop.c == dkim::Canonicalization::relaxed ? "hallmarkRelaxed" : "hallmarkSimple";
}

// Two 2048-bit keys, made once: one for every hallmark hop, one for every dkimpy hop, each
// published under its own selector at every hop's domain, in the zone and in dkimpy's DNS stub.
struct Keys {
  dkim::PrivateKey hallmark = *dkim::PrivateKey::generate(dkim::KeyType::rsa, 2048);
  dkim::PrivateKey dkimpy = *dkim::PrivateKey::generate(dkim::KeyType::rsa, 2048);
  dns::ZoneResolver zone;
  std::string stub;  // "<name> <record>" lines

  Keys() {
    for (unsigned n = 1; n <= 4; ++n) {
      std::string domain = "hop" + std::to_string(n) + ".example";
      for (auto [selector, key] :
           {std::pair{"hallmark", &hallmark}, std::pair{"dkimpy", &dkimpy}}) {
        std::string name = std::string(selector) + "._domainkey." + domain;
        publish(zone, name, key->dns_record());
        stub += name + " " + key->dns_record() + "\n";
      }
    }
  }
};

Keys& keys() {
  static Keys instance;
  return instance;
}

std::string domain_of(unsigned n) { return "hop" + std::to_string(n) + ".example"; }
std::string authserv_of(unsigned n) { return "mx.hop" + std::to_string(n) + ".example"; }
std::int64_t time_of(unsigned n) { return 1700000000 + 60 * static_cast<std::int64_t>(n); }

// dkimpy as hop `n`: the fields it puts on top of the message, "" on failure.
std::string dkimpy_seal(const std::string& message, unsigned n, std::string& error) {
  TempDir dir;
  ProcessRun r = test_support::run_process(
      {python, oracle_dir + "dkimpy_arc_sign.py", dir.write("message.eml", message),
       dir.write("key.pem", keys().dkimpy.to_pem()), domain_of(n), "dkimpy", authserv_of(n),
       std::to_string(time_of(n)), dir.write("keys.txt", keys().stub)});
  if (r.status != 0 || r.out.empty()) {
    error = "dkimpy_arc_sign.py (hop " + std::to_string(n) + "): " + describe(r);
    return {};
  }
  return crlf(r.out);
}

// dkimpy's verdict line: "pass success", "fail ...", or "error ...".
std::string dkimpy_verify(const std::string& message, std::string& error) {
  TempDir dir;
  ProcessRun r = test_support::run_process({python, oracle_dir + "dkimpy_arc_verify.py",
                                            dir.write("message.eml", message),
                                            dir.write("keys.txt", keys().stub)});
  if (r.status != 0) {
    error = "dkimpy_arc_verify.py: " + describe(r);
    return {};
  }
  return trim(r.out);
}

std::string first_word(std::string_view line) {
  return std::string(line.substr(0, line.find(' ')));
}

const std::string original =
    "Received: from client.example.com (client.example.com [192.0.2.1])\r\n"
    "\tby mx.example.com with ESMTPS; Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "From: Alice <alice@example.com>\r\n"
    "To: List <list@lists.example.org>\r\n"
    "Subject: An ARC interop message with a subject\r\n"
    "\tfolded  over two   lines\r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <arc-interop@example.com>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=us-ascii\r\n"
    "\r\n"
    "Hello list,\r\n"
    "a body with  inner   spaces and trailing ones   \r\n"
    "\tand a tab-led line.\r\n"
    "\r\n"
    "\r\n";

struct InteropCase {
  std::string name;
  std::vector<HopSpec> hops;
  /// The body is altered after this many hops have sealed; -1 for never.
  int alter_after = -1;
};

void PrintTo(const InteropCase& c, std::ostream* out) { *out << c.name; }

std::string tamper(const std::string& message) { return message + "A line added in transit.\r\n"; }

class ArcInterop : public ::testing::TestWithParam<InteropCase> {};

TEST_P(ArcInterop, BothImplementationsAgree) {
  REQUIRE_ORACLE(dkimpy_missing());
  const InteropCase& c = GetParam();
  bool broken = false;  // the body was altered after a seal
  std::string message = original;
  if (c.alter_after == 0) message = tamper(message);
  for (std::size_t i = 0; i < c.hops.size(); ++i) {
    unsigned n = static_cast<unsigned>(i + 1);
    const HopSpec& hop = c.hops[i];
    if (hop.sealer == Sealer::hallmark) {
      Hop h;
      h.domain = domain_of(n);
      h.selector = "hallmark";
      h.authserv_id = authserv_of(n);
      h.header = h.body = hop.c;
      h.now = time_of(n);
      Sealed sealed;
      message = seal(keys().zone, message, keys().hallmark, h,
                     "spf=pass smtp.mailfrom=alice@example.com", &sealed);
      // What hallmark found on arrival: the chain so far, broken once the body changed.
      ChainStatus incoming =
          n == 1 ? ChainStatus::none : (broken ? ChainStatus::fail : ChainStatus::pass);
      if (!(broken && n > 1 && sealed.fields.empty())) {
        EXPECT_EQ(sealed.validation.outcome, incoming)
            << c.name << " hop " << n << ": " << arc::testing::describe(sealed.validation);
      }
    } else {
      std::string error;
      std::string fields = dkimpy_seal(message, n, error);
      ASSERT_FALSE(fields.empty()) << c.name << ": " << error;
      message = fields + message;
    }
    if (c.alter_after == static_cast<int>(n)) {
      message = tamper(message);
      broken = true;
    }
    if (c.alter_after >= 0 && c.alter_after < static_cast<int>(n)) broken = true;
  }

  std::string expected = broken ? "fail" : "pass";
  Result ours = validate(keys().zone, message);
  EXPECT_EQ(std::string(to_string(ours.outcome)), expected)
      << c.name << " hallmark: " << arc::testing::describe(ours) << "\n"
      << message;
  if (!broken) {
    EXPECT_EQ(ours.sets.size(), c.hops.size());
    for (std::size_t i = 0; i < ours.sets.size() && i < c.hops.size(); ++i)
      EXPECT_EQ(ours.sets[i].seal_domain, domain_of(static_cast<unsigned>(i + 1)));
  }
  std::string error;
  std::string theirs = dkimpy_verify(message, error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_EQ(first_word(theirs), expected) << c.name << " dkimpy: " << theirs << "\n" << message;
}

std::vector<InteropCase> interop_cases() {
  const HopSpec relaxed{Sealer::hallmark, dkim::Canonicalization::relaxed};
  const HopSpec simple{Sealer::hallmark, dkim::Canonicalization::simple};
  const HopSpec dkimpy{Sealer::dkimpy};
  std::vector<InteropCase> cases;
  auto add = [&cases](std::vector<HopSpec> hops, int alter_after = -1) {
    InteropCase c;
    for (const HopSpec& hop : hops) c.name += (c.name.empty() ? "" : "_") + name_of(hop);
    if (alter_after >= 0) c.name += "_alteredAfterHop" + std::to_string(alter_after);
    c.hops = std::move(hops);
    c.alter_after = alter_after;
    cases.push_back(std::move(c));
  };
  // Sealed by hallmark, validated by dkimpy (and hallmark).
  add({relaxed});
  add({relaxed, relaxed});
  add({relaxed, relaxed, relaxed});
  add({simple});
  add({simple, simple});
  add({simple, simple, simple});
  add({relaxed, simple, relaxed});
  // Sealed by dkimpy, validated by hallmark (and dkimpy).
  add({dkimpy});
  add({dkimpy, dkimpy});
  add({dkimpy, dkimpy, dkimpy});
  // Mixed chains.
  add({dkimpy, relaxed, dkimpy});
  add({dkimpy, simple, dkimpy});
  add({relaxed, dkimpy, simple});
  add({simple, dkimpy});
  // A body altered after the last seal: both say fail.
  add({relaxed}, 1);
  add({simple, simple}, 2);
  add({dkimpy}, 1);
  add({dkimpy, dkimpy}, 2);
  add({dkimpy, relaxed, dkimpy}, 3);
  add({relaxed, dkimpy, simple}, 3);
  // Altered between hops: the next sealer sees a failed chain and seals cv=fail (dkimpy) or
  // nothing more after its cv=fail set (hallmark); either way the chain stays failed.
  add({relaxed, dkimpy}, 1);
  add({dkimpy, relaxed}, 1);
  add({dkimpy, relaxed, dkimpy}, 1);
  add({relaxed, relaxed, dkimpy}, 2);
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<InteropCase>& test) { return test.param.name; }

INSTANTIATE_TEST_SUITE_P(Arc, ArcInterop, ::testing::ValuesIn(interop_cases()), case_name);

}  // namespace
}  // namespace hallmark::arc::testing
