// SPDX-License-Identifier: Apache-2.0
// The DKIM corpus that bench/dkim_bench.cpp, bench/dkim_memory.cpp and
// bench/compare/libopendkim_dkim.cpp all verify: signing keys published in a zone, a typical
// header section, and text bodies of any size, generated as a stream so a 50 MB body never
// has to be held whole.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/dkim/sign.hpp"
#include "hallmark/dkim/types.hpp"
#include "hallmark/dns/zone_resolver.hpp"

namespace hallmark_bench {

inline constexpr std::string_view dkim_domain = "example.com";

[[noreturn]] inline void dkim_fixture_fail(const std::string& message) {
  std::fprintf(stderr, "dkim fixture: %s\n", message.c_str());
  std::exit(EXIT_FAILURE);
}

// The two signing algorithms the issue asks for, each under its own selector.
struct DkimSigner {
  std::string_view name;      // benchmark name part: "Rsa2048"
  std::string_view selector;  // s=
  hallmark::dkim::PrivateKey key;
};

struct DkimKeys {
  DkimSigner rsa2048;
  DkimSigner ed25519;
  hallmark::dns::ZoneResolver zone;  // both key records
  // The record text as published, for peers that take the key record from memory.
  std::string rsa2048_record;
  std::string ed25519_record;
};

inline hallmark::dkim::PrivateKey dkim_generate(hallmark::dkim::KeyType type, unsigned bits) {
  auto key = hallmark::dkim::PrivateKey::generate(type, bits);
  if (!key) dkim_fixture_fail("key generation failed: " + key.error().message);
  return std::move(*key);
}

// A TXT record carries strings of at most 255 octets (RFC 1035 3.3.14); a 2048-bit key's
// record is longer, so it is published as several strings, as DNS operators do.
inline std::vector<std::string> txt_strings(std::string_view record) {
  std::vector<std::string> strings;
  for (std::size_t at = 0; at < record.size(); at += 255)
    strings.emplace_back(record.substr(at, 255));
  return strings;
}

inline DkimKeys dkim_keys() {
  using hallmark::dkim::KeyType;
  DkimKeys keys{{"Rsa2048", "rsa2048", dkim_generate(KeyType::rsa, 2048)},
                {"Ed25519", "ed25519", dkim_generate(KeyType::ed25519, 0)},
                hallmark::dns::ZoneResolver(),
                {},
                {}};
  keys.rsa2048_record = keys.rsa2048.key.dns_record();
  keys.ed25519_record = keys.ed25519.key.dns_record();
  for (const auto* signer : {&keys.rsa2048, &keys.ed25519}) {
    std::string name = std::string(signer->selector) + "._domainkey." + std::string(dkim_domain);
    keys.zone.add_txt(name, txt_strings(signer->key.dns_record()), 3600);
  }
  return keys;
}

// A typical header section as a receiving MTA sees it: three hops of Received, the author's
// fields, MIME fields and a list's unsubscribe link. 15 fields, about 1.2 KB; ends with the
// last field's CRLF (the blank line is the caller's).
inline std::string dkim_header() {
  std::string h;
  h += "Received: from mail-out.example.com (mail-out.example.com [192.0.2.25])\r\n"
       "\tby mx1.example.org (Postfix) with ESMTPS id 4Tq8Lz2x9Kz1;\r\n"
       "\tTue, 12 Mar 2024 10:10:07 +0000 (UTC)\r\n";
  h += "Received: from app3.internal.example.com (app3.internal.example.com [10.1.2.3])\r\n"
       "\tby mail-out.example.com (Postfix) with ESMTP id 7A1B2C3D4E\r\n"
       "\tfor <alice@example.org>; Tue, 12 Mar 2024 10:10:06 +0000 (UTC)\r\n";
  h += "Received: by app3.internal.example.com (sendmail 8.17.1) id 42CAA6x0012345;\r\n"
       "\tTue, 12 Mar 2024 10:10:05 GMT\r\n";
  h += "From: \"Example Sender\" <sender@example.com>\r\n";
  h += "To: \"Alice Anderson\" <alice@example.org>, \"Bob Brown\" <bob@example.org>,\r\n"
       " \"Carol Clark\" <carol@example.org>\r\n";
  h += "Cc: \"Heidi Hall\" <heidi@example.org>\r\n";
  h += "Reply-To: <support@example.com>\r\n";
  h += "Subject: Quarterly report for the first quarter: figures, notes and the\r\n"
       " schedule of the review meeting\r\n";
  h += "Date: Tue, 12 Mar 2024 10:10:05 +0000\r\n";
  h += "Message-ID: <20240312101005.42CAA6x0012345@app3.internal.example.com>\r\n";
  h += "MIME-Version: 1.0\r\n";
  h += "Content-Type: text/plain; charset=utf-8\r\n";
  h += "Content-Transfer-Encoding: 8bit\r\n";
  h += "List-Unsubscribe: <https://example.com/unsubscribe?list=reports&id=8f14e45fceea167a>,\r\n"
       " <mailto:unsubscribe@example.com?subject=reports>\r\n";
  h += "X-Mailer: Example Reporting Engine 4.2\r\n";
  return h;
}

// Text as people write it: paragraphs of lines up to 72 characters, words separated by one
// space, a blank line between paragraphs, one paragraph in ten quoted, and two spaces after one
// full stop in four (about one line in six; relaxed canonicalization squeezes them, so this sets
// how often relaxed output differs from the input). Deterministic, so the signer and every
// verifier see the same bytes, and exactly `size` octets ending in CRLF.
class BodyText {
 public:
  explicit BodyText(std::uint64_t size) : left_(size) {}

  bool done() const noexcept { return left_ == 0 && line_at_ == line_.size(); }

  /// Writes up to `capacity` next body octets to `out`; returns how many.
  std::size_t fill(char* out, std::size_t capacity) {
    std::size_t written = 0;
    while (written < capacity) {
      if (line_at_ == line_.size()) {
        if (left_ == 0) break;
        next_line();
      }
      std::size_t n = std::min(capacity - written, line_.size() - line_at_);
      std::memcpy(out + written, line_.data() + line_at_, n);
      line_at_ += n;
      written += n;
    }
    return written;
  }

 private:
  std::uint32_t random() noexcept {  // xorshift32: fixed sequence, no library state
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return state_;
  }

  void next_line() {
    static constexpr std::string_view words[] = {
        "the",      "report", "of",      "quarter", "figures", "revenue", "and",      "customer",
        "growth",   "in",     "region",  "with",    "a",       "meeting", "schedule", "team",
        "results",  "to",     "review",  "budget",  "for",     "project", "members",  "planning",
        "we",       "expect", "numbers", "above",   "below",   "target",  "is",       "on",
        "track",    "please", "note",    "that",    "update",  "market",  "product",  "launch",
        "timeline", "risk",   "support", "service", "costs",   "were",    "higher",   "lower",
        "than",     "last",   "year",    "our",     "office",  "will",    "send",     "details",
        "before",   "after",  "Friday",  "March",   "April",   "2024",    "total",    "percent"};
    line_.clear();
    line_at_ = 0;
    if (lines_in_paragraph_ == 0) {
      lines_in_paragraph_ = 3 + random() % 7;
      quoted_ = random() % 10 == 0;
      if (started_) line_ = "\r\n";  // the blank line between paragraphs
      started_ = true;
      if (!line_.empty()) return finish_line();
    }
    if (quoted_) line_ = "> ";
    std::size_t base = line_.size();
    for (;;) {
      std::string_view word = words[random() % std::size(words)];
      bool stop = random() % 12 == 0;
      std::size_t extra = (line_.size() > base ? 1 : 0) + word.size() + (stop ? 1 : 0);
      if (line_.size() > base && line_.size() + extra > 72) break;
      if (line_.size() > base) line_ += (sentence_end_ && random() % 4 == 0) ? "  " : " ";
      line_ += word;
      if (stop) line_ += '.';
      sentence_end_ = stop;
    }
    --lines_in_paragraph_;
    line_ += "\r\n";
    finish_line();
  }

  // Keeps the body exactly `size` octets: the last line is cut to fit and still ends in CRLF;
  // a line that would leave a single octet over is stretched by one, since no line is shorter
  // than its CRLF.
  void finish_line() {
    if (line_.size() > left_) {
      std::size_t keep = left_ >= 2 ? static_cast<std::size_t>(left_) - 2 : 0;
      line_.resize(keep);
      line_.append("\r\n", static_cast<std::size_t>(left_) - keep);
    } else if (left_ - line_.size() == 1) {
      line_.insert(line_.size() - 2, 1, '.');
    }
    left_ -= line_.size();
  }

  std::uint64_t left_;
  std::string line_;
  std::size_t line_at_ = 0;
  std::uint32_t state_ = 0x9e3779b9u;
  unsigned lines_in_paragraph_ = 0;
  bool quoted_ = false;
  bool started_ = false;
  bool sentence_end_ = false;
};

inline std::string dkim_body(std::uint64_t size) {
  std::string body(static_cast<std::size_t>(size), '\0');
  BodyText text(size);
  std::size_t n = text.fill(body.data(), body.size());
  if (n != body.size() || !text.done()) dkim_fixture_fail("body generator miscounted");
  return body;
}

inline hallmark::dkim::SignOptions dkim_sign_options(const DkimSigner& signer,
                                                     hallmark::dkim::Canonicalization c) {
  hallmark::dkim::SignOptions options;
  options.domain = std::string(dkim_domain);
  options.selector = std::string(signer.selector);
  options.header_canonicalization = c;
  options.body_canonicalization = c;
  return options;
}

/// The whole signed message: DKIM-Signature, the header section, the blank line, the body.
inline std::string dkim_signed_message(const DkimSigner& signer, hallmark::dkim::Canonicalization c,
                                       std::string_view header, std::string_view body) {
  std::string unsigned_message;
  unsigned_message.reserve(header.size() + 2 + body.size());
  unsigned_message.append(header).append("\r\n").append(body);
  auto field =
      hallmark::dkim::sign_message(unsigned_message, signer.key, dkim_sign_options(signer, c));
  if (!field) dkim_fixture_fail("signing failed: " + field.error().message);
  return *field + unsigned_message;
}

/// The message sizes both DKIM benchmarks time: 2 KB, 20 KB, 200 KB and 2 MB of body.
inline constexpr std::uint64_t dkim_sizes[] = {2 << 10, 20 << 10, 200 << 10, 2 << 20};
inline constexpr hallmark::dkim::Canonicalization dkim_canonicalizations[] = {
    hallmark::dkim::Canonicalization::relaxed, hallmark::dkim::Canonicalization::simple};

/// The run's keys, made once.
inline DkimKeys& shared_dkim_keys() {
  static DkimKeys keys = dkim_keys();
  return keys;
}

/// "Relaxed" or "Simple", for benchmark names.
inline std::string canonicalization_name(hallmark::dkim::Canonicalization c) {
  return c == hallmark::dkim::Canonicalization::relaxed ? "Relaxed" : "Simple";
}

}  // namespace hallmark_bench
