// SPDX-License-Identifier: Apache-2.0
// The streaming DKIM signer (RFC 6376 5): headers chosen and canonicalized when the header
// section ends, the body hashed as it streams, the field assembled and signed at the end.
#include "hallmark/dkim/sign.hpp"

#include <chrono>

#include <fmt/format.h>

#include "dkim/internal/body_hashes.hpp"
#include "dkim/internal/crypto.hpp"
#include "dkim/internal/header_hash.hpp"
#include "hallmark/core/base64.hpp"
#include "hallmark/core/domain.hpp"

namespace hallmark::dkim {
namespace {

// RFC 6376 2.11 DKIM-Quoted-Printable, for i=.
std::string quoted_printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (c > 0x20 && c < 0x7f && c != ';' && c != '=') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("={:02X}", c);
    }
  }
  return out;
}

// Folds "tag=value;" items onto lines of at most ~76 characters.
class FieldWriter {
 public:
  explicit FieldWriter(std::string start) : text_(std::move(start)), line_(text_.size()) {}
  void item(std::string_view piece) {
    if (line_ + 1 + piece.size() > 76 && line_ > 1) {
      text_ += "\r\n\t";
      line_ = 1;
    } else {
      text_ += ' ';
      ++line_;
    }
    text_ += piece;
    line_ += piece.size();
  }
  // Long values (h=, base64) broken at allowed points: after ':' or anywhere in base64.
  void long_item(std::string_view tag, std::string_view value, bool break_anywhere) {
    item(std::string(tag) + "=");
    append_value(value, break_anywhere);
  }
  // Continues the current item with `value`, folding as needed.
  void append_value(std::string_view value, bool break_anywhere) {
    for (std::size_t i = 0; i < value.size();) {
      std::size_t room = line_ < 76 ? 76 - line_ : 0;
      std::size_t take = std::min(room, value.size() - i);
      if (!break_anywhere && take < value.size() - i) {
        // Break only after a ':' so no field name is split; a name longer than a line
        // goes on a line of its own.
        std::size_t colon = take == 0 ? std::string_view::npos : value.rfind(':', i + take - 1);
        if (colon != std::string_view::npos && colon >= i) {
          take = colon - i + 1;
        } else if (line_ > 1) {
          take = 0;
        } else {
          std::size_t next = value.find(':', i);
          take = (next == std::string_view::npos ? value.size() : next + 1) - i;
        }
      }
      if (take == 0) {
        text_ += "\r\n\t";
        line_ = 1;
        continue;
      }
      text_ += value.substr(i, take);
      line_ += take;
      i += take;
    }
  }
  std::string& text() { return text_; }

 private:
  std::string text_;
  std::size_t line_;
};

}  // namespace

const std::vector<std::string>& default_signed_headers() {
  static const std::vector<std::string> names = {"From",
                                                 "Reply-To",
                                                 "Subject",
                                                 "Date",
                                                 "To",
                                                 "Cc",
                                                 "Message-ID",
                                                 "In-Reply-To",
                                                 "References",
                                                 "MIME-Version",
                                                 "Content-Type",
                                                 "Content-Transfer-Encoding",
                                                 "List-Id",
                                                 "List-Unsubscribe",
                                                 "List-Unsubscribe-Post"};
  return names;
}

struct Signer::Impl {
  Impl(Signer& self, PrivateKey k, SignOptions o)
      : key(std::move(k)), options(std::move(o)), parser(self, options.limits) {}

  PrivateKey key;
  SignOptions options;
  mail::MessageParser parser;
  std::string canonical_headers;
  std::vector<std::string> signed_names;
  bool has_from = false;
  bool headers_done = false;
  bool ended = false;
  detail::BodyHashes bodies;
  std::size_t body_job = 0;

  Algorithm algorithm() const {
    if (options.algorithm) return *options.algorithm;
    return key.type() == KeyType::ed25519 ? Algorithm::ed25519_sha256 : Algorithm::rsa_sha256;
  }
};

Signer::Signer(PrivateKey key, SignOptions options)
    : impl_(std::make_unique<Impl>(*this, std::move(key), std::move(options))) {
  impl_->body_job = impl_->bodies.job_for(impl_->options.body_canonicalization,
                                          hash_of(impl_->algorithm()), std::nullopt);
}

Signer::~Signer() = default;

core::Expected<void> Signer::feed(std::string_view bytes) { return impl_->parser.feed(bytes); }

void Signer::on_end_of_headers(const mail::HeaderSection& headers) {
  impl_->headers_done = true;
  detail::HeaderIndex index(headers);
  std::vector<std::string> wanted = impl_->options.headers;
  wanted.insert(wanted.begin(), "From");  // RFC 6376 5.4: From MUST be signed
  std::vector<std::string> seen;
  for (const std::string& name : wanted) {
    std::string lower = core::to_lower_ascii(name);
    if (std::find(seen.begin(), seen.end(), lower) != seen.end()) continue;
    seen.push_back(lower);
    std::size_t present = index.bottom_up(lower).size();
    std::size_t listed = present + (impl_->options.oversign ? 1 : 0);
    for (std::size_t i = 0; i < listed; ++i) impl_->signed_names.push_back(name);
    if (lower == "from") impl_->has_from = present > 0;
  }
  detail::append_signed_headers(headers, index, impl_->signed_names,
                                impl_->options.header_canonicalization, impl_->canonical_headers);
}

void Signer::on_body(std::string_view chunk) { impl_->bodies.feed(chunk); }

void Signer::on_end() {
  impl_->bodies.finish();
  impl_->ended = true;
}

core::Expected<std::string> Signer::finish() {
  Impl& s = *impl_;
  if (!s.ended) {
    if (auto done = s.parser.finish(); !done) return std::unexpected(std::move(done.error()));
  }
  if (!s.has_from)
    return core::fail(core::Errc::missing_tag,
                      "the message has no From field to sign (RFC 6376 5.4)");
  if (s.options.domain.empty() || s.options.selector.empty())
    return core::fail(core::Errc::bad_value, "signing needs a domain (d=) and a selector (s=)");
  Algorithm algorithm = s.algorithm();
  if (key_type_of(algorithm) != s.key.type())
    return core::fail(core::Errc::bad_value,
                      fmt::format("{} needs a different key type", to_string(algorithm)));
  if (s.options.auid) {
    std::size_t at = s.options.auid->rfind('@');
    if (at == std::string::npos ||
        !core::is_subdomain_of(s.options.auid->substr(at + 1), s.options.domain))
      return core::fail(core::Errc::bad_value, "i= must be within d=");
  }
  const detail::BodyHashes::Job& body = s.bodies.job(s.body_job);
  std::int64_t now = s.options.now ? s.options.now()
                                   : std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();

  FieldWriter field("DKIM-Signature:");
  field.item("v=1;");
  field.item(fmt::format("a={};", to_string(algorithm)));
  field.item(fmt::format("c={}/{};", to_string(s.options.header_canonicalization),
                         to_string(s.options.body_canonicalization)));
  field.item(fmt::format("d={};", s.options.domain));
  field.item(fmt::format("s={};", s.options.selector));
  if (s.options.auid) field.item(fmt::format("i={};", quoted_printable(*s.options.auid)));
  if (s.options.timestamp || s.options.expire_after) field.item(fmt::format("t={};", now));
  if (s.options.expire_after) field.item(fmt::format("x={};", now + *s.options.expire_after));
  if (s.options.body_length) field.item(fmt::format("l={};", body.canonical_length));
  std::string names;
  for (const std::string& name : s.signed_names) names += (names.empty() ? "" : ":") + name;
  field.long_item("h", names + ";", false);
  field.long_item("bh", core::base64_encode(body.digest.view()) + ";", true);
  field.item("b=");

  std::string canonical = s.canonical_headers;
  detail::append_signature_field(field.text(), field.text().size(), field.text().size(),
                                 s.options.header_canonicalization, canonical);
  detail::DigestBytes digest = detail::digest_of(hash_of(algorithm), canonical);
  std::string signature =
      detail::sign_digest(static_cast<EVP_PKEY*>(s.key.native()), algorithm, digest.view());
  if (signature.empty()) return core::fail(core::Errc::bad_value, "the key could not sign");
  std::string b = core::base64_encode(signature);
  // The value goes after the "b=" that was hashed; a verifier drops all of it, folds included.
  field.append_value(b, true);
  field.text() += "\r\n";
  return std::move(field.text());
}

core::Expected<std::string> sign_message(std::string_view message, const PrivateKey& key,
                                         SignOptions options) {
  Signer signer(key, std::move(options));
  if (auto fed = signer.feed(message); !fed) return std::unexpected(std::move(fed.error()));
  return signer.finish();
}

}  // namespace hallmark::dkim
