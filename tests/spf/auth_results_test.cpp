// SPDX-License-Identifier: Apache-2.0
// Received-SPF and the Authentication-Results fragment: format, and that attacker-controlled
// HELO names and local parts cannot inject fields or break the syntax.
#include <gtest/gtest.h>

#include "hallmark/spf/auth_results.hpp"

namespace hallmark::spf {
namespace {

Result pass_result() {
  Result r;
  r.outcome = Outcome::pass;
  r.identity = Identity::mailfrom;
  r.domain = "example.com";
  r.sender = "user@example.com";
  r.mechanism = "+ip4:192.0.2.0/24";
  return r;
}

TEST(SpfReceivedSpf, FollowsRfc7208Section91) {
  Envelope envelope{core::IpAddress::parse("192.0.2.1").value(), "mail.example.com",
                    "user@example.com"};
  EXPECT_EQ(received_spf(pass_result(), envelope, "mx.example.org", ""),
            "Received-SPF: pass (mx.example.org: domain of user@example.com designates "
            "192.0.2.1 as permitted sender) receiver=mx.example.org; client-ip=192.0.2.1; "
            "envelope-from=\"user@example.com\"; helo=mail.example.com; identity=mailfrom; "
            "mechanism=\"+ip4:192.0.2.0/24\"");
}

TEST(SpfReceivedSpf, EscapesHostileValues) {
  Result r = pass_result();
  r.sender = "a)\r\nX-Injected: yes (@example.com";
  Envelope envelope{core::IpAddress::parse("2001:db8::1").value(),
                    "evil\r\nX-Injected: 1; helo=\"x\\", "a\"b@example.com"};
  std::string field = received_spf(r, envelope, "mx.example.org", "");
  EXPECT_EQ(field.find('\r'), std::string::npos);
  EXPECT_EQ(field.find('\n'), std::string::npos);
  EXPECT_NE(field.find("a\\)X-Injected: yes \\(@example.com"), std::string::npos) << field;
  EXPECT_NE(field.find("helo=\"evilX-Injected: 1; helo=\\\"x\\\\\""), std::string::npos) << field;
  EXPECT_NE(field.find("envelope-from=\"a\\\"b@example.com\""), std::string::npos) << field;
  EXPECT_NE(field.find("client-ip=\"2001:db8::1\""), std::string::npos) << field;
}

TEST(SpfReceivedSpf, FoldedAtSpacesWithinSeventyEightOctets) {
  Envelope envelope{core::IpAddress::parse("192.0.2.1").value(), "mail.example.com",
                    "user@example.com"};
  std::string folded = received_spf(pass_result(), envelope, "mx.example.org");
  std::string unfolded;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i <= folded.size(); ++i) {
    if (i == folded.size() || folded.compare(i, 2, "\r\n") == 0) {
      EXPECT_LE(i - line_start, 78u) << folded;
      if (i < folded.size()) {
        EXPECT_EQ(folded[i + 2], ' ');
      }
      line_start = i + 2;
    }
  }
  for (std::size_t at; (at = folded.find("\r\n")) != std::string::npos;) folded.erase(at, 2);
  EXPECT_EQ(folded, received_spf(pass_result(), envelope, "mx.example.org", ""));
}

TEST(SpfAuthResults, NamesTheIdentity) {
  EXPECT_EQ(auth_results_fragment(pass_result()), "spf=pass smtp.mailfrom=user@example.com");
  Result helo = pass_result();
  helo.identity = Identity::helo;
  helo.outcome = Outcome::none;
  helo.domain = "mail.example.org";
  EXPECT_EQ(auth_results_fragment(helo), "spf=none smtp.helo=mail.example.org");
  Result odd = pass_result();
  odd.sender = "john smith;x=y@example.com";
  EXPECT_EQ(auth_results_fragment(odd), "spf=pass smtp.mailfrom=\"john smith;x=y@example.com\"");
}

}  // namespace
}  // namespace hallmark::spf
