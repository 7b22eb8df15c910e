// SPDX-License-Identifier: Apache-2.0
// Symbol visibility: the library is built with hidden symbols; public ones carry HALLMARK_API.
#pragma once

#if defined(HALLMARK_STATIC)
#define HALLMARK_API
#elif defined(HALLMARK_BUILDING)
#define HALLMARK_API __attribute__((visibility("default")))
#else
#define HALLMARK_API __attribute__((visibility("default")))
#endif
