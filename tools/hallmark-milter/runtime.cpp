// SPDX-License-Identifier: Apache-2.0
#include "runtime.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace hallmark::milter {

namespace {

struct LocalPolicy {
  authenticator::AllowListPtr allow_dmarc;
  authenticator::AllowListPtr allow_spf_dkim;
  authenticator::AllowListPtr trusted_arc_sealers;
  std::optional<authenticator::ScoreTable> scores;
};

core::Expected<authenticator::AllowListPtr> load_list(const std::string& path) {
  if (path.empty()) return authenticator::AllowListPtr();
  core::Expected<authenticator::AllowList> list = authenticator::AllowList::load(path);
  if (!list) return std::unexpected(std::move(list.error()));
  return std::make_shared<const authenticator::AllowList>(std::move(*list));
}

core::Expected<LocalPolicy> load_local_policy(const Config& config) {
  LocalPolicy policy;
  for (auto [path, list] : {std::pair{&config.allow_dmarc, &policy.allow_dmarc},
                            std::pair{&config.allow_spf_dkim, &policy.allow_spf_dkim},
                            std::pair{&config.trusted_arc_sealers, &policy.trusted_arc_sealers}}) {
    core::Expected<authenticator::AllowListPtr> loaded = load_list(*path);
    if (!loaded) return std::unexpected(std::move(loaded.error()));
    *list = std::move(*loaded);
  }
  if (!config.scores.empty()) {
    core::Expected<authenticator::ScoreTable> scores =
        authenticator::ScoreTable::load(config.scores);
    if (!scores) return std::unexpected(std::move(scores.error()));
    policy.scores = std::move(*scores);
  }
  return policy;
}

core::Expected<dkim::PrivateKey> load_key(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(core::Errc::io, fmt::format("{}: cannot be read", path));
  std::ostringstream text;
  text << in.rdbuf();
  core::Expected<dkim::PrivateKey> key = dkim::PrivateKey::from_pem(text.str());
  if (!key) key.error().message = fmt::format("{}: {}", path, key.error().message);
  return key;
}

}  // namespace

core::Expected<std::unique_ptr<Runtime>> Runtime::create(Config config, Logger& logger) {
  std::unique_ptr<Runtime> runtime(new Runtime(std::move(config), logger));
  const Config& c = runtime->config_;
  core::Expected<LocalPolicy> policy = load_local_policy(c);
  if (!policy) return std::unexpected(std::move(policy.error()));

  authenticator::Options options;
  options.authserv_id = c.authserv_id;
  options.deadline = c.deadline;
  options.check_helo = c.check_helo;
  options.iprev = c.iprev;
  options.allow_dmarc = policy->allow_dmarc;
  options.allow_spf_dkim = policy->allow_spf_dkim;
  options.trusted_arc_sealers = policy->trusted_arc_sealers;
  if (policy->scores) options.scores = std::move(*policy->scores);
  options.spf.receiver = c.authserv_id;

  authenticator::ResolverConfig resolver;
  resolver.zone_files = c.zone_files;
  resolver.cares.servers = c.dns_servers;
  resolver.cares.timeout = c.dns_timeout;
  auto created = authenticator::Authenticator::create(std::move(options), std::move(resolver));
  if (!created) return std::unexpected(std::move(created.error()));
  runtime->authenticator_ = std::move(*created);

  if (c.sealing()) {
    core::Expected<dkim::PrivateKey> key = load_key(c.arc_seal_key);
    if (!key) return std::unexpected(std::move(key.error()));
    runtime->seal_key_ = std::move(*key);
  }
  return runtime;
}

core::Expected<void> Runtime::reload() {
  core::Expected<LocalPolicy> policy = load_local_policy(config_);
  if (!policy) return std::unexpected(std::move(policy.error()));
  authenticator_->reload(policy->allow_dmarc, policy->allow_spf_dkim, policy->trusted_arc_sealers);
  authenticator_->reload(policy->scores.value_or(authenticator::ScoreTable()));
  return {};
}

}  // namespace hallmark::milter
