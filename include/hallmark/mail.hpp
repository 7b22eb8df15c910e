// SPDX-License-Identifier: Apache-2.0
// The mail layer: RFC 5322 header sections, address lists and streamed messages.
#pragma once

#include "hallmark/mail/address.hpp"
#include "hallmark/mail/auth_results.hpp"
#include "hallmark/mail/header.hpp"
#include "hallmark/mail/stream.hpp"
