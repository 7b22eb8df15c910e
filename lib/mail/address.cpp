// SPDX-License-Identifier: Apache-2.0
// RFC 5322 3.4 / 4.4 address-list parser: one left-to-right pass, no recursion, no backtracking.
#include "hallmark/mail/address.hpp"

#include <optional>
#include <utility>

#include <fmt/format.h>

namespace hallmark::mail {
namespace {

using core::Errc;

// RFC 5322 3.2.3 atext, widened by RFC 6532 3.2 to every 8-bit byte. UTF-8 is not validated
// here: Latin-1 display names are common in real mail, and the domain's bytes meet IDNA later.
bool is_atext(char c) noexcept {
  auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x80) return true;
  if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9'))
    return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Folding whitespace, with CR and LF accepted on their own so folded and unfolded values and
// bare-LF messages all parse alike.
bool is_fws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string describe(char c) {
  auto byte = static_cast<unsigned char>(c);
  if (byte > 32 && byte < 127) return fmt::format("'{}'", c);
  return fmt::format("byte 0x{:02x}", byte);
}

// Words (atoms, quoted strings) and dots read before the byte that says what they were: '<'
// makes them a display name, '@' a local part, ':' a group name. Both readings are built in
// the same pass so the decision costs nothing.
struct Words {
  std::size_t start = 0;
  std::string phrase;      // decoded, as a display name
  std::string local;       // as written minus CFWS, as a local part
  std::size_t tokens = 0;  // words and dots
  std::size_t words = 0;
  bool phrase_ok = true;  // RFC 5322 4.1 obs-phrase: a word first, then words, dots, CFWS
  bool local_ok = true;   // RFC 5322 4.4 obs-local-part: no two words without a dot between
  bool last_was_word = false;
};

class AddressParser {
 public:
  explicit AddressParser(std::string_view text) : text_(text) {}
  core::Expected<std::vector<Mailbox>> parse();

 private:
  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return text_[pos_]; }

  bool fail(std::string message, std::size_t offset, Errc code = Errc::syntax);
  bool skip_cfws(bool* skipped = nullptr);
  bool skip_comment();
  bool read_words(Words& words);
  bool read_quoted(Words& words);
  bool read_domain(std::string& domain);
  bool read_route();
  bool read_angle(Mailbox& mailbox);
  bool read_address(const std::string* group);
  bool read_group(std::string name);

  std::string_view text_;
  std::size_t pos_ = 0;
  std::vector<Mailbox> mailboxes_;
  std::optional<core::Error> error_;
};

bool AddressParser::fail(std::string message, std::size_t offset, Errc code) {
  if (!error_) error_ = core::Error{code, std::move(message), offset};
  return false;
}

bool AddressParser::skip_cfws(bool* skipped) {
  std::size_t begin = pos_;
  while (!at_end()) {
    char c = peek();
    if (is_fws(c)) {
      ++pos_;
    } else if (c == '(') {
      if (!skip_comment()) return false;
    } else {
      break;
    }
  }
  if (skipped != nullptr) *skipped = pos_ != begin;
  return true;
}

// A counter, not recursion, tracks nesting (RFC 5322 3.2.2 comments nest), so a sender cannot
// drive the stack. Real mail nests once or twice; the depth limit turns away input that only
// an attacker or a fuzzer writes instead of giving it a meaning.
bool AddressParser::skip_comment() {
  std::size_t open = pos_;
  std::size_t depth = 0;
  while (!at_end()) {
    char c = text_[pos_++];
    if (c == '(') {
      if (++depth > kMaxCommentDepth)
        return fail(fmt::format("comments nested deeper than {} levels", kMaxCommentDepth),
                    pos_ - 1, Errc::too_many);
    } else if (c == ')') {
      if (--depth == 0) return true;
    } else if (c == '\\') {
      if (at_end()) break;
      ++pos_;  // quoted-pair: the next byte, even ')' or NUL, is text
    } else if (c == '\0') {
      return fail("NUL byte in comment", pos_ - 1);
    }
  }
  return fail("unterminated comment", open);
}

bool AddressParser::read_quoted(Words& words) {
  std::size_t open = pos_++;
  words.local += '"';
  while (!at_end()) {
    char c = text_[pos_++];
    if (c == '"') {
      words.local += '"';
      return true;
    }
    if (c == '\\') {
      if (at_end()) break;
      char escaped = text_[pos_++];
      words.local += '\\';
      words.local += escaped;
      words.phrase += escaped;
    } else if (c == '\r' || c == '\n') {
      continue;  // RFC 5322 3.2.2: unfolding drops the line break, the WSP after it stays
    } else if (c == '\0') {
      return fail("NUL byte in quoted string", pos_ - 1);
    } else {
      words.local += c;
      words.phrase += c;
    }
  }
  return fail("unterminated quoted string", open);
}

bool AddressParser::read_words(Words& words) {
  words.start = pos_;
  bool space = false;  // CFWS seen since the last token: one space in the phrase, none in local
  for (;;) {
    bool skipped = false;
    if (!skip_cfws(&skipped)) return false;
    if (skipped && words.tokens > 0) space = true;
    if (at_end()) return true;
    char c = peek();
    if (c != '.' && c != '"' && !is_atext(c)) return true;
    if (space) words.phrase += ' ';
    space = false;
    ++words.tokens;
    if (c == '.') {
      if (words.tokens == 1) words.phrase_ok = false;
      words.phrase += '.';
      words.local += '.';
      words.last_was_word = false;
      ++pos_;
      continue;
    }
    // Leading, trailing and doubled dots in a local part ("john..doe", seen from some mobile
    // carriers) are tolerated: they cannot change the domain. Two words side by side cannot be
    // a local part.
    if (words.last_was_word) words.local_ok = false;
    words.last_was_word = true;
    ++words.words;
    if (c == '"') {
      if (!read_quoted(words)) return false;
      continue;
    }
    std::size_t begin = pos_;
    while (!at_end() && is_atext(peek())) ++pos_;
    std::string_view atom = text_.substr(begin, pos_ - begin);
    words.phrase += atom;
    words.local += atom;
  }
}

// RFC 5322 3.4.1 domain: a dot-atom (with the CFWS around dots of 4.4 obs-domain) or a
// domain-literal; either way kept as written minus CFWS.
bool AddressParser::read_domain(std::string& domain) {
  if (!skip_cfws()) return false;
  if (at_end()) return fail("missing domain after '@'", pos_);
  if (peek() == '[') {
    std::size_t open = pos_++;
    domain += '[';
    while (!at_end()) {
      char c = text_[pos_++];
      if (c == ']') {
        domain += ']';
        return skip_cfws();
      }
      if (c == '[') return fail("'[' inside a domain literal", pos_ - 1);
      if (c == '\0') return fail("NUL byte in domain literal", pos_ - 1);
      if (is_fws(c)) continue;
      domain += c;
      if (c == '\\') {  // RFC 5322 4.4 obs-dtext: quoted-pair
        if (at_end()) break;
        domain += text_[pos_++];
      }
    }
    return fail("unterminated domain literal", open);
  }
  if (!is_atext(peek())) return fail("missing domain after '@'", pos_);
  for (;;) {
    std::size_t begin = pos_;
    while (!at_end() && is_atext(peek())) ++pos_;
    domain += text_.substr(begin, pos_ - begin);
    if (!skip_cfws()) return false;
    if (at_end() || peek() != '.') return true;
    ++pos_;
    domain += '.';
    if (!skip_cfws()) return false;
    if (at_end() || !is_atext(peek()))
      return fail(fmt::format("domain '{}' has an empty label", domain), pos_);
  }
}

// RFC 5322 4.4 obs-route = obs-domain-list ":", e.g. "@a,@b:". Read and dropped, as the RFC
// says receivers ignore it.
bool AddressParser::read_route() {
  for (;;) {
    while (!at_end() && (peek() == ',' || is_fws(peek()) || peek() == '(')) {
      if (peek() == ',') {
        ++pos_;
      } else if (!skip_cfws()) {
        return false;
      }
    }
    if (at_end()) return true;  // the caller reports the unterminated angle address
    if (peek() == ':') {
      ++pos_;
      return true;
    }
    if (peek() != '@') return fail(fmt::format("unexpected {} in route", describe(peek())), pos_);
    ++pos_;
    std::string ignored;
    if (!read_domain(ignored)) return false;
  }
}

bool AddressParser::read_angle(Mailbox& mailbox) {
  std::size_t open = pos_++;
  if (!skip_cfws()) return false;
  if (!at_end() && (peek() == '@' || peek() == ',') && !read_route()) return false;
  if (!skip_cfws()) return false;
  if (at_end()) return fail("unterminated angle address", open);
  if (peek() == '>') return fail("empty angle address", open);
  Words words;
  if (!read_words(words)) return false;
  if (at_end()) return fail("unterminated angle address", open);
  if (peek() != '@') {
    if (words.words == 0)
      return fail(fmt::format("unexpected {} in angle address", describe(peek())), pos_);
    return fail(fmt::format("address '{}' has no '@' and domain", words.local), words.start);
  }
  if (words.words == 0) return fail("missing local part before '@'", pos_);
  if (!words.local_ok)
    return fail(fmt::format("local part '{}' has words without a dot between them", words.phrase),
                words.start);
  ++pos_;
  if (!read_domain(mailbox.domain)) return false;
  if (at_end()) return fail("unterminated angle address", open);
  if (peek() != '>')
    return fail(fmt::format("unexpected {} in angle address", describe(peek())), pos_);
  ++pos_;
  mailbox.local_part = std::move(words.local);
  mailbox.address = mailbox.local_part + '@' + mailbox.domain;
  return true;
}

// One mailbox or group, at a byte that is neither CFWS nor ','. `group` is the enclosing
// group's name, or null at the top level.
bool AddressParser::read_address(const std::string* group) {
  Mailbox mailbox;
  mailbox.offset = pos_;
  if (group != nullptr) mailbox.group = *group;
  if (peek() == '<') {
    if (!read_angle(mailbox)) return false;
    mailboxes_.push_back(std::move(mailbox));
    return true;
  }
  Words words;
  if (!read_words(words)) return false;
  char next = at_end() ? '\0' : peek();
  if (words.tokens == 0) return fail(fmt::format("unexpected {}", describe(next)), pos_);
  bool phrase = words.phrase_ok && words.words > 0;
  if (!at_end() && next == '<') {
    if (!phrase)
      return fail(fmt::format("display name '{}' is not a phrase", words.phrase), words.start);
    mailbox.display_name = std::move(words.phrase);
    if (!read_angle(mailbox)) return false;
  } else if (!at_end() && next == '@') {
    if (words.words == 0) return fail("missing local part before '@'", pos_);
    if (!words.local_ok)
      return fail(fmt::format("local part '{}' has words without a dot between them", words.phrase),
                  words.start);
    ++pos_;
    mailbox.local_part = std::move(words.local);
    if (!read_domain(mailbox.domain)) return false;
    mailbox.address = mailbox.local_part + '@' + mailbox.domain;
  } else if (!at_end() && next == ':') {
    if (group != nullptr) return fail("group inside a group", pos_);
    if (!phrase)
      return fail(fmt::format("group name '{}' is not a phrase", words.phrase), words.start);
    return read_group(std::move(words.phrase));
  } else if (at_end() || next == ',' || next == ';') {
    return fail(fmt::format("address '{}' has no '@' and domain", words.local), words.start);
  } else {
    return fail(fmt::format("unexpected {}", describe(next)), pos_);
  }
  mailboxes_.push_back(std::move(mailbox));
  return true;
}

// RFC 5322 3.4 group = display-name ":" [group-list] ";", with 4.4's empty list elements. A
// missing final ';' is accepted at the end of the value: "undisclosed-recipients:" is common.
bool AddressParser::read_group(std::string name) {
  ++pos_;  // ':'
  for (;;) {
    if (!skip_cfws()) return false;
    if (at_end()) return true;
    char c = peek();
    if (c == ';') {
      ++pos_;
      return true;
    }
    if (c == ',') {
      ++pos_;
      continue;
    }
    if (!read_address(&name)) return false;
    if (!skip_cfws()) return false;
    if (at_end()) return true;
    c = peek();
    if (c != ',' && c != ';')
      return fail(fmt::format("unexpected {} after address in group", describe(c)), pos_);
  }
}

core::Expected<std::vector<Mailbox>> AddressParser::parse() {
  bool any = false;
  for (;;) {
    if (!skip_cfws()) break;
    if (at_end()) break;
    if (peek() == ',') {  // RFC 5322 4.4 obs-addr-list: empty elements
      ++pos_;
      continue;
    }
    if (!read_address(nullptr)) break;
    any = true;
    if (!skip_cfws()) break;
    if (at_end()) break;
    if (peek() != ',') {
      fail(fmt::format("unexpected {} after address", describe(peek())), pos_);
      break;
    }
  }
  if (error_) return std::unexpected(std::move(*error_));
  if (!any) return core::fail(Errc::syntax, "empty address list", 0);
  return std::move(mailboxes_);
}

}  // namespace

core::Expected<std::vector<Mailbox>> parse_address_list(std::string_view value) {
  return AddressParser(value).parse();
}

}  // namespace hallmark::mail
