#include "core/decision.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace bulwark {
namespace {

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ActionNames, RoundTripAndKeepTheirNumbers) {
  // The names are part of the chain hash and of the decisions feed: they never change.
  EXPECT_EQ(ActionName(ActionType::kNone), "none");
  EXPECT_EQ(ActionName(ActionType::kRestore), "restore");
  EXPECT_EQ(static_cast<int>(ActionType::kRestore), 6);
  EXPECT_EQ(ActionName(ActionType::kActivatePolicy), "activate_policy");
  for (int a = 0; a <= static_cast<int>(ActionType::kActivatePolicy); ++a) {
    EXPECT_EQ(ParseAction(ActionName(static_cast<ActionType>(a))), static_cast<ActionType>(a));
  }
  EXPECT_FALSE(ParseAction("activate").has_value());
}

TEST(ChainHash, GroupAndAccountDecisionsAreTaggedV2AndCheckedLikeItems) {
  Decision item;
  item.seq = 1;
  item.item_id = "g1";
  item.action = ActionType::kRestrict;
  Decision group = item;
  group.target_kind = TargetKind::kGroup;
  // Item decisions keep the v1 form (earlier logs verify unchanged); a group's is v2 and its
  // hash differs from an item decision with the same fields.
  EXPECT_TRUE(ChainPreimage(GenesisHash(), item).starts_with("19:bulwark-decision-v1;"));
  const std::string pre = ChainPreimage(GenesisHash(), group);
  EXPECT_TRUE(pre.starts_with("19:bulwark-decision-v2;"));
  EXPECT_NE(ChainHash(GenesisHash(), group), ChainHash(GenesisHash(), item));
  auto back = CheckChainEntry(0, GenesisHash(), Sha256Hex(pre), pre);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->target_kind, TargetKind::kGroup);
  EXPECT_EQ(back->item_id, "g1");
  EXPECT_EQ(back->action, ActionType::kRestrict);
  // A v2 tag on 14 fields, or "item" as a v2 target kind, is not canonical.
  std::string v1 = ChainPreimage(GenesisHash(), item);
  std::string forged = v1;
  forged.replace(forged.find("v1"), 2, "v2");
  EXPECT_FALSE(CheckChainEntry(0, GenesisHash(), Sha256Hex(forged), forged).ok());
  std::string bad = pre;
  bad.replace(bad.find("5:group;"), 8, "4:item;");
  EXPECT_FALSE(CheckChainEntry(0, GenesisHash(), Sha256Hex(bad), bad).ok());
}

TEST(ChainHash, CoversEveryFieldAndThePredecessor) {
  Decision d;
  d.seq = 1;
  d.item_id = "a";
  d.action = ActionType::kRemove;
  d.reason = "r";
  const std::string base = ChainHash(GenesisHash(), d);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(ChainHash(GenesisHash(), d), base);  // deterministic
  EXPECT_NE(ChainHash(std::string(64, '1'), d), base);
  auto changed = [&](auto mutate) {
    Decision e = d;
    mutate(e);
    return ChainHash(GenesisHash(), e) != base;
  };
  EXPECT_TRUE(changed([](Decision& e) { e.seq = 2; }));
  EXPECT_TRUE(changed([](Decision& e) { e.item_id = "b"; }));
  EXPECT_TRUE(changed([](Decision& e) { e.item_revision = 2; }));
  EXPECT_TRUE(changed([](Decision& e) { e.action = ActionType::kNone; }));
  EXPECT_TRUE(changed([](Decision& e) { e.category = "hate"; }));
  EXPECT_TRUE(changed([](Decision& e) { e.rule_id = "x"; }));
  EXPECT_TRUE(changed([](Decision& e) { e.policy_version = "x"; }));
  EXPECT_TRUE(changed([](Decision& e) { e.model_version = "x"; }));
  EXPECT_TRUE(changed([](Decision& e) { e.actor = "x"; }));
  EXPECT_TRUE(changed([](Decision& e) { e.reason = "rx"; }));
  EXPECT_TRUE(changed([](Decision& e) { e.evidence = "{}"; }));
  EXPECT_TRUE(changed([](Decision& e) { e.created_at = 5; }));
  // Length prefixes: moving a character between adjacent fields changes the hash.
  Decision x = d, y = d;
  x.category = "ab";
  x.rule_id = "c";
  y.category = "a";
  y.rule_id = "bc";
  EXPECT_NE(ChainHash(GenesisHash(), x), ChainHash(GenesisHash(), y));
}

TEST(Actions, NamesRoundTrip) {
  for (int i = 0; i <= static_cast<int>(ActionType::kRestore); ++i) {
    auto a = static_cast<ActionType>(i);
    EXPECT_EQ(ParseAction(ActionName(a)), a);
  }
  EXPECT_FALSE(ParseAction("delete").has_value());
}

}  // namespace
}  // namespace bulwark
