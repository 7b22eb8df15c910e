// SPDX-License-Identifier: Apache-2.0
// Bytes kept inside the object up to a size, on the heap beyond: for values that are nearly
// always short (a decoded signature or body hash) and would each cost a std::string's heap
// allocation. Library-private.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace hallmark::core::detail {

template <std::size_t N>
class InlineBytes {
 public:
  InlineBytes() = default;
  explicit InlineBytes(std::string_view bytes) { assign(bytes); }

  void assign(std::string_view bytes) {
    if (bytes.size() <= N) {
      // An empty view may hold a null pointer, which memcpy must not be given even for 0 bytes.
      if (!bytes.empty()) std::memcpy(inline_.data(), bytes.data(), bytes.size());
      size_ = bytes.size();
      heap_.clear();
    } else {
      heap_.assign(bytes);
      size_ = 0;
    }
  }

  std::string_view view() const noexcept {
    if (!heap_.empty()) return heap_;
    return std::string_view(inline_.data(), size_);
  }
  std::size_t size() const noexcept { return view().size(); }
  bool empty() const noexcept { return view().empty(); }

 private:
  std::array<char, N> inline_{};
  std::size_t size_ = 0;
  std::string heap_;  // the bytes instead, when there are more than N
};

}  // namespace hallmark::core::detail
