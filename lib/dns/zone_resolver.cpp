// SPDX-License-Identifier: Apache-2.0
// ZoneResolver: answers from zone fixtures the way a recursive resolver would report them
// (RFC 1034 4.3.2 lookup, RFC 2308 negative answers, RFC 4592 wildcards).
#include "hallmark/dns/zone_resolver.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "dns/internal/zone_file.hpp"

namespace hallmark::dns {
namespace {

using internal::ZoneRecord;

// RFC 1034 5.3.2 leaves the bound to resolvers; 16 is far beyond any sane chain and stops
// loops cheaply.
constexpr std::size_t max_cname_chain = 16;

bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::ranges::equal(a, b, [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

std::string_view without_dot(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

std::string_view parent_of(std::string_view key) noexcept {
  std::size_t dot = key.find('.');
  return dot == std::string_view::npos ? std::string_view{} : key.substr(dot + 1);
}

std::string shown(std::string_view name) {
  return name.size() <= 80 ? std::string(name) : fmt::format("{}...", name.substr(0, 77));
}

std::size_t slot(Type type) noexcept {
  switch (type) {
    case Type::a: return 0;
    case Type::aaaa: return 1;
    case Type::mx: return 2;
    case Type::txt: return 3;
    case Type::spf: return 4;
    case Type::ptr: return 5;
    case Type::ns: return 6;
    case Type::cname: return 7;
    case Type::soa: return 8;
  }
  return 8;
}

// Everything the zone holds at one name. Ancestors of every owner are present as empty
// nodes, so "the name exists" is one hash lookup (RFC 8020: an empty non-terminal is NODATA,
// never NXDOMAIN).
struct Node {
  std::vector<core::IpAddress> a, aaaa;
  std::vector<Mx> mx;
  std::vector<Txt> txt, spf;
  std::vector<std::string> ptr, ns;
  std::string cname;
  bool has_cname = false;
  /// Records of types we do not model are here (ZoneRecord::unmodelled_type). Their data is
  /// not kept: they only make the name exist, and count as data beside a CNAME.
  bool has_other = false;
  Status failure = Status::noerror;
  std::optional<std::uint32_t> negative_ttl;  // set at an SOA owner (RFC 2308 5)
  std::array<std::uint32_t, 9> ttl{};         // per RRset, indexed by slot()

  bool has(Type type) const noexcept {
    switch (type) {
      case Type::a: return !a.empty();
      case Type::aaaa: return !aaaa.empty();
      case Type::mx: return !mx.empty();
      case Type::txt: return !txt.empty();
      case Type::spf: return !spf.empty();
      case Type::ptr: return !ptr.empty();
      case Type::ns: return !ns.empty();
      case Type::cname: return has_cname;
      case Type::soa: return false;  // kept only for its negative TTL
    }
    return false;
  }
  bool has_data() const noexcept {
    return !a.empty() || !aaaa.empty() || !mx.empty() || !txt.empty() || !spf.empty() ||
           !ptr.empty() || !ns.empty() || negative_ttl.has_value() || has_other;
  }
  void fill(Answer& answer) const {
    switch (answer.type) {
      case Type::a: answer.addresses = a; break;
      case Type::aaaa: answer.addresses = aaaa; break;
      case Type::mx: answer.mx = mx; break;
      case Type::txt: answer.txt = txt; break;
      case Type::spf: answer.txt = spf; break;
      case Type::ptr: answer.ptr = ptr; break;
      case Type::ns: answer.ns = ns; break;
      case Type::cname: answer.cname.push_back(cname); break;
      case Type::soa: break;
    }
  }
};

struct NameHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const noexcept {
    return std::hash<std::string_view>{}(key);
  }
};

// Appends `value` to an RRset unless an equal record is there (RFC 2181 5: an RRset holds no
// duplicates). The RRset's TTL is the smallest of its records': RFC 2181 5.2 wants them
// equal, and the smallest is what a cache would keep.
template <class T, class Same>
std::string_view add_to(std::vector<T>& rrset, std::uint32_t& rrset_ttl, T value, std::uint32_t ttl,
                        Same same) {
  rrset_ttl = rrset.empty() ? ttl : std::min(rrset_ttl, ttl);
  for (const T& existing : rrset)
    if (same(existing, value)) return {};
  if (rrset.size() >= internal::max_rrset_size) return "too many records in one RRset";
  rrset.push_back(std::move(value));
  return {};
}

// RFC 4035 2.5: RRSIG and NSEC records sit beside a CNAME in every signed zone; so did SIG,
// NXT and KEY under RFC 2535 2.3.5. Any other type beside a CNAME is an error.
bool may_sit_beside_cname(std::uint16_t unmodelled_type) noexcept {
  return unmodelled_type == 46 || unmodelled_type == 47 || unmodelled_type == 24 ||
         unmodelled_type == 30 || unmodelled_type == 25;
}

ZoneRecord programmatic(std::string_view name, Type type, std::uint32_t ttl) {
  ZoneRecord record;
  record.owner = name;
  record.type = type;
  record.ttl = ttl;
  return record;
}

}  // namespace

struct ZoneResolver::Impl {
  std::unordered_map<std::string, Node, NameHash, std::equal_to<>> nodes;
  std::uint32_t fallback_negative_ttl = internal::default_ttl;
  bool saw_ttl_directive = false;

  const Node* find(std::string_view key) const {
    auto it = nodes.find(key);
    return it == nodes.end() ? nullptr : &it->second;
  }

  // The node of `name`, created with all its ancestors if new.
  Node& node(std::string_view name) {
    std::string key(without_dot(name));
    internal::lower_name(key, key.data());
    auto [it, inserted] = nodes.try_emplace(std::move(key));
    Node& result = it->second;  // references survive rehashing; iterators do not
    if (inserted) {
      for (std::string_view ancestor = it->first; !ancestor.empty();) {
        ancestor = parent_of(ancestor);
        if (!nodes.try_emplace(std::string(ancestor)).second) break;  // its ancestors exist
      }
    }
    return result;
  }

  // Empty when added. `strict` (master files) refuses what an authoritative server would
  // refuse to load; programmatic adds trust the harness.
  std::string insert(const ZoneRecord& record, bool strict) {
    Node& n = node(record.owner);
    if (record.failure != Status::noerror) {
      n.failure = record.failure;
      return {};
    }
    // A type we do not model: node() above made the name (and its ancestors) exist, so
    // lookups there of modelled types answer NODATA, not NXDOMAIN (RFC 2308 2.2, RFC 8020),
    // and a wildcard owner matches (RFC 4592). A lookup of the type itself cannot be asked
    // (dns::Type has no value for it); were it asked, NODATA is all we could answer, as the
    // data is not kept. Nor is it acted on: no DNAME synthesis, no delegation.
    if (record.unmodelled_type != 0 && may_sit_beside_cname(record.unmodelled_type)) return {};
    if (strict) {
      // RFC 1034 3.6.2 / RFC 2181 10.1: a CNAME owner has no other data, and one CNAME.
      bool is_cname = record.unmodelled_type == 0 && record.type == Type::cname;
      if (is_cname && n.has_cname && !iequals(n.cname, record.target))
        return fmt::format("second CNAME at '{}'", shown(record.owner));
      if (is_cname ? n.has_data() : n.has_cname)
        return fmt::format("CNAME and other data at '{}'", shown(record.owner));
    }
    if (record.unmodelled_type != 0) {
      n.has_other = true;
      return {};
    }
    std::uint32_t& ttl = n.ttl[slot(record.type)];
    auto same_name = [](const std::string& x, const std::string& y) { return iequals(x, y); };
    std::string target(without_dot(record.target));
    std::string_view problem;
    switch (record.type) {
      case Type::a:
      case Type::aaaa:
        problem = add_to(record.type == Type::a ? n.a : n.aaaa, ttl, record.address, record.ttl,
                         std::equal_to<>{});
        break;
      case Type::mx:
        problem = add_to(n.mx, ttl, Mx{record.preference, std::move(target)}, record.ttl,
                         [](const Mx& x, const Mx& y) {
                           return x.preference == y.preference && iequals(x.exchange, y.exchange);
                         });
        break;
      case Type::txt:
      case Type::spf:
        problem = add_to(record.type == Type::txt ? n.txt : n.spf, ttl, Txt{record.strings},
                         record.ttl, std::equal_to<>{});
        break;
      case Type::ptr: problem = add_to(n.ptr, ttl, std::move(target), record.ttl, same_name); break;
      case Type::ns: problem = add_to(n.ns, ttl, std::move(target), record.ttl, same_name); break;
      case Type::cname:
        n.cname = std::move(target);
        n.has_cname = true;
        ttl = record.ttl;
        break;
      case Type::soa: n.negative_ttl = record.negative_ttl; break;
    }
    if (problem.empty()) return {};
    return fmt::format("{} at '{}'", problem, shown(record.owner));
  }

  // RFC 4592 3.3.1: a wildcard answers only for a name that does not exist, and only the
  // one at "*." + the closest encloser (the longest existing ancestor) may. So
  // "*._report._dmarc.example" answers "a.example._report._dmarc.example", while an
  // existing name, even an empty non-terminal, blocks every wildcard above it.
  const Node* wildcard_for(std::string_view key) const {
    for (std::string_view ancestor = key; !ancestor.empty();) {
      ancestor = parent_of(ancestor);
      if (find(ancestor) == nullptr) continue;
      std::array<char, 2 + internal::max_name_length> source{'*', '.'};
      std::size_t length = 1;
      if (!ancestor.empty()) {
        std::copy(ancestor.begin(), ancestor.end(), source.begin() + 2);
        length = 2 + ancestor.size();
      }
      return find({source.data(), length});
    }
    return nullptr;
  }

  // RFC 2308 5: the SOA of the enclosing zone gives the negative TTL.
  std::uint32_t negative_ttl(std::string_view key) const {
    for (std::string_view name = key;; name = parent_of(name)) {
      const Node* n = find(name);
      if (n != nullptr && n->negative_ttl) return *n->negative_ttl;
      if (name.empty()) return fallback_negative_ttl;
    }
  }

  Answer answer(std::string_view name, Type type) const;
};

Answer ZoneResolver::Impl::answer(std::string_view name, Type type) const {
  Answer result;
  result.name = std::string(name);
  result.type = type;
  if (std::string_view problem = internal::query_name_problem(name); !problem.empty()) {
    result.status = Status::error;
    result.detail = fmt::format("invalid query name '{}': {}", shown(name), problem);
    return result;
  }
  std::array<char, internal::max_name_length + 1> buffer;
  std::string_view key = internal::lower_name(name, buffer.data());
  std::string chased;  // the key of the current CNAME target
  std::uint32_t ttl = internal::max_ttl;
  for (std::size_t followed = 0;; ++followed) {
    const Node* node = find(key);
    if (node == nullptr) node = wildcard_for(key);
    if (node == nullptr) {
      result.status = Status::nxdomain;
      result.ttl = std::min(ttl, negative_ttl(key));
      return result;
    }
    // The fixture convention (DESIGN.md): a failure marker answers every type but those
    // with records here.
    if (node->has(type)) {
      node->fill(result);
      result.status = Status::noerror;
      result.ttl = std::min(ttl, node->ttl[slot(type)]);
      return result;
    }
    if (node->failure != Status::noerror) {
      result.status = node->failure;
      result.detail = fmt::format("{} (zone fixture)", to_string(node->failure));
      result.ttl = 0;
      return result;
    }
    if (!node->has_cname || type == Type::cname) {
      result.status = Status::nodata;
      result.ttl = std::min(ttl, negative_ttl(key));
      return result;
    }
    // RFC 1034 4.3.2 step 3a: restart the lookup at the CNAME's target.
    std::string_view target = node->cname;
    bool loop = iequals(without_dot(name), target);
    for (const std::string& seen : result.cname) loop = loop || iequals(seen, target);
    if (loop || followed == max_cname_chain || !internal::query_name_problem(target).empty()) {
      result.status = Status::servfail;
      result.detail = loop ? fmt::format("CNAME loop at '{}'", shown(target))
                      : followed == max_cname_chain
                          ? fmt::format("CNAME chain longer than {}", max_cname_chain)
                          : fmt::format("CNAME target '{}' is not a valid name", shown(target));
      result.ttl = 0;
      return result;
    }
    result.cname.push_back(node->cname);
    ttl = std::min(ttl, node->ttl[slot(Type::cname)]);
    chased.resize(target.size());
    key = internal::lower_name(target, chased.data());
  }
}

ZoneResolver::ZoneResolver() : impl_(std::make_unique<Impl>()) {}
ZoneResolver::~ZoneResolver() = default;
ZoneResolver::ZoneResolver(ZoneResolver&&) noexcept = default;
ZoneResolver& ZoneResolver::operator=(ZoneResolver&&) noexcept = default;

ZoneResolver::Impl& ZoneResolver::impl() {
  if (!impl_) impl_ = std::make_unique<Impl>();  // a moved-from resolver is an empty zone
  return *impl_;
}

core::Expected<ZoneResolver> ZoneResolver::from_file(const std::filesystem::path& path) {
  ZoneResolver zone;
  core::Expected<void> loaded = zone.load_file(path);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  return zone;
}

core::Expected<ZoneResolver> ZoneResolver::from_text(std::string_view text, std::string_view source,
                                                     std::string_view origin) {
  ZoneResolver zone;
  core::Expected<void> loaded = zone.load_text(text, source, origin);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  return zone;
}

core::Expected<void> ZoneResolver::load_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return core::fail(core::Errc::io, fmt::format("{}: is a directory", path.string()));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return core::fail(core::Errc::io, fmt::format("{}: {}", path.string(), std::strerror(errno)));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return core::fail(core::Errc::io, fmt::format("{}: read error", path.string()));
  return load_text(text, path.string(), ".");
}

core::Expected<void> ZoneResolver::load_text(std::string_view text, std::string_view source,
                                             std::string_view origin) {
  core::Expected<internal::ZoneFile> file = internal::parse_zone_file(text, source, origin);
  if (!file) return std::unexpected(std::move(file.error()));
  // Records go into a copy, so a file that fails half-way leaves this resolver unchanged.
  Impl staged = impl();
  for (const ZoneRecord& record : file->records) {
    std::string problem = staged.insert(record, true);
    if (!problem.empty())
      return core::fail(core::Errc::bad_value,
                        fmt::format("{}:{}: {}", source, record.line, problem));
  }
  if (file->ttl_directive) {
    // Several files may each say $TTL; the smallest keeps negative caching conservative.
    staged.fallback_negative_ttl =
        staged.saw_ttl_directive ? std::min(staged.fallback_negative_ttl, *file->ttl_directive)
                                 : *file->ttl_directive;
    staged.saw_ttl_directive = true;
  }
  *impl_ = std::move(staged);
  return {};
}

void ZoneResolver::add_address(std::string_view name, const core::IpAddress& address,
                               std::uint32_t ttl) {
  ZoneRecord record = programmatic(name, address.is_v4() ? Type::a : Type::aaaa, ttl);
  record.address = address;
  impl().insert(record, false);
}

void ZoneResolver::add_mx(std::string_view name, std::uint16_t preference,
                          std::string_view exchange, std::uint32_t ttl) {
  ZoneRecord record = programmatic(name, Type::mx, ttl);
  record.preference = preference;
  record.target = exchange;
  impl().insert(record, false);
}

void ZoneResolver::add_txt(std::string_view name, std::vector<std::string> strings,
                           std::uint32_t ttl, Type type) {
  ZoneRecord record = programmatic(name, type == Type::spf ? Type::spf : Type::txt, ttl);
  record.strings = std::move(strings);
  impl().insert(record, false);
}

void ZoneResolver::add_ptr(std::string_view name, std::string_view target, std::uint32_t ttl) {
  ZoneRecord record = programmatic(name, Type::ptr, ttl);
  record.target = target;
  impl().insert(record, false);
}

void ZoneResolver::add_cname(std::string_view name, std::string_view target, std::uint32_t ttl) {
  ZoneRecord record = programmatic(name, Type::cname, ttl);
  record.target = target;
  impl().insert(record, false);
}

void ZoneResolver::add_ns(std::string_view name, std::string_view target, std::uint32_t ttl) {
  ZoneRecord record = programmatic(name, Type::ns, ttl);
  record.target = target;
  impl().insert(record, false);
}

void ZoneResolver::add_failure(std::string_view name, Status status) {
  if (status == Status::noerror || status == Status::nxdomain || status == Status::nodata) return;
  ZoneRecord record = programmatic(name, Type::a, 0);
  record.failure = status;
  impl().insert(record, false);
}

void ZoneResolver::lookup(std::string_view name, Type type, Completion done) {
  done(std::make_shared<const Answer>(answer(name, type)));
}

Answer ZoneResolver::answer(std::string_view name, Type type) const {
  static const Impl empty;
  return (impl_ ? *impl_ : empty).answer(name, type);
}

}  // namespace hallmark::dns
