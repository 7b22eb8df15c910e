// SPDX-License-Identifier: Apache-2.0
// A Session follows one SMTP transaction: SPF starts with the envelope, DKIM, ARC and DMARC
// lookups at the end of the header section, one pass over the body feeds every hash, and the
// verdict is assembled when the last answer is in. Every lookup goes through the session's
// ScopedResolver, which caps them, expires them at the deadline and drops them on cancel, so
// the coroutines awaiting them can be destroyed at any moment.
#include <algorithm>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "authenticator/internal/assemble.hpp"
#include "authenticator/internal/authenticator_impl.hpp"
#include "dkim/internal/body_hashes.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/started.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/dmarc/author.hpp"
#include "hallmark/dns/scoped_resolver.hpp"
#include "hallmark/mail/auth_results.hpp"
#include "hallmark/mail/stream.hpp"
#include "hallmark/spf/auth_results.hpp"

namespace hallmark::authenticator {
namespace {

dkim::VerifyOptions dkim_options(const Options& options) {
  dkim::VerifyOptions out = options.dkim;
  out.max_signatures = options.max_dkim_signatures;
  out.limits = options.header_limits;
  return out;
}

arc::VerifyOptions arc_options(const Options& options) {
  arc::VerifyOptions out = options.arc;
  out.limits = options.header_limits;
  return out;
}

bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  // RFC 5322 2.2: printable US-ASCII except ':'.
  for (char c : name)
    if (c < 33 || c > 126 || c == ':') return false;
  return true;
}

}  // namespace

struct Session::Impl final : mail::MessageHandler {
  Impl(Authenticator::Impl& authenticator, Envelope envelope)
      : owner(authenticator),
        options(authenticator.options),
        policy(authenticator.current_policy()),
        scope(authenticator.resolver, authenticator.options.max_dns_queries),
        deadline(authenticator.now() + authenticator.options.deadline),
        dkim(scope, dkim_options(authenticator.options), bodies),
        arc(scope, arc_options(authenticator.options), bodies),
        parser(*this, authenticator.options.header_limits) {
    helo = std::move(envelope.helo);
    recipients = std::move(envelope.recipients);
    // Without a client address there is no SMTP transaction to speak of, and so no reverse
    // path: an empty mail_from then means "not given", not "<>".
    if (envelope.ip) {
      mail_from = std::move(envelope.mail_from);
      set_client(*envelope.ip, envelope.client_name);
    }
  }

  // Lookups first dropped, then the coroutines awaiting them destroyed (members below
  // `scope` go first), then the scope itself.
  ~Impl() override { scope.cancel(); }

  // At the end of the message (or envelope): a slow client's transaction may outlast the
  // deadline before its last lookups (those of the header section) even start, and what the
  // deadline bounds is the wait for DNS, so it runs at least its whole length from here.
  // Once: finish_all_blocking() and the finish() it calls must not push it twice.
  void restart_deadline() {
    if (deadline_restarted) return;
    deadline_restarted = true;
    deadline = std::max(deadline, owner.now() + options.deadline);
  }
  bool deadline_restarted = false;

  Authenticator::Impl& owner;
  const Options& options;
  detail::PolicyPtr policy;
  dns::ScopedResolver scope;
  std::chrono::steady_clock::time_point deadline;

  std::optional<core::IpAddress> ip;
  std::string client_name;
  std::string helo;
  std::optional<std::string> mail_from;
  std::vector<std::string> recipients;

  std::optional<core::Started<spf::Result>> spf_mail_from;
  std::optional<core::Started<spf::Result>> spf_helo;
  std::optional<core::Started<IprevResult>> iprev;

  dkim::detail::BodyHashes bodies;
  dkim::Verifier dkim;
  arc::Verifier arc;
  std::optional<core::Started<dmarc::PolicyLookup>> dmarc_lookup;
  bool arc_over_cap = false;
  std::size_t arc_sets = 0;
  bool dmarc_from_unusable = false;

  mail::MessageParser parser;
  std::optional<core::Error> header_error;
  bool headers_complete = false;
  bool fed_by_fields = false;  // add_header() was used
  bool ended = false;
  bool finishing = false;
  bool cancelled = false;
  bool expired_with_pending = false;

  spf::Envelope spf_envelope() const {
    spf::Envelope envelope;
    envelope.ip = *ip;
    envelope.helo = helo;
    envelope.mail_from = mail_from.value_or("");
    return envelope;
  }

  void set_client(core::IpAddress address, std::string_view name) {
    if (ip) return;
    ip = address;
    client_name = std::string(name);
    if (options.iprev) iprev.emplace(check_iprev(scope, address));
    start_mail_from_check();
    start_helo_check();
  }

  void start_helo_check() {
    if (spf_helo || !ip || helo.empty() || !options.check_helo) return;
    // The null reverse path is checked as postmaster@HELO by the MAIL FROM check itself.
    if (mail_from && mail_from->empty()) return;
    spf_helo.emplace(spf::check_helo(scope, spf_envelope(), options.spf));
  }

  void start_mail_from_check() {
    if (spf_mail_from || !ip || !mail_from) return;
    spf_mail_from.emplace(spf::check_mail_from(scope, spf_envelope(), options.spf));
  }

  void set_mail_from(std::string_view address) {
    if (mail_from) return;
    mail_from = std::string(address);
    // RFC 7208 2.4: the null reverse path's MAIL FROM check is the HELO check; one already
    // under way serves as it, rather than running twice and being reported twice.
    if (mail_from->empty() && spf_helo && !spf_mail_from) {
      spf_mail_from = std::move(spf_helo);
      spf_helo.reset();
    }
    start_mail_from_check();
    // A HELO check started before MAIL FROM stays; one not started yet may start now.
    start_helo_check();
  }

  core::Expected<void> feed(std::string_view bytes) {
    if (cancelled || finishing) return core::fail(core::Errc::bad_value, "the message has ended");
    core::Expected<void> fed = parser.feed(bytes);
    if (!fed && !header_error && !headers_complete) header_error = fed.error();
    return fed;
  }

  void on_end_of_headers(const mail::HeaderSection& headers) override {
    headers_complete = true;
    dkim.on_end_of_headers(headers);
    for (const mail::HeaderField& field : headers)
      if (field.name_is("ARC-Seal")) ++arc_sets;
    // A chain longer than the local cap is not validated at all: its lookups are the cost
    // the cap bounds.
    arc_over_cap = arc_sets > options.max_arc_sets;
    if (!arc_over_cap) arc.on_end_of_headers(headers);
    dmarc_lookup.emplace(dmarc::lookup_policy(scope, headers, options.dmarc));
  }
  void on_body(std::string_view chunk) override { bodies.feed(chunk); }
  void on_end() override {
    bodies.finish();
    dkim.on_end();
    if (!arc_over_cap) arc.on_end();
    ended = true;
  }

  core::Task<Verdict> finish();
  core::Task<void> collect_spf(Verdict& verdict);

  /// The blocking calls' loop, over several sessions at once.
  template <class Ready>
  static void wait_until(std::span<Session* const> sessions, std::vector<bool>& expired,
                         Ready ready);
  core::Task<void> collect_dkim_arc(Verdict& verdict);
  core::Task<void> collect_dmarc(Verdict& verdict);
  void note_limits(Verdict& verdict) const;
  Verdict verdict_for_broken_headers(Verdict verdict) const;
};

Verdict Session::Impl::verdict_for_broken_headers(Verdict verdict) const {
  // Not reported as unsigned or unauthenticated, which a flood of fields would otherwise buy.
  std::string why = "message header section not verifiable: " + header_error->message;
  dkim::Result dkim_result;
  dkim_result.outcome = dkim::Outcome::permerror;
  dkim_result.reason = dkim::Reason::syntax;
  dkim_result.detail = why;
  verdict.dkim.push_back(std::move(dkim_result));
  verdict.arc.outcome = arc::ChainStatus::fail;
  verdict.arc.reason = arc::Reason::header_section;
  verdict.arc.detail = why;
  verdict.dmarc.outcome = dmarc::Outcome::permerror;
  verdict.dmarc.unusable_from = true;
  verdict.dmarc.reason = why;
  verdict.dmarc.disposition = options.dmarc.unusable_from == dmarc::UnusableFrom::ignore
                                  ? dmarc::Disposition::none
                                  : dmarc::Disposition::reject;
  verdict.limits.push_back({Limit::header_section, header_error->message});
  return verdict;
}

// The verdict is gathered in steps, each its own coroutine: a frame lives only while its
// step waits, so a message waiting for DNS holds one small frame beside the Verdict rather
// than one frame with room for every step's temporaries.
core::Task<void> Session::Impl::collect_spf(Verdict& verdict) {
  if (spf_mail_from) verdict.spf_mail_from = co_await *spf_mail_from;
  if (spf_helo) verdict.spf_helo = co_await *spf_helo;
  if (iprev) verdict.iprev = co_await *iprev;
}

core::Task<void> Session::Impl::collect_dkim_arc(Verdict& verdict) {
  verdict.dkim = co_await dkim.finish();
  if (arc_over_cap) {
    verdict.arc.outcome = arc::ChainStatus::fail;
    verdict.arc.reason = arc::Reason::too_many_sets;
    verdict.arc.detail =
        fmt::format("{} ARC sets; the limit is {}", arc_sets, options.max_arc_sets);
    verdict.limits.push_back({Limit::arc_sets, verdict.arc.detail});
  } else {
    verdict.arc = co_await arc.finish();
  }
}

core::Task<void> Session::Impl::collect_dmarc(Verdict& verdict) {
  dmarc::Identifiers identifiers;
  if (verdict.spf_mail_from) {
    identifiers.spf_domain = dmarc::spf_domain(mail_from.value_or(""), helo);
    identifiers.spf_pass = verdict.spf_mail_from->outcome == spf::Outcome::pass;
    identifiers.spf_temperror = verdict.spf_mail_from->outcome == spf::Outcome::temperror;
  }
  for (const dkim::Result& result : verdict.dkim) {
    if (result.outcome == dkim::Outcome::pass) identifiers.dkim_domains.push_back(result.domain);
    if (result.outcome == dkim::Outcome::temperror)
      identifiers.dkim_temperror_domains.push_back(result.domain);
  }
  dmarc::PolicyLookup lookup = co_await *dmarc_lookup;
  verdict.dmarc =
      co_await dmarc::evaluate(scope, std::move(lookup), std::move(identifiers), options.dmarc);
}

void Session::Impl::note_limits(Verdict& verdict) const {
  for (const dkim::Result& result : verdict.dkim)
    if (result.reason == dkim::Reason::too_many_signatures) {
      verdict.limits.push_back(
          {Limit::dkim_signatures, fmt::format("signatures past the first {} were not verified",
                                               options.max_dkim_signatures)});
      break;
    }
  if (scope.cap_reached())
    verdict.limits.push_back(
        {Limit::dns_queries,
         fmt::format("more than {} DNS lookups; the rest failed", options.max_dns_queries)});
  if (expired_with_pending)
    verdict.limits.push_back(
        {Limit::deadline, "the deadline passed with lookups pending; they count as timeouts"});
}

core::Task<Verdict> Session::Impl::finish() {
  if (!ended && !header_error) {
    core::Expected<void> done = parser.finish();
    if (!done && !header_error && !headers_complete) header_error = done.error();
  }
  Verdict verdict;
  co_await collect_spf(verdict);
  if (header_error && !headers_complete) {
    verdict = verdict_for_broken_headers(std::move(verdict));
  } else {
    co_await collect_dkim_arc(verdict);
    co_await collect_dmarc(verdict);
  }
  note_limits(verdict);
  detail::assemble(verdict, *policy, owner.authserv_id);
  co_return verdict;
}

// Here rather than beside the authenticator: it needs Session::Impl whole.
std::unique_ptr<Session> Authenticator::start(Envelope envelope) {
  return std::unique_ptr<Session>(
      new Session(std::make_unique<Session::Impl>(*impl_, std::move(envelope))));
}

Session::Session(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Session::~Session() = default;

void Session::set_client(core::IpAddress ip, std::string_view client_name) {
  impl_->set_client(ip, client_name);
}

void Session::set_helo(std::string_view helo) {
  if (!impl_->helo.empty()) return;
  impl_->helo = std::string(helo);
  impl_->start_helo_check();
}

void Session::set_mail_from(std::string_view address) { impl_->set_mail_from(address); }

void Session::add_recipient(std::string_view address) { impl_->recipients.emplace_back(address); }

core::Expected<void> Session::feed(std::string_view bytes) { return impl_->feed(bytes); }

core::Expected<void> Session::add_header(std::string_view name, std::string_view value) {
  if (impl_->headers_complete)
    return core::fail(core::Errc::bad_value, "a header field after the end of the headers");
  if (!is_field_name(name))
    return core::fail(core::Errc::bad_value,
                      fmt::format("'{}' is not a header field name", core::echoed(name)));
  // A line break must continue the field (a fold); one that does not would start another
  // field the host never gave.
  for (std::size_t at = value.find_first_of("\r\n"); at != std::string_view::npos;
       at = value.find_first_of("\r\n", at + 1)) {
    std::size_t next = at + 1;
    if (value[at] == '\r' && next < value.size() && value[next] == '\n') ++next;
    if (next >= value.size() || (value[next] != ' ' && value[next] != '\t'))
      return core::fail(
          core::Errc::bad_value,
          fmt::format("the value of '{}' has a line break that is not a fold", core::echoed(name)));
    at = next - 1;
  }
  impl_->fed_by_fields = true;
  // Milters hand values with bare LF folds; the parser takes either line end.
  std::string field;
  field.reserve(name.size() + value.size() + 4);
  field.append(name).append(":");
  if (!value.empty() && value.front() != ' ' && value.front() != '\t') field += ' ';
  field.append(value).append("\r\n");
  return impl_->feed(field);
}

core::Expected<void> Session::end_of_headers() {
  if (impl_->headers_complete) return {};
  return impl_->feed("\r\n");
}

core::Task<Verdict> Session::finish() {
  if (impl_->cancelled || impl_->finishing)
    throw std::logic_error("Session::finish() after cancel() or a first finish()");
  impl_->finishing = true;
  impl_->restart_deadline();
  return impl_->finish();
}

void Session::cancel() noexcept {
  impl_->cancelled = true;
  impl_->scope.cancel();
}

void Session::expire() {
  if (impl_->scope.pending() > 0) impl_->expired_with_pending = true;
  impl_->scope.expire();
}

std::chrono::steady_clock::time_point Session::deadline() const noexcept { return impl_->deadline; }

std::size_t Session::pending_lookups() const noexcept { return impl_->scope.pending(); }

Verdict Session::finish_blocking() {
  Session* self = this;
  std::vector<Verdict> verdicts = finish_all_blocking(std::span<Session* const>(&self, 1));
  return std::move(verdicts.front());
}

// The blocking calls' loop: pumps the resolver until `ready(i)` holds for every session,
// expiring each at its deadline (`expired` remembers which were).
template <class Ready>
void Session::Impl::wait_until(std::span<Session* const> sessions, std::vector<bool>& expired,
                               Ready ready) {
  using Clock = std::chrono::steady_clock;
  for (;;) {
    Clock::time_point next = Clock::time_point::max();
    core::Pump* pump = nullptr;
    bool waiting = false;
    for (std::size_t i = 0; i < sessions.size(); ++i) {
      if (ready(i)) continue;
      if (!expired[i] && sessions[i]->impl_->owner.now() >= sessions[i]->deadline()) {
        expired[i] = true;
        sessions[i]->expire();
      }
      if (ready(i)) continue;
      waiting = true;
      if (!expired[i]) next = std::min(next, sessions[i]->deadline());
      if (pump == nullptr) pump = sessions[i]->impl_->scope.pump();
    }
    if (!waiting) return;
    if (pump != nullptr && pump->pump_once_until(next)) continue;
    if (pump == nullptr && next != Clock::time_point::max()) {
      // Answers come from another thread (a host's resolver): wait for them a little.
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    // Nothing can answer what is left: end it the way the deadline would.
    bool expired_any = false;
    for (std::size_t i = 0; i < sessions.size(); ++i)
      if (!ready(i) && !expired[i]) {
        expired[i] = true;
        sessions[i]->expire();
        expired_any = true;
      }
    if (!expired_any) {
      std::fputs("hallmark: finish_all_blocking: a verdict waits for nothing\n", stderr);
      std::abort();
    }
  }
}

std::vector<Verdict> Session::finish_all_blocking(std::span<Session* const> sessions) {
  std::vector<bool> expired(sessions.size(), false);
  for (Session* session : sessions) session->impl_->restart_deadline();
  // First every lookup under way lands, on whatever thread answers it, so that the verdicts
  // below are computed here rather than on a resolver's thread.
  Impl::wait_until(sessions, expired,
                   [&](std::size_t i) { return sessions[i]->pending_lookups() == 0; });
  // Then the verdicts: at once, unless DMARC alignment still has names to look up.
  std::vector<core::Started<Verdict>> verdicts;
  verdicts.reserve(sessions.size());
  for (Session* session : sessions) verdicts.emplace_back(session->finish());
  Impl::wait_until(sessions, expired, [&](std::size_t i) { return verdicts[i].done(); });
  std::vector<Verdict> out;
  out.reserve(verdicts.size());
  for (core::Started<Verdict>& verdict : verdicts) out.push_back(verdict.take());
  return out;
}

Verdict Session::finish_envelope_blocking() {
  Impl& impl = *impl_;
  if (impl.cancelled || impl.finishing)
    throw std::logic_error("Session::finish_envelope_blocking() after cancel() or a finish()");
  impl.finishing = true;
  impl.restart_deadline();
  Session* self = this;
  std::vector<bool> expired(1, false);
  auto done = [](const auto& started) { return !started || started->done(); };
  Impl::wait_until(std::span<Session* const>(&self, 1), expired, [&](std::size_t) {
    return done(impl.spf_mail_from) && done(impl.spf_helo) && done(impl.iprev);
  });
  Verdict verdict;
  std::vector<std::string> fragments;
  if (impl.iprev) {
    verdict.iprev = impl.iprev->take();
    fragments.push_back(auth_results_fragment(*verdict.iprev));
  }
  if (impl.spf_mail_from) {
    verdict.spf_mail_from = impl.spf_mail_from->take();
    fragments.push_back(spf::auth_results_fragment(*verdict.spf_mail_from));
  }
  if (impl.spf_helo) {
    verdict.spf_helo = impl.spf_helo->take();
    fragments.push_back(spf::auth_results_fragment(*verdict.spf_helo));
  }
  if (expired[0]) verdict.limits.push_back({Limit::deadline, "DNS lookups still pending"});
  verdict.authentication_results = mail::auth_results_field(impl.owner.authserv_id, fragments);
  return verdict;
}

}  // namespace hallmark::authenticator
