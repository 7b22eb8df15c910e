// SPDX-License-Identifier: Apache-2.0
// Hostile ARC chains: real chains sealed by hallmark, then damaged (51 sets, duplicate and
// missing instances, out-of-range i=, h= in a seal, no bh=, a 1 MB AAR, 500 ARC fields, cv=fail,
// garbage in every tag). Each must fail with a reason, in bounded time, without crashing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "arc_fixtures.hpp"
#include "support/bounded.hpp"

namespace hallmark::arc::testing {
namespace {

using ::testing::AnyOf;
using ::testing::Eq;

using test_support::bounded;

const std::string plain_message =
    "From: Alice <alice@example.com>\r\n"
    "To: list@lists.example.org\r\n"
    "Subject: hostile chains\r\n"
    "Date: Tue, 24 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <hostile@example.com>\r\n"
    "\r\n"
    "Hello,\r\n"
    "a body to seal.\r\n";

// One 2048-bit key for every hop, published under each hop's domain.
class Chains {
 public:
  static Chains& get() {
    static Chains chains;
    return chains;
  }

  dns::ZoneResolver& zone() { return zone_; }
  const dkim::PrivateKey& key() const { return key_; }

  static Hop hop(unsigned n) {
    Hop hop;
    hop.domain = "hop" + std::to_string(n) + ".example";
    hop.authserv_id = "mx.hop" + std::to_string(n) + ".example";
    hop.now = 1700000000 + n;
    return hop;
  }

  /// `plain_message` sealed by hops 1..n, each validating what the previous ones sealed.
  const std::string& sealed(unsigned n) {
    auto it = chains_.find(n);
    if (it != chains_.end()) return it->second;
    std::string message = n == 0 ? plain_message : sealed(n - 1);
    if (n > 0) message = seal(zone_, message, key_, hop(n));
    return chains_.emplace(n, std::move(message)).first->second;
  }

 private:
  Chains() : key_(*dkim::PrivateKey::generate(dkim::KeyType::rsa, 2048)) {
    for (unsigned n = 1; n <= 60; ++n)
      publish(zone_, "arc._domainkey.hop" + std::to_string(n) + ".example", key_.dns_record());
  }

  dkim::PrivateKey key_;
  dns::ZoneResolver zone_;
  std::map<unsigned, std::string> chains_;
};

Result check(const std::string& what, const std::string& message) {
  return bounded(what, [&] { return validate(Chains::get().zone(), message); });
}

// The damaged message must fail and say why.
void expect_fail(const std::string& what, const std::string& message) {
  Result r = check(what, message);
  EXPECT_EQ(r.outcome, ChainStatus::fail) << what << ": " << describe(r);
  EXPECT_FALSE(r.detail.empty()) << what << ": " << describe(r);
}

// Applies `edit` to the value of each field of `instance` named `name` ("" for all three).
template <class Edit>
std::string edit_fields(const std::string& message, unsigned instance, std::string_view name,
                        Edit edit) {
  Message m = Message::parse(message);
  bool edited = false;
  for (Field& field : m.fields) {
    if (!is_arc_field(field) || instance_of(field) != instance) continue;
    if (!name.empty() && !is_named(field, name)) continue;
    edit(field);
    edited = true;
  }
  EXPECT_TRUE(edited) << "no " << name << " field of instance " << instance;
  return m.text();
}

std::string set_tag(const std::string& message, unsigned instance, std::string_view name,
                    std::string_view tag, std::string_view value) {
  return edit_fields(message, instance, name, [&](Field& field) {
    TagList tags = TagList::parse(field.value);
    EXPECT_TRUE(tags.set(tag, value)) << name << " has no " << tag << "=";
    field.value = tags.text();
  });
}

TEST(ArcHostile, RealChainsPassBeforeTheyAreDamaged) {
  Chains& chains = Chains::get();
  EXPECT_EQ(check("no chain", chains.sealed(0)).outcome, ChainStatus::none);
  for (unsigned n : {1u, 2u, 3u}) {
    Result r = check(std::to_string(n) + " hops", chains.sealed(n));
    EXPECT_EQ(r.outcome, ChainStatus::pass) << n << " hops: " << describe(r);
    EXPECT_EQ(r.sets.size(), n);
    // Unfolding every ARC field changes nothing relaxed canonicalization sees: the editing
    // below damages only what each test means to damage.
    Message m = Message::parse(chains.sealed(n));
    for (Field& field : m.fields) {
      if (!is_arc_field(field)) continue;
      std::string flat;
      for (char c : field.value)
        if (c != '\r' && c != '\n') flat += c;
      field.value = flat;
    }
    Result unfolded = check("unfolded", m.text());
    EXPECT_EQ(unfolded.outcome, ChainStatus::pass) << n << " hops: " << describe(unfolded);
  }
}

TEST(ArcHostile, SealerRefusesResultsThatAreNotRfc8601) {
  Chains& chains = Chains::get();
  const std::string& one = chains.sealed(1);
  auto seal_with = [&](std::string authserv_id, std::string results) {
    SealOptions options;
    options.domain = "hop2.example";
    options.selector = "arc";
    options.authserv_id = std::move(authserv_id);
    options.auth_results = std::move(results);
    options.now = [] { return std::int64_t{1700000002}; };
    return core::sync_wait(seal_message(chains.zone(), one, chains.key(), options),
                           chains.zone().pump());
  };
  EXPECT_TRUE(seal_with("mx.hop2.example", "spf=pass smtp.mailfrom=a@example.com"));
  EXPECT_TRUE(seal_with("mx.hop2.example", ""));
  // A NUL, a bare word, a line break into a new field, an authserv-id that is not one.
  for (auto [id, results] : std::vector<std::pair<std::string, std::string>>{
           {"mx.hop2.example", std::string("spf=pass\0 smtp.mailfrom=a@example.com", 37)},
           {"mx.hop2.example", "x"},
           {"mx.hop2.example", "spf=pass\r\nX-Injected: yes"},
           {"mx hop2; spf=pass", "dkim=pass"}}) {
    auto sealed = seal_with(id, results);
    ASSERT_FALSE(sealed) << "sealed " << results;
    EXPECT_EQ(sealed.error().code, core::Errc::syntax);
  }
}

TEST(ArcHostile, FiftySetsPassAndFiftyOneFail) {
  Chains& chains = Chains::get();
  const std::string& fifty = chains.sealed(50);
  Result r = check("50 sets", fifty);
  EXPECT_EQ(r.outcome, ChainStatus::pass) << describe(r);
  EXPECT_EQ(r.sets.size(), 50u);

  // The sealer will not add a 51st set (RFC 8617 4.2.1)...
  SealOptions options;
  options.domain = "hop51.example";
  options.selector = "arc";
  options.authserv_id = "mx.hop51.example";
  options.now = [] { return std::int64_t{1700000051}; };
  auto sealed = core::sync_wait(seal_message(chains.zone(), fifty, chains.key(), options),
                                chains.zone().pump());
  ASSERT_TRUE(sealed) << sealed.error().message;
  EXPECT_EQ(sealed->fields, "");
  EXPECT_EQ(sealed->instance, 0u);
  EXPECT_FALSE(sealed->skipped.empty());

  // ...so forge one: the 50th set again, renumbered 51.
  Message m = Message::parse(fifty);
  std::vector<Field> top;
  for (const Field& field : m.fields) {
    if (!is_arc_field(field) || instance_of(field) != 50) continue;
    Field copy = field;
    TagList tags = TagList::parse(copy.value);
    tags.set("i", "51");
    copy.value = tags.text();
    top.push_back(copy);
  }
  ASSERT_EQ(top.size(), 3u);
  m.fields.insert(m.fields.begin(), top.begin(), top.end());
  Result over = check("51 sets", m.text());
  EXPECT_EQ(over.outcome, ChainStatus::fail) << describe(over);
  EXPECT_FALSE(over.detail.empty());
  // RFC 8617 5.2 step 1; an i=51 is also outside 4.2.1's range, a structure fault.
  EXPECT_THAT(over.reason, AnyOf(Eq(Reason::too_many_sets), Eq(Reason::structure)))
      << describe(over);
}

TEST(ArcHostile, DuplicateInstanceFails) {
  const std::string& two = Chains::get().sealed(2);
  for (std::string name : {"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"}) {
    for (unsigned instance : {1u, 2u}) {
      Message m = Message::parse(two);
      auto index = find_arc_field(m, name, instance);
      ASSERT_TRUE(index) << name << " " << instance;
      Field copy = m.fields[*index];
      m.fields.insert(m.fields.begin() + static_cast<std::ptrdiff_t>(*index), copy);
      std::string what = "duplicate " + name + " i=" + std::to_string(instance);
      Result r = check(what, m.text());
      EXPECT_EQ(r.outcome, ChainStatus::fail) << what << ": " << describe(r);
      EXPECT_EQ(r.reason, Reason::structure) << what << ": " << describe(r);
      EXPECT_FALSE(r.detail.empty()) << what;
    }
  }
  // A whole second set claiming i=1: hop 2's set renumbered.
  std::string renumbered = two;
  for (std::string name : {"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"})
    renumbered = set_tag(renumbered, 2, name, "i", "1");
  Result r = check("two sets i=1", renumbered);
  EXPECT_EQ(r.outcome, ChainStatus::fail) << describe(r);
  EXPECT_EQ(r.reason, Reason::structure) << describe(r);
}

TEST(ArcHostile, MissingInstanceFails) {
  const std::string& three = Chains::get().sealed(3);
  // A gap: the whole set 2 removed, then each of its fields alone.
  Message gap = Message::parse(three);
  std::erase_if(gap.fields,
                [](const Field& field) { return is_arc_field(field) && instance_of(field) == 2; });
  Result r = check("sets 1 and 3", gap.text());
  EXPECT_EQ(r.outcome, ChainStatus::fail) << describe(r);
  EXPECT_EQ(r.reason, Reason::structure) << describe(r);
  EXPECT_FALSE(r.detail.empty());
  for (std::string name : {"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"}) {
    for (unsigned instance : {1u, 2u, 3u}) {
      Message m = Message::parse(three);
      auto index = find_arc_field(m, name, instance);
      ASSERT_TRUE(index);
      m.fields.erase(m.fields.begin() + static_cast<std::ptrdiff_t>(*index));
      std::string what = "no " + name + " i=" + std::to_string(instance);
      Result missing = check(what, m.text());
      EXPECT_EQ(missing.outcome, ChainStatus::fail) << what << ": " << describe(missing);
      EXPECT_EQ(missing.reason, Reason::structure) << what << ": " << describe(missing);
      EXPECT_FALSE(missing.detail.empty()) << what;
    }
  }
}

// i=0, and instances that only a parser that wraps or truncates could take for 1..50:
// 4294967297 is 2^32 + 1.
TEST(ArcHostile, InstancesOutOfRangeFail) {
  for (std::string value : {"0", "2147483647", "99999999999999999999", "4294967297", "-1", "51",
                            "1e1", "+1", " ", "１"}) {
    for (unsigned hops : {1u, 2u}) {
      std::string message = Chains::get().sealed(hops);
      for (std::string name : {"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"})
        message = set_tag(message, hops == 1 ? 1 : 2, name, "i", value);
      expect_fail("i=" + value + " (" + std::to_string(hops) + " hops)", message);
      // One field alone renumbered.
      for (std::string name : {"ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"})
        expect_fail(name + " i=" + value, set_tag(Chains::get().sealed(hops), 1, name, "i", value));
    }
  }
}

// RFC 8617 4.1.3: h= in a seal MUST make the chain fail.
TEST(ArcHostile, SealWithHeaderListFails) {
  for (unsigned instance : {1u, 2u}) {
    std::string message =
        edit_fields(Chains::get().sealed(2), instance, "ARC-Seal", [](Field& field) {
          TagList tags = TagList::parse(field.value);
          tags.add("h", "arc-authentication-results:arc-message-signature:arc-seal");
          field.value = tags.text();
        });
    expect_fail("AS i=" + std::to_string(instance) + " with h=", message);
  }
}

TEST(ArcHostile, MessageSignatureWithoutBodyHashFails) {
  for (unsigned hops : {1u, 2u}) {
    for (unsigned instance = 1; instance <= hops; ++instance) {
      std::string message = edit_fields(Chains::get().sealed(hops), instance,
                                        "ARC-Message-Signature", [](Field& field) {
                                          TagList tags = TagList::parse(field.value);
                                          EXPECT_TRUE(tags.remove("bh"));
                                          field.value = tags.text();
                                        });
      expect_fail(
          "AMS i=" + std::to_string(instance) + " of " + std::to_string(hops) + " without bh=",
          message);
    }
  }
}

TEST(ArcHostile, MegabyteAuthenticationResultsFails) {
  std::string comment(1 << 20, 'x');
  std::string folded;
  for (std::size_t i = 0; i < comment.size(); i += 76) folded += "\r\n\t" + comment.substr(i, 76);
  for (const std::string& payload : {"spf=pass (" + comment + ") smtp.mailfrom=alice@example.com",
                                     "spf=pass (" + folded + ") smtp.mailfrom=alice@example.com"}) {
    for (unsigned instance : {1u, 2u}) {
      std::string message = edit_fields(
          Chains::get().sealed(2), instance, "ARC-Authentication-Results", [&](Field& field) {
            field.value = " i=" + std::to_string(instance) + "; mx.hop" + std::to_string(instance) +
                          ".example; " + payload;
          });
      ASSERT_GT(message.size(), 1'000'000u);
      expect_fail("1 MB AAR i=" + std::to_string(instance), message);
    }
  }
}

TEST(ArcHostile, FiveHundredArcFieldsFail) {
  const std::string& one = Chains::get().sealed(1);
  Message m = Message::parse(one);
  std::vector<Field> set;
  for (const Field& field : m.fields)
    if (is_arc_field(field)) set.push_back(field);
  ASSERT_EQ(set.size(), 3u);

  // 500 fields all claiming i=1: the real set and 497 copies.
  Message copies = m;
  for (std::size_t i = 3; i < 500; ++i) copies.fields.insert(copies.fields.begin(), set[i % 3]);
  expect_fail("500 ARC fields, all i=1", copies.text());

  // 500 fields over instances 1..167: more than 50 sets.
  Message spread = m;
  for (std::size_t i = 3; i < 500; ++i) {
    Field field = set[i % 3];
    TagList tags = TagList::parse(field.value);
    tags.set("i", std::to_string(i / 3 + 1));
    field.value = tags.text();
    spread.fields.insert(spread.fields.begin(), field);
  }
  expect_fail("500 ARC fields over 167 instances", spread.text());

  // 500 seals alone, each a different instance, no other field: still bounded and a fail.
  Message seals = Message::parse(plain_message);
  for (unsigned i = 1; i <= 500; ++i) {
    Field field = set[0];
    TagList tags = TagList::parse(field.value);
    tags.set("i", std::to_string(i));
    field.value = tags.text();
    seals.fields.insert(seals.fields.begin(), field);
  }
  expect_fail("500 ARC-Seal fields", seals.text());
}

TEST(ArcHostile, SealSayingFailFails) {
  Chains& chains = Chains::get();
  // The only seal says cv=fail (RFC 8617 5.2 step 2).
  Result r = check("AS i=1 cv=fail", set_tag(chains.sealed(1), 1, "ARC-Seal", "cv", "fail"));
  EXPECT_EQ(r.outcome, ChainStatus::fail) << describe(r);
  EXPECT_EQ(r.reason, Reason::newest_cv_fail) << describe(r);
  EXPECT_FALSE(r.detail.empty());
  // An older seal says cv=fail (step 3C).
  expect_fail("AS 1 of 2 cv=fail", set_tag(chains.sealed(2), 1, "ARC-Seal", "cv", "fail"));
  expect_fail("AS 2 of 3 cv=fail", set_tag(chains.sealed(3), 2, "ARC-Seal", "cv", "fail"));

  // A chain sealed cv=fail for real: hop 2 received a body altered after hop 1 sealed it.
  std::string altered = chains.sealed(1) + "appended after sealing\r\n";
  Sealed second;
  std::string message = seal(chains.zone(), altered, chains.key(), Chains::hop(2),
                             "spf=pass smtp.mailfrom=alice@example.com", &second);
  EXPECT_EQ(second.chain_status, ChainStatus::fail);
  EXPECT_EQ(second.validation.outcome, ChainStatus::fail);
  EXPECT_EQ(second.instance, 2u);
  Result sealed_fail = check("sealed cv=fail", message);
  EXPECT_EQ(sealed_fail.outcome, ChainStatus::fail) << describe(sealed_fail);
  EXPECT_EQ(sealed_fail.reason, Reason::newest_cv_fail) << describe(sealed_fail);
  // ...and nobody seals after it (RFC 8617 5.1 step 2).
  Sealed third;
  std::string after = seal(chains.zone(), message, chains.key(), Chains::hop(3),
                           "spf=pass smtp.mailfrom=alice@example.com", &third);
  EXPECT_EQ(third.fields, "");
  EXPECT_EQ(after, message);
  EXPECT_FALSE(third.skipped.empty());
}

TEST(ArcHostile, GarbageInEveryTagFails) {
  const std::vector<std::string> garbage = {
      "",           "\x01\x02\x7f", "\xff\xfe\xc3\x28",     "=;=", "a b c", "x\r\n\t y",
      "\"quoted\"", "-1",           std::string(4096, 'A'), "%00",
  };
  const std::map<std::string, std::vector<std::string>> tags = {
      {"ARC-Seal", {"i", "a", "b", "cv", "d", "s", "t"}},
      {"ARC-Message-Signature", {"i", "a", "b", "bh", "c", "d", "h", "s", "t"}},
      {"ARC-Authentication-Results", {"i"}},
  };
  const std::string& two = Chains::get().sealed(2);
  for (unsigned instance : {1u, 2u}) {
    for (const auto& [name, names] : tags) {
      for (const std::string& tag : names) {
        for (const std::string& value : garbage) {
          std::string damaged = set_tag(two, instance, name, tag, value);
          ASSERT_NE(damaged, two);
          expect_fail(
              name + " i=" + std::to_string(instance) + " " + tag + "=" + value.substr(0, 16),
              damaged);
        }
      }
    }
    // The AAR's authserv-id and results are not tags: garbage there too.
    for (const std::string& value : garbage) {
      std::string id = edit_fields(two, instance, "ARC-Authentication-Results", [&](Field& f) {
        TagList list = TagList::parse(f.value);
        ASSERT_GE(list.pieces.size(), 2u);
        list.pieces[1] = " " + value;
        f.value = list.text();
      });
      expect_fail("AAR authserv-id " + value.substr(0, 16), id);
      std::string results = edit_fields(two, instance, "ARC-Authentication-Results", [&](Field& f) {
        TagList list = TagList::parse(f.value);
        list.pieces.resize(2);
        list.pieces.push_back(" " + value);
        f.value = list.text();
      });
      expect_fail("AAR results " + value.substr(0, 16), results);
    }
  }
}

// A chain cut anywhere in its header section: the body is gone (and maybe fields with it), so
// whatever is left must never pass, and a failure must say why.
TEST(ArcHostile, TruncatedChainsNeverPass) {
  const std::string& two = Chains::get().sealed(2);
  std::size_t header_end = two.find("\r\n\r\n");
  ASSERT_NE(header_end, std::string::npos);
  for (std::size_t cut = 0; cut <= header_end + 2; cut += 7) {
    std::string prefix = two.substr(0, cut);
    Result r = check("cut at " + std::to_string(cut), prefix);
    EXPECT_NE(r.outcome, ChainStatus::pass) << "cut at " << cut;
    if (r.outcome == ChainStatus::fail) {
      EXPECT_FALSE(r.detail.empty()) << "cut at " << cut;
    }
  }
}

// Fields that only look like ARC fields are not a chain: none, not fail.
TEST(ArcHostile, LookalikeFieldsAreNoChain) {
  Message m = Message::parse(Chains::get().sealed(1));
  for (Field& field : m.fields)
    if (is_arc_field(field)) field.name = "X-" + field.name;
  Result r = check("X-ARC-*", m.text());
  EXPECT_EQ(r.outcome, ChainStatus::none) << describe(r);
}

// Regression: finish() with nothing fed (an empty file) read past an empty signature list.
TEST(ArcHostile, NothingFedIsNone) {
  dns::ZoneResolver zone;
  Verifier verifier(zone);
  Result result = core::sync_wait(verifier.finish());
  EXPECT_EQ(result.outcome, ChainStatus::none);
  EXPECT_EQ(core::sync_wait(verify_message(zone, std::string_view())).outcome, ChainStatus::none);
}

// verify_message reads the message when the task runs: a temporary string would be gone by
// then, so that call does not compile.
template <class Message>
concept VerifiableTemporary = requires(dns::Resolver& resolver, Message message) {
  verify_message(resolver, std::move(message));
};
static_assert(!VerifiableTemporary<std::string>);
static_assert(VerifiableTemporary<std::string_view>);

}  // namespace
}  // namespace hallmark::arc::testing
