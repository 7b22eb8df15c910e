// SPDX-License-Identifier: Apache-2.0
// Domain names: validation in each syntax, comparison, label arithmetic and IDNA conversion.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "hallmark/core/domain.hpp"

namespace hallmark::core {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

std::string label_of(std::size_t length, char c = 'a') { return std::string(length, c); }

// A valid name of exactly `length` octets: 63-octet labels joined by dots.
std::string name_of_length(std::size_t length) {
  std::string name;
  while (name.size() < length) {
    if (!name.empty()) name += '.';
    name += label_of(std::min<std::size_t>(63, length - name.size()), 'b');
  }
  return name;
}

TEST(DomainValidate, AcceptsHostNames) {
  for (std::string_view name :
       {"example.com"sv, "EXAMPLE.com."sv, "a"sv, "a-b.c-d.example"sv, "3com.example"sv,
        "123.example"sv, "xn--bcher-kva.example"sv, "a1.b2.c3"sv}) {
    Expected<void> valid = validate_domain(name);
    EXPECT_TRUE(valid) << name << ": " << valid.error().message;
    EXPECT_TRUE(is_valid_domain(name)) << name;
  }
}

TEST(DomainValidate, AcceptsLimitLengths) {
  std::string longest_label = label_of(63) + ".example";
  std::string longest_name = name_of_length(253);
  ASSERT_EQ(longest_name.size(), 253u);
  for (const std::string& name : {longest_label, longest_name, longest_name + "."}) {
    Expected<void> valid = validate_domain(name);
    EXPECT_TRUE(valid) << name << ": " << valid.error().message;
  }
}

TEST(DomainValidate, RejectsLabelOver63Octets) {
  std::string name = "x." + label_of(64) + ".example";
  Expected<void> valid = validate_domain(name);
  ASSERT_FALSE(valid);
  EXPECT_EQ(valid.error().code, Errc::too_long);
  EXPECT_EQ(valid.error().offset, 2u);
  EXPECT_EQ(valid.error().message, "label 'aaaaaaaaaaaaaaaaaaaa...' is longer than 63 octets");
  EXPECT_FALSE(is_valid_domain(name, DomainSyntax::dns));
}

TEST(DomainValidate, RejectsNameOver253Octets) {
  for (const std::string& name : {name_of_length(254), name_of_length(254) + ".",
                                  name_of_length(10 * 1024), std::string(10 * 1024, '.')}) {
    Expected<void> valid = validate_domain(name, DomainSyntax::dns);
    ASSERT_FALSE(valid) << name.size();
    EXPECT_EQ(valid.error().code, Errc::too_long) << name.size();
    EXPECT_LT(valid.error().message.size(), 200u);
  }
}

TEST(DomainValidate, RejectsEmptyNamesAndLabels) {
  struct {
    std::string_view name;
    std::size_t offset;
  } cases[] = {{"", 0},          {".", 0},    {"..", 0},
               {".example", 0},  {"a..b", 2}, {"abcd..example", 5},
               {"example..", 8}, {"a.b.", 99}};
  for (auto [name, offset] : cases) {
    Expected<void> valid = validate_domain(name, DomainSyntax::dns);
    if (offset == 99) {
      EXPECT_TRUE(valid) << name;
      continue;
    }
    ASSERT_FALSE(valid) << name;
    EXPECT_EQ(valid.error().code, Errc::syntax) << name;
    EXPECT_EQ(valid.error().offset, offset) << name;
  }
  EXPECT_EQ(validate_domain("abcd..example").error().message,
            "empty label at offset 5 in 'abcd..example'");
}

TEST(DomainValidate, LdhRejectsBadCharactersAndHyphens) {
  struct {
    std::string_view name;
    std::size_t offset;
    std::string_view message;
  } cases[] = {
      {"ex@mple.com", 2, "invalid character '@' at offset 2 in label 'ex@mple'"},
      {"a b.com", 1, "invalid character ' ' at offset 1 in label 'a b'"},
      {"_dmarc.example.com", 0, "invalid character '_' at offset 0 in label '_dmarc'"},
      {"a_b.com", 1, "invalid character '_' at offset 1 in label 'a_b'"},
      {"-ab.com", 0, "label '-ab' starts with a hyphen"},
      {"x.ab-.com", 4, "label 'ab-' ends with a hyphen"},
      {"x.-", 2, "label '-' starts with a hyphen"},
      {"b\xc3\xbc"
       "cher.example",
       1,
       "invalid character '\\xc3' at offset 1 in label "
       "'b\\xc3\\xbccher'"},
      {"a\0b.com"sv, 1, "invalid character '\\x00' at offset 1 in label 'a\\x00b'"},
  };
  for (auto [name, offset, message] : cases) {
    Expected<void> valid = validate_domain(name, DomainSyntax::ldh);
    ASSERT_FALSE(valid) << name;
    EXPECT_EQ(valid.error().code, Errc::syntax) << name;
    EXPECT_EQ(valid.error().offset, offset) << name;
    EXPECT_EQ(valid.error().message, message) << name;
  }
}

TEST(DomainValidate, UnderscoreModeAcceptsServiceLabels) {
  for (std::string_view name :
       {"_dmarc.example.com"sv, "sel._domainkey.example.com"sv,
        "example.com._report._dmarc.example.net"sv, "_spf.example"sv, "_a-1.example"sv}) {
    Expected<void> valid = validate_domain(name, DomainSyntax::ldh_underscore);
    EXPECT_TRUE(valid) << name << ": " << valid.error().message;
    EXPECT_FALSE(is_valid_domain(name, DomainSyntax::ldh)) << name;
  }
  for (std::string_view name : {"a_b.example"sv, "_.example"sv, "__x.example"sv, "_-a.example"sv,
                                "_a-.example"sv, "x_.example"sv}) {
    EXPECT_FALSE(is_valid_domain(name, DomainSyntax::ldh_underscore)) << name;
  }
}

TEST(DomainValidate, DnsModeAcceptsAnyOctetButDotAndNul) {
  for (std::string_view name : {"a_b.example"sv, "ex@mple.com"sv, "-.example"sv, "a b.c"sv,
                                "b\xc3\xbc"
                                "cher.example"sv,
                                "\xff\x80.x"sv}) {
    Expected<void> valid = validate_domain(name, DomainSyntax::dns);
    EXPECT_TRUE(valid) << name << ": " << valid.error().message;
  }
  Expected<void> nul = validate_domain("abc.d\0e"sv, DomainSyntax::dns);
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().offset, 5u);
  EXPECT_EQ(nul.error().message, "NUL octet at offset 5 in label 'd\\x00e'");
}

// is_valid_domain() takes a one-pass shortcut; validate_domain() inspects label by label to
// say what is wrong. Every name of up to five octets over an alphabet with each kind of octet
// that matters must get the same answer from both, in every syntax.
TEST(DomainValidate, ShortcutAgreesWithFullInspection) {
  constexpr std::string_view alphabet("a1-_.\0 \xff", 8);
  std::string name;
  std::size_t names = 0;
  const auto visit = [&](const auto& self, std::size_t length) -> void {
    for (DomainSyntax syntax :
         {DomainSyntax::dns, DomainSyntax::ldh, DomainSyntax::ldh_underscore}) {
      EXPECT_EQ(is_valid_domain(name, syntax), validate_domain(name, syntax).has_value())
          << '\'' << name << "' in syntax " << static_cast<int>(syntax);
    }
    ++names;
    if (length == 5) return;
    for (char c : alphabet) {
      name.push_back(c);
      self(self, length + 1);
      name.pop_back();
    }
  };
  visit(visit, 0);
  EXPECT_EQ(names, 1u + 8 + 64 + 512 + 4096 + 32768);
  for (std::string name_at_limit : {name_of_length(253), name_of_length(253) + ".",
                                    name_of_length(254), label_of(63) + ".x", label_of(64) + ".x"})
    for (DomainSyntax syntax : {DomainSyntax::dns, DomainSyntax::ldh})
      EXPECT_EQ(is_valid_domain(name_at_limit, syntax),
                validate_domain(name_at_limit, syntax).has_value())
          << name_at_limit.size();
}

TEST(DomainCompare, EqualIgnoresCaseAndOneTrailingDot) {
  struct {
    std::string_view a, b;
    bool equal;
  } cases[] = {
      {"Example.COM", "example.com", true},
      {"example.com.", "EXAMPLE.com", true},
      {"example.com.", "example.com.", true},
      {"example.com..", "example.com", false},
      {"example.com", "example.org", false},
      {"a.example.com", "example.com", false},
      {"", "", true},
      {"", ".", true},
      {"\xc3\x9c.x", "\xc3\xbc.x", false},  // no Unicode case folding: compare A-labels
  };
  for (auto [a, b, equal] : cases) {
    EXPECT_EQ(domain_equal(a, b), equal) << a << " vs " << b;
    EXPECT_EQ(domain_equal(b, a), equal) << b << " vs " << a;
  }
}

TEST(DomainCompare, LowerAsciiLeavesOtherOctets) {
  EXPECT_EQ(to_lower_ascii("MiXeD.Example.COM."), "mixed.example.com.");
  EXPECT_EQ(to_lower_ascii("B\xc3\x9c"
                           "CHER"),
            "b\xc3\x9c"
            "cher");
  EXPECT_EQ(to_lower_ascii("A\0B"sv), "a\0b"s);
  EXPECT_EQ(strip_trailing_dot("a.b."), "a.b");
  EXPECT_EQ(strip_trailing_dot("a.b.."), "a.b.");
  EXPECT_EQ(strip_trailing_dot(""), "");
}

TEST(DomainLabels, SplitsAndCounts) {
  struct {
    std::string_view name;
    std::vector<std::string_view> labels;
  } cases[] = {
      {"", {}},
      {".", {}},
      {"com", {"com"}},
      {"com.", {"com"}},
      {"a.b.c", {"a", "b", "c"}},
      {"Mail.Example.COM.", {"Mail", "Example", "COM"}},
      {"a..b", {"a", "", "b"}},
  };
  for (const auto& [name, labels] : cases) {
    EXPECT_EQ(split_labels(name), labels) << name;
    EXPECT_EQ(label_count(name), labels.size()) << name;
  }
}

TEST(DomainLabels, ParentDropsFirstLabel) {
  struct {
    std::string_view name, parent;
  } cases[] = {
      {"a.b.c", "b.c"}, {"b.c", "c"}, {"c", ""},     {"c.", ""}, {"a.b.c.", "b.c."},
      {"", ""},         {".", ""},    {"..x", ".x"}, {"..", ""},
  };
  for (auto [name, parent] : cases) EXPECT_EQ(parent_domain(name), parent) << name;
}

TEST(DomainLabels, SubdomainIsLabelAligned) {
  struct {
    std::string_view child, parent;
    bool inside;
  } cases[] = {
      {"example.com", "example.com", true},
      {"mail.example.com", "example.com", true},
      {"a.b.Mail.EXAMPLE.com.", "example.COM", true},
      {"mail.example.com", "example.com.", true},
      {"badexample.com", "example.com", false},
      {"example.com", "mail.example.com", false},
      {"example.com", "com", true},
      {"example.com", "", false},  // an empty organizational domain aligns nothing
      {"", "example.com", false},
      {"", "", false},
      {"example.com", ".", false},
      {"x.example.org", "example.com", false},
  };
  for (auto [child, parent, inside] : cases)
    EXPECT_EQ(is_subdomain_of(child, parent), inside) << child << " under " << parent;
}

TEST(DomainIdna, AsciiIsValidatedAndLowered) {
  struct {
    std::string_view input, output;
  } cases[] = {
      {"Example.COM", "example.com"},
      {"XN--BCHER-KVA.example.", "xn--bcher-kva.example."},
      {"mail.example", "mail.example"},
  };
  for (auto [input, output] : cases) {
    Expected<std::string> converted = to_a_label(input);
    ASSERT_TRUE(converted) << input << ": " << converted.error().message;
    EXPECT_EQ(*converted, output);
  }
  EXPECT_FALSE(to_a_label("_dmarc.example"));
  EXPECT_EQ(to_a_label("_dmarc.Example", DomainSyntax::ldh_underscore).value_or(""),
            "_dmarc.example");
  Expected<std::string> bad = to_a_label("a..b");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().offset, 2u);
}

TEST(DomainIdna, ConvertsULabelsToALabels) {
  struct {
    std::string_view input, output;
  } cases[] = {
      {"b\xc3\xbc"
       "cher.example",
       "xn--bcher-kva.example"},
      {"B\xc3\x9c"
       "CHER.Example",
       "xn--bcher-kva.example"},                                         // ÜCHER
      {"\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",  // 例え.テスト
       "xn--r8jz45g.xn--zckzah"},
      {"fa\xc3\x9f.de", "xn--fa-hia.de"},        // non-transitional: ß stays ß
      {"u\xcc\x88.example", "xn--tda.example"},  // u + combining diaeresis, NFC to ü
      {"\xc3\xbc.example.", "xn--tda.example."},
      {"_dmarc.b\xc3\xbc"
       "cher.example",
       "_dmarc.xn--bcher-kva.example"},
  };
  for (auto [input, output] : cases) {
    DomainSyntax syntax = input.starts_with("_") ? DomainSyntax::ldh_underscore : DomainSyntax::ldh;
    Expected<std::string> converted = to_a_label(input, syntax);
    ASSERT_TRUE(converted) << input << ": " << converted.error().message;
    EXPECT_EQ(*converted, output) << input;
  }
}

TEST(DomainIdna, RejectsBadUtf8) {
  struct {
    std::string_view input;
    std::size_t offset;
  } cases[] = {
      {"\x80.example", 0},              // lone continuation byte
      {"ab\xc3", 2},                    // truncated two-octet sequence
      {"a\xe4\xbe.example", 1},         // truncated three-octet sequence
      {"\xc0\xaf.example", 0},          // overlong '/'
      {"\xe0\x80\xaf.example", 0},      // overlong, three octets
      {"\xed\xa0\x80.example", 0},      // UTF-16 surrogate
      {"\xf4\x90\x80\x80.example", 0},  // past U+10FFFF
      {"\xc3\xbc\xff.example", 2},      // 0xff never appears in UTF-8
      {"\xc3\xbc.ex\xc3(ample", 5},     // bad continuation
  };
  for (auto [input, offset] : cases) {
    Expected<std::string> converted = to_a_label(input);
    ASSERT_FALSE(converted) << input;
    EXPECT_EQ(converted.error().code, Errc::bad_encoding) << input;
    EXPECT_EQ(converted.error().offset, offset) << input;
    EXPECT_NE(converted.error().message.find("invalid UTF-8"), std::string::npos);
  }
}

TEST(DomainIdna, RejectsNulAndDisallowedCodePoints) {
  struct {
    std::string_view input;
    Errc code;
  } cases[] = {
      {"\xc3\xbc\0.example"sv, Errc::bad_encoding},
      {"\xe2\x80\x8d.example", Errc::bad_encoding},      // bare ZWJ (CONTEXTJ)
      {"\xf0\x9f\x98\x80.example", Errc::bad_encoding},  // emoji, disallowed in IDNA2008
      {"-b\xc3\xbc"
       "cher.example",
       Errc::bad_encoding},                // leading hyphen (libidn2)
      {"\xc3\xbc.ex@mple", Errc::syntax},  // UTS #46 passes '@' through
      {"b\xc3\xbc"
       "cher..example",
       Errc::syntax},  // and empty labels
      {"\xc3\xbc.a_b", Errc::syntax},
  };
  for (auto [input, code] : cases) {
    Expected<std::string> converted = to_a_label(input);
    ASSERT_FALSE(converted) << input;
    EXPECT_EQ(converted.error().code, code) << input << ": " << converted.error().message;
  }
}

TEST(DomainIdna, RejectsOverlongInput) {
  std::string ue = "\xc3\xbc";
  std::string long_label;
  for (int i = 0; i < 60; ++i) long_label += ue;  // 60 ü: A-label far over 63 octets
  std::string many_labels;
  for (int i = 0; i < 80; ++i) many_labels += ue + ".";  // 80 × "xn--tda." = 640 octets
  std::string huge;
  for (int i = 0; i < 5 * 1024; ++i) huge += ue;  // 10 KB
  for (const std::string& input : {long_label + ".example", many_labels + "example", huge}) {
    Expected<std::string> converted = to_a_label(input);
    ASSERT_FALSE(converted) << input.size();
    EXPECT_EQ(converted.error().code, Errc::too_long) << converted.error().message;
    EXPECT_LT(converted.error().message.size(), 400u);
  }
  Expected<std::string> huge_error = to_a_label(huge);
  EXPECT_NE(huge_error.error().message.find("1024"), std::string::npos);
}

TEST(DomainIdna, ULabelsForDisplay) {
  struct {
    std::string_view input, output;
  } cases[] = {
      {"xn--bcher-kva.example",
       "b\xc3\xbc"
       "cher.example"},
      {"XN--BCHER-KVA.Example",
       "b\xc3\xbc"
       "cher.example"},
      {"xn--r8jz45g.xn--zckzah", "\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88"},
      {"xn--zca.de", "\xc3\x9f.de"},
      {"b\xc3\xbc"
       "cher.example",
       "b\xc3\xbc"
       "cher.example"},
      {"Plain.Example", "plain.example"},
  };
  for (auto [input, output] : cases) {
    Expected<std::string> converted = to_u_label(input);
    ASSERT_TRUE(converted) << input << ": " << converted.error().message;
    EXPECT_EQ(*converted, output) << input;
  }
}

TEST(DomainIdna, RejectsALabelsThatDoNotRoundTrip) {
  // "xn--a" decodes to nothing, "xn--wca" to an upper-case Ü that IDNA2008 never produces,
  // "xn--99999999" to a code point past U+10FFFF.
  for (std::string_view input : {"xn--a.example"sv, "xn--wca.example"sv, "xn--99999999.x"sv}) {
    Expected<std::string> converted = to_u_label(input);
    ASSERT_FALSE(converted) << input;
    EXPECT_EQ(converted.error().code, Errc::bad_encoding) << input;
  }
  // A bare "xn--" label ends with a hyphen: not even LDH.
  Expected<std::string> bare = to_u_label("xn--.example");
  ASSERT_FALSE(bare);
  EXPECT_EQ(bare.error().code, Errc::syntax);
}

}  // namespace
}  // namespace hallmark::core
