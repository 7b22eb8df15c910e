// SPDX-License-Identifier: Apache-2.0
// The authenticator layer: one call per message for SPF, DKIM, ARC, DMARC and iprev, with
// tags, scores, allow lists and the Authentication-Results field.
#pragma once

#include "hallmark/authenticator/allow_list.hpp"
#include "hallmark/authenticator/authenticator.hpp"
#include "hallmark/authenticator/iprev.hpp"
#include "hallmark/authenticator/tags.hpp"
#include "hallmark/authenticator/verdict.hpp"
