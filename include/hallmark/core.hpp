// SPDX-License-Identifier: Apache-2.0
// The core layer: errors, tasks, domain names, IP addresses, base64, tag lists, header text.
#pragma once

#include "hallmark/core/base64.hpp"
#include "hallmark/core/domain.hpp"
#include "hallmark/core/error.hpp"
#include "hallmark/core/header_text.hpp"
#include "hallmark/core/ip.hpp"
#include "hallmark/core/started.hpp"
#include "hallmark/core/sync_wait.hpp"
#include "hallmark/core/tag_list.hpp"
#include "hallmark/core/task.hpp"
#include "hallmark/core/when_all.hpp"
