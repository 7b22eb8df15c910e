// SPDX-License-Identifier: Apache-2.0
// Fuzzes MessageParser: fed whole and in input-chosen chunks, it must agree with parse_message().
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/mail/header.hpp"
#include "hallmark/mail/stream.hpp"

namespace {

using namespace hallmark;

// Everything observable, flattened: fields, how the section ended, body, or the error.
struct Outcome {
  std::vector<std::string> fields;
  int ended_by = -1;
  std::string raw;
  std::string body;
  int error = -1;
  std::size_t error_offset = 0;
  bool operator==(const Outcome&) const = default;
};

std::string flatten(const mail::HeaderField& field) {
  return std::string(field.name) + '\0' + std::string(field.value) + '\0' + std::string(field.raw) +
         '\0' + std::to_string(field.offset) + (field.space_before_colon ? "s" : "");
}

class Collector : public mail::MessageHandler {
 public:
  void on_field(const mail::HeaderField& field) override { streamed.push_back(flatten(field)); }
  void on_end_of_headers(const mail::HeaderSection& headers) override {
    for (const mail::HeaderField& field : headers) outcome.fields.push_back(flatten(field));
    if (outcome.fields != streamed) std::abort();
    outcome.ended_by = static_cast<int>(headers.ended_by());
    outcome.raw = headers.raw();
  }
  void on_body(std::string_view chunk) override {
    if (chunk.empty()) std::abort();
    outcome.body += chunk;
  }
  void on_end() override { ++ends; }

  std::vector<std::string> streamed;
  Outcome outcome;
  int ends = 0;
};

Outcome whole(std::string_view text, const mail::Limits& limits) {
  Outcome outcome;
  core::Expected<mail::Message> message = mail::parse_message(text, limits);
  if (!message) {
    outcome.error = static_cast<int>(message.error().code);
    outcome.error_offset = message.error().offset;
    return outcome;
  }
  for (const mail::HeaderField& field : message->headers) outcome.fields.push_back(flatten(field));
  outcome.ended_by = static_cast<int>(message->headers.ended_by());
  outcome.raw = message->headers.raw();
  outcome.body = message->body;
  return outcome;
}

Outcome streamed(std::string_view text, const std::vector<std::size_t>& sizes,
                 const mail::Limits& limits) {
  Collector collector;
  mail::MessageParser parser(collector, limits);
  std::size_t next = 0;
  core::Expected<void> status;
  while (status && !text.empty()) {
    std::size_t take = sizes.empty() ? text.size() : sizes[next++ % sizes.size()];
    if (take == 0) {  // an empty feed, then one byte so the loop always advances
      status = parser.feed({});
      if (!status) break;
      take = 1;
    }
    if (take > text.size()) take = text.size();
    status = parser.feed(text.substr(0, take));
    text.remove_prefix(take);
  }
  if (status) status = parser.finish();
  if (!status) {
    Outcome failed;
    failed.error = static_cast<int>(status.error().code);
    failed.error_offset = status.error().offset;
    return failed;
  }
  if (collector.ends != 1) std::abort();
  return collector.outcome;
}

}  // namespace

// Declared for -Wmissing-declarations; libFuzzer or the replay main calls it.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The first bytes choose the chunk sizes (0 means an empty feed) and a limit.
  std::vector<std::size_t> sizes;
  std::size_t control = size < 4 ? size : 4;
  for (std::size_t i = 0; i < control; ++i) sizes.push_back(data[i] % 17);
  std::string_view text(reinterpret_cast<const char*>(data) + control, size - control);
  mail::Limits tight{.max_header_bytes = control > 0 ? data[0] : 16u,
                     .max_fields = control > 1 ? data[1] % 8u : 2u};
  for (const mail::Limits& limits : {mail::Limits{}, tight}) {
    Outcome expected = whole(text, limits);
    if (streamed(text, {}, limits) != expected) std::abort();
    if (streamed(text, {1}, limits) != expected) std::abort();
    if (!sizes.empty() && streamed(text, sizes, limits) != expected) std::abort();
  }
  return 0;
}
