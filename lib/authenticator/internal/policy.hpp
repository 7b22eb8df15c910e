// SPDX-License-Identifier: Apache-2.0
// The reloadable part of an authenticator's configuration, taken by each session when it
// starts so a reload never changes a verdict half-way. Layer-private.
#pragma once

#include <memory>

#include "hallmark/authenticator/allow_list.hpp"
#include "hallmark/authenticator/tags.hpp"

namespace hallmark::authenticator::detail {

struct Policy {
  ScoreTable scores;
  AllowListPtr allow_dmarc;
  AllowListPtr allow_spf_dkim;
  AllowListPtr trusted_arc_sealers;
};

using PolicyPtr = std::shared_ptr<const Policy>;

}  // namespace hallmark::authenticator::detail
