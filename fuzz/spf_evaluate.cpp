// SPDX-License-Identifier: Apache-2.0
// Fuzz target: check_host() of a hostile policy against a hostile zone. The input is lines:
//   line 1                 the TXT record of the checked domain, example.test
//   name TEXT              a TXT record at name (a text over 255 octets becomes several strings)
//   name A|AAAA|MX|PTR x   an address, exchange or PTR target at name (TXT x: a TXT record)
//   name                   name exists with no records (NODATA rather than NXDOMAIN)
//   !local x / !helo x / !ip x / !null   the envelope; !null checks the HELO identity
// Names under timeout. and servfail. fail that way, *.name is a wildcard, and a few fixed
// records let a, mx and ptr match. Whatever the zone, the lookup limits of RFC 7208 4.6.4
// hold (or the result is permerror), the resolver sees a bounded number of queries, and the
// header fields cannot be broken into extra lines or fields.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hallmark/core/sync_wait.hpp"
#include "hallmark/spf/auth_results.hpp"
#include "hallmark/spf/evaluate.hpp"
#include "hallmark/spf/record_cache.hpp"

namespace {

using hallmark::core::IpAddress;
using hallmark::dns::Answer;
using hallmark::dns::Status;
using hallmark::dns::Type;

std::string lower_name(std::string_view name) {
  if (name.ends_with('.')) name.remove_suffix(1);
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

struct Node {
  std::vector<IpAddress> addresses;
  std::vector<std::string> mx, ptr, txt;
};

class ZoneMap final : public hallmark::dns::Resolver {
 public:
  Node& at(std::string_view name) { return nodes_[lower_name(name)]; }

  void lookup(std::string_view name, Type type, Completion done) override {
    ++queries_;
    std::string key = lower_name(name);
    Answer answer = Answer::with_status(std::string(name), type, Status::nodata);
    if (key.starts_with("timeout.")) {
      answer.status = Status::timeout;
    } else if (key.starts_with("servfail.")) {
      answer.status = Status::servfail;
    } else if (const Node* node = find(key); node == nullptr) {
      answer.status = Status::nxdomain;
    } else {
      fill(answer, *node, type);
      if (answer.size() > 0) answer.status = Status::noerror;
    }
    done(std::make_shared<const Answer>(std::move(answer)));
  }

  unsigned queries() const noexcept { return queries_; }

 private:
  // The name itself, else the closest enclosing wildcard (a simplified RFC 4592).
  const Node* find(const std::string& key) const {
    if (auto it = nodes_.find(key); it != nodes_.end()) return &it->second;
    for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', dot + 1))
      if (auto it = nodes_.find("*" + key.substr(dot)); it != nodes_.end()) return &it->second;
    return nullptr;
  }

  static void fill(Answer& answer, const Node& node, Type type) {
    switch (type) {
      case Type::a:
      case Type::aaaa:
        for (const IpAddress& address : node.addresses)
          if (address.is_v4() == (type == Type::a)) answer.addresses.push_back(address);
        break;
      case Type::mx:
        for (std::size_t i = 0; i < node.mx.size(); ++i)
          answer.mx.push_back({static_cast<std::uint16_t>(i), node.mx[i]});
        break;
      case Type::ptr: answer.ptr = node.ptr; break;
      case Type::txt:
        // Real DNS carries at most 255 octets per character-string.
        for (const std::string& text : node.txt) {
          hallmark::dns::Txt record;
          for (std::size_t i = 0; i < text.size(); i += 255)
            record.strings.push_back(text.substr(i, 255));
          if (text.empty()) record.strings.emplace_back();
          answer.txt.push_back(std::move(record));
        }
        break;
      default: break;
    }
  }

  std::map<std::string, Node> nodes_;
  unsigned queries_ = 0;
};

void add_fixed_records(ZoneMap& zone) {
  auto ip = [](std::string_view text) { return *IpAddress::parse(text); };
  Node& domain = zone.at("example.test");
  domain.addresses = {ip("192.0.2.1"), ip("2001:db8::1")};
  domain.mx = {"mx.example.test", "mail.example.test"};
  zone.at("mx.example.test").addresses = {ip("192.0.2.2"), ip("2001:db8::2")};
  zone.at("mail.example.test").addresses = {ip("192.0.2.1"), ip("2001:db8::1")};
  zone.at(ip("192.0.2.1").reverse_name()).ptr = {"mail.example.test", "other.example.net"};
  zone.at(ip("2001:db8::1").reverse_name()).ptr = {"mail.example.test"};
}

// "name A 192.0.2.1", "name TXT text", "name text", "name".
void add_line(ZoneMap& zone, std::string_view line) {
  std::size_t space = line.find(' ');
  Node& node = zone.at(line.substr(0, space));
  if (space == std::string_view::npos) return;
  std::string_view rest = line.substr(space + 1);
  auto keyword = [&rest](std::string_view word) {
    if (!rest.starts_with(word) || rest.size() <= word.size() || rest[word.size()] != ' ')
      return false;
    rest.remove_prefix(word.size() + 1);
    return true;
  };
  if (keyword("A") || keyword("AAAA")) {
    if (auto address = IpAddress::parse(rest)) node.addresses.push_back(*address);
  } else if (keyword("MX")) {
    node.mx.emplace_back(rest);
  } else if (keyword("PTR")) {
    node.ptr.emplace_back(rest);
  } else {
    keyword("TXT");
    node.txt.emplace_back(rest);
  }
}

bool has_line_break(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

// A folded field breaks only as CRLF before white space, and unfolds to the one-line field.
bool is_folding_of(std::string_view folded, std::string_view line) {
  std::string unfolded;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    if (folded[i] == '\r') {
      if (folded.substr(i, 3) != "\r\n " && folded.substr(i, 3) != "\r\n\t") return false;
      ++i;
    } else if (folded[i] == '\n') {
      return false;
    } else {
      unfolded += folded[i];
    }
  }
  return unfolded == line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hallmark;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  ZoneMap zone;
  add_fixed_records(zone);
  std::string local = "user";
  spf::Envelope envelope{*core::IpAddress::parse("192.0.2.1"), "mail.example.test", {}};
  bool null_sender = false;
  for (std::size_t line_number = 0; !input.empty(); ++line_number) {
    std::size_t newline = input.find('\n');
    std::string_view line = input.substr(0, newline);
    input = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
    if (line_number == 0) {
      zone.at("example.test").txt.emplace_back(line);
    } else if (line.starts_with("!local ")) {
      local = line.substr(7);
    } else if (line.starts_with("!helo ")) {
      envelope.helo = line.substr(6);
    } else if (line.starts_with("!ip ")) {
      if (auto ip = core::IpAddress::parse(line.substr(4))) envelope.ip = *ip;
    } else if (line == "!null") {
      null_sender = true;
    } else {
      add_line(zone, line);
    }
  }
  if (!null_sender) envelope.mail_from = local + "@example.test";

  spf::Options options;
  options.now = [] { return std::int64_t{1700000000}; };
  options.receiver = "mx.receiver.test";
  options.trace = size % 2 == 1;  // the input size picks, so both paths get inputs
  spf::RecordCache cache(64);     // not the process-wide one, which would grow across inputs
  options.record_cache = &cache;
  spf::Result r = core::sync_wait(null_sender ? spf::check_helo(zone, envelope, options)
                                              : spf::check_mail_from(zone, envelope, options));

  // RFC 7208 4.6.4: counting stops at the first term or void lookup over the limit, which
  // makes the result permerror.
  bool permerror = r.outcome == spf::Outcome::permerror;
  if (r.dns_lookups > options.max_dns_mechanisms + (permerror ? 1 : 0)) std::abort();
  if (r.void_lookups > options.max_void_lookups + (permerror ? 1 : 0)) std::abort();
  // Each counted term queries at most: the PTR of %{p} and its validations, its own query,
  // and the addresses of its MX exchanges or PTR names. Plus the first TXT, and exp= with
  // %{p} in its name and in its text.
  unsigned per_term =
      2 + options.max_ptr_names + std::max(options.max_mx_names, options.max_ptr_names);
  unsigned bound = 1 + options.max_dns_mechanisms * per_term + 2 * (1 + options.max_ptr_names) + 1;
  if (zone.queries() > bound) std::abort();
  // pass, fail and softfail come only from a matching mechanism; none only from a missing
  // or uncheckable top-level record, before any term.
  bool matched = r.outcome == spf::Outcome::pass || r.outcome == spf::Outcome::fail ||
                 r.outcome == spf::Outcome::softfail;
  if (matched && r.mechanism.empty()) std::abort();
  if (r.outcome == spf::Outcome::none && r.dns_lookups != 0) std::abort();
  if (options.trace && r.trace.size() > options.max_trace_entries + 1) std::abort();

  if (has_line_break(spf::auth_results_fragment(r))) std::abort();
  std::string line = spf::received_spf(r, envelope, options.receiver, "");
  if (has_line_break(line)) std::abort();
  if (!is_folding_of(spf::received_spf(r, envelope, options.receiver), line)) std::abort();
  return 0;
}
