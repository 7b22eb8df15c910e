// SPDX-License-Identifier: Apache-2.0
// The DNS layer: answers, the resolver interface and its implementations.
#pragma once

#include "hallmark/dns/caching_resolver.hpp"
#include "hallmark/dns/cares_resolver.hpp"
#include "hallmark/dns/resolver.hpp"
#include "hallmark/dns/scoped_resolver.hpp"
#include "hallmark/dns/threaded_resolver.hpp"
#include "hallmark/dns/types.hpp"
#include "hallmark/dns/zone_resolver.hpp"
