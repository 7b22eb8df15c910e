// SPDX-License-Identifier: Apache-2.0
// A second DKIM corpus, "real mail": what relaxed canonicalization meets in the wild and the
// tidy text of dkim_fixture.hpp avoids. Bodies have runs of spaces and tabs inside lines,
// trailing white space on many lines, empty lines (some with only white space) between
// paragraphs and at the end, and 8-bit UTF-8 lines; the header section has folded fields with
// runs of white space. Seeded and deterministic, so the signer and every verifier see the
// same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace hallmark_bench {

// splitmix64: a fixed sequence from a seed, no library state.
class RealMailRandom {
 public:
  explicit RealMailRandom(std::uint64_t seed) noexcept : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
  /// Uniform enough in [0, n) for a corpus.
  unsigned below(unsigned n) noexcept { return static_cast<unsigned>(next() % n); }

 private:
  std::uint64_t state_;
};

// A header section as it arrives after a few hops through sloppy software: folds with a tab or
// several spaces, runs of white space inside values and before the colon's value. 14 fields,
// ending with the last field's CRLF.
inline std::string real_mail_header() {
  std::string h;
  h += "Received: from relay.example.com (relay.example.com [192.0.2.77])\r\n"
       "\t\tby mx2.example.org   (Postfix)  with ESMTPS id 5Hc2Kq1v8Xz3;\r\n"
       "        Wed, 13 Mar 2024 08:01:44 +0000  (UTC)\r\n";
  h += "Received: from   [10.9.8.7]  (unknown [10.9.8.7])\r\n"
       " \tby relay.example.com with ESMTPSA id 1B2C3D\r\n"
       "\t for <dora@example.org>;  Wed, 13 Mar 2024 08:01:43 +0000\r\n";
  h += "From:   \"Émile Zürich\"   <emile@example.com>\r\n";
  h += "To:  \"Dora Díaz\" <dora@example.org>,\r\n"
       "      \"Erik Ødegaard\"  <erik@example.org> ,\r\n"
       "\t\"Fay Fong\" <fay@example.org>\r\n";
  h += "Cc:\t<ops@example.org>,   <audit@example.org>  \r\n";
  h += "Reply-To:  <helpdesk@example.com>\r\n";
  h += "Subject:  =?utf-8?q?R=C3=A9sum=C3=A9?=   of the   migration\r\n"
       "   \t plan and   the open   questions\r\n";
  h += "Date:   Wed, 13 Mar 2024 08:01:40 +0100\r\n";
  h += "Message-ID:   <CAF=x9Q-7n2mRk@mail.example.com>\r\n";
  h += "MIME-Version:\t1.0\r\n";
  h += "Content-Type: text/plain;\r\n"
       "\tcharset=\"utf-8\";   format=flowed\r\n";
  h += "Content-Transfer-Encoding:   8bit\r\n";
  h += "Thread-Topic:   migration   plan\r\n";
  h += "X-Mailer:  Sloppy Client  7.1  \r\n";
  return h;
}

// About `size` octets of body (a little more: the last line is whole, and empty lines follow
// it, which relaxed and simple both drop). Lines are words separated by one space mostly,
// sometimes by a run of spaces or a tab; one line in four ends in white space; one in six is in
// a language other than English (multi-octet UTF-8); paragraphs are separated by an empty line,
// now and then one holding only white space.
inline std::string real_mail_body(std::uint64_t size, std::uint64_t seed = 0x5eedf00du) {
  static constexpr std::string_view english[] = {
      "the",     "migration", "plan",     "of",     "servers",   "and",      "we",    "will",
      "move",    "database",  "cluster",  "to",     "new",       "hardware", "in",    "April",
      "please",  "check",     "your",     "access", "before",    "Friday",   "notes", "from",
      "meeting", "with",      "vendor",   "about",  "licensing", "costs",    "is",    "on",
      "track",   "risk",      "rollback", "window", "team",      "support",  "for",   "a"};
  static constexpr std::string_view other[] = {
      "naïve",  "café",     "résumé", "Zürich", "Ελληνικά", "данные", "数据",   "über",
      "façade", "smørbrød", "niño",   "crème",  "brûlée",   "Straße", "日本語", "ação"};
  static constexpr std::string_view runs[] = {"  ", "   ", "\t", " \t", "    ", "\t\t", "  \t  "};
  static constexpr std::string_view trailing[] = {" ", "  ", "\t", " \t ", "   \t"};
  RealMailRandom random(seed);
  std::string body;
  body.reserve(static_cast<std::size_t>(size) + 128);
  unsigned paragraph_left = 0;
  while (body.size() < size) {
    if (paragraph_left == 0) {
      paragraph_left = 2 + random.below(8);
      if (!body.empty()) body += random.below(5) == 0 ? " \t\r\n" : "\r\n";
    }
    --paragraph_left;
    bool foreign = random.below(6) == 0;
    if (random.below(12) == 0) body += "> ";
    unsigned words = 4 + random.below(10);
    for (unsigned w = 0; w < words; ++w) {
      if (w > 0) body += random.below(10) == 0 ? runs[random.below(std::size(runs))] : " ";
      body += foreign && random.below(2) == 0 ? other[random.below(std::size(other))]
                                              : english[random.below(std::size(english))];
    }
    if (random.below(4) == 0) body += trailing[random.below(std::size(trailing))];
    body += "\r\n";
  }
  body += "\r\n \r\n\r\n";  // trailing empty lines, one with white space
  return body;
}

}  // namespace hallmark_bench
