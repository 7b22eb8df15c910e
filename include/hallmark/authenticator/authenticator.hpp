// SPDX-License-Identifier: Apache-2.0
// The Authenticator: one object per process that checks SPF, DKIM, ARC, DMARC (and iprev)
// for every message, and the Session that follows one SMTP transaction: envelope, header
// section, body chunks, verdict. Lookups start as soon as their inputs are known, all at once,
// so a verdict takes the time of the longest chain of dependent lookups, not their sum.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "hallmark/arc/verify.hpp"
#include "hallmark/authenticator/allow_list.hpp"
#include "hallmark/authenticator/tags.hpp"
#include "hallmark/authenticator/verdict.hpp"
#include "hallmark/core/error.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/dkim/verify.hpp"
#include "hallmark/dmarc/evaluate.hpp"
#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/cares_resolver.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/export.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/spf/evaluate.hpp"

namespace hallmark::authenticator {

struct Options {
  /// The authserv-id of our Authentication-Results fields (RFC 8601 2.5): this host's name.
  /// Empty: the system's host name.
  std::string authserv_id;

  /// Time from the start of a session until its pending lookups count as DNS timeouts (the
  /// affected protocols give temperror, never pass); at least this long from finish() too,
  /// so a transaction that outlasts it (a slow client) does not rob its last lookups.
  std::chrono::milliseconds deadline{5000};
  /// DNS lookups per message across every protocol; past it, lookups fail (temperror). SPF
  /// alone may make about 110 within RFC 7208 4.6.4 (10 terms, 10 MX names each).
  std::size_t max_dns_queries = 250;
  /// ARC sets validated; a longer chain fails unvalidated (RFC 8617 allows 50).
  std::size_t max_arc_sets = 50;
  /// DKIM signatures verified (dkim.max_signatures is replaced by this) and the header
  /// section's bounds (dkim.limits and arc.limits are replaced by this).
  std::size_t max_dkim_signatures = 10;
  mail::Limits header_limits;

  /// Check the HELO identity too (RFC 7208 2.3 recommends it), reported beside MAIL FROM.
  bool check_helo = true;
  /// Forward-confirmed reverse DNS of the client address (RFC 8601 3), reported as iprev.
  bool iprev = false;

  /// Each protocol's own options. When dkim.key_cache or arc.key_cache is null, the
  /// authenticator keeps a key cache of its own for them (not the process-wide one, which
  /// another authenticator on other DNS would share).
  spf::Options spf;
  dkim::VerifyOptions dkim;
  arc::VerifyOptions arc;
  dmarc::Options dmarc;

  ScoreTable scores;
  /// Domains whose DMARC result weighs heavily: a pass earns ALLOWLIST_DMARC, a failure
  /// BLOCKLIST_DMARC (a trusted domain that should pass did not). Null: none.
  AllowListPtr allow_dmarc;
  /// The same for the SPF domain and each DKIM d=: ALLOWLIST_SPF_DKIM / BLOCKLIST_SPF_DKIM.
  AllowListPtr allow_spf_dkim;
  /// ARC sealers whose passing chain turns a DMARC failure into the local-policy override
  /// "arc" (RFC 8617 7.2.1, RFC 9989): the newest seal must be theirs, and the
  /// Authentication-Results they sealed must say dmarc=pass.
  AllowListPtr trusted_arc_sealers;

  /// Monotonic clock for deadlines; tests pin it.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

/// Where the built-in resolver gets its answers, for Authenticator::create().
struct ResolverConfig {
  /// Zone fixtures: answers from these files only, fully offline (tests, the demo).
  std::vector<std::string> zone_files;
  /// Otherwise c-ares with these options (the system's configuration by default) on a thread
  /// of its own (dns::ThreadedResolver), behind a cache.
  dns::CaresOptions cares;
  dns::CacheOptions cache;
};

/// What the SMTP server knows of the transaction, for the whole-message calls.
struct Envelope {
  std::optional<core::IpAddress> ip;
  std::string client_name;  // the name the host resolved the client to, if any
  std::string helo;
  std::string mail_from;  // without <>; empty for the null reverse path
  std::vector<std::string> recipients;
};

class Authenticator;

/// One message on its way through the SMTP transaction. Calls follow the transaction:
/// set_client(), set_helo(), set_mail_from() and add_recipient() as the envelope becomes known
/// (SPF starts as soon as it can); then the message's bytes with feed() (the header section,
/// where DKIM, ARC and DMARC lookups start, then the body in chunks of any size), or header
/// fields one by one with add_header() and end_of_headers() and the body with feed(); then
/// finish(). A session belongs to one thread at a time. Destroying it, or cancel(), at any
/// point abandons its lookups at once: it never blocks and never runs the resolver's loop.
class HALLMARK_API Session {
 public:
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// The client's address and, when the host resolved it, its name. Starts iprev (when
  /// asked for) and the HELO check when the HELO name is already known.
  void set_client(core::IpAddress ip, std::string_view client_name = {});
  /// The HELO/EHLO argument; starts the HELO check when the client address is known.
  void set_helo(std::string_view helo);
  /// The MAIL FROM address without <> (empty for the null reverse path); starts the SPF
  /// check of that identity. A second call (a new transaction after RSET) is ignored: start a
  /// new session per transaction.
  void set_mail_from(std::string_view address);
  void add_recipient(std::string_view address);

  /// Raw message bytes, cut anywhere: header section and body. Errors: a header section past
  /// Options::header_limits (reported in the verdict as well), or bytes after finish().
  core::Expected<void> feed(std::string_view bytes);
  /// One header field as a milter gets it: name and value (folds as "\n\t" or "\r\n\t"
  /// allowed). Same errors as feed(), and Errc::bad_value after the end of the headers or
  /// for a name that is not a field name.
  core::Expected<void> add_header(std::string_view name, std::string_view value);
  /// The header section is complete (after add_header()). feed() after it gives body bytes.
  core::Expected<void> end_of_headers();

  /// Ends the message and yields the verdict as soon as the last lookup it needs is in.
  /// Await it on the thread that drives the resolver. Valid once.
  core::Task<Verdict> finish();
  /// finish(), blocking: runs the resolver's loop until the verdict is in or the deadline
  /// passes, whichever comes first.
  Verdict finish_blocking();
  /// finish_blocking() for several sessions at once, verified concurrently: one loop drives
  /// every lookup, each session keeps its own deadline. Verdicts in the order given.
  static std::vector<Verdict> finish_all_blocking(std::span<Session* const> sessions);
  /// The checks of the envelope alone, before any message (a policy service at RCPT time):
  /// waits, up to the deadline, for SPF (MAIL FROM and HELO) and iprev, and gives a verdict
  /// with only them, Authentication-Results included; no tags. Valid once, instead of
  /// finish().
  Verdict finish_envelope_blocking();

  /// Abandons the message: pending lookups are dropped and later answers ignored; finish()
  /// may no longer be called.
  void cancel() noexcept;
  /// The deadline has passed: every pending lookup of this session is answered as a
  /// timeout now, and later ones fail at once. The host's timer calls this; finish_blocking()
  /// does it itself.
  void expire();
  std::chrono::steady_clock::time_point deadline() const noexcept;
  /// Lookups started and not yet answered.
  std::size_t pending_lookups() const noexcept;

 private:
  friend class Authenticator;
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

/// Shared by all of a process's threads: resolver, caches, options, score table and allow
/// lists. Sessions may run on any thread when the resolver takes lookups from any thread: the
/// built-in ones do (zone fixtures; c-ares on its own thread). A dns::CaresResolver the host
/// gives runs on the thread that drives it, and so do sessions using it.
class HALLMARK_API Authenticator {
 public:
  /// Uses the host's resolver, which must outlive the authenticator and every session.
  explicit Authenticator(dns::Resolver& resolver, Options options = {});
  /// With a resolver of its own: zone fixtures, or c-ares behind a cache. Errors: a zone file
  /// that does not load (file and line named), bad c-ares options.
  static core::Expected<std::unique_ptr<Authenticator>> create(Options options = {},
                                                               ResolverConfig resolver = {});
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  /// A new message. The session must not outlive the authenticator.
  std::unique_ptr<Session> start(Envelope envelope = {});

  /// A whole message held in memory (read before the task first suspends; it need not
  /// outlive it).
  core::Task<Verdict> verify(std::string_view message, Envelope envelope = {});
  /// verify(), blocking, with the deadline.
  Verdict verify_blocking(std::string_view message, Envelope envelope = {});

  /// Replaces the allow lists and the score table while verifications run: sessions started
  /// afterwards use the new ones, sessions under way keep what they started with. Null keeps
  /// the current list.
  void reload(AllowListPtr allow_dmarc, AllowListPtr allow_spf_dkim,
              AllowListPtr trusted_arc_sealers);
  void reload(ScoreTable scores);

  const Options& options() const noexcept;
  /// Options::authserv_id, or the host's name when that was empty.
  const std::string& authserv_id() const noexcept;
  dns::Resolver& resolver() noexcept;

 private:
  friend class Session;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The indexes in `headers` of the Authentication-Results fields that claim to come from
/// `authserv_id` (ASCII case-insensitive): forgeries or stale copies of our own results, to
/// remove before the message is passed on (RFC 8601 5). A field that does not parse counts
/// as ours when its first word is our authserv-id, so breaking the syntax does not save a
/// forgery.
HALLMARK_API std::vector<std::size_t> own_auth_results_fields(const mail::HeaderSection& headers,
                                                              std::string_view authserv_id);

}  // namespace hallmark::authenticator
