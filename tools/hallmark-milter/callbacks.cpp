// SPDX-License-Identifier: Apache-2.0
#include "callbacks.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/internal/ascii.hpp"
#include "hallmark/arc/seal.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "header_fields.hpp"
#include "log_line.hpp"
#include "policy.hpp"
#include "runtime.hpp"

namespace hallmark::milter {

namespace {

// One SMTP connection: the client, and the message under way, if any.
struct Connection {
  // What negotiation agreed on.
  bool leading_space = false;  // SMFIP_HDR_LEADSPC: header values keep their leading blanks
  bool no_header_reply = false;
  bool no_body_reply = false;

  std::optional<core::IpAddress> ip;
  std::string client_name;
  std::string helo;

  // The message under way (MAIL FROM to end of message).
  std::unique_ptr<authenticator::Session> session;
  std::string mail_from;
  std::vector<std::string> incoming_auth_results;  // values, in header order
  std::string message_error;                       // the first bytes the session refused
  std::string sealed_copy;                         // the message, when it is to be sealed
  bool seal_copy_complete = true;                  // false once past arc_seal_max_bytes

  // Abandons the message under way at once: an aborted transaction's lookups are dropped.
  void end_message(Runtime& runtime) {
    if (!session) return;
    session->cancel();
    session.reset();
    runtime.message_ended();
    mail_from.clear();
    incoming_auth_results.clear();
    message_error.clear();
    sealed_copy.clear();
    sealed_copy.shrink_to_fit();
    seal_copy_complete = true;
  }
};

Connection* connection_of(SMFICTX* ctx) { return static_cast<Connection*>(smfi_getpriv(ctx)); }

std::string_view symbol(SMFICTX* ctx, const char* name) {
  const char* value = smfi_getsymval(ctx, const_cast<char*>(name));
  return value == nullptr ? std::string_view() : std::string_view(value);
}

// "<user@example.com>" as the MTA hands it, without the brackets (and ESMTP parameters are
// separate arguments already).
std::string_view strip_brackets(std::string_view address) {
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
    return address.substr(1, address.size() - 2);
  return address;
}

std::optional<core::IpAddress> address_of(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    sockaddr_in v4;
    std::memcpy(&v4, address, sizeof v4);
    std::array<std::uint8_t, 4> bytes;
    std::memcpy(bytes.data(), &v4.sin_addr, 4);
    return core::IpAddress::v4(bytes);
  }
  if (address->sa_family == AF_INET6) {
    sockaddr_in6 v6;
    std::memcpy(&v6, address, sizeof v6);
    std::array<std::uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &v6.sin6_addr, 16);
    return core::IpAddress::v6(bytes);
  }
  return std::nullopt;
}

// Feeds the session and the copy kept for sealing; remembers the first refusal (a header
// section past the limits) for the log. The verdict reports such limits itself.
void feed(Runtime& runtime, Connection& connection, std::string_view bytes) {
  if (core::Expected<void> fed = connection.session->feed(bytes);
      !fed && connection.message_error.empty())
    connection.message_error = fed.error().message;
  if (!runtime.seal_key() || !connection.seal_copy_complete) return;
  if (connection.sealed_copy.size() + bytes.size() > runtime.config().arc_seal_max_bytes) {
    connection.seal_copy_complete = false;
    connection.sealed_copy.clear();
    connection.sealed_copy.shrink_to_fit();
    return;
  }
  connection.sealed_copy.append(bytes);
}

sfsistat on_negotiate(SMFICTX* ctx, unsigned long actions, unsigned long steps, unsigned long,
                      unsigned long, unsigned long* want_actions, unsigned long* want_steps,
                      unsigned long* want2, unsigned long* want3) {
  auto connection = std::make_unique<Connection>();
  *want_actions = actions & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
  unsigned long wanted = 0;
  // Exact header bytes, for DKIM's simple canonicalization.
  if (steps & SMFIP_HDR_LEADSPC) {
    wanted |= SMFIP_HDR_LEADSPC;
    connection->leading_space = true;
  }
  // Headers and body chunks need no answer from us: the MTA streams them without waiting.
  if (steps & SMFIP_NR_HDR) {
    wanted |= SMFIP_NR_HDR;
    connection->no_header_reply = true;
  }
  if (steps & SMFIP_NR_BODY) {
    wanted |= SMFIP_NR_BODY;
    connection->no_body_reply = true;
  }
  wanted |= steps & (SMFIP_NOUNKNOWN | SMFIP_NODATA);
  *want_steps = wanted;
  *want2 = 0;
  *want3 = 0;
  smfi_setpriv(ctx, connection.release());
  return SMFIS_CONTINUE;
}

sfsistat on_connect(SMFICTX* ctx, char* hostname, _SOCK_ADDR* address) {
  Runtime& runtime = *Runtime::current();
  Connection* connection = connection_of(ctx);
  if (connection == nullptr) {
    // An MTA that skipped negotiation callbacks (libmilter calls it for every MTA that
    // negotiates; this is the belt to its braces).
    connection = new Connection();
    smfi_setpriv(ctx, connection);
  }
  // XCLIENT and the like replay the connection: start from scratch.
  connection->end_message(runtime);
  connection->ip = address_of(address);
  connection->helo.clear();
  std::string_view name = hostname == nullptr ? "" : hostname;
  // "[192.0.2.1]" or "unknown": the MTA could not name the client.
  connection->client_name = (name.empty() || name.front() == '[' || name == "unknown")
                                ? std::string()
                                : std::string(name);
  if (!connection->ip) return SMFIS_ACCEPT;  // a local (non-IP) submission: nothing to check
  for (const core::Cidr& network : runtime.config().skip_networks)
    if (network.contains(*connection->ip)) return SMFIS_ACCEPT;
  return SMFIS_CONTINUE;
}

sfsistat on_helo(SMFICTX* ctx, char* name) {
  if (Connection* connection = connection_of(ctx)) connection->helo = name == nullptr ? "" : name;
  return SMFIS_CONTINUE;
}

sfsistat on_mail_from(SMFICTX* ctx, char** arguments) {
  Runtime& runtime = *Runtime::current();
  Connection* connection = connection_of(ctx);
  if (connection == nullptr || !connection->ip) return SMFIS_ACCEPT;
  connection->end_message(runtime);
  if (runtime.stopping()) {
    // Unchecked mail must not slip through a restart: the client tries again in a moment.
    smfi_setreply(ctx, const_cast<char*>("451"), const_cast<char*>("4.3.2"),
                  const_cast<char*>("Mail authentication is restarting; try again later"));
    return SMFIS_TEMPFAIL;
  }
  // Submission by an authenticated user is the user's own mail, not inbound mail to judge.
  if (runtime.config().skip_authenticated && !symbol(ctx, "{auth_authen}").empty())
    return SMFIS_ACCEPT;
  connection->mail_from = std::string(
      strip_brackets(arguments != nullptr && arguments[0] != nullptr ? arguments[0] : ""));
  connection->session = runtime.authenticator().start();
  runtime.message_started();
  connection->session->set_client(*connection->ip, connection->client_name);
  connection->session->set_helo(connection->helo);
  connection->session->set_mail_from(connection->mail_from);
  return SMFIS_CONTINUE;
}

sfsistat on_recipient(SMFICTX* ctx, char** arguments) {
  Connection* connection = connection_of(ctx);
  if (connection != nullptr && connection->session && arguments != nullptr &&
      arguments[0] != nullptr)
    connection->session->add_recipient(strip_brackets(arguments[0]));
  return SMFIS_CONTINUE;
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
  Runtime& runtime = *Runtime::current();
  Connection* connection = connection_of(ctx);
  if (connection == nullptr) return SMFIS_CONTINUE;
  // Once SMFIP_NR_HDR is agreed, any other answer would be read as the next command's.
  const sfsistat next = connection->no_header_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
  if (!connection->session) return next;
  std::string_view field_name = name == nullptr ? "" : name;
  std::string_view field_value = value == nullptr ? "" : value;
  if (core::detail::iequals(field_name, "Authentication-Results"))
    connection->incoming_auth_results.emplace_back(field_value);
  feed(runtime, *connection, wire_field(field_name, field_value, connection->leading_space));
  return next;
}

sfsistat on_end_of_headers(SMFICTX* ctx) {
  Runtime& runtime = *Runtime::current();
  Connection* connection = connection_of(ctx);
  if (connection != nullptr && connection->session) feed(runtime, *connection, "\r\n");
  return SMFIS_CONTINUE;
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t length) {
  Runtime& runtime = *Runtime::current();
  Connection* connection = connection_of(ctx);
  if (connection == nullptr) return SMFIS_CONTINUE;
  const sfsistat next = connection->no_body_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
  if (!connection->session) return next;
  feed(runtime, *connection, std::string_view(reinterpret_cast<const char*>(chunk), length));
  return next;
}

// smfi_* calls take char*; our strings are not modified by them.
char* text(const std::string& value) { return const_cast<char*>(value.c_str()); }

// The ARC set for the message as it leaves, at the top; logged, never fatal: a message not
// sealed is still delivered.
void seal(Runtime& runtime, Connection& connection, SMFICTX* ctx,
          const authenticator::Verdict& verdict) {
  if (!connection.seal_copy_complete) {
    runtime.logger().warning(
        fmt::format("{}: not ARC-sealed: larger than arc_seal_max_bytes", symbol(ctx, "i")));
    return;
  }
  const Config& config = runtime.config();
  arc::SealOptions options;
  options.domain = config.arc_seal_domain;
  options.selector = config.arc_seal_selector;
  options.authserv_id = runtime.authenticator().authserv_id();
  std::string payload;
  for (const std::string& fragment : authenticator::auth_results_fragments(verdict))
    payload += (payload.empty() ? "" : "; ") + fragment;
  if (!payload.empty()) options.auth_results = std::move(payload);
  dns::Resolver& resolver = runtime.authenticator().resolver();
  auto sealed = core::sync_wait(
      arc::seal_message(resolver, connection.sealed_copy, *runtime.seal_key(), std::move(options)),
      resolver.pump());
  if (!sealed) {
    runtime.logger().warning(
        fmt::format("{}: not ARC-sealed: {}", symbol(ctx, "i"), sealed.error().message));
    return;
  }
  // The three fields, top first: insert them bottom first at index 0.
  std::vector<std::string_view> fields;
  std::string_view rest = sealed->fields;
  while (!rest.empty()) {
    std::size_t end = rest.find("\r\n");
    while (end != std::string_view::npos && end + 2 < rest.size() &&
           (rest[end + 2] == ' ' || rest[end + 2] == '\t'))
      end = rest.find("\r\n", end + 2);
    if (end == std::string_view::npos) end = rest.size();
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(std::min(rest.size(), end + 2));
  }
  for (auto field = fields.rbegin(); field != fields.rend(); ++field) {
    std::string name(field->substr(0, field->find(':')));
    std::string value = milter_value(*field, connection.leading_space);
    smfi_insheader(ctx, 0, text(name), text(value));
  }
}

sfsistat on_end_of_message(SMFICTX* ctx) {
  Runtime& runtime = *Runtime::current();
  Connection* connection = connection_of(ctx);
  if (connection == nullptr || !connection->session) return SMFIS_CONTINUE;
  const Config& config = runtime.config();
  authenticator::Verdict verdict = connection->session->finish_blocking();
  Decision decision = decide(verdict, config);

  std::string queue_id(symbol(ctx, "i"));
  std::string client = connection->ip ? connection->ip->to_string() : std::string();
  runtime.logger().info(log_line({queue_id, client, connection->mail_from}, verdict, decision));
  if (!connection->message_error.empty())
    runtime.logger().warning(
        fmt::format("{}: {}", queue_id.empty() ? "NOQUEUE" : queue_id, connection->message_error));

  sfsistat status = SMFIS_ACCEPT;
  if (decision.action == Action::reject || decision.action == Action::tempfail) {
    smfi_setreply(ctx, text(decision.reply_code), text(decision.enhanced_code),
                  text(decision.reply_text));
    status = decision.action == Action::reject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
  } else {
    // Forged or stale copies of our own results go first (RFC 8601 5).
    for (int index : own_auth_results_indexes(connection->incoming_auth_results,
                                              runtime.authenticator().authserv_id()))
      smfi_chgheader(ctx, const_cast<char*>("Authentication-Results"), index, nullptr);
    // Inserted bottom first at index 0: the message leaves with the ARC set (if sealed) on
    // top, then our Authentication-Results, then the score and quarantine fields.
    if (decision.quarantine_header) {
      std::string value =
          milter_value(fmt::format("{}: {}", config.quarantine_header, decision.quarantine_reason),
                       connection->leading_space);
      smfi_insheader(ctx, 0, text(config.quarantine_header), text(value));
    }
    if (!config.score_header.empty()) {
      std::string value =
          milter_value(score_field(config.score_header, verdict), connection->leading_space);
      smfi_insheader(ctx, 0, text(config.score_header), text(value));
    }
    std::string auth_results =
        milter_value(verdict.authentication_results, connection->leading_space);
    smfi_insheader(ctx, 0, const_cast<char*>("Authentication-Results"), text(auth_results));
    if (runtime.seal_key()) seal(runtime, *connection, ctx, verdict);
    if (decision.action == Action::quarantine)
      smfi_quarantine(ctx, text(decision.quarantine_reason));
  }
  connection->end_message(runtime);
  return status;
}

sfsistat on_abort(SMFICTX* ctx) {
  if (Connection* connection = connection_of(ctx)) connection->end_message(*Runtime::current());
  return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* ctx) {
  if (Connection* connection = connection_of(ctx)) {
    connection->end_message(*Runtime::current());
    delete connection;
    smfi_setpriv(ctx, nullptr);
  }
  return SMFIS_CONTINUE;
}

}  // namespace

smfiDesc filter_description() {
  smfiDesc description{};
  description.xxfi_name = const_cast<char*>("hallmark-milter");
  description.xxfi_version = SMFI_VERSION;
  description.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE;
  description.xxfi_connect = on_connect;
  description.xxfi_helo = on_helo;
  description.xxfi_envfrom = on_mail_from;
  description.xxfi_envrcpt = on_recipient;
  description.xxfi_header = on_header;
  description.xxfi_eoh = on_end_of_headers;
  description.xxfi_body = on_body;
  description.xxfi_eom = on_end_of_message;
  description.xxfi_abort = on_abort;
  description.xxfi_close = on_close;
  description.xxfi_negotiate = on_negotiate;
  return description;
}

}  // namespace hallmark::milter
