// SPDX-License-Identifier: Apache-2.0
// Consumer of an installed hallmark: resolves a name from an inline zone fixture.
#include <cstdio>

#include <hallmark/hallmark.hpp>

int main() {
  namespace dns = hallmark::dns;
  auto zone = dns::ZoneResolver::from_text("example.test. 60 IN A 192.0.2.1\n");
  if (!zone) return 1;
  dns::Answer answer = dns::lookup_sync(*zone, "example.test", dns::Type::a);
  if (answer.addresses.size() != 1) return 1;
  std::printf("%s %s\n", HALLMARK_VERSION_STRING, answer.addresses[0].to_string().c_str());
  return answer.addresses[0].to_string() == "192.0.2.1" ? 0 : 1;
}
