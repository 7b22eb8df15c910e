// SPDX-License-Identifier: Apache-2.0
// Mail layer benchmarks: a realistic 30-field header section parsed whole and streamed in 4 KB
// chunks, and a From-style address list; reported per field.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "hallmark/mail/address.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/mail/stream.hpp"

namespace {

using namespace hallmark;

// The shape of a mailing-list message after a few hops: Received chain, ARC set, two DKIM
// signatures, a long folded To, list headers. 30 fields, about 3.6 KB.
std::string realistic_header() {
  std::string h;
  for (int hop = 0; hop < 6; ++hop)
    h += "Received: from mx" + std::to_string(hop) +
         ".relay.example.net (mx.relay.example.net [192.0.2." + std::to_string(10 + hop) +
         "])\r\n\tby mail.example.org (Postfix) with ESMTPS id 4Xk9Qz1bLmz" + std::to_string(hop) +
         "\r\n\tfor <list@example.org>; Tue, 12 Mar 2024 10:1" + std::to_string(hop) +
         ":07 +0000 (UTC)\r\n";
  h += "ARC-Seal: i=1; a=rsa-sha256; t=1710238027; cv=none; d=relay.example.net; s=arc-2024;\r\n"
       "\tb=Kq3vJ8sdf7KJHsdf87sdfKJH8s7df8KJHsdf87sdfKJHsd8f7KJHsdf87sdfKJHsdf8\r\n"
       "\t 7sdfKJHsdf87sdfKJHsdf87sdfKJHsdf87sdfKJHsdf87sdfKJHsdf87sdf==\r\n";
  h += "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=relay.example.net;\r\n"
       "\ts=arc-2024; h=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMp\r\n"
       "\tJWZG3hSuFU=; b=LKJHsdf87sdfKJHsdf87sdfKJHsdf87sdfKJHsdf87sdfKJHsdf87sdfKJH==\r\n";
  h += "ARC-Authentication-Results: i=1; relay.example.net; dkim=pass header.d=example.com;\r\n"
       "\tspf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com\r\n";
  for (std::string_view d : {"example.com", "esp.example.net"})
    h += "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + std::string(d) +
         "; s=s2024;\r\n\th=from:to:cc:subject:date:message-id:mime-version:content-type;\r\n"
         "\tbh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r\n"
         "\tb=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR\r\n"
         "\t 5Z7v8T0iVLQTy1P0Tm8tJmxSxGkD4cNfm2fUQnG5TjQ5QzSxv1S6QgqZJ6P+Yxo\r\n"
         "\t hQcO8PtM4WqGm2K3n0XwIY=\r\n";
  h += "Authentication-Results: mail.example.org; dkim=pass header.d=example.com;\r\n"
       "\tspf=pass smtp.mailfrom=bounce.example.com; arc=pass\r\n";
  h += "From: \"Example Sender\" <sender@example.com>\r\n";
  h += "To: \"Alice Anderson\" <alice@example.org>, \"Bob Brown\" <bob@example.org>,\r\n"
       " \"Carol Clark\" <carol@example.org>, \"Dave Davis\" <dave@example.org>,\r\n"
       " \"Eve Evans\" <eve@example.org>, \"Frank Fisher\" <frank@example.org>,\r\n"
       " \"Grace Green\" <grace@example.org>, list@example.org\r\n";
  h += "Cc: \"Heidi Hall\" <heidi@example.org>\r\n";
  h += "Subject: =?UTF-8?Q?Quarterly_report_=E2=80=93_please_review?= before\r\n"
       " Friday's meeting\r\n";
  h += "Date: Tue, 12 Mar 2024 10:10:05 +0000\r\n";
  h += "Message-ID: <CAF1x2y3z4.5a6b7c8d@mail.example.com>\r\n";
  h += "In-Reply-To: <CAF0a1b2c3.d4e5f6a7@mail.example.com>\r\n";
  h += "References: <CAE9z8y7x6.w5v4u3t2@mail.example.com>\r\n"
       " <CAF0a1b2c3.d4e5f6a7@mail.example.com>\r\n";
  h += "MIME-Version: 1.0\r\n";
  h += "Content-Type: multipart/alternative; boundary=\"000000000000a1b2c3d4e5f6\"\r\n";
  h += "List-Id: Example discussion <list.example.org>\r\n";
  h += "List-Unsubscribe: <mailto:list-leave@example.org>,\r\n"
       " <https://lists.example.org/unsubscribe?u=alice>\r\n";
  h += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
  h += "Precedence: list\r\n";
  h += "X-Mailer: Example Mail 12.4\r\n";
  h += "Return-Path: <bounce@bounce.example.com>\r\n";
  h += "Delivered-To: alice@example.org\r\n";
  h += "X-Spam-Status: No, score=-2.1 required=5.0 tests=ARC_PASS,DKIM_SIGNED,DKIM_VALID,\r\n"
       "\tDKIM_VALID_AU,SPF_PASS autolearn=ham version=3.4.6\r\n";
  h += "\r\n";
  return h;
}

std::size_t field_count(std::string_view message) {
  core::Expected<mail::Message> parsed = mail::parse_message(message);
  if (!parsed) std::abort();
  return parsed->headers.size();
}

void report_per_field(benchmark::State& state, std::size_t fields, std::size_t bytes) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * fields));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["fields"] = static_cast<double>(fields);
  // Inverted rate: seconds per field, printed in ns.
  state.counters["time_per_field"] = benchmark::Counter(
      static_cast<double>(fields),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_ParseMessage_Realistic30Fields(benchmark::State& state) {
  std::string message = realistic_header() + "This is the body.\r\n";
  std::size_t fields = field_count(message);
  for (auto _ : state) {
    core::Expected<mail::Message> parsed = mail::parse_message(message);
    benchmark::DoNotOptimize(parsed);
  }
  report_per_field(state, fields, message.size());
}
BENCHMARK(BM_ParseMessage_Realistic30Fields);

class CountingHandler : public mail::MessageHandler {
 public:
  void on_field(const mail::HeaderField& field) override { bytes_ += field.raw.size(); }
  void on_body(std::string_view chunk) override { bytes_ += chunk.size(); }
  std::size_t bytes_ = 0;
};

// The same header section plus a 64 KB body, fed the way a milter receives it.
void BM_MessageParser_4KbChunks(benchmark::State& state) {
  std::string message = realistic_header();
  std::size_t fields = field_count(message);
  for (int i = 0; i < 1024; ++i) message += std::string(62, 'a' + i % 26) + "\r\n";
  std::string_view view = message;
  CountingHandler handler;
  mail::MessageParser parser(handler);
  for (auto _ : state) {
    parser.reset();
    for (std::size_t at = 0; at < view.size(); at += 4096)
      if (!parser.feed(view.substr(at, 4096))) std::abort();
    if (!parser.finish()) std::abort();
    benchmark::DoNotOptimize(handler.bytes_);
  }
  report_per_field(state, fields, message.size());
}
BENCHMARK(BM_MessageParser_4KbChunks);

void BM_ParseAddressList_FoldedTo(benchmark::State& state) {
  std::string header = realistic_header();
  core::Expected<mail::Message> parsed = mail::parse_message(header);
  if (!parsed || parsed->headers.find("To") == nullptr) std::abort();
  std::string to(parsed->headers.find("To")->value);
  std::size_t mailboxes = mail::parse_address_list(to)->size();
  for (auto _ : state) {
    auto list = mail::parse_address_list(to);
    benchmark::DoNotOptimize(list);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * mailboxes));
}
BENCHMARK(BM_ParseAddressList_FoldedTo);

}  // namespace
