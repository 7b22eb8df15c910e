// SPDX-License-Identifier: Apache-2.0
// The answers attempts share, and the fetch between attempts.
#include "dns/internal/attempt.hpp"

#include <new>

#include "hallmark/core/domain.hpp"
#include "hallmark/core/when_all.hpp"

namespace hallmark::dns::detail {

AnswerMemory::AnswerMemory(AnswerMemory&& other) noexcept
    : more_pages_(std::move(other.more_pages_)),
      size_(other.size_),
      owned_names_(std::move(other.owned_names_)) {
  for (std::size_t i = 0; i < inline_used(); ++i)
    new (&inline_pages_[i]) Page(std::move(other.inline_pages_[i]));
  // The other's pages are left as moved-from objects, which its destructor still ends.
}

AnswerMemory::~AnswerMemory() {
  for (std::size_t i = 0; i < inline_used(); ++i) inline_pages_[i].~Page();
}

const AnswerPtr* AnswerMemory::find(std::string_view name, Type type) const noexcept {
  // Most pages differ in type or length (by more than the one a trailing dot makes): those
  // are passed over without comparing a character.
  for (std::size_t i = 0; i < size_; ++i) {
    const Page& p = page(i);
    const std::size_t difference = p.name.size() - name.size();  // wraps when shorter
    if (p.type == type && difference + 1 <= 2 && core::domain_equal(p.name, name)) return &p.answer;
  }
  return nullptr;
}

void AnswerMemory::keep(std::string_view name, Type type, AnswerPtr answer) {
  // The answer's own name is the key when it is the name asked for, as it almost always is:
  // nothing to copy.
  std::string_view key = answer->name;
  if (!core::domain_equal(key, name)) key = owned_names_.emplace_back(name);
  if (size_ < inline_capacity) {
    new (&inline_pages_[size_]) Page{std::move(answer), key, type};
  } else {
    more_pages_.push_back(Page{std::move(answer), key, type});
  }
  ++size_;
}

const Answer* Attempt::find(std::string_view name, Type type) {
  const AnswerPtr* kept = memory_.find(name, type);
  AnswerPtr cached;
  if (kept == nullptr) {
    cached = resolver_.cached(name, type);
    if (!cached) return nullptr;
  }
  const AnswerPtr& found = kept != nullptr ? *kept : cached;
  if (consulted_ != nullptr) consulted_->push_back(Consulted{std::string(name), type, found});
  const Answer* answer = found.get();
  if (kept == nullptr) memory_.keep(name, type, std::move(cached));
  return answer;
}

void Attempt::want(std::string_view name, Type type) {
  for (const Wanted& w : wanted_)
    if (w.type == type && core::domain_equal(w.name, name)) return;
  wanted_.push_back(Wanted{std::string(name), type});
}

const Answer* Attempt::need(std::string_view name, Type type) {
  const Answer* found = find(name, type);
  if (found == nullptr) want(name, type);
  return found;
}

core::Task<void> fetch(Resolver& resolver, AnswerMemory& memory, std::vector<Wanted> wanted) {
  if (wanted.size() == 1) {
    Wanted& one = wanted.front();
    memory.keep(one.name, one.type, co_await dns::lookup(resolver, one.name, one.type));
    co_return;
  }
  std::vector<core::Task<AnswerPtr>> lookups;
  lookups.reserve(wanted.size());
  for (const Wanted& w : wanted) lookups.push_back(dns::resolve(resolver, w.name, w.type));
  std::vector<AnswerPtr> answers = co_await core::when_all(std::move(lookups));
  for (std::size_t i = 0; i < wanted.size(); ++i)
    memory.keep(wanted[i].name, wanted[i].type, std::move(answers[i]));
}

}  // namespace hallmark::dns::detail
