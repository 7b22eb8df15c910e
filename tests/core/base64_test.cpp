// SPDX-License-Identifier: Apache-2.0
// Base64: RFC 4648 vectors, folding white space, strict padding, garbage and large inputs.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/base64.hpp"

namespace hallmark::core {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

TEST(Base64Decode, Rfc4648Vectors) {
  struct {
    std::string_view text, bytes;
  } cases[] = {
      {"", ""},
      {"Zg==", "f"},
      {"Zm8=", "fo"},
      {"Zm9v", "foo"},
      {"Zm9vYg==", "foob"},
      {"Zm9vYmE=", "fooba"},
      {"Zm9vYmFy", "foobar"},
      {"AA==", "\0"sv},
      {"//79", "\xff\xfe\xfd"},
      {"+/+/", "\xfb\xff\xbf"},
  };
  for (auto [text, bytes] : cases) {
    Expected<std::string> decoded = base64_decode(text);
    ASSERT_TRUE(decoded) << text << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, bytes) << text;
    EXPECT_EQ(base64_encode(bytes), text) << text;
  }
}

TEST(Base64Decode, SkipsFoldingWhiteSpaceAnywhere) {
  // RFC 6376 3.5: b=, bh= and p= may be folded: FWS between any two characters.
  struct {
    std::string_view text, bytes;
  } cases[] = {
      {"Zm9v YmFy", "foobar"},
      {" Zm9vYmFy ", "foobar"},
      {"Z m 9 v Y m F y", "foobar"},
      {"Zm9v\r\n\tYmFy", "foobar"},
      {"Zm9vYg\r\n =\r\n =", "foob"},
      {"Zm9vYmE= \r\n", "fooba"},
      {"Zg\t=\t=\t", "f"},
      {" \t\r\n", ""},
  };
  for (auto [text, bytes] : cases) {
    Expected<std::string> decoded = base64_decode(text);
    ASSERT_TRUE(decoded) << text << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, bytes) << text;
  }
}

TEST(Base64Decode, RejectsInvalidCharactersNamingThem) {
  struct {
    std::string_view text;
    std::size_t offset;
    std::string_view message;
  } cases[] = {
      {"Zm9v!mFy", 4, "invalid character '!' at offset 4 in base64"},
      {"Zm9vYmF-", 7, "invalid character '-' at offset 7 in base64"},  // base64url
      {"Zm9v_mFy", 4, "invalid character '_' at offset 4 in base64"},
      {"Zm\0vYmFy"sv, 2, "invalid character 0x00 at offset 2 in base64"},
      {"Zm9vYmFy\x0b", 8, "invalid character 0x0b at offset 8 in base64"},
      {"Zm9v\xc3\xa9mFy", 4, "invalid character 0xc3 at offset 4 in base64"},
      {"Zm9v;", 4, "invalid character ';' at offset 4 in base64"},
      {"Zg==!", 4, "invalid character '!' at offset 4 in base64"},
  };
  for (auto [text, offset, message] : cases) {
    Expected<std::string> decoded = base64_decode(text);
    ASSERT_FALSE(decoded) << text;
    EXPECT_EQ(decoded.error().code, Errc::bad_encoding) << text;
    EXPECT_EQ(decoded.error().offset, offset) << text;
    EXPECT_EQ(decoded.error().message, message) << text;
  }
}

TEST(Base64Decode, RejectsMisplacedOrWrongPadding) {
  struct {
    std::string_view text;
    std::size_t offset;
    std::string_view message;
  } cases[] = {
      {"Zg=", 2, "base64 has 1 '=' padding where 2 belong, at offset 2"},
      {"Zm8==", 3, "base64 has 2 '=' padding where 1 belong, at offset 3"},
      {"Zm9v=", 4, "base64 has 1 '=' padding where 0 belong, at offset 4"},
      {"Zg===", 4, "too much '=' padding at offset 4"},
      {"Zg==Zg==", 4, "base64 data after '=' padding at offset 4"},
      {"Z=g=", 2, "base64 data after '=' padding at offset 2"},
      {"=", 0, "base64 has 1 '=' padding where 0 belong, at offset 0"},
      {"====", 2, "too much '=' padding at offset 2"},
      {"Zg", 2, "base64 is missing 2 '=' padding at offset 2"},
      {"Zm8", 3, "base64 is missing 1 '=' padding at offset 3"},
      {"Zm9vY", 4, "base64 ends in a lone character at offset 4"},
      {"Zm9vY===", 7, "too much '=' padding at offset 7"},
      {"Zm9vY=", 4, "base64 ends in a lone character at offset 4"},
  };
  for (auto [text, offset, message] : cases) {
    Expected<std::string> decoded = base64_decode(text);
    ASSERT_FALSE(decoded) << text;
    EXPECT_EQ(decoded.error().code, Errc::bad_encoding) << text;
    EXPECT_EQ(decoded.error().message, message) << text;
    EXPECT_EQ(decoded.error().offset, offset) << text;
  }
}

TEST(Base64Decode, AcceptsNonZeroPadBits) {
  // RFC 4648 3.5 lets a decoder accept them; the byte value is unaffected.
  EXPECT_EQ(base64_decode("Zh==").value_or("?"), "f");
  EXPECT_EQ(base64_decode("Zm9=").value_or("?"), "fo");
}

TEST(Base64Decode, HandlesLargeInput) {
  std::string bytes;
  for (int i = 0; i < 3 * 1024 * 1024 + 1; ++i) bytes += static_cast<char>(i * 7 + (i >> 8));
  std::string text = base64_encode(bytes);
  Expected<std::string> decoded = base64_decode(text);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, bytes);

  // Folded at 76 columns like a p= record in a zone file.
  std::string folded;
  for (std::size_t i = 0; i < text.size(); i += 76) folded += text.substr(i, 76) + "\r\n\t";
  decoded = base64_decode(folded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, bytes);

  std::string garbage = text;
  garbage[garbage.size() / 2] = '*';
  decoded = base64_decode(garbage);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().offset, garbage.size() / 2);

  EXPECT_EQ(base64_decode(std::string(4 * 1024 * 1024, ' ')).value_or("?"), "");
  EXPECT_FALSE(base64_decode(std::string(1024 * 1024, '=')));
  EXPECT_FALSE(base64_decode(std::string(1024 * 1024 + 1, 'A')));
}

TEST(Base64Encode, EveryLengthRoundTrips) {
  std::vector<std::uint8_t> bytes;
  for (int length = 0; length < 300; ++length) {
    std::string text = base64_encode(bytes);
    EXPECT_EQ(text.size(), (bytes.size() + 2) / 3 * 4);
    Expected<std::string> decoded = base64_decode(text);
    ASSERT_TRUE(decoded) << length << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, std::string(bytes.begin(), bytes.end())) << length;
    bytes.push_back(static_cast<std::uint8_t>(length * 131 + 17));
  }
}

TEST(Base64Encode, SpanAndStringViewAgree) {
  std::vector<std::uint8_t> bytes = {0x00, 0xff, 0x10, 0x80, 0x7f};
  std::string text(bytes.begin(), bytes.end());
  EXPECT_EQ(base64_encode(bytes), base64_encode(std::string_view(text)));
  EXPECT_EQ(base64_encode(bytes), "AP8QgH8=");
}

}  // namespace
}  // namespace hallmark::core
