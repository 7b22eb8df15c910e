// SPDX-License-Identifier: Apache-2.0
// The counting global operator new and delete behind allocation_counter.hpp. In a source file
// of its own so that no caller sees new and delete inlined into malloc and free.
#include "allocation_counter.hpp"

#include <cstddef>
#include <cstdlib>
#include <new>

namespace hallmark_bench {

namespace {

// Per thread: one counter that every thread bumped would itself be the contention the
// two-thread benchmarks look for.
thread_local std::uint64_t heap_allocations = 0;

}  // namespace

std::uint64_t allocations_so_far() noexcept { return heap_allocations; }

namespace detail {
namespace {

void* count_and_allocate(std::size_t size) noexcept {
  ++heap_allocations;
  return std::malloc(size == 0 ? 1 : size);
}

void* count_and_allocate(std::size_t size, std::align_val_t align) noexcept {
  ++heap_allocations;
  const auto alignment = static_cast<std::size_t>(align);
  // aligned_alloc wants a size that is a multiple of the alignment.
  return std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
}

}  // namespace
}  // namespace detail
}  // namespace hallmark_bench

void* operator new(std::size_t size) {
  if (void* p = hallmark_bench::detail::count_and_allocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  if (void* p = hallmark_bench::detail::count_and_allocate(size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t align) {
  if (void* p = hallmark_bench::detail::count_and_allocate(size, align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
  if (void* p = hallmark_bench::detail::count_and_allocate(size, align)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return hallmark_bench::detail::count_and_allocate(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return hallmark_bench::detail::count_and_allocate(size);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
