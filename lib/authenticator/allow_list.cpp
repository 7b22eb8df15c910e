// SPDX-License-Identifier: Apache-2.0
// Allow lists: entries read into sorted A-label sets, and lookups of a name and its parents.
#include "hallmark/authenticator/allow_list.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "authenticator/internal/line_file.hpp"
#include "hallmark/core/domain.hpp"

namespace hallmark::authenticator {
namespace {

using detail::quote_line_text;

// The one form entries and queries are compared in: A-labels, lower case, no trailing dot.
// Host-name syntax (ldh): the names looked up are SPF domains, d= domains and sealers, never
// the underscored names of RFC 8552, so an '_' in an entry is more likely a typo than intent.
core::Expected<std::string> normalise(std::string_view domain) {
  core::Expected<std::string> name = core::to_a_label(domain, core::DomainSyntax::ldh);
  if (!name) return name;
  if (!name->empty() && name->back() == '.') name->pop_back();
  // RFC 3696 2: a top-level domain is never all digits, so a name whose last label is must be
  // an IPv4 literal ("192.0.2.1", or inet_aton's "127.1"), which a domain list cannot mean.
  std::string_view last = *name;
  if (std::size_t dot = last.rfind('.'); dot != std::string_view::npos) last.remove_prefix(dot + 1);
  if (last.find_first_not_of("0123456789") == std::string_view::npos)
    return core::fail(core::Errc::syntax,
                      fmt::format("top-level label '{}' is all digits, as in an IP address", last));
  return name;
}

bool sorted_contains(const std::vector<std::string>& set, std::string_view name) {
  return std::binary_search(set.begin(), set.end(), name);
}

void sort_unique(std::vector<std::string>& set) {
  std::sort(set.begin(), set.end());
  set.erase(std::unique(set.begin(), set.end()), set.end());
}

}  // namespace

core::Expected<AllowList> AllowList::parse(std::string_view text) {
  // Bounded input: each entry may cost an IDNA conversion, so a 1 MiB cap bounds the work as
  // well as the memory a wrong or hostile file can take.
  core::Expected<void> size = detail::check_line_file_size(text);
  if (!size) return std::unexpected(std::move(size.error()));
  AllowList list;
  detail::LineReader lines(text);
  detail::Line line;
  while (lines.next(line)) {
    std::string_view entry = line.content;
    if (std::find_if(entry.begin(), entry.end(), detail::LineReader::is_blank) != entry.end())
      return core::fail(core::Errc::syntax,
                        fmt::format("line {}: one domain per line, not '{}'", line.number,
                                    quote_line_text(entry)),
                        line.offset);
    bool below = entry.starts_with("*.");
    std::string_view domain = below ? entry.substr(2) : entry;
    // Only a whole leading label may be a wildcard: "*" alone would allow everything, and
    // "a*.example" or "a.*.example" are patterns DNS does not have.
    if (domain.find('*') != std::string_view::npos)
      return core::fail(core::Errc::bad_value,
                        fmt::format("line {}: '{}' has a '*' other than a leading '*.'",
                                    line.number, quote_line_text(entry)),
                        line.offset);
    core::Expected<std::string> name = normalise(domain);
    if (!name)
      return core::fail(core::Errc::bad_value,
                        fmt::format("line {}: '{}' is not a domain name: {}", line.number,
                                    quote_line_text(entry), name.error().message),
                        line.offset);
    (below ? list.below_ : list.exact_).push_back(std::move(*name));
  }
  // A name listed twice (in two spellings, say) is one entry; size() counts it once.
  sort_unique(list.exact_);
  sort_unique(list.below_);
  return list;
}

core::Expected<AllowList> AllowList::load(const std::string& path) {
  return detail::load_line_file(path, [](std::string_view text) { return parse(text); });
}

bool AllowList::contains(std::string_view domain) const {
  if (empty()) return false;
  // A query that does not convert (an IP literal, a bad label) cannot be listed: contains()
  // answers false rather than failing, since no entry could have matched it.
  core::Expected<std::string> name = normalise(domain);
  if (!name) return false;
  if (sorted_contains(exact_, *name)) return true;
  if (below_.empty()) return false;
  // "*.example.com" is stored as "example.com" and matches from the query's parent up, so
  // the apex itself never matches it. At most 127 parents for a 253-octet name.
  for (std::string_view parent = core::parent_domain(*name); !parent.empty();
       parent = core::parent_domain(parent))
    if (sorted_contains(below_, parent)) return true;
  return false;
}

}  // namespace hallmark::authenticator
