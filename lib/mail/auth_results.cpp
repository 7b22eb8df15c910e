// SPDX-License-Identifier: Apache-2.0
// RFC 8601 2.2 Authentication-Results parser: one left-to-right pass, no recursion, no
// backtracking.
#include "hallmark/mail/auth_results.hpp"

#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/internal/ascii.hpp"

namespace hallmark::mail {
namespace {

using core::Errc;
using core::detail::iequals;
using core::detail::is_fws;
using core::detail::is_wsp;
using core::detail::to_lower;

bool is_control(char c) noexcept {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

bool is_8bit(char c) noexcept { return static_cast<unsigned char>(c) >= 0x80; }

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool is_alnum(char c) noexcept {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// RFC 2045 5.1 token characters: printable US-ASCII but SP and the tspecials.
bool is_token_char(char c) noexcept {
  auto byte = static_cast<unsigned char>(c);
  if (byte <= 0x20 || byte >= 0x7f) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

// Method, result, ptype and property names. RFC 5321 4.1.2 Keyword is letters, digits and
// '-'; we take any token character but '.' (the ptype.property separator), so an extension
// name such as "x_filter" is kept for the consumer to ignore (RFC 8601 2.7) instead of
// failing every other result of the field. ASCII only: no registered name is anything else.
bool is_keyword_char(char c) noexcept { return c != '.' && is_token_char(c); }

// The authserv-id is an RFC 2045 token; 8-bit bytes are kept for RFC 8616 U-labels.
bool is_id_char(char c) noexcept { return is_token_char(c) || is_8bit(c); }

// Leniency: reason values and pvalues also take the three RFC 5322 atext characters that are
// tspecials ('/', '=', '?'). Generators write base64 ("header.b=ab/c+d="), SRS and BATV
// addresses ("SRS0=h=tt=example.com=u@fwd.example") bare.
bool is_bare_value_char(char c) noexcept {
  return is_id_char(c) || c == '/' || c == '=' || c == '?';
}

// The domain of a [local-part]@domain pvalue: DKIM domain-name characters, plus '_' (seen in
// real host names) and 8-bit bytes (RFC 8616 U-labels).
bool is_domain_char(char c) noexcept {
  return is_alnum(c) || c == '-' || c == '.' || c == '_' || is_8bit(c);
}

// A name from the input, cut short so an error message stays a line long.
std::string shown(std::string_view name) {
  constexpr std::size_t kMax = 40;
  if (name.size() <= kMax) return std::string(name);
  return std::string(name.substr(0, kMax)) + "...";
}

class AuthResultsParser {
 public:
  AuthResultsParser(std::string_view text, const AuthResultsLimits& limits)
      : text_(text), limits_(limits) {}
  core::Expected<AuthResults> parse();

 private:
  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return text_[pos_]; }
  bool next_is(char c) const noexcept { return !at_end() && peek() == c; }
  std::string describe() const;

  bool fail(Errc code, std::string message, std::size_t offset);
  bool check_line_breaks();
  bool skip_cfws(bool* skipped = nullptr);
  bool skip_comment();
  bool expect_separator(std::string_view after);
  bool read_quoted(std::string& decoded, std::string* raw = nullptr);
  std::string_view read_run(bool (*accept)(char) noexcept);
  bool read_keyword(std::string& out);
  bool read_version(std::optional<unsigned>& out, std::string_view what);
  bool read_authserv_id(AuthResults& results);
  bool read_reason(AuthMethod& method);
  bool read_pvalue(AuthProperty& property);
  bool read_domain(std::string& out);
  bool read_property(AuthMethod& method, bool& has_reason);
  bool read_method(AuthMethod& method);
  bool read_results(AuthResults& results);

  std::string_view text_;
  const AuthResultsLimits& limits_;
  std::size_t pos_ = 0;
  std::optional<core::Error> error_;
};

std::string AuthResultsParser::describe() const {
  if (at_end()) return "the end of the value";
  auto byte = static_cast<unsigned char>(peek());
  if (byte > 0x20 && byte < 0x7f) return fmt::format("'{}'", peek());
  return fmt::format("byte 0x{:02x}", byte);
}

bool AuthResultsParser::fail(Errc code, std::string message, std::size_t offset) {
  if (!error_) error_ = core::Error{code, std::move(message), offset};
  return false;
}

// RFC 5322 2.2.3: inside a field a line break is only ever part of a fold, so whitespace must
// follow it; one that is not folded would end the field, and a caller writing the value back
// would have let a stranger add a header field. Checked once, up front, so that the grammar
// below can take CR and LF for folding white space. A final line break (the field's own
// terminator, when the caller left it on) is allowed.
bool AuthResultsParser::check_line_breaks() {
  for (std::size_t i = 0; i < text_.size(); ++i) {
    char c = text_[i];
    bool last = i + 1 == text_.size();
    if (c == '\0') return fail(Errc::syntax, "NUL byte in Authentication-Results", i);
    if (c == '\r' && (last || text_[i + 1] != '\n'))
      return fail(Errc::syntax, "CR not followed by LF", i);
    if (c == '\n' && !last && !is_wsp(text_[i + 1]))
      return fail(Errc::syntax, "line break not followed by whitespace would end the field", i);
  }
  return true;
}

bool AuthResultsParser::skip_cfws(bool* skipped) {
  std::size_t begin = pos_;
  while (!at_end()) {
    if (is_fws(peek())) {
      ++pos_;
    } else if (peek() == '(') {
      if (!skip_comment()) return false;
    } else {
      break;
    }
  }
  if (skipped != nullptr) *skipped = pos_ != begin;
  return true;
}

// RFC 5322 3.2.2 comments nest. A counter, not recursion, tracks the depth so the input cannot
// drive the stack; the limit turns away nesting only an attacker or a fuzzer writes. Comment
// text is thrown away, so any byte but NUL (refused up front) may be in it, 8-bit included.
bool AuthResultsParser::skip_comment() {
  std::size_t open = pos_;
  std::size_t depth = 0;
  while (!at_end()) {
    char c = text_[pos_++];
    if (c == '(') {
      if (++depth > limits_.max_comment_depth)
        return fail(Errc::too_many,
                    fmt::format("comments nested deeper than {} levels", limits_.max_comment_depth),
                    pos_ - 1);
    } else if (c == ')') {
      if (--depth == 0) return true;
    } else if (c == '\\') {
      if (at_end()) break;
      ++pos_;  // quoted-pair: the next byte, even ')', is text
    }
  }
  return fail(Errc::syntax, "unterminated comment", open);
}

// RFC 8601 2.2 separates a result's parts with CFWS: without it "pass" and "header.d" would
// run together. A ';' or the end of the value closes the result instead.
bool AuthResultsParser::expect_separator(std::string_view after) {
  bool skipped = false;
  if (!skip_cfws(&skipped)) return false;
  if (skipped || at_end() || peek() == ';') return true;
  return fail(Errc::syntax,
              fmt::format("expected whitespace or ';' after {}, found {}", after, describe()),
              pos_);
}

// RFC 5322 3.2.4 quoted-string, decoded into `decoded` and, when `raw` is given, also kept
// there as written (quotes and backslashes) for a local part. Unfolding (3.2.2) drops each
// line break and keeps the whitespace after it. Control bytes other than HTAB are refused:
// they would reach whoever displays or re-emits the value.
bool AuthResultsParser::read_quoted(std::string& decoded, std::string* raw) {
  std::size_t open = pos_++;
  if (raw != nullptr) *raw += '"';
  while (!at_end()) {
    std::size_t at = pos_;
    char c = text_[pos_++];
    if (c == '"') {
      if (raw != nullptr) *raw += '"';
      return true;
    }
    if (c == '\r' || c == '\n') continue;
    bool escaped = c == '\\';
    if (escaped) {
      if (at_end()) break;
      at = pos_;
      c = text_[pos_++];
      if (c == '\r' || c == '\n')
        return fail(Errc::syntax, "line break after '\\' in quoted string", at);
    }
    if (is_control(c) && c != '\t')
      return fail(Errc::syntax,
                  fmt::format("control byte 0x{:02x} in quoted string", static_cast<unsigned>(c)),
                  at);
    decoded += c;
    if (raw != nullptr) {
      if (escaped) *raw += '\\';
      *raw += c;
    }
  }
  return fail(Errc::syntax, "unterminated quoted string", open);
}

std::string_view AuthResultsParser::read_run(bool (*accept)(char) noexcept) {
  std::size_t begin = pos_;
  while (!at_end() && accept(peek())) ++pos_;
  return text_.substr(begin, pos_ - begin);
}

// False, with no error recorded, when there is no keyword: the caller knows what was missing.
bool AuthResultsParser::read_keyword(std::string& out) {
  std::string_view word = read_run(is_keyword_char);
  out.clear();
  for (char c : word) out += to_lower(c);
  return !word.empty();
}

bool AuthResultsParser::read_version(std::optional<unsigned>& out, std::string_view what) {
  std::size_t begin = pos_;
  std::string_view digits = read_run([](char c) noexcept { return is_digit(c); });
  if (digits.empty())
    return fail(Errc::syntax, fmt::format("expected {} digits, found {}", what, describe()), pos_);
  if (digits.size() > 9)  // fits in any unsigned; real versions are "1"
    return fail(Errc::bad_value, fmt::format("{} has more than 9 digits", what), begin);
  unsigned version = 0;
  for (char d : digits) version = version * 10 + static_cast<unsigned>(d - '0');
  out = version;
  return true;
}

// RFC 8601 2.2: authserv-id [CFWS authres-version]. The version needs CFWS before it, which
// is what tells "example.org 1" from a host called "example.org1".
bool AuthResultsParser::read_authserv_id(AuthResults& results) {
  std::size_t start = pos_;
  if (next_is('"')) {
    if (!read_quoted(results.authserv_id)) return false;
    if (results.authserv_id.empty()) return fail(Errc::syntax, "empty authserv-id", start);
  } else {
    std::string_view id = read_run(is_id_char);
    if (id.empty())
      return fail(Errc::syntax, fmt::format("expected the authserv-id, found {}", describe()),
                  pos_);
    results.authserv_id = id;
  }
  bool skipped = false;
  if (!skip_cfws(&skipped)) return false;
  if (!skipped || at_end() || !is_digit(peek())) return true;
  return read_version(results.version, "authres-version") && skip_cfws();
}

// RFC 8601 2.2 reasonspec: "reason" [CFWS] "=" [CFWS] value, the '=' already consumed.
bool AuthResultsParser::read_reason(AuthMethod& method) {
  if (!skip_cfws()) return false;
  if (next_is('"')) return read_quoted(method.reason);
  std::string_view reason = read_run(is_bare_value_char);
  if (reason.empty())
    return fail(Errc::syntax,
                fmt::format("expected the reason of '{}', found {}", method.method, describe()),
                pos_);
  method.reason = reason;
  return true;
}

bool AuthResultsParser::read_domain(std::string& out) {
  ++pos_;  // '@'
  out += '@';
  std::string_view domain = read_run(is_domain_char);
  if (domain.empty())
    return fail(Errc::syntax, fmt::format("expected a domain after '@', found {}", describe()),
                pos_);
  out += domain;
  return true;
}

// RFC 8601 2.2 pvalue: [CFWS] ( value / [ [ local-part ] "@" ] domain-name ), the '='
// already consumed. Which one it is shows only after a token or quoted-string: an '@' makes
// it a local part.
bool AuthResultsParser::read_pvalue(AuthProperty& property) {
  if (!skip_cfws()) return false;
  if (next_is('"')) {
    std::string decoded;
    std::string raw;
    if (!read_quoted(decoded, &raw)) return false;
    if (!next_is('@')) {
      property.value = std::move(decoded);
      return true;
    }
    property.value = std::move(raw);
    return read_domain(property.value);
  }
  std::string_view bare = read_run(is_bare_value_char);
  property.value = bare;
  if (next_is('@')) return read_domain(property.value);
  if (bare.empty())
    return fail(
        Errc::syntax,
        fmt::format("expected the value of '{}{}{}', found {}", shown(property.ptype),
                    property.ptype.empty() ? "" : ".", shown(property.property), describe()),
        pos_);
  return true;
}

// One reasonspec or propspec (RFC 8601 2.2), after the separating CFWS.
bool AuthResultsParser::read_property(AuthMethod& method, bool& has_reason) {
  std::size_t start = pos_;
  std::string first;
  if (!read_keyword(first))
    return fail(Errc::syntax,
                fmt::format("expected a property of method '{}', found {}", shown(method.method),
                            describe()),
                pos_);
  if (!skip_cfws()) return false;
  if (!next_is('.') && !next_is('='))
    return fail(Errc::syntax,
                fmt::format("expected '.' or '=' after '{}', found {}", shown(first), describe()),
                pos_);
  // Leniency: RFC 8601 puts the reasonspec before the properties; its place says nothing, so
  // it is taken anywhere, once.
  if (first == "reason" && next_is('=')) {
    if (has_reason)
      return fail(Errc::duplicate_tag,
                  fmt::format("second reason for method '{}'", shown(method.method)), start);
    has_reason = true;
    ++pos_;
    return read_reason(method);
  }
  if (method.properties.size() == limits_.max_properties)
    return fail(Errc::too_many,
                fmt::format("method '{}' has more than {} properties", shown(method.method),
                            limits_.max_properties),
                start);
  AuthProperty property;
  if (next_is('.')) {
    property.ptype = std::move(first);
    ++pos_;
    if (!skip_cfws()) return false;
    if (!read_keyword(property.property))
      return fail(Errc::syntax,
                  fmt::format("expected a property name after '{}.', found {}",
                              shown(property.ptype), describe()),
                  pos_);
    if (!skip_cfws()) return false;
    if (!next_is('='))
      return fail(Errc::syntax,
                  fmt::format("expected '=' after '{}.{}', found {}", shown(property.ptype),
                              shown(property.property), describe()),
                  pos_);
  } else {
    // Leniency: Microsoft 365 writes "dmarc=pass action=none", a property with no ptype, in
    // its Authentication-Results and ARC-Authentication-Results fields.
    property.property = std::move(first);
  }
  ++pos_;  // '='
  if (!read_pvalue(property)) return false;
  method.properties.push_back(std::move(property));
  return true;
}

// RFC 8601 2.2 methodspec and what follows it, the method keyword already read:
// [ "/" method-version ] "=" result, then reasonspec and propspecs up to ';' or the end.
bool AuthResultsParser::read_method(AuthMethod& method) {
  if (next_is('/')) {
    ++pos_;
    if (!skip_cfws() || !read_version(method.version, "method-version") || !skip_cfws())
      return false;
  }
  if (!next_is('='))
    return fail(
        Errc::syntax,
        fmt::format("expected '=' after method '{}', found {}", shown(method.method), describe()),
        pos_);
  ++pos_;
  if (!skip_cfws()) return false;
  if (!read_keyword(method.result))
    return fail(Errc::syntax,
                fmt::format("missing result: expected the result of method '{}', found {}",
                            shown(method.method), describe()),
                pos_);
  bool has_reason = false;
  for (;;) {
    if (!expect_separator("a result")) return false;
    if (at_end() || peek() == ';') return true;
    if (!read_property(method, has_reason)) return false;
  }
}

// RFC 8601 2.2: ( no-result / 1*resinfo ), each starting with ';'.
bool AuthResultsParser::read_results(AuthResults& results) {
  bool none = false;
  while (!at_end()) {
    if (peek() != ';')
      return fail(Errc::syntax,
                  fmt::format("expected ';' after the authserv-id, found {}", describe()), pos_);
    ++pos_;
    if (!skip_cfws()) return false;
    // Leniency: an empty result, as in a trailing ";" after the last one or ";;" where a
    // generator joined an empty fragment, says nothing and is skipped.
    if (at_end() || peek() == ';') continue;
    std::size_t start = pos_;
    std::string name;
    if (!read_keyword(name))
      return fail(Errc::syntax, fmt::format("expected a method name, found {}", describe()), pos_);
    if (!skip_cfws()) return false;
    if (name == "none" && (at_end() || peek() == ';')) {
      if (!results.methods.empty())
        return fail(Errc::syntax, "'none' beside method results", start);
      none = true;
      continue;
    }
    if (none) return fail(Errc::syntax, "method result after 'none'", start);
    if (results.methods.size() == limits_.max_methods)
      return fail(Errc::too_many, fmt::format("more than {} method results", limits_.max_methods),
                  start);
    AuthMethod& method = results.methods.emplace_back();
    method.method = std::move(name);
    if (!read_method(method)) return false;
  }
  if (!none && results.methods.empty())
    return fail(Errc::syntax, "no method result and no 'none' after the authserv-id", pos_);
  return true;
}

core::Expected<AuthResults> AuthResultsParser::parse() {
  if (text_.size() > limits_.max_bytes)
    return core::fail(Errc::too_long,
                      fmt::format("Authentication-Results value of {} bytes is longer than {}",
                                  text_.size(), limits_.max_bytes),
                      limits_.max_bytes);
  AuthResults results;
  if (check_line_breaks() && skip_cfws() && read_authserv_id(results) && read_results(results))
    return results;
  return std::unexpected(std::move(*error_));
}

}  // namespace

std::string_view AuthMethod::property(std::string_view ptype,
                                      std::string_view name) const noexcept {
  for (const AuthProperty& candidate : properties)
    if (iequals(candidate.ptype, ptype) && iequals(candidate.property, name))
      return candidate.value;
  return {};
}

const AuthMethod* AuthResults::find(std::string_view method) const noexcept {
  for (const AuthMethod& candidate : methods)
    if (iequals(candidate.method, method)) return &candidate;
  return nullptr;
}

core::Expected<AuthResults> parse_auth_results(std::string_view value,
                                               const AuthResultsLimits& limits) {
  return AuthResultsParser(value, limits).parse();
}

}  // namespace hallmark::mail
