// SPDX-License-Identifier: Apache-2.0
// Fuzz target: arbitrary text read as a master file, then lookups of names it likely defines;
// parsing and lookups must not crash, hang or grow memory beyond the input's size.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hallmark/dns/zone_resolver.hpp"

namespace {

using hallmark::dns::Answer;
using hallmark::dns::Status;
using hallmark::dns::Type;

constexpr Type types[] = {Type::a,   Type::aaaa, Type::mx,    Type::txt, Type::spf,
                          Type::ptr, Type::ns,   Type::cname, Type::soa};

void check(const hallmark::dns::ZoneResolver& zone, std::string_view name) {
  for (Type type : types) {
    Answer answer = zone.answer(name, type);
    // A positive answer carries records; a CNAME chain never exceeds the resolver's bound.
    if (answer.status == Status::noerror && answer.size() == 0) std::abort();
    if (answer.cname.size() > 16) std::abort();
    if (answer.name != name) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto zone = hallmark::dns::ZoneResolver::from_text(text, "fuzz.zone", "example.test.");
  if (!zone) {
    if (!zone.error().message.starts_with("fuzz.zone")) std::abort();  // errors name the source
    return 0;
  }
  for (std::string_view name : {"example.test", "www.example.test", "a.b.example.test",
                                "_dmarc.example.test", "*.example.test", "test", ".", ""})
    check(*zone, name);
  // The first word of the first lines is usually an owner name: ask for it, relative and as is.
  std::size_t start = 0;
  for (int line = 0; line < 16 && start < text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view first = text.substr(start, end - start);
    first = first.substr(0, first.find_first_of(" \t;("));
    if (!first.empty() && first.size() < 300) {
      check(*zone, first);
      check(*zone, std::string(first) + ".example.test");
    }
    start = end + 1;
  }
  return 0;
}
