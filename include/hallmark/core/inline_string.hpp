// SPDX-License-Identifier: Apache-2.0
// Text kept inside the object up to N octets, on the heap beyond: for the strings of a result
// that are nearly always short (a domain, a sender, the term that matched), so that
// producing and handing over a result costs no heap allocation.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace hallmark::core {

/// A string that owns its octets, read as a std::string_view (to which it converts
/// implicitly). Assigned from any string; copies deep, moves copy the octets in use.
template <std::size_t N>
class InlineString {
  static_assert(N > 0 && N <= 4096, "meant for short text");

 public:
  InlineString() noexcept = default;
  InlineString(std::string_view text) { assign(text); }    // NOLINT: assigned like a string
  InlineString(const char* text) { assign(text); }         // NOLINT
  InlineString(const std::string& text) { assign(text); }  // NOLINT
  InlineString(const InlineString& other) { assign(other.view()); }
  InlineString(InlineString&& other) noexcept { take(other); }
  InlineString& operator=(const InlineString& other) {
    if (this != &other) assign(other.view());
    return *this;
  }
  InlineString& operator=(InlineString&& other) noexcept {
    if (this != &other) take(other);
    return *this;
  }
  InlineString& operator=(std::string_view text) {
    assign(text);
    return *this;
  }
  InlineString& operator=(const char* text) { return *this = std::string_view(text); }
  InlineString& operator=(const std::string& text) { return *this = std::string_view(text); }
  ~InlineString() = default;

  void assign(std::string_view text) {
    if (text.size() <= N) {
      // The text may live in this object's own heap block: copy before releasing it. An
      // empty view may hold a null pointer, which memcpy must not be given even for 0 octets.
      if (!text.empty()) std::memmove(buffer(), text.data(), text.size());
      heap_.reset();
    } else {
      std::unique_ptr<char[]> block(new char[text.size()]);
      std::memcpy(block.get(), text.data(), text.size());
      heap_ = std::move(block);
    }
    size_ = text.size();
  }
  /// Appends `text`; building a short text piece by piece stays inside the object.
  InlineString& append(std::string_view text) {
    if (text.empty()) return *this;
    const std::size_t total = size_ + text.size();
    if (!heap_ && total <= N) {
      std::memmove(buffer() + size_, text.data(), text.size());
    } else {
      std::unique_ptr<char[]> block(new char[total]);
      std::memcpy(block.get(), data(), size_);
      std::memcpy(block.get() + size_, text.data(), text.size());
      heap_ = std::move(block);
    }
    size_ = total;
    return *this;
  }
  void clear() noexcept {
    heap_.reset();
    size_ = 0;
  }

  const char* data() const noexcept { return heap_ ? heap_.get() : buffer(); }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const char* begin() const noexcept { return data(); }
  const char* end() const noexcept { return data() + size_; }
  std::string_view view() const noexcept { return std::string_view(data(), size_); }
  operator std::string_view() const noexcept { return view(); }  // NOLINT: reads as a string
  std::string str() const { return std::string(view()); }

  // Read like a std::string (these are std::string_view's own answers).
  static constexpr std::size_t npos = std::string_view::npos;
  char operator[](std::size_t i) const noexcept { return data()[i]; }
  std::size_t find(std::string_view text, std::size_t from = 0) const noexcept {
    return view().find(text, from);
  }
  std::size_t find(char c, std::size_t from = 0) const noexcept { return view().find(c, from); }
  std::size_t rfind(char c, std::size_t from = npos) const noexcept {
    return view().rfind(c, from);
  }
  bool starts_with(std::string_view text) const noexcept { return view().starts_with(text); }
  bool ends_with(std::string_view text) const noexcept { return view().ends_with(text); }
  bool contains(std::string_view text) const noexcept { return find(text) != npos; }
  std::string_view substr(std::size_t from, std::size_t count = npos) const {
    return view().substr(from, count);
  }

  friend bool operator==(const InlineString& a, std::string_view b) noexcept {
    return a.view() == b;
  }
  friend bool operator==(const InlineString& a, const char* b) noexcept { return a.view() == b; }
  friend bool operator==(const InlineString& a, const std::string& b) noexcept {
    return a.view() == b;
  }
  friend bool operator==(const InlineString& a, const InlineString& b) noexcept {
    return a.view() == b.view();
  }
  friend auto operator<=>(const InlineString& a, const InlineString& b) noexcept {
    return a.view() <=> b.view();
  }
  // Joined with other text as a std::string, as the std::string these fields once were.
  // Exact overloads: with std::string_view ones, a literal could also become an InlineString.
  friend std::string operator+(const char* a, const InlineString& b) { return join(a, b); }
  friend std::string operator+(const std::string& a, const InlineString& b) { return join(a, b); }
  friend std::string operator+(const InlineString& a, const char* b) { return join(a, b); }
  friend std::string operator+(const InlineString& a, const std::string& b) { return join(a, b); }
  friend std::string operator+(const InlineString& a, const InlineString& b) { return join(a, b); }
  friend std::ostream& operator<<(std::ostream& out, const InlineString& text) {
    return out << text.view();
  }

 private:
  static std::string join(std::string_view a, std::string_view b) {
    std::string out;
    out.reserve(a.size() + b.size());
    return out.append(a).append(b);
  }

  // Results are handed over by moving: a short text is copied as one fixed-size block,
  // which compiles to a few vector moves where a memcpy of the exact length is a call.
  static constexpr std::size_t fixed_copy = N < 32 ? N : 32;

  void take(InlineString& other) noexcept {
    heap_ = std::move(other.heap_);
    if (!heap_) {
      if (other.size_ <= fixed_copy)
        std::memcpy(buffer(), other.buffer(), fixed_copy);
      else
        std::memcpy(buffer(), other.buffer(), other.size_);
    }
    size_ = other.size_;
    other.size_ = 0;
  }

  // The fixed-size copy reads the head even past size_: it is zeroed, so it never reads an
  // octet that was never written, and it is all that is zeroed (a few stores, where zeroing
  // the whole buffer would cost more than the copy saves).
  struct Buffer {
    char head[fixed_copy] = {};
    char tail[N - fixed_copy + 1];  // +1: N == fixed_copy still gives a valid array
  };
  char* buffer() noexcept { return reinterpret_cast<char*>(&buffer_); }
  const char* buffer() const noexcept { return reinterpret_cast<const char*>(&buffer_); }

  std::unique_ptr<char[]> heap_;  // the octets instead, when there are more than N
  std::size_t size_ = 0;
  Buffer buffer_;
};

}  // namespace hallmark::core
