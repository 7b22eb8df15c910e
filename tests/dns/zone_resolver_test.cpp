// SPDX-License-Identifier: Apache-2.0
// ZoneResolver: the master-file subset of DESIGN.md, its errors, and lookup semantics
// (NXDOMAIN/NODATA, CNAME chains, wildcards, TIMEOUT/SERVFAIL markers, TTLs).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark::dns {
namespace {

// Compact dump: status, TTL, the CNAME chain, then each record in presentation form.
std::string dump(const Answer& answer) {
  std::string out = std::string(to_string(answer.status)) + " " + std::to_string(answer.ttl);
  if (!answer.cname.empty() && answer.type != Type::cname) {
    out += " via";
    for (const std::string& hop : answer.cname) out += " " + hop;
  }
  if (answer.type == Type::cname && !answer.cname.empty()) out += " " + answer.cname[0];
  for (const std::string& data : record_data(answer)) out += " " + data;
  return out;
}

ZoneResolver load(std::string_view text) {
  core::Expected<ZoneResolver> zone = ZoneResolver::from_text(text, "t.zone", "example.test.");
  EXPECT_TRUE(zone) << zone.error().message;
  return zone ? std::move(*zone) : ZoneResolver();
}

std::string ask(const ZoneResolver& zone, std::string_view name, Type type) {
  return dump(zone.answer(name, type));
}

TEST(ZoneFile, ParsesEveryConstruct) {
  struct Case {
    std::string_view text, name;
    Type type;
    std::string_view expected;
  };
  const Case cases[] = {
      {"www 60 IN A 192.0.2.1", "www.example.test", Type::a, "noerror 60 192.0.2.1"},
      {"$ORIGIN other.test.\nwww 60 A 192.0.2.1", "www.other.test", Type::a,
       "noerror 60 192.0.2.1"},
      {"$ORIGIN sub\nwww 60 A 192.0.2.1", "www.sub.example.test", Type::a, "noerror 60 192.0.2.1"},
      {"@ 60 A 192.0.2.1", "example.test", Type::a, "noerror 60 192.0.2.1"},
      {"host.else.test. 60 A 192.0.2.1", "host.else.test", Type::a, "noerror 60 192.0.2.1"},
      {"a 60 A 192.0.2.1\n  60 AAAA 2001:db8::1", "a.example.test", Type::aaaa,
       "noerror 60 2001:db8::1"},
      {"a IN 60 A 192.0.2.1", "a.example.test", Type::a, "noerror 60 192.0.2.1"},
      {"a in A 192.0.2.1", "a.example.test", Type::a, "noerror 300 192.0.2.1"},
      {"$TTL 120\na A 192.0.2.1", "a.example.test", Type::a, "noerror 120 192.0.2.1"},
      {"a 90 A 192.0.2.1\nb A 192.0.2.2", "b.example.test", Type::a, "noerror 90 192.0.2.2"},
      {"$ttl 1h30m\na A 192.0.2.1", "a.example.test", Type::a, "noerror 5400 192.0.2.1"},
      {"; header\na 60 A 192.0.2.1 ; trailing\n\n", "a.example.test", Type::a,
       "noerror 60 192.0.2.1"},
      {"a 60 A 192.0.2.1\r\nb 60 A 192.0.2.2\r\n", "b.example.test", Type::a,
       "noerror 60 192.0.2.2"},
      {"a 60 TXT ( \"one\" ; first\n  \"two\" )\n", "a.example.test", Type::txt,
       "noerror 60 \"one\" \"two\""},
      {"a 60 TXT \"say \\\"hi\\\" \\\\ \\065;\"", "a.example.test", Type::txt,
       "noerror 60 \"say \\\"hi\\\" \\\\ A;\""},
      {"a 60 TXT v=spf1 -all", "a.example.test", Type::txt, "noerror 60 \"v=spf1\" \"-all\""},
      {"a 60 TXT \"\"", "a.example.test", Type::txt, "noerror 60 \"\""},
      {"a 60 TXT \"x\"\na 60 TXT \"y\"", "a.example.test", Type::txt, "noerror 60 \"x\" \"y\""},
      {"a 60 TYPE16 \"generic\"", "a.example.test", Type::txt, "noerror 60 \"generic\""},
      {"a 60 SPF \"v=spf1 -all\"", "a.example.test", Type::spf, "noerror 60 \"v=spf1 -all\""},
      {"\\065b\\099 60 A 192.0.2.1", "abc.example.test", Type::a, "noerror 60 192.0.2.1"},
      {"a\\ b 60 A 192.0.2.1", "a b.example.test", Type::a, "noerror 60 192.0.2.1"},
      {"@ 60 MX 10 mail\n@ 60 MX 20 mx.else.test.", "example.test", Type::mx,
       "noerror 60 10 mail.example.test. 20 mx.else.test."},
      {"@ 60 MX 0 .", "example.test", Type::mx, "noerror 60 0 ."},
      {"1 60 PTR host", "1.example.test", Type::ptr, "noerror 60 host.example.test."},
      {"@ 60 NS ns1\n@ 60 NS ns2.else.test.", "example.test", Type::ns,
       "noerror 60 ns1.example.test. ns2.else.test."},
      {"w 60 CNAME v\nv 30 A 192.0.2.9", "w.example.test", Type::a,
       "noerror 30 via v.example.test 192.0.2.9"},
      {"@ 3600 SOA ns host ( 1 7200 900 1209600 600 )\na 60 A 192.0.2.1", "b.example.test", Type::a,
       "nxdomain 600"},
      {"@ 3600 SOA ns host 1 2h 15m 2w 1d\na 60 A 192.0.2.1", "a.example.test", Type::mx,
       "nodata 3600"},
  };
  for (const Case& c : cases) {
    core::Expected<ZoneResolver> zone = ZoneResolver::from_text(c.text, "t.zone", "example.test");
    ASSERT_TRUE(zone) << c.text << ": " << zone.error().message;
    EXPECT_EQ(ask(*zone, c.name, c.type), c.expected) << c.text;
  }
}

TEST(ZoneFile, ErrorsNameFileAndLine) {
  const std::string long_label(64, 'x');
  const std::string long_name = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                std::string(63, 'c') + "." + std::string(63, 'd') + ".";
  const std::string long_string = "a TXT \"" + std::string(256, 's') + "\"";
  struct Case {
    std::string text, message;
  };
  const Case cases[] = {
      {"a 60 A 1.2.3", "t.zone:1: bad IPv4 address '1.2.3'"},
      {"; c\n\na 60 AAAA 192.0.2.1", "t.zone:3: bad IPv6 address '192.0.2.1'"},
      {"a 60 TXXT x y", "t.zone:1: unknown type 'TXXT'"},
      {"a 60 IN", "t.zone:1: missing record type"},
      {"a xyz A 192.0.2.1", "t.zone:1: unknown type 'xyz'"},
      {"a CH A 192.0.2.1", "t.zone:1: class 'CH' is not supported"},
      {"a 60 IN 60 A 192.0.2.1", "t.zone:1: second TTL '60'"},
      {"a 4294967296 A 192.0.2.1", "t.zone:1: bad TTL '4294967296'"},
      {"a 1x A 192.0.2.1", "t.zone:1: bad TTL '1x'"},
      {"a 60 TXT \"open\nb 60 A 192.0.2.1", "t.zone:1: unterminated quoted string"},
      {"a 60 TXT ( \"one\"\n \"two\"\n", "t.zone:1: unterminated parenthesis"},
      {"a 60 TXT ( ( \"x\" ) )", "t.zone:1: nested '('"},
      {"a 60 A 192.0.2.1 )", "t.zone:1: ')' without '('"},
      {"a 60 A 192.0.2.1 \\", "t.zone:1: backslash at end of line"},
      {long_string,
       "t.zone:1: character-string longer than 255 octets: '" + std::string(61, 's') + "...'"},
      {"a 60 TXT \"\\256\"", "t.zone:1: bad escape in '\\256'"},
      {long_label + " 60 A 192.0.2.1",
       "t.zone:1: label longer than 63 octets in '" + long_label + "'"},
      {"x." + long_name + " 60 A 192.0.2.1",
       "t.zone:1: name longer than 253 octets: 'x." + long_name.substr(0, 59) + "...'"},
      {"a..b 60 A 192.0.2.1", "t.zone:1: empty label in 'a..b'"},
      {"a\\.b 60 A 192.0.2.1", "t.zone:1: '.' inside a label is not supported: 'a\\.b'"},
      {"\\25x 60 A 192.0.2.1", "t.zone:1: bad escape in name '\\25x'"},
      {"a 60 MX ten mail", "t.zone:1: bad MX preference 'ten'"},
      {"a 60 MX 65536 mail", "t.zone:1: bad MX preference '65536'"},
      {"a 60 MX 10", "t.zone:1: missing data for MX"},
      {"a 60 TXT", "t.zone:1: missing data for TXT"},
      {"a 60 A 192.0.2.1 extra", "t.zone:1: unexpected 'extra' after A data"},
      {"a 60 TIMEOUT now", "t.zone:1: unexpected 'now' after TIMEOUT data"},
      {"@ SOA ns host 1 2 3 4", "t.zone:1: missing data for SOA"},
      {"@ SOA ns host x 2 3 4 5", "t.zone:1: bad SOA serial 'x'"},
      {"@ SOA ns host 1 2 3 4 y", "t.zone:1: bad SOA timer 'y'"},
      {"  60 A 192.0.2.1", "t.zone:1: no owner name and none before"},
      {"$INCLUDE other.zone", "t.zone:1: $INCLUDE is not supported: load each file"},
      {"$GENERATE 1-2 a A 1.2.3.4", "t.zone:1: unknown directive '$GENERATE'"},
      {"$TTL", "t.zone:1: $TTL takes one argument"},
      {"$ORIGIN a..b", "t.zone:1: empty label in 'a..b'"},
      {"a 60 A (\n\n 1.2.3 )", "t.zone:3: bad IPv4 address '1.2.3'"},
      {"a 60 CNAME b\na 60 A 192.0.2.1", "t.zone:2: CNAME and other data at 'a.example.test'"},
      {"a 60 A 192.0.2.1\na 60 CNAME b", "t.zone:2: CNAME and other data at 'a.example.test'"},
      {"a 60 CNAME b\na 60 CNAME c", "t.zone:2: second CNAME at 'a.example.test'"},
  };
  for (const Case& c : cases) {
    core::Expected<ZoneResolver> zone = ZoneResolver::from_text(c.text, "t.zone", "example.test");
    ASSERT_FALSE(zone) << c.text;
    EXPECT_EQ(zone.error().message, c.message) << c.text;
  }
}

// Operators paste real zones: records of registered types hallmark does not model load, and
// their owners exist (NODATA, not NXDOMAIN, for the types hallmark asks about).
TEST(ZoneFile, LoadsRecordsOfTypesItDoesNotModel) {
  ZoneResolver zone = load(
      "@ 3600 SOA ns host 1 7200 900 1209600 600\n"
      "@ 60 A 192.0.2.1\n"
      "@ 60 CAA 0 issue \"letsencrypt.org\"\n"
      "@ 3600 DNSKEY 257 3 13 (\n"
      "        mdsswUyr3DPW132mOi8V9xESWE8jTo0d ; first half\n"
      "        xCjjnopKl+GqJxpVXckHAeF+KkxLbxIL\n"
      "        fbb3UtQZ2U0+FrP1mrE= ) ; key id 2371\n"
      "_sip._tcp 60 SRV 0 5 5060 sip\n"
      "host 60 HINFO \"PC\" \"Linux\"\n"
      "_25._tcp.mail 60 TLSA 3 1 1 0123456789ABCDEF0123456789ABCDEF\n"
      "signing 60 TYPE65534 \\# 3 010203\n"
      "empty 60 TYPE65533 \\# 0\n"
      "caa2 60 type257 \\# 18 0005697373756565 78616d706c652e6f7267\n"
      "svc 60 svcb 1 . alpn=h2\n"
      "svc 60 HTTPS 1 . alpn=\"h2,h3\"\n"
      "old 60 DNAME new.example.net.\n"
      "acl 60 APL\n"
      "ds 60 DS 2371 13 2 ( 1F987CC6583E92DF0890718C42 )\n");
  for (std::string_view owner :
       {"example.test", "_sip._tcp.example.test", "host.example.test", "_25._tcp.mail.example.test",
        "signing.example.test", "empty.example.test", "caa2.example.test", "svc.example.test",
        "old.example.test", "acl.example.test", "ds.example.test"}) {
    for (Type type : {Type::txt, Type::mx, Type::aaaa})
      EXPECT_EQ(ask(zone, owner, type), "nodata 600") << owner << " " << to_string(type);
    if (owner != "example.test") {
      EXPECT_EQ(ask(zone, owner, Type::a), "nodata 600") << owner;
    }
  }
  EXPECT_EQ(ask(zone, "example.test", Type::a), "noerror 60 192.0.2.1");
  // Their ancestors are empty non-terminals; their siblings and descendants do not exist.
  EXPECT_EQ(ask(zone, "_tcp.example.test", Type::txt), "nodata 600");
  EXPECT_EQ(ask(zone, "mail.example.test", Type::a), "nodata 600");
  EXPECT_EQ(ask(zone, "_udp.example.test", Type::txt), "nxdomain 600");
  EXPECT_EQ(ask(zone, "hosts.example.test", Type::a), "nxdomain 600");
  EXPECT_EQ(ask(zone, "x.host.example.test", Type::a), "nxdomain 600");
  EXPECT_EQ(ask(zone, "x.old.example.test", Type::a), "nxdomain 600");  // no DNAME synthesis
}

TEST(ZoneFile, TypoTypesAreStillErrors) {
  struct Case {
    std::string text, message;
  };
  const std::string zone = "a 60 A 192.0.2.1\n_sip._tcp 60 SRV 0 5 5060 sip\n";
  const Case cases[] = {
      {zone + "b 60 TXXT \"x\"", "t.zone:3: unknown type 'TXXT'"},
      {zone + "b 60 IN A1 192.0.2.1", "t.zone:3: unknown type 'A1'"},
      {zone + "b 60 SRVV 0 5 5060 sip", "t.zone:3: unknown type 'SRVV'"},
      {zone + "b 60 \"SRV\" 0 5 5060 sip", "t.zone:3: unknown type 'SRV'"},
      {zone + "b TYPE0 \\# 0", "t.zone:3: unknown type 'TYPE0'"},
      {zone + "b TYPE65536 \\# 0", "t.zone:3: unknown type 'TYPE65536'"},
      {zone + "b TYPE \\# 0", "t.zone:3: unknown type 'TYPE'"},
      {zone + "b TYPE1x \\# 0", "t.zone:3: unknown type 'TYPE1x'"},
      {zone + "b TYPE-1 \\# 0", "t.zone:3: unknown type 'TYPE-1'"},
      {zone + "b CLASS1 A 192.0.2.1", "t.zone:3: unknown type 'CLASS1'"},  // as before
      {zone + "b OPT \\# 0", "t.zone:3: unknown type 'OPT'"},              // meta types
      {zone + "b ANY \\# 0", "t.zone:3: unknown type 'ANY'"},
      {zone + "b AXFR \\# 0", "t.zone:3: unknown type 'AXFR'"},
      // Accepted types keep master-file syntax, and their data must be there.
      {zone + "b 60 SRV", "t.zone:3: missing data for SRV"},
      {zone + "b 60 HINFO \"PC\" \"Linux", "t.zone:3: unterminated quoted string"},
      {zone + "b 60 DNSKEY ( 257 3 13\n  abc", "t.zone:3: unterminated parenthesis"},
      {zone + "b 60 HINFO PC\\25x Linux", "t.zone:3: bad escape in 'PC\\25x'"},
      {zone + "b 60 TYPE65534 01 02",
       "t.zone:3: TYPE65534 data must be RFC 3597 generic data "
       "(\\# length hex)"},
      {zone + "b 60 TYPE65534",
       "t.zone:3: TYPE65534 data must be RFC 3597 generic data "
       "(\\# length hex)"},
      {zone + "_sip._tcp 60 CNAME sip",
       "t.zone:3: CNAME and other data at "
       "'_sip._tcp.example.test'"},
      {"c 60 CNAME d\nc 60 CAA 0 issue \"ca.test\"",
       "t.zone:2: CNAME and other data at "
       "'c.example.test'"},
  };
  for (const Case& c : cases) {
    core::Expected<ZoneResolver> loaded = ZoneResolver::from_text(c.text, "t.zone", "example.test");
    ASSERT_FALSE(loaded) << c.text;
    EXPECT_EQ(loaded.error().message, c.message) << c.text;
  }
  EXPECT_EQ(ZoneResolver::from_text("a 60 TXXT x", "t.zone").error().code, core::Errc::unsupported);
}

// RFC 3597 5: "\# length hex" for any type; for the types hallmark models it is their data.
TEST(ZoneFile, ReadsGenericRdata) {
  struct Case {
    std::string_view text, name;
    Type type;
    std::string_view expected;
  };
  const Case cases[] = {
      {"a 60 TYPE1 \\# 4 C0000201", "a.example.test", Type::a, "noerror 60 192.0.2.1"},
      {"a 60 A \\# 4 c0 00 ( 0201 )", "a.example.test", Type::a, "noerror 60 192.0.2.1"},
      {"a 60 AAAA \\# 16 20010db8000000000000000000000001", "a.example.test", Type::aaaa,
       "noerror 60 2001:db8::1"},
      {"a 60 TYPE16 \\# 10 0368656c 026c6f 026869", "a.example.test", Type::txt,
       "noerror 60 \"hel\" \"lo\" \"hi\""},
      {"a 60 TXT \\# 1 00", "a.example.test", Type::txt, "noerror 60 \"\""},
      {"a 60 TXT \"\\\\#\" 1 00", "a.example.test", Type::txt, "noerror 60 \"\\\\#\" \"1\" \"00\""},
      {"a 60 SPF \\# 4 03612062", "a.example.test", Type::spf, "noerror 60 \"a b\""},
      {"a 60 MX \\# 11 000a 026d78 04746573 7400", "a.example.test", Type::mx,
       "noerror 60 10 mx.test."},
      {"a 60 MX \\# 3 000000", "a.example.test", Type::mx, "noerror 60 0 ."},
      {"a 60 CNAME \\# 3 016200\nb. 30 A 192.0.2.2", "a.example.test", Type::a,
       "noerror 30 via b 192.0.2.2"},
      {"a 60 TYPE12 \\# 6 04686f737400", "a.example.test", Type::ptr, "noerror 60 host."},
      {"a 60 NS \\# 7 036e7331 017800", "a.example.test", Type::ns, "noerror 60 ns1.x."},
      {"@ 3600 TYPE6 \\# 22 00 00 00000001 00000002 00000003 00000004 00000258\nb A 192.0.2.1",
       "c.example.test", Type::a, "nxdomain 600"},
      {"x 60 TYPE33 0 5 5060 sip\nx 60 TYPE65280 \\# 2 abcd", "x.example.test", Type::a,
       "nodata 300"},
  };
  for (const Case& c : cases) {
    core::Expected<ZoneResolver> zone = ZoneResolver::from_text(c.text, "t.zone", "example.test");
    ASSERT_TRUE(zone) << c.text << ": " << zone.error().message;
    EXPECT_EQ(ask(*zone, c.name, c.type), c.expected) << c.text;
  }
  struct Bad {
    std::string_view text, message;
    core::Errc code;
  };
  const Bad bad[] = {
      {"a 60 TYPE65534 \\#", "t.zone:1: missing data for TYPE65534", core::Errc::syntax},
      {"a 60 SRV \\# x", "t.zone:1: bad generic RDATA length 'x'", core::Errc::bad_value},
      {"a 60 SRV \\# 65536", "t.zone:1: bad generic RDATA length '65536'", core::Errc::bad_value},
      {"a 60 SRV \\# 2 abc", "t.zone:1: bad hex 'abc' in generic RDATA", core::Errc::syntax},
      {"a 60 SRV \\# 2 ab 0g", "t.zone:1: bad hex '0g' in generic RDATA", core::Errc::syntax},
      {"a 60 SRV \\# 1 \"ab\"", "t.zone:1: bad hex 'ab' in generic RDATA", core::Errc::syntax},
      {"a 60 SRV \\# 1 abcd", "t.zone:1: generic RDATA longer than its length 1",
       core::Errc::bad_value},
      {"a 60 SRV \\# 3 abcd", "t.zone:1: generic RDATA shorter than its length 3",
       core::Errc::bad_value},
      {"a 60 A \\# 3 c00002", "t.zone:1: bad generic RDATA for A: 3 octets, not 4",
       core::Errc::bad_value},
      {"a 60 TXT \\# 0", "t.zone:1: bad generic RDATA for TXT: no character-string",
       core::Errc::bad_value},
      {"a 60 TXT \\# 2 0561",
       "t.zone:1: bad generic RDATA for TXT: a character-string runs "
       "past the end",
       core::Errc::bad_value},
      {"a 60 CNAME \\# 2 c00c", "t.zone:1: generic RDATA holds a compressed or bad name",
       core::Errc::bad_value},
      {"a 60 CNAME \\# 2 0162", "t.zone:1: generic RDATA ends inside a name",
       core::Errc::bad_value},
      {"a 60 CNAME \\# 3 00 0000", "t.zone:1: bad generic RDATA for CNAME: octets after the data",
       core::Errc::bad_value},
      {"a 60 PTR \\# 5 03612e6200",
       "t.zone:1: '.' inside a label is not supported in generic "
       "RDATA",
       core::Errc::unsupported},
      {"@ SOA \\# 21 00 00 00000001000000020000000300000004000000",
       "t.zone:1: bad generic RDATA for SOA: not five 32-bit numbers after the names",
       core::Errc::bad_value},
      {"a 60 TIMEOUT \\# 0", "t.zone:1: unexpected '\\#' after TIMEOUT data", core::Errc::syntax},
  };
  for (const Bad& c : bad) {
    core::Expected<ZoneResolver> zone = ZoneResolver::from_text(c.text, "t.zone", "example.test");
    ASSERT_FALSE(zone) << c.text;
    EXPECT_EQ(zone.error().message, c.message) << c.text;
    EXPECT_EQ(zone.error().code, c.code) << c.text;
  }
}

TEST(ZoneFile, ErrorCodesClassifyTheProblem) {
  auto code = [](std::string_view text) {
    return ZoneResolver::from_text(text, "t.zone", "example.test").error().code;
  };
  EXPECT_EQ(code("a 60 A 1.2.3"), core::Errc::bad_value);
  EXPECT_EQ(code("a 60 TXXT x"), core::Errc::unsupported);
  EXPECT_EQ(code("a 60 TXT \"x"), core::Errc::syntax);
  EXPECT_EQ(code(std::string(64, 'a') + " A 192.0.2.1"), core::Errc::too_long);
  core::Error error = ZoneResolver::from_text("a 60 A 192.0.2.1\nb 60 A bad", "t.zone").error();
  EXPECT_EQ(error.offset, 24u);  // the offending token
}

TEST(ZoneFile, RefusesAnRrsetNoMessageCouldCarry) {
  std::string text;
  for (int i = 0; i <= 4096; ++i) text += "a 60 TXT \"" + std::to_string(i) + "\"\n";
  core::Expected<ZoneResolver> zone = ZoneResolver::from_text(text, "t.zone", "example.test");
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error().message, "t.zone:4097: too many records in one RRset at 'a.example.test'");
  text.erase(text.rfind("a 60"));
  EXPECT_TRUE(ZoneResolver::from_text(text, "t.zone", "example.test"));
}

TEST(ZoneFile, FailedLoadLeavesResolverUnchanged) {
  ZoneResolver zone = load("a 60 A 192.0.2.1");
  core::Expected<void> loaded =
      zone.load_text("b 60 A 192.0.2.2\nc 60 A 1.2.3", "second.zone", "example.test");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().message, "second.zone:2: bad IPv4 address '1.2.3'");
  loaded = zone.load_text("d 60 A 192.0.2.4\na 60 CNAME x", "third.zone", "example.test");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(zone.answer("a.example.test", Type::a).status, Status::noerror);
  EXPECT_EQ(zone.answer("b.example.test", Type::a).status, Status::nxdomain);
  EXPECT_EQ(zone.answer("d.example.test", Type::a).status, Status::nxdomain);
}

TEST(ZoneFile, FromFileNamesThePath) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / "hallmark_bad.zone";
  {
    std::ofstream out(path);
    out << "$ORIGIN example.test.\n\nwww 60 A 1.2.3\n";
  }
  core::Expected<ZoneResolver> zone = ZoneResolver::from_file(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error().message, path.string() + ":3: bad IPv4 address '1.2.3'");
  core::Expected<ZoneResolver> missing = ZoneResolver::from_file("/nonexistent/x.zone");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::Errc::io);
  EXPECT_NE(missing.error().message.find("/nonexistent/x.zone"), std::string::npos);
}

TEST(ZoneFile, LoadsTheDemoZone) {
  core::Expected<ZoneResolver> zone =
      ZoneResolver::from_file(HALLMARK_SOURCE_DIR "/examples/demo/demo.zone");
  ASSERT_TRUE(zone) << zone.error().message;
  Answer mx = zone->answer("example.com", Type::mx);
  ASSERT_EQ(mx.status, Status::noerror);
  EXPECT_EQ(mx.mx.at(0).exchange, "mail.example.com");
  Answer spf = zone->answer("example.com", Type::txt);
  ASSERT_EQ(spf.status, Status::noerror);
  EXPECT_TRUE(spf.txt.at(0).text().starts_with("v=spf1 ")) << dump(spf);
  Answer dmarc = zone->answer("_dmarc.example.com", Type::txt);
  ASSERT_EQ(dmarc.status, Status::noerror);
  EXPECT_TRUE(dmarc.txt.at(0).text().starts_with("v=DMARC1;")) << dump(dmarc);
  Answer ptr = zone->answer("10.2.0.192.in-addr.arpa", Type::ptr);
  ASSERT_EQ(ptr.status, Status::noerror);
  EXPECT_EQ(ptr.ptr.at(0), "mail.example.com");
  std::string reverse6 = core::IpAddress::parse("2001:db8::10")->reverse_name();
  EXPECT_EQ(zone->answer(reverse6, Type::ptr).ptr, ptr.ptr);
  EXPECT_EQ(zone->answer("example.com._report._dmarc.example.net", Type::txt).status,
            Status::noerror);
  EXPECT_EQ(zone->answer("mail.example.com", Type::a).addresses.at(0).to_string(), "192.0.2.10");
  EXPECT_EQ(zone->answer("mail.example.com", Type::aaaa).status, Status::noerror);
  Answer www = zone->answer("www.example.com", Type::a);
  EXPECT_EQ(www.status, Status::noerror);
  EXPECT_FALSE(www.cname.empty());
  EXPECT_EQ(zone->answer("nothing.example.com", Type::a).status, Status::nxdomain);
}

TEST(ZoneResolver, MissingNameIsNxdomainOtherTypeIsNodata) {
  ZoneResolver zone = load("a 60 A 192.0.2.1");
  EXPECT_EQ(ask(zone, "b.example.test", Type::a), "nxdomain 300");
  EXPECT_EQ(ask(zone, "a.example.test", Type::mx), "nodata 300");
  EXPECT_EQ(ask(zone, "a.example.test", Type::cname), "nodata 300");
}

TEST(ZoneResolver, EmptyNonTerminalIsNodata) {
  ZoneResolver zone = load("x.y.deep 60 A 192.0.2.1");  // RFC 8020
  EXPECT_EQ(ask(zone, "y.deep.example.test", Type::a), "nodata 300");
  EXPECT_EQ(ask(zone, "deep.example.test", Type::txt), "nodata 300");
  EXPECT_EQ(ask(zone, "example.test", Type::a), "nodata 300");
  EXPECT_EQ(ask(zone, "test", Type::a), "nodata 300");
  EXPECT_EQ(ask(zone, ".", Type::a), "nodata 300");
  EXPECT_EQ(ask(zone, "z.y.deep.example.test", Type::a), "nxdomain 300");
  EXPECT_EQ(ask(zone, "other.test", Type::a), "nxdomain 300");
}

TEST(ZoneResolver, NamesAreCaseInsensitiveAndTrailingDotOptional) {
  ZoneResolver zone = load("WWW.Sub 60 MX 10 Mail.Example.TEST.");
  for (std::string_view name :
       {"www.sub.example.test", "WWW.SUB.EXAMPLE.TEST.", "wWw.sUb.ExAmPlE.tEsT"}) {
    Answer answer = zone.answer(name, Type::mx);
    EXPECT_EQ(dump(answer), "noerror 60 10 Mail.Example.TEST.") << name;
    EXPECT_EQ(answer.name, name);  // as asked
  }
}

TEST(ZoneResolver, InvalidQueryNamesAreErrors) {
  ZoneResolver zone = load("a 60 A 192.0.2.1");
  const std::string long_label = std::string(64, 'a') + ".example.test";
  const std::string long_name = std::string(63, 'a') + "." + std::string(63, 'b') + "." +
                                std::string(63, 'c') + "." + std::string(63, 'd');  // 255
  for (const std::string& name : {long_label, long_name, std::string("a..example.test"),
                                  std::string(".example.test"), std::string("..")}) {
    Answer answer = zone.answer(name, Type::a);
    EXPECT_EQ(answer.status, Status::error) << name;
    EXPECT_TRUE(answer.is_error());
  }
  EXPECT_EQ(zone.answer(std::string(63, 'a') + ".example.test", Type::a).status, Status::nxdomain);
}

TEST(ZoneResolver, FollowsCnameChains) {
  ZoneResolver zone = load(
      "a 300 CNAME b\nb 100 CNAME c.else.test.\nc.else.test. 200 A 192.0.2.3\n"
      "d 60 CNAME missing\ne 60 CNAME a\n");
  EXPECT_EQ(ask(zone, "a.example.test", Type::a),
            "noerror 100 via b.example.test c.else.test 192.0.2.3");
  EXPECT_EQ(ask(zone, "a.example.test", Type::cname), "noerror 300 b.example.test");
  EXPECT_EQ(ask(zone, "a.example.test", Type::mx), "nodata 100 via b.example.test c.else.test");
  EXPECT_EQ(ask(zone, "d.example.test", Type::a), "nxdomain 60 via missing.example.test");
  EXPECT_EQ(ask(zone, "e.example.test", Type::a),
            "noerror 60 via a.example.test b.example.test c.else.test 192.0.2.3");
}

TEST(ZoneResolver, CnameLoopIsServfail) {
  ZoneResolver zone = load("self 60 CNAME self\na 60 CNAME b\nb 60 CNAME c\nc 60 CNAME A\n");
  Answer self = zone.answer("self.example.test", Type::a);
  EXPECT_EQ(self.status, Status::servfail);
  EXPECT_EQ(self.detail, "CNAME loop at 'self.example.test'");
  EXPECT_EQ(zone.answer("b.example.test", Type::txt).status, Status::servfail);
  EXPECT_EQ(zone.answer("a.example.test", Type::a).status, Status::servfail);
}

TEST(ZoneResolver, CnameChainOverSixteenIsServfail) {
  ZoneResolver zone;
  for (int i = 0; i < 17; ++i)
    zone.add_cname("c" + std::to_string(i) + ".test", "c" + std::to_string(i + 1) + ".test");
  zone.add_address("c17.test", *core::IpAddress::parse("192.0.2.1"));
  Answer sixteen = zone.answer("c1.test", Type::a);
  EXPECT_EQ(sixteen.status, Status::noerror);
  EXPECT_EQ(sixteen.cname.size(), 16u);
  Answer seventeen = zone.answer("c0.test", Type::a);
  EXPECT_EQ(seventeen.status, Status::servfail);
  EXPECT_EQ(seventeen.detail, "CNAME chain longer than 16");
}

TEST(ZoneResolver, WildcardAnswersOnlyNamesThatDoNotExist) {
  ZoneResolver zone =
      load("* 60 TXT \"wild\"\nreal 60 A 192.0.2.1\nx.ent 60 A 192.0.2.2\n*.sub 60 MX 10 mx\n");
  EXPECT_EQ(ask(zone, "anything.example.test", Type::txt), "noerror 60 \"wild\"");
  EXPECT_EQ(ask(zone, "a.b.c.example.test", Type::txt), "noerror 60 \"wild\"");  // RFC 4592 2.2.1
  EXPECT_EQ(ask(zone, "anything.example.test", Type::a), "nodata 300");
  EXPECT_EQ(ask(zone, "real.example.test", Type::txt), "nodata 300");
  EXPECT_EQ(ask(zone, "ent.example.test", Type::txt), "nodata 300");      // exists: no wildcard
  EXPECT_EQ(ask(zone, "y.ent.example.test", Type::txt), "nxdomain 300");  // no *.ent
  EXPECT_EQ(ask(zone, "q.sub.example.test", Type::mx), "noerror 60 10 mx.example.test.");
  EXPECT_EQ(ask(zone, "*.example.test", Type::txt), "noerror 60 \"wild\"");
  EXPECT_EQ(ask(zone, "other.test", Type::txt), "nxdomain 300");
}

TEST(ZoneResolver, WildcardServesDmarcReportAuthorisation) {
  ZoneResolver zone = load("$ORIGIN example.net.\n*._report._dmarc 60 TXT \"v=DMARC1;\"\n");
  EXPECT_EQ(ask(zone, "example.com._report._dmarc.example.net", Type::txt),
            "noerror 60 \"v=DMARC1;\"");
  EXPECT_EQ(ask(zone, "_report._dmarc.example.net", Type::txt), "nodata 300");
}

TEST(ZoneResolver, WildcardCnameIsFollowed) {
  ZoneResolver zone = load("*.alias 60 CNAME target\ntarget 30 A 192.0.2.7\n");
  EXPECT_EQ(ask(zone, "x.alias.example.test", Type::a),
            "noerror 30 via target.example.test 192.0.2.7");
}

TEST(ZoneResolver, UnmodelledRecordsExistLikeAnyOther) {
  ZoneResolver zone = load(
      "* 60 TXT \"wild\"\n"
      "svc 60 SRV 0 0 443 host\n"           // exists: the wildcard stops here
      "*.srv 60 SRV 0 0 443 host\n"         // a wildcard owner of another type
      "x.deep 60 HINFO \"PC\" \"Linux\"\n"  // makes deep an empty non-terminal
      "alias 60 CNAME target\n"             // a signed CNAME: RFC 4035 2.5
      "alias 60 RRSIG CNAME 13 3 60 20300101000000 20200101000000 2371 example.test. AbC=\n"
      "alias 60 NSEC b.example.test. CNAME RRSIG NSEC\n"
      "target 30 TXT \"t\"\n"
      "down TIMEOUT\ndown 60 CAA 0 issue \"ca.test\"\n");  // a marker still answers
  EXPECT_EQ(ask(zone, "anything.example.test", Type::txt), "noerror 60 \"wild\"");
  EXPECT_EQ(ask(zone, "svc.example.test", Type::txt), "nodata 300");
  EXPECT_EQ(ask(zone, "q.srv.example.test", Type::a), "nodata 300");
  EXPECT_EQ(ask(zone, "a.b.srv.example.test", Type::txt), "nodata 300");
  EXPECT_EQ(ask(zone, "srv.example.test", Type::txt), "nodata 300");
  EXPECT_EQ(ask(zone, "deep.example.test", Type::txt), "nodata 300");
  EXPECT_EQ(ask(zone, "x.deep.example.test", Type::a), "nodata 300");
  EXPECT_EQ(ask(zone, "y.deep.example.test", Type::txt), "nxdomain 300");  // no *.deep
  EXPECT_EQ(ask(zone, "alias.example.test", Type::txt), "noerror 30 via target.example.test \"t\"");
  EXPECT_EQ(ask(zone, "alias.example.test", Type::cname), "noerror 60 target.example.test");
  EXPECT_EQ(ask(zone, "down.example.test", Type::a), "timeout 0");
  EXPECT_EQ(ask(zone, "other.test", Type::txt), "nxdomain 300");
  // RRSIG and NSEC may come before the CNAME too; other types may not sit beside one.
  EXPECT_TRUE(
      ZoneResolver::from_text("a 60 RRSIG CNAME 13 3 60 1 2 3 x. y\na 60 NSEC b. CNAME\n"
                              "a 60 CNAME b\n",
                              "t.zone", "example.test"));
  core::Expected<ZoneResolver> mixed =
      ZoneResolver::from_text("a 60 HINFO x y\na 60 CNAME b\n", "t.zone", "example.test");
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().message, "t.zone:2: CNAME and other data at 'a.example.test'");
}

TEST(ZoneResolver, FailureMarkersAnswerEveryTypeWithoutRecords) {
  ZoneResolver zone = load(
      "down 60 TIMEOUT\nhalf 60 TXT \"v=spf1 -all\"\nhalf TIMEOUT\nbroken SERVFAIL\n"
      "broken 60 MX 10 mx\nalias 60 CNAME down\n");
  for (Type type : {Type::a, Type::txt, Type::mx, Type::cname})
    EXPECT_EQ(zone.answer("down.example.test", type).status, Status::timeout);
  EXPECT_EQ(ask(zone, "half.example.test", Type::txt), "noerror 60 \"v=spf1 -all\"");
  EXPECT_EQ(ask(zone, "HALF.example.test", Type::spf), "timeout 0");
  EXPECT_EQ(ask(zone, "broken.example.test", Type::mx), "noerror 60 10 mx.example.test.");
  EXPECT_EQ(ask(zone, "broken.example.test", Type::a), "servfail 0");
  EXPECT_EQ(ask(zone, "alias.example.test", Type::a), "timeout 0 via down.example.test");
  // The marker covers that name only: descendants and their wildcards are ordinary.
  EXPECT_EQ(ask(zone, "_dmarc.down.example.test", Type::txt), "nxdomain 300");
}

TEST(ZoneResolver, ProgrammaticRecordsFollowTheSpfSuiteConventions) {
  // rfc7208-tests.yml: spftimeout [TXT, TIMEOUT], txttimeout [SPF, TXT: NONE, TIMEOUT].
  ZoneResolver zone;
  zone.add_txt("spftimeout.example.net", {"v=spf1 -all"});
  zone.add_failure("spftimeout.example.net", Status::timeout);
  zone.add_txt("txttimeout.example.net", {"v=spf1 -all"}, 300, Type::spf);
  zone.add_failure("txttimeout.example.net", Status::timeout);
  zone.add_failure("alltimeout.example.net", Status::timeout);
  zone.add_txt("null.example.com", {"v=spf1 ip4:", "192.0.2.5 -all"}, 300, Type::spf);
  zone.add_txt("null.example.com", {}, 300, Type::spf);
  zone.add_cname("mx1.example.com", "");  // pyspf-test.yml: a CNAME to the root
  zone.add_mx("mail.example.com", 0, "");
  zone.add_ptr("4.3.2.1.in-addr.arpa", "mail.Example.com.");
  zone.add_ns("example.net", "ns.example.net.");
  zone.add_failure("ignored.example.net", Status::nxdomain);
  EXPECT_EQ(ask(zone, "spftimeout.example.net", Type::txt), "noerror 300 \"v=spf1 -all\"");
  EXPECT_EQ(ask(zone, "spftimeout.example.net", Type::a), "timeout 0");
  EXPECT_EQ(ask(zone, "txttimeout.example.net", Type::txt), "timeout 0");
  EXPECT_EQ(ask(zone, "txttimeout.example.net", Type::spf), "noerror 300 \"v=spf1 -all\"");
  EXPECT_EQ(ask(zone, "alltimeout.example.net", Type::spf), "timeout 0");
  Answer null = zone.answer("null.example.com", Type::spf);
  ASSERT_EQ(null.txt.size(), 2u);
  EXPECT_EQ(null.txt[0].text(), "v=spf1 ip4:192.0.2.5 -all");
  EXPECT_TRUE(null.txt[1].strings.empty());
  EXPECT_EQ(ask(zone, "mx1.example.com", Type::a), "nodata 300 via ");
  EXPECT_EQ(ask(zone, "mail.example.com", Type::mx), "noerror 300 0 .");
  EXPECT_EQ(ask(zone, "4.3.2.1.in-addr.arpa", Type::ptr), "noerror 300 mail.Example.com.");
  EXPECT_EQ(ask(zone, "example.net", Type::ns), "noerror 300 ns.example.net.");
  EXPECT_EQ(ask(zone, "ignored.example.net", Type::a), "nxdomain 300");
}

TEST(ZoneResolver, DuplicateRecordsFormOneRrsetWithTheSmallestTtl) {
  ZoneResolver zone;
  zone.add_address("a.test", *core::IpAddress::parse("192.0.2.1"), 600);
  zone.add_address("A.test.", *core::IpAddress::parse("192.0.2.1"), 100);
  zone.add_address("a.test", *core::IpAddress::parse("2001:db8::1"), 50);
  zone.add_address("a.test", *core::IpAddress::parse("192.0.2.2"), 300);
  EXPECT_EQ(ask(zone, "a.test", Type::a), "noerror 100 192.0.2.1 192.0.2.2");
  EXPECT_EQ(ask(zone, "a.test", Type::aaaa), "noerror 50 2001:db8::1");
  zone.add_mx("a.test", 10, "mx.test");
  zone.add_mx("a.test", 10, "MX.test.");
  EXPECT_EQ(ask(zone, "a.test", Type::mx), "noerror 300 10 mx.test.");
}

TEST(ZoneResolver, NegativeTtlComesFromTheEnclosingSoa) {
  ZoneResolver zone = load("@ 900 SOA ns host 1 2 3 4 1800\na 60 A 192.0.2.1\n");
  ASSERT_TRUE(zone.load_text("$TTL 120\nb 60 A 192.0.2.1\n", "other.zone", "other.test"));
  ASSERT_TRUE(zone.load_text("$TTL 240\nc 60 A 192.0.2.1\n", "third.zone", "third.test"));
  EXPECT_EQ(ask(zone, "x.a.example.test", Type::a), "nxdomain 900");  // min(SOA TTL, MINIMUM)
  EXPECT_EQ(ask(zone, "a.example.test", Type::txt), "nodata 900");
  EXPECT_EQ(ask(zone, "x.other.test", Type::a), "nxdomain 120");  // smallest $TTL, no SOA
  EXPECT_EQ(ask(zone, "c.third.test", Type::mx), "nodata 120");
  EXPECT_EQ(ask(ZoneResolver(), "x.test", Type::a), "nxdomain 300");
}

TEST(ZoneResolver, LookupCompletesBeforeReturning) {
  ZoneResolver zone = load("a 60 A 192.0.2.1");
  bool done = false;
  zone.lookup("a.example.test", Type::a, [&](hallmark::dns::AnswerPtr shared_answer) {
    const hallmark::dns::Answer& answer = *shared_answer;
    done = true;
    EXPECT_EQ(answer.status, Status::noerror);
  });
  EXPECT_TRUE(done);
  EXPECT_EQ(zone.pump(), nullptr);
  EXPECT_EQ(dump(lookup_sync(zone, "a.example.test.", Type::a)), "noerror 60 192.0.2.1");
}

TEST(ZoneResolver, MovedFromResolverIsAnEmptyZone) {
  ZoneResolver zone = load("a 60 A 192.0.2.1");
  ZoneResolver moved = std::move(zone);
  EXPECT_EQ(moved.answer("a.example.test", Type::a).status, Status::noerror);
  EXPECT_EQ(zone.answer("a.example.test", Type::a).status, Status::nxdomain);  // NOLINT
  zone.add_address("b.test", *core::IpAddress::parse("192.0.2.2"));
  EXPECT_EQ(zone.answer("b.test", Type::a).status, Status::noerror);
}

}  // namespace
}  // namespace hallmark::dns
