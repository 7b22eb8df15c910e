// SPDX-License-Identifier: Apache-2.0
// DKIM-Signature parsing (RFC 6376 3.5): the fields of a good signature, and every rejection
// with an error that names the offending tag.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "hallmark/dkim/parse.hpp"

namespace hallmark::dkim {
namespace {

using core::Errc;
using ::testing::HasSubstr;

// "From" and "To" as base64 stand-ins for b= and bh=; only their syntax matters here.
constexpr std::string_view b64_b = "RnJvbSBhbmQgVG8gc2lnbmVk";
constexpr std::string_view b64_bh = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";

// Every required tag of a good signature, by name, in a fixed order.
struct Tags {
  std::vector<std::pair<std::string, std::string>> list = {
      {"v", "1"},   {"a", "rsa-sha256"}, {"c", "relaxed/simple"},     {"d", "example.com"},
      {"s", "sel"}, {"h", "From:To"},    {"bh", std::string(b64_bh)}, {"b", std::string(b64_b)}};

  Tags& set(const std::string& name, const std::string& value) {
    for (auto& [tag, text] : list)
      if (tag == name) {
        text = value;
        return *this;
      }
    list.emplace_back(name, value);
    return *this;
  }
  Tags& drop(const std::string& name) {
    std::erase_if(list, [&](const auto& tag) { return tag.first == name; });
    return *this;
  }
  std::string text() const {
    std::string out;
    for (const auto& [tag, value] : list) out += (out.empty() ? "" : "; ") + tag + "=" + value;
    return out;
  }
};

TEST(DkimSignatureParse, ReadsEveryTag) {
  std::string text =
      " v=1; a=ed25519-sha256; c=simple/relaxed;\r\n\td=Example.COM; s=brisbane; "
      "i=joe=40sub.example.com;"
      " l=1234; q=dns/txt; t=1528637909; x=1528637999;\r\n h = From : To :\r\n\tSubject ;"
      " z=From:foo@eng.example.net; bh=" +
      std::string(b64_bh) + "; b=RnJvbSBh\r\n\t bmQgVG8g c2lnbmVk";
  auto signature = parse_signature(text);
  ASSERT_TRUE(signature) << signature.error().message;
  EXPECT_EQ(signature->algorithm, Algorithm::ed25519_sha256);
  EXPECT_EQ(signature->header_canonicalization, Canonicalization::simple);
  EXPECT_EQ(signature->body_canonicalization, Canonicalization::relaxed);
  EXPECT_EQ(signature->domain, "Example.COM");
  EXPECT_EQ(signature->selector, "brisbane");
  EXPECT_EQ(signature->auid, "joe@sub.example.com");  // DKIM quoted-printable decoded
  EXPECT_EQ(signature->body_length, 1234u);
  EXPECT_EQ(signature->timestamp, 1528637909);
  EXPECT_EQ(signature->expiration, 1528637999);
  EXPECT_THAT(signature->signed_headers, ::testing::ElementsAre("From", "To", "Subject"));
  EXPECT_EQ(signature->signature, "From and To signed");  // folded base64 decoded
  // b= is located with its folding, up to the end of the value, for hashing it as empty.
  EXPECT_EQ(text.substr(signature->b_value_offset, signature->b_value_length),
            "RnJvbSBh\r\n\t bmQgVG8g c2lnbmVk");
}

TEST(DkimSignatureParse, AppliesDefaults) {
  auto signature = parse_signature(Tags().drop("c").text());
  ASSERT_TRUE(signature) << signature.error().message;
  // RFC 6376 3.5: c= defaults to simple/simple, i= to "@" + d=, no l=, t= or x=.
  EXPECT_EQ(signature->header_canonicalization, Canonicalization::simple);
  EXPECT_EQ(signature->body_canonicalization, Canonicalization::simple);
  EXPECT_EQ(signature->auid, "@example.com");
  EXPECT_FALSE(signature->body_length);
  EXPECT_FALSE(signature->timestamp);
  EXPECT_FALSE(signature->expiration);

  // "c=relaxed" alone is relaxed headers with a simple body.
  auto relaxed = parse_signature(Tags().set("c", "relaxed").text());
  ASSERT_TRUE(relaxed) << relaxed.error().message;
  EXPECT_EQ(relaxed->header_canonicalization, Canonicalization::relaxed);
  EXPECT_EQ(relaxed->body_canonicalization, Canonicalization::simple);
}

TEST(DkimSignatureParse, AcceptsWhatTheRfcAllows) {
  const std::string cases[] = {
      Tags().set("h", "from").text(),                       // field names are case-insensitive
      Tags().set("h", "To:FROM:from:x-Oversigned").text(),  // repeats and absent fields
      Tags().set("i", "@example.com").text(),
      Tags().set("i", "user@mail.sub.example.com").text(),  // a subdomain of d=
      Tags().set("q", "dns/txt").text(),
      Tags().set("q", "foo/bar:dns/txt").text(),  // one acceptable method among others
      Tags().set("l", "0").text(),
      // l= may have 76 digits; a verifier only needs to see it is longer than any body.
      Tags().set("l", std::string(76, '9')).text(), Tags().set("t", "0").set("x", "1").text(),
      Tags().set("x", "1").text(),  // x= alone: nothing to compare with
      Tags().set("unknown_tag", "ignored").text(),
      Tags().text() + ";",  // a trailing ';' is allowed
  };
  for (const std::string& text : cases) {
    auto signature = parse_signature(text);
    EXPECT_TRUE(signature) << text << ": " << signature.error().message;
  }
  auto huge = parse_signature(Tags().set("l", std::string(76, '9')).text());
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->body_length, UINT64_MAX);  // saturated, not wrapped
}

TEST(DkimSignatureParse, EachMissingRequiredTagIsNamed) {
  for (std::string tag : {"v", "a", "b", "bh", "d", "h", "s"}) {
    auto signature = parse_signature(Tags().drop(tag).text());
    ASSERT_FALSE(signature) << "without " << tag;
    EXPECT_EQ(signature.error().code, Errc::missing_tag) << tag;
    EXPECT_THAT(signature.error().message, HasSubstr("tag '" + tag + "'"));
  }
}

TEST(DkimSignatureParse, RejectionsNameTheTag) {
  struct {
    std::string text;
    Errc code;
    std::string tag;
  } cases[] = {
      {Tags().text() + "; d=example.org", Errc::duplicate_tag, "d"},
      {Tags().text() + "; bh=" + std::string(b64_bh), Errc::duplicate_tag, "bh"},
      {Tags().set("v", "2").text(), Errc::unsupported, "v"},
      {Tags().set("v", "0.5").text(), Errc::unsupported, "v"},
      {Tags().set("a", "rsa-md5").text(), Errc::unsupported, "a"},
      {Tags().set("a", "RSA-SHA256").text(), Errc::unsupported, "a"},
      {Tags().set("b", "not*base64").text(), Errc::bad_value, "b"},
      {Tags().set("b", "").text(), Errc::bad_value, "b"},
      {Tags().set("b", "QUJD=").text(), Errc::bad_value, "b"},  // bad padding
      {Tags().set("bh", "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8").text(), Errc::bad_value,
       "bh"},
      {Tags().set("bh", "").text(), Errc::bad_value, "bh"},
      {Tags().set("c", "fancy/simple").text(), Errc::bad_value, "c"},
      {Tags().set("c", "simple/").text(), Errc::bad_value, "c"},
      {Tags().set("d", "").text(), Errc::bad_value, "d"},
      {Tags().set("d", "exa mple.com").text(), Errc::bad_value, "d"},
      {Tags().set("s", "").text(), Errc::bad_value, "s"},
      {Tags().set("h", "To:Subject").text(), Errc::bad_value, "h"},  // RFC 6376 5.4: From is a MUST
      {Tags().set("h", "From::To").text(), Errc::bad_value, "h"},
      {Tags().set("i", "joe@example.org").text(), Errc::bad_value, "i"},
      {Tags().set("i", "joe@notexample.com").text(), Errc::bad_value,
       "i"},  // a suffix, not a subdomain
      {Tags().set("i", "joe").text(), Errc::bad_value, "i"},
      {Tags().set("i", "joe=4@example.com").text(), Errc::bad_value, "i"},  // bad quoted-printable
      {Tags().set("l", "-1").text(), Errc::bad_value, "l"},
      {Tags().set("l", "12a").text(), Errc::bad_value, "l"},
      {Tags().set("l", "").text(), Errc::bad_value, "l"},
      {Tags().set("l", std::string(77, '9')).text(), Errc::bad_value, "l"},
      {Tags().set("q", "dns").text(), Errc::bad_value, "q"},
      {Tags().set("q", "http").text(), Errc::bad_value, "q"},
      {Tags().set("t", "soon").text(), Errc::bad_value, "t"},
      {Tags().set("t", "1234567890123").text(), Errc::bad_value, "t"},
      {Tags().set("x", "-5").text(), Errc::bad_value, "x"},
      {Tags().set("t", "1000").set("x", "1000").text(), Errc::bad_value, "x"},  // RFC 6376 3.5:
      {Tags().set("t", "1000").set("x", "999").text(), Errc::bad_value, "x"},   // x= after t=
  };
  for (const auto& test : cases) {
    auto signature = parse_signature(test.text);
    ASSERT_FALSE(signature) << test.text;
    EXPECT_EQ(signature.error().code, test.code) << test.text << ": " << signature.error().message;
    EXPECT_THAT(signature.error().message, HasSubstr("tag '" + test.tag + "'")) << test.text;
  }
}

TEST(DkimSignatureParse, TagListSyntaxErrorsSaySo) {
  const std::string cases[] = {
      "v=1; a=rsa-sha256;; d=example.com",  // empty tag-spec
      "v=1; 4a=rsa-sha256",                 // a name must start with a letter
      "v=1; a rsa-sha256",                  // no '='
      "v=1; a=rsa\x01sha256",               // a control character in a value
  };
  for (const std::string& text : cases) {
    auto signature = parse_signature(text);
    ASSERT_FALSE(signature) << text;
    EXPECT_EQ(signature.error().code, Errc::syntax) << text << ": " << signature.error().message;
  }
}

TEST(DkimQuotedPrintable, DecodesEscapesAndDropsFoldingWhiteSpace) {
  struct {
    std::string_view text, decoded;
  } cases[] = {{"jlong=40messiah.edu", "jlong@messiah.edu"},
               {"=6Along@messiah.edu", "jlong@messiah.edu"},
               {"jlong@messiah=2Eedu", "jlong@messiah.edu"},
               {"a=3Bb\r\n c", "a;bc"},
               {"", ""}};
  for (auto [text, decoded] : cases) {
    auto out = decode_dkim_quoted_printable(text);
    ASSERT_TRUE(out) << text;
    EXPECT_EQ(*out, decoded) << text;
  }
  for (std::string_view bad : {"=", "=4", "=G0", "abc=4x"}) {
    auto out = decode_dkim_quoted_printable(bad);
    ASSERT_FALSE(out) << bad;
    EXPECT_EQ(out.error().code, Errc::bad_encoding) << bad;
  }
}

}  // namespace
}  // namespace hallmark::dkim
