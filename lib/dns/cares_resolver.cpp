// SPDX-License-Identifier: Apache-2.0
// CaresResolver over c-ares 1.18: c-ares sends our own query messages (ares_send), retries
// other servers on timeouts and truncated UDP over TCP; our wire decoder reads the raw
// responses. Completions are queued and run after c-ares returns, never inside it.
#include "hallmark/dns/cares_resolver.hpp"

#include <ares.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "dns/internal/wire.hpp"

namespace hallmark::dns {

struct CaresResolver::Impl {
  // One lookup handed to c-ares; the callback owns and frees it.
  struct Query {
    Impl* impl = nullptr;
    std::string name;
    Type type = Type::a;
    Completion done;
  };

  ares_channel channel = nullptr;
  bool request_dnssec = false;
  int tries = 1;
  std::map<int, Watch> sockets;  // kept current by c-ares's socket state callback
  std::deque<std::pair<Completion, AnswerPtr>> ready;
  std::size_t pending = 0;  // started, completion not yet called
  bool delivering = false;
  bool shutting_down = false;
  std::array<std::uint16_t, 64> ids{};
  std::size_t ids_left = 0;

  ~Impl() {
    if (channel != nullptr) ares_destroy(channel);
  }

  static void on_socket_state(void* data, ares_socket_t fd, int readable, int writable) noexcept {
    auto* impl = static_cast<Impl*>(data);
    if (readable == 0 && writable == 0)
      impl->sockets.erase(fd);
    else
      impl->sockets[fd] = Watch{fd, readable != 0, writable != 0};
  }

  static void on_response(void* arg, int status, int timeouts, unsigned char* abuf,
                          int alen) noexcept;

  // Runs queued completions. A completion may start lookups; their completions join the
  // queue, and the loop runs them too.
  void deliver() {
    if (delivering) return;
    delivering = true;
    struct Reset {
      bool& flag;
      ~Reset() { flag = false; }
    } reset{delivering};
    while (!ready.empty()) {
      auto [done, answer] = std::move(ready.front());
      ready.pop_front();
      --pending;
      done(std::move(answer));
    }
  }

  // c-ares 1.18's ares_send() sends the ID it is given, so the ID is ours to randomise
  // (RFC 5452 4.3): it and the source port are what a spoofer must guess.
  std::uint16_t next_id() {
    if (ids_left == 0) {
      ssize_t got = ::getrandom(ids.data(), sizeof ids, 0);
      if (got != static_cast<ssize_t>(sizeof ids)) {
        std::random_device device;
        for (std::uint16_t& id : ids) id = static_cast<std::uint16_t>(device());
      }
      ids_left = ids.size();
    }
    return ids[--ids_left];
  }
};

namespace {

// How a c-ares failure reaches protocol code. Every status but timeout, SERVFAIL and REFUSED
// is `error`: all of them are temporary failures to SPF, DKIM and DMARC alike.
Answer failure(std::string name, Type type, int status, int timeouts, int tries) {
  switch (status) {
    case ARES_ETIMEOUT:
      return Answer::with_status(std::move(name), type, Status::timeout,
                                 fmt::format("no answer from the DNS servers ({} timeouts, {} "
                                             "tries per server)",
                                             timeouts, tries));
    case ARES_ESERVFAIL:
      return Answer::with_status(std::move(name), type, Status::servfail,
                                 "server answered SERVFAIL");
    case ARES_EREFUSED:
      return Answer::with_status(std::move(name), type, Status::refused, "server answered REFUSED");
    case ARES_ECONNREFUSED:
      // c-ares 1.18 reports this when every try failed at the socket level: the server's
      // port answered with ICMP unreachable, or the send failed. A host that actively turns
      // us away is misconfigured, not slow, so it is an error the operator can read rather
      // than a timeout that suggests waiting.
      return Answer::with_status(std::move(name), type, Status::error,
                                 "no DNS server reachable: connection refused");
    case ARES_EDESTRUCTION:
      return Answer::with_status(std::move(name), type, Status::error,
                                 "resolver destroyed before the answer came");
    case ARES_ECANCELLED:
      return Answer::with_status(std::move(name), type, Status::error, "lookup cancelled");
    default:
      return Answer::with_status(std::move(name), type, Status::error,
                                 fmt::format("c-ares: {}", ares_strerror(status)));
  }
}

// "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:5353", "2001:db8::53".
core::Expected<ares_addr_port_node> parse_server(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return core::fail(core::Errc::bad_value, fmt::format("DNS server '{}': {}", text, why));
  };
  std::string_view host = text;
  std::string_view port_text;
  if (!host.empty() && host.front() == '[') {
    std::size_t close = host.find(']');
    if (close == std::string_view::npos) return bad("no ']' after the IPv6 address");
    std::string_view rest = host.substr(close + 1);
    host = host.substr(1, close - 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("expected ':PORT' after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
  } else if (std::count(host.begin(), host.end(), ':') == 1) {
    std::size_t colon = host.find(':');
    port_text = host.substr(colon + 1);
    host = host.substr(0, colon);
    if (port_text.empty()) return bad("empty port");
  }
  auto address = core::IpAddress::parse(host);
  if (!address) return bad("not an IPv4 or IPv6 address");
  unsigned port = 53;
  if (!port_text.empty()) {
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535)
      return bad("port is not a number from 1 to 65535");
  }
  ares_addr_port_node node{};
  std::span<const std::uint8_t> bytes = address->bytes();
  if (address->is_v4()) {
    node.family = AF_INET;
    std::memcpy(&node.addr.addr4, bytes.data(), 4);
  } else {
    node.family = AF_INET6;
    std::memcpy(&node.addr.addr6, bytes.data(), 16);
  }
  node.udp_port = static_cast<int>(port);  // host order: c-ares converts
  node.tcp_port = static_cast<int>(port);
  return node;
}

int library_status() {
  // ares_library_init is not thread-safe itself, and only ever needs to run once.
  static std::once_flag once;
  static int status = ARES_SUCCESS;
  std::call_once(once, [] { status = ares_library_init(ARES_LIB_INIT_ALL); });
  return status;
}

}  // namespace

void CaresResolver::Impl::on_response(void* arg, int status, int timeouts, unsigned char* abuf,
                                      int alen) noexcept {
  std::unique_ptr<Query> query(static_cast<Query*>(arg));
  Impl& impl = *query->impl;
  Answer answer;
  // With ARES_FLAG_NOCHECKRESP every response arrives as ARES_SUCCESS, SERVFAIL and REFUSED
  // included; the RCODE is the decoder's to read. abuf lives only during this call.
  if (status == ARES_SUCCESS && abuf != nullptr && alen > 0)
    answer =
        wire::decode_response(std::span<const std::uint8_t>(abuf, static_cast<std::size_t>(alen)),
                              query->name, query->type);
  else
    answer = failure(std::move(query->name), query->type, status, timeouts, impl.tries);
  impl.ready.emplace_back(std::move(query->done),
                          std::make_shared<const Answer>(std::move(answer)));
}

core::Expected<std::unique_ptr<CaresResolver>> CaresResolver::create(CaresOptions options) {
  if (options.timeout.count() <= 0 || options.timeout.count() > INT_MAX)
    return core::fail(core::Errc::bad_value, "DNS timeout must be a positive number of ms");
  if (options.tries < 1) return core::fail(core::Errc::bad_value, "DNS tries must be at least 1");
  std::vector<ares_addr_port_node> servers;
  for (const std::string& text : options.servers) {
    auto server = parse_server(text);
    if (!server) return std::unexpected(std::move(server.error()));
    servers.push_back(*server);
  }
  if (int status = library_status(); status != ARES_SUCCESS)
    return core::fail(core::Errc::io, fmt::format("c-ares: {}", ares_strerror(status)));

  auto impl = std::make_unique<Impl>();
  impl->request_dnssec = options.request_dnssec;
  impl->tries = options.tries;
  ares_options settings{};
  // NOCHECKRESP: without it, c-ares 1.18 swallows SERVFAIL and REFUSED, retries, and at the
  // end reports ARES_ECONNREFUSED (its initial error status), so a SERVFAIL could never
  // come back as one. The price: no failover to the next server on SERVFAIL, which for a
  // validating resolver usually means a DNSSEC failure that the next would repeat.
  // Not ARES_FLAG_EDNS: see wire::edns_udp_payload. Not ARES_FLAG_IGNTC: TCP retry wanted.
  settings.flags = ARES_FLAG_NOCHECKRESP;
  settings.timeout = static_cast<int>(options.timeout.count());
  settings.tries = options.tries;
  settings.sock_state_cb = &Impl::on_socket_state;
  settings.sock_state_cb_data = impl.get();
  int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
  if (int status = ares_init_options(&impl->channel, &settings, mask); status != ARES_SUCCESS) {
    impl->channel = nullptr;
    return core::fail(core::Errc::io,
                      fmt::format("c-ares initialisation: {}", ares_strerror(status)));
  }
  if (!servers.empty()) {
    for (std::size_t i = 0; i + 1 < servers.size(); ++i) servers[i].next = &servers[i + 1];
    if (int status = ares_set_servers_ports(impl->channel, servers.data()); status != ARES_SUCCESS)
      return core::fail(core::Errc::io, fmt::format("c-ares servers: {}", ares_strerror(status)));
  }
  return std::unique_ptr<CaresResolver>(new CaresResolver(std::move(impl)));
}

CaresResolver::CaresResolver(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}

CaresResolver::~CaresResolver() {
  // ares_destroy() calls every pending callback with ARES_EDESTRUCTION; their completions
  // then run here, once each. A completion that starts a lookup now is answered at once.
  impl_->shutting_down = true;
  ares_destroy(impl_->channel);
  impl_->channel = nullptr;
  impl_->deliver();
}

void CaresResolver::lookup(std::string_view name, Type type, Completion done) {
  Impl& impl = *impl_;
  if (impl.shutting_down) {
    done(std::make_shared<const Answer>(
        Answer::with_status(std::string(name), type, Status::error, "resolver is shutting down")));
    return;
  }
  auto message = wire::encode_query(
      name, type,
      {.id = impl.next_id(), .recursion_desired = true, .dnssec_ok = impl.request_dnssec});
  if (!message) {
    done(std::make_shared<const Answer>(
        Answer::with_status(std::string(name), type, Status::error,
                            "not a valid query name: " + message.error().message)));
    return;
  }
  ++impl.pending;
  auto* query = new Impl::Query{&impl, std::string(name), type, std::move(done)};
  ares_send(impl.channel, message->data(), static_cast<int>(message->size()), &Impl::on_response,
            query);
  // c-ares may give up inside ares_send (no server could even be sent to): answer now.
  impl.deliver();
}

std::vector<CaresResolver::Watch> CaresResolver::watches() const {
  std::vector<Watch> out;
  out.reserve(impl_->sockets.size());
  for (const auto& [fd, watch] : impl_->sockets) out.push_back(watch);
  return out;
}

std::optional<std::chrono::milliseconds> CaresResolver::next_timeout() const {
  if (impl_->pending == 0) return std::nullopt;
  if (!impl_->ready.empty()) return std::chrono::milliseconds(0);
  timeval wait{};
  if (ares_timeout(impl_->channel, nullptr, &wait) == nullptr) return std::nullopt;
  // Rounded up, so a host loop does not wake a little early and spin until the deadline.
  return std::chrono::milliseconds(std::int64_t{wait.tv_sec} * 1000 + (wait.tv_usec + 999) / 1000);
}

void CaresResolver::process(std::span<const int> readable, std::span<const int> writable) {
  Impl& impl = *impl_;
  auto contains = [](std::span<const int> fds, int fd) {
    return std::find(fds.begin(), fds.end(), fd) != fds.end();
  };
  // Each call also expires timed-out queries; with no socket event, one call does only that.
  for (int fd : readable)
    ares_process_fd(impl.channel, fd, contains(writable, fd) ? fd : ARES_SOCKET_BAD);
  for (int fd : writable)
    if (!contains(readable, fd)) ares_process_fd(impl.channel, ARES_SOCKET_BAD, fd);
  if (readable.empty() && writable.empty())
    ares_process_fd(impl.channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  impl.deliver();
}

std::size_t CaresResolver::pending() const noexcept { return impl_->pending; }

bool CaresResolver::pump_once() {
  return pump_once_until(std::chrono::steady_clock::time_point::max());
}

bool CaresResolver::pump_once_until(std::chrono::steady_clock::time_point limit) {
  Impl& impl = *impl_;
  if (!impl.ready.empty()) {
    impl.deliver();
    return true;
  }
  if (impl.pending == 0) return false;
  std::vector<pollfd> fds;
  for (const auto& [fd, watch] : impl.sockets) {
    short events =
        static_cast<short>((watch.readable ? POLLIN : 0) | (watch.writable ? POLLOUT : 0));
    fds.push_back(pollfd{fd, events, 0});
  }
  std::optional<std::chrono::milliseconds> wait = next_timeout();
  std::int64_t wait_ms = wait ? wait->count() : 0;
  if (limit != std::chrono::steady_clock::time_point::max()) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(limit - std::chrono::steady_clock::now());
    wait_ms = std::clamp<std::int64_t>(left.count(), 0, wait_ms);
  }
  int events =
      ::poll(fds.data(), fds.size(), static_cast<int>(std::min<std::int64_t>(wait_ms, INT_MAX)));
  std::vector<int> readable;
  std::vector<int> writable;
  // Errors and hang-ups count as readiness, so c-ares reads the socket and sees them.
  for (const pollfd& entry : fds) {
    if (events <= 0) break;
    if (entry.revents & (POLLIN | POLLERR | POLLHUP) && entry.events & POLLIN)
      readable.push_back(entry.fd);
    if (entry.revents & (POLLOUT | POLLERR | POLLHUP) && entry.events & POLLOUT)
      writable.push_back(entry.fd);
  }
  process(readable, writable);
  return true;
}

void CaresResolver::run() {
  while (pump_once()) {
  }
}

}  // namespace hallmark::dns
