// SPDX-License-Identifier: Apache-2.0
// Parsing the ARC header fields (RFC 8617 4.1): instance tags, ARC-Seal, ARC-Message-Signature
// and ARC-Authentication-Results values, good ones, each required tag missing, and the white
// space variants of the ValiMail suite.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "hallmark/arc/parse.hpp"

namespace hallmark::arc {
namespace {

using core::Errc;
using ::testing::AnyOf;
using ::testing::HasSubstr;

// A real b= from the suite (folded as it was) and a real bh=.
constexpr std::string_view seal_b =
    "Pg8Yyk1AgYy2l+kb6iy+mY106AXm5EdgDwJhLP7+XyT6yaS38ZUho+bmgSDorV+LyARH4A\r\n"
    "      967A/oWMX3coyC7pAGyI+hA3+JifL7P3/aIVP4ooRJ/WUgT79snPuulxE15jg6FgQE68ObA1\r\n"
    "      /hy77BxdbD9EQxFGNcr/wCKQoeKJ8=";
constexpr std::string_view ams_bh = "KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ=";

// An error message that names `tag`, either as 'tag' or as tag=.
auto names_tag(const std::string& tag) {
  return AnyOf(HasSubstr("'" + tag + "'"), HasSubstr(tag + "="));
}

std::string without_fws(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '\r' && c != '\n' && c != ' ' && c != '\t') out += c;
  return out;
}

std::string unfolded_b() { return without_fws(seal_b); }

// Tags in order, as a field value "a=x; b=y".
struct Tags {
  std::vector<std::pair<std::string, std::string>> list;

  Tags& drop(const std::string& name) {
    std::erase_if(list, [&](const auto& tag) { return tag.first == name; });
    return *this;
  }
  Tags& set(const std::string& name, const std::string& value) {
    for (auto& [tag, text] : list)
      if (tag == name) {
        text = value;
        return *this;
      }
    list.emplace_back(name, value);
    return *this;
  }
  std::string text() const {
    std::string out;
    for (const auto& [tag, value] : list) out += (out.empty() ? "" : "; ") + tag + "=" + value;
    return out;
  }
};

Tags seal_tags() {
  return Tags{{{"i", "1"},
               {"a", "rsa-sha256"},
               {"cv", "none"},
               {"d", "example.org"},
               {"s", "dummy"},
               {"t", "12345"},
               {"b", unfolded_b()}}};
}

Tags ams_tags() {
  return Tags{{{"i", "2"},
               {"a", "rsa-sha256"},
               {"c", "relaxed/simple"},
               {"d", "example.org"},
               {"s", "dummy"},
               {"t", "12346"},
               {"h", "mime-version:date:from:to:subject"},
               {"bh", std::string(ams_bh)},
               {"b", unfolded_b()}}};
}

TEST(ArcInstanceParse, ReadsTheInstanceOfEveryField) {
  struct {
    std::string_view value;
    unsigned instance;
  } cases[] = {
      {"i=1; a=rsa-sha256; cv=none", 1},
      {"a=rsa-sha256; cv=pass; i=50", 50},
      {" i = 7 ;cv=pass", 7},
      {"\r\n\ti=3;\r\n a=rsa-sha256", 3},
      {"i=2; lists.example.org; spf=pass smtp.mfrom=jqd@d1.example", 2},  // an AAR
      {"i=12", 12},
  };
  for (auto [value, instance] : cases) {
    auto parsed = parse_instance(value);
    ASSERT_TRUE(parsed) << value << ": " << parsed.error().message;
    EXPECT_EQ(*parsed, instance) << value;
  }
}

TEST(ArcInstanceParse, RejectsAMissingInstance) {
  for (std::string_view value :
       {"a=rsa-sha256; cv=none; d=example.org", "lists.example.org; spf=pass", ""}) {
    auto parsed = parse_instance(value);
    ASSERT_FALSE(parsed) << value << " gave " << *parsed;
    EXPECT_EQ(parsed.error().code, Errc::missing_tag) << value << ": " << parsed.error().message;
  }
}

// RFC 8617 4.2.1: 1 to 50; nothing else is an instance, however it is written.
TEST(ArcInstanceParse, RejectsValuesOutsideOneToFifty) {
  for (std::string_view value :
       {"i=; a=rsa-sha256", "i=0; a=rsa-sha256", "i=51", "i=-1", "i=1x", "i=x", "i=0x1", "i=1.0",
        "i=2147483647", "i=4294967297", "i=99999999999999999999", "i=1 2"}) {
    auto parsed = parse_instance(value);
    ASSERT_FALSE(parsed) << value << " gave " << *parsed;
    EXPECT_EQ(parsed.error().code, Errc::bad_value) << value << ": " << parsed.error().message;
    EXPECT_THAT(parsed.error().message, names_tag("i")) << value;
  }
}

TEST(ArcSealParse, ReadsEveryTag) {
  std::string value = "a=rsa-sha256;\r\n      b=" + std::string(seal_b) +
                      "; cv=pass; d=Example.ORG; i=2; s=dummy;\r\n      t=12346";
  auto seal = parse_seal(value);
  ASSERT_TRUE(seal) << seal.error().message;
  EXPECT_EQ(seal->instance, 2u);
  EXPECT_EQ(seal->algorithm, dkim::Algorithm::rsa_sha256);
  EXPECT_EQ(seal->chain_status, ChainStatus::pass);
  EXPECT_EQ(seal->domain, "Example.ORG");
  EXPECT_EQ(seal->selector, "dummy");
  EXPECT_EQ(seal->timestamp, 12346);
  EXPECT_EQ(seal->signature.size(), 128u);  // a 1024-bit RSA signature, folded base64 decoded
  // b= is located with its folding, for hashing the seal with b= emptied.
  EXPECT_EQ(value.substr(seal->b_value_offset, seal->b_value_length), seal_b);
}

TEST(ArcSealParse, TimestampIsOptional) {
  auto seal = parse_seal(seal_tags().drop("t").text());  // suite: as_fields_t_na passes
  ASSERT_TRUE(seal) << seal.error().message;
  EXPECT_FALSE(seal->timestamp);
}

TEST(ArcSealParse, ReadsEveryChainStatus) {
  for (auto [text, status] :
       {std::pair{"none", ChainStatus::none}, std::pair{"pass", ChainStatus::pass},
        std::pair{"fail", ChainStatus::fail}}) {
    auto seal = parse_seal(seal_tags().set("cv", text).text());
    ASSERT_TRUE(seal) << text << ": " << seal.error().message;
    EXPECT_EQ(seal->chain_status, status) << text;
    EXPECT_EQ(to_string(status), text);
    EXPECT_EQ(parse_chain_status(text), status);
  }
  EXPECT_FALSE(parse_chain_status("passed"));
  EXPECT_FALSE(parse_chain_status(""));
}

TEST(ArcSealParse, RejectsEachMissingRequiredTag) {
  for (std::string tag : {"i", "a", "b", "cv", "d", "s"}) {
    auto seal = parse_seal(seal_tags().drop(tag).text());
    ASSERT_FALSE(seal) << "without " << tag;
    EXPECT_EQ(seal.error().code, Errc::missing_tag) << tag << ": " << seal.error().message;
    EXPECT_THAT(seal.error().message, names_tag(tag));
  }
}

// RFC 8617 4.1.3: an h= tag in a seal MUST make the chain fail.
TEST(ArcSealParse, RejectsAHeaderList) {
  for (std::string h : {"arc-authentication-results:arc-message-signature:arc-seal", ""}) {
    auto seal = parse_seal(seal_tags().set("h", h).text());
    ASSERT_FALSE(seal) << "h=" << h;
    EXPECT_THAT(seal.error().message, names_tag("h"));
  }
}

TEST(ArcSealParse, RejectsBadValuesNamingTheTag) {
  struct {
    std::string tag, value;
  } cases[] = {
      {"cv", ":)"},  {"cv", ""}, {"cv", "passed"}, {"a", "rsa-sha512"}, {"a", ""},  {"a", "ed448"},
      {"b", "!!!!"}, {"b", ""},  {"b", "QUJD="},   {"i", "0"},          {"i", "x"}, {"i", "51"},
      {"t", "soon"}, {"t", ""},  {"d", ""},        {"s", ""},
  };
  for (const auto& test : cases) {
    auto seal = parse_seal(seal_tags().set(test.tag, test.value).text());
    ASSERT_FALSE(seal) << test.tag << "=" << test.value;
    EXPECT_THAT(seal.error().message, names_tag(test.tag)) << test.tag << "=" << test.value;
  }
}

TEST(ArcSealParse, RejectsABrokenTagList) {
  std::string good = seal_tags().text();
  for (std::string value : {
           "i=1; i=1; " + good.substr(5),  // as_format_tags_dup
           good + ";;",                    // as_format_tags_sc: an empty tag-spec
           "i=1; a=rsa-sha256; cv=none; d=example.org; s=dummy; 1nv@lid=x; b=" + unfolded_b(),
       }) {
    auto seal = parse_seal(value);
    EXPECT_FALSE(seal) << value;
  }
}

// The suite's white space variants (as_format_sc_wsp, as_format_eq_wsp, as_format_tags_trail_sc,
// as_format_tags_unknown) and folding, all still the same seal.
TEST(ArcSealParse, AcceptsWhiteSpaceAroundSeparators) {
  std::string b = unfolded_b();
  for (std::string value : {
           "a=rsa-sha256; b=" + b + "; cv=none; d=example.org; i=1 ; s=dummy; t=12345",
           "a = rsa-sha256; b = " + b + "; cv = none; d = example.org; i = 1; s = dummy; t=12345",
           "a=rsa-sha256; b=" + b + "; cv=none; d=example.org; i=1; s=dummy; t=12345;",
           "a=rsa-sha256; b=" + b + "; cv=none; d=example.org; i=1; s=dummy; t=12345; w=wat",
           "a=rsa-sha256;\r\n\tb=" + std::string(seal_b) +
               ";\r\n cv=none;\r\n d=example.org; i=1;\r\n  s=dummy; t=12345\r\n ",
       }) {
    auto seal = parse_seal(value);
    ASSERT_TRUE(seal) << value << ": " << seal.error().message;
    EXPECT_EQ(seal->instance, 1u);
    EXPECT_EQ(seal->chain_status, ChainStatus::none);
    EXPECT_EQ(seal->domain, "example.org");
    EXPECT_EQ(seal->selector, "dummy");
    EXPECT_EQ(seal->signature.size(), 128u);
    EXPECT_EQ(without_fws(value.substr(seal->b_value_offset, seal->b_value_length)), b) << value;
  }
}

TEST(ArcMessageSignatureParse, ReadsEveryTag) {
  std::string value =
      "i=2; a=rsa-sha256; c=relaxed/simple; d=example.org; s=dummy;\r\n t=12346; "
      "h=mime-version : date:From:\r\n\tto:subject; bh=" +
      std::string(ams_bh) + ";\r\n b=" + std::string(seal_b);
  auto ams = parse_message_signature(value);
  ASSERT_TRUE(ams) << ams.error().message;
  EXPECT_EQ(ams->instance, 2u);
  const dkim::Signature& s = ams->signature;
  EXPECT_EQ(s.algorithm, dkim::Algorithm::rsa_sha256);
  EXPECT_EQ(s.header_canonicalization, dkim::Canonicalization::relaxed);
  EXPECT_EQ(s.body_canonicalization, dkim::Canonicalization::simple);
  EXPECT_EQ(s.domain, "example.org");
  EXPECT_EQ(s.selector, "dummy");
  EXPECT_EQ(s.timestamp, 12346);
  EXPECT_THAT(s.signed_headers,
              ::testing::ElementsAre("mime-version", "date", "From", "to", "subject"));
  EXPECT_EQ(s.body_hash.size(), 32u);  // SHA-256
  EXPECT_EQ(s.signature.size(), 128u);
  EXPECT_EQ(value.substr(s.b_value_offset, s.b_value_length), seal_b);
}

// c= absent: the ValiMail suite's ams_fields_c_na must pass, and its AMS verifies only with
// relaxed header canonicalization (checked against the scenario's key), which is also what
// dkimpy assumes for an AMS without c=. RFC 6376 3.5 alone would say simple/simple.
// RFC 8617 4.1.2: a v= tag MUST be ignored.
TEST(ArcMessageSignatureParse, AppliesDefaultsAndIgnoresVersion) {
  auto ams = parse_message_signature(ams_tags().drop("c").drop("t").text());
  ASSERT_TRUE(ams) << ams.error().message;
  EXPECT_EQ(ams->signature.header_canonicalization, dkim::Canonicalization::relaxed);
  EXPECT_EQ(ams->signature.body_canonicalization, dkim::Canonicalization::relaxed);
  EXPECT_FALSE(ams->signature.timestamp);
  for (std::string v : {"1", "2", "whatever"}) {
    auto versioned = parse_message_signature(ams_tags().set("v", v).text());
    ASSERT_TRUE(versioned) << "v=" << v << ": " << versioned.error().message;
    EXPECT_EQ(versioned->instance, 2u);
  }
}

TEST(ArcMessageSignatureParse, RejectsEachMissingRequiredTag) {
  for (std::string tag : {"i", "a", "b", "bh", "d", "h", "s"}) {
    auto ams = parse_message_signature(ams_tags().drop(tag).text());
    ASSERT_FALSE(ams) << "without " << tag;
    EXPECT_EQ(ams.error().code, Errc::missing_tag) << tag << ": " << ams.error().message;
    EXPECT_THAT(ams.error().message, names_tag(tag));
  }
}

// The suite's ams_fields_h_empty and ams_fields_h_mis_hdr pass: an empty list, or an empty
// name in it, selects no field.
TEST(ArcMessageSignatureParse, AcceptsEmptyHeaderNames) {
  for (std::string h : {"", "from:to::date"}) {
    auto ams = parse_message_signature(ams_tags().set("h", h).text());
    EXPECT_TRUE(ams) << "h=" << h << ": " << ams.error().message;
  }
}

TEST(ArcMessageSignatureParse, RejectsBadValuesNamingTheTag) {
  struct {
    std::string tag, value;
  } cases[] = {
      {"i", ""},        {"i", "0"},
      {"i", "invalid"}, {"i", "51"},
      {"a", ""},        {"a", "rsa-sha512"},
      {"b", ""},        {"b", "!!!!"},
      {"bh", ""},       {"bh", "not base64!"},
      {"c", ""},        {"c", "relaxed/strict"},
      {"c", "fancy"},   {"d", ""},
      {"s", ""},        {"t", ""},
      {"t", "soon"},
  };
  for (const auto& test : cases) {
    auto ams = parse_message_signature(ams_tags().set(test.tag, test.value).text());
    ASSERT_FALSE(ams) << test.tag << "=" << test.value;
    EXPECT_THAT(ams.error().message, names_tag(test.tag)) << test.tag << "=" << test.value;
  }
}

TEST(ArcMessageSignatureParse, AcceptsWhiteSpaceAroundSeparators) {
  for (std::string value : {
           "i=2 ; a=rsa-sha256; d=example.org; s=dummy; h=from:to; bh=" + std::string(ams_bh) +
               " ; b=" + unfolded_b(),
           "i = 2; a = rsa-sha256; d = example.org; s = dummy; h = from : to; bh = " +
               std::string(ams_bh) + "; b = " + unfolded_b(),
           "i=2; a=rsa-sha256; d=example.org; s=dummy; h=from:to; bh=" + std::string(ams_bh) +
               "; b=" + unfolded_b() + ";",
           "i=2; a=rsa-sha256; d=example.org; s=dummy; h=from:to; bh=" + std::string(ams_bh) +
               "; xyz=unknown; b=" + unfolded_b(),
       }) {
    auto ams = parse_message_signature(value);
    ASSERT_TRUE(ams) << value << ": " << ams.error().message;
    EXPECT_EQ(ams->instance, 2u);
    EXPECT_EQ(ams->signature.domain, "example.org");
    EXPECT_THAT(ams->signature.signed_headers, ::testing::ElementsAre("from", "to"));
  }
}

TEST(ArcAuthenticationResultsParse, ReadsInstanceAndPayload) {
  struct {
    std::string value;
    unsigned instance;
  } cases[] = {
      {"i=1; lists.example.org; arc=none;\r\n    spf=pass smtp.mfrom=jqd@d1.example;\r\n"
       "    dkim=pass (1024-bit key) header.i=@d1.example;\r\n    dmarc=pass",
       1},
      {"i=3 ; lists.example.org;arc=none; spf=pass smtp.mfrom=jqd@d1.example; dkim=pass (1024-bit "
       "key) header.i=@d1.example; dmarc=pass",
       3},
      {" i = 50;\r\n\tlists.example.org; arc=none; spf=pass smtp.mfrom=jqd@d1.example; "
       "dkim=pass header.i=@d1.example; dmarc=pass   ",
       50},
  };
  for (const auto& test : cases) {
    auto aar = parse_authentication_results(test.value);
    ASSERT_TRUE(aar) << test.value << ": " << aar.error().message;
    EXPECT_EQ(aar->instance, test.instance);
    EXPECT_EQ(aar->results.authserv_id, "lists.example.org");
    ASSERT_EQ(aar->results.methods.size(), 4u) << test.value;
    EXPECT_EQ(aar->results.methods[0].method, "arc");
    EXPECT_EQ(aar->results.methods[0].result, "none");
    const mail::AuthMethod* spf = aar->results.find("spf");
    ASSERT_NE(spf, nullptr);
    EXPECT_EQ(spf->result, "pass");
    EXPECT_EQ(spf->property("smtp", "mfrom"), "jqd@d1.example");
    EXPECT_EQ(aar->results.methods[3].method, "dmarc");
  }
}

TEST(ArcAuthenticationResultsParse, AcceptsTheNoResultForm) {
  auto aar = parse_authentication_results("i=1; mx.example.org; none");
  ASSERT_TRUE(aar) << aar.error().message;
  EXPECT_EQ(aar->instance, 1u);
  EXPECT_EQ(aar->results.authserv_id, "mx.example.org");
  EXPECT_TRUE(aar->results.methods.empty());
}

// RFC 8617 4.1.1: arc-info = instance [CFWS] ";" authres-payload. The suite's aar_i_* and
// aar_struct_* cases.
TEST(ArcAuthenticationResultsParse, RejectsAMissingOrMisplacedInstance) {
  for (std::string_view value : {
           "lists.example.org; spf=pass smtp.mfrom=jqd@d1.example",         // aar_i_missing
           "lists.example.org; i=1; spf=pass smtp.mfrom=jqd@d1.example",    // aar_i_not_prefixed
           "i=1 lists.example.org; spf=pass smtp.mfrom=jqd@d1.example",     // aar_i_no_semi
           "i=; lists.example.org; spf=pass smtp.mfrom=jqd@d1.example",     // aar_struct_i_empty
           "i=0; lists.example.org; spf=pass smtp.mfrom=jqd@d1.example",    // aar_struct_i_zero
           "i=abc; lists.example.org; spf=pass smtp.mfrom=jqd@d1.example",  // aar_struct_invalid
           "i=1;",                                                          // no authserv-id
           "i=1; ; spf=pass",
           "",
       }) {
    auto aar = parse_authentication_results(value);
    EXPECT_FALSE(aar) << value << " gave i=" << aar->instance;
  }
}

}  // namespace
}  // namespace hallmark::arc
