// SPDX-License-Identifier: Apache-2.0
// Per-thread free lists of coroutine frames by 64-byte size class, each list bounded so a
// burst of concurrency does not pin memory for ever.
#include "hallmark/core/frame_allocator.hpp"

#include <array>
#include <new>

namespace hallmark::core::detail {
namespace {

constexpr std::size_t granule = 64;
constexpr std::size_t classes = 32;  // frames up to 2 KB are recycled
constexpr std::size_t max_cached_per_class = 64;
// Recycled frames are whole cache lines: a frame is written all the time while its coroutine
// runs, and a neighbour in its first or last line belonging to another thread would make the
// two threads take turns at that line (false sharing).
constexpr std::align_val_t frame_alignment{granule};

struct FreeFrame {
  FreeFrame* next;
};

class FrameCache {
 public:
  ~FrameCache() {
    for (FreeFrame*& head : heads_) {
      while (head != nullptr) {
        FreeFrame* next = head->next;
        ::operator delete(head, frame_alignment);
        head = next;
      }
    }
  }
  void* take(std::size_t cls) noexcept {
    FreeFrame* frame = heads_[cls];
    if (frame == nullptr) return nullptr;
    heads_[cls] = frame->next;
    --counts_[cls];
    return frame;
  }
  bool give(std::size_t cls, void* memory) noexcept {
    if (counts_[cls] >= max_cached_per_class) return false;
    auto* frame = static_cast<FreeFrame*>(memory);
    frame->next = heads_[cls];
    heads_[cls] = frame;
    ++counts_[cls];
    return true;
  }

 private:
  std::array<FreeFrame*, classes> heads_{};
  std::array<std::size_t, classes> counts_{};
};

FrameCache& cache() {
  thread_local FrameCache frames;
  return frames;
}

std::size_t class_of(std::size_t size) noexcept { return (size + granule - 1) / granule - 1; }

}  // namespace

void* allocate_frame(std::size_t size) {
  std::size_t cls = class_of(size);
  if (cls >= classes) return ::operator new(size);
  if (void* frame = cache().take(cls)) return frame;
  return ::operator new((cls + 1) * granule, frame_alignment);
}

void deallocate_frame(void* frame, std::size_t size) noexcept {
  std::size_t cls = class_of(size);
  if (cls >= classes) {
    ::operator delete(frame);
    return;
  }
  if (cache().give(cls, frame)) return;
  ::operator delete(frame, frame_alignment);
}

}  // namespace hallmark::core::detail
