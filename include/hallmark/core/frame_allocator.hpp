// SPDX-License-Identifier: Apache-2.0
// Recycling of coroutine frames. A DNS-driven evaluation creates and destroys many small
// frames (one per mechanism, per lookup); keeping freed frames per thread, by size, turns
// most of those allocations into a list pop.
#pragma once

#include <cstddef>

#include "hallmark/export.hpp"

namespace hallmark::core::detail {

/// Memory for a coroutine frame of `size` bytes; throws std::bad_alloc like operator new.
HALLMARK_API void* allocate_frame(std::size_t size);
/// Returns a frame obtained from allocate_frame() with the same size, on any thread.
HALLMARK_API void deallocate_frame(void* frame, std::size_t size) noexcept;

/// Base for promise types: routes their frames through the recycler.
struct RecycledFrame {
  static void* operator new(std::size_t size) { return allocate_frame(size); }
  static void operator delete(void* frame, std::size_t size) noexcept {
    deallocate_frame(frame, size);
  }
};

}  // namespace hallmark::core::detail
