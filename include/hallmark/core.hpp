// SPDX-License-Identifier: Apache-2.0
// The core layer: errors, tasks, IP addresses (domain names, base64 and tag lists added below).
#pragma once

#include "hallmark/core/error.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/core/when_all.hpp"
