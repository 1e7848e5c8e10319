// GroupStore: groups, admins, membership events, group decisions and the state they set.

#include <gtest/gtest.h>

#include "store/store.h"
#include "testing/temp_dir.h"

namespace bulwark::store {
namespace {

using testing::MakeItem;

constexpr UnixMillis kNow = 1'700'000'000'000;
constexpr UnixMillis kDay = 86'400'000;

Group MakeGroup(std::string id, std::string name, Visibility v = Visibility::kPublic) {
  Group g;
  g.id = std::move(id);
  g.name = std::move(name);
  g.description = "A group about " + g.name;
  g.visibility = v;
  g.created_at = kNow - 30 * kDay;
  g.owner_id = "owner-" + g.id;
  g.admin_ids = {"adm-2", "adm-1"};
  return g;
}

MembershipEvent Join(std::string id, std::string group, std::string account, UnixMillis at,
                     MembershipAction a = MembershipAction::kJoin) {
  return {std::move(id), std::move(group), std::move(account), a, at};
}

class GroupStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenDatabase("sqlite:" + dir_.File("groups.db"), OpenOptions{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(db).value();
  }
  GroupStore& groups() { return db_->groups(); }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(GroupStoreTest, UpsertsGroupsIdempotentlyAndStoresTheProfileAsAnItem) {
  std::vector<Group> batch = {MakeGroup("g1", "Night Owls", Visibility::kSecret)};
  auto first = groups().UpsertGroups(batch, kNow);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->created, 1);
  auto again = groups().UpsertGroups(batch, kNow + 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 1);
  EXPECT_EQ(again->created + again->revised, 0);

  auto g = groups().GetGroup("g1");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_TRUE(g->described);
  EXPECT_EQ(g->group.name, "Night Owls");
  EXPECT_EQ(g->group.visibility, Visibility::kSecret);
  EXPECT_EQ(g->group.owner_id, "owner-g1");
  EXPECT_EQ(g->group.admin_ids, (std::vector<std::string>{"adm-1", "adm-2"}));
  EXPECT_EQ(g->state, GroupState::kActive);

  auto profile = db_->items().GetItem(GroupProfileItemId("g1"));
  ASSERT_TRUE(profile.ok()) << profile.status().ToString();
  EXPECT_EQ(profile->item.kind, ItemKind::kGroupProfile);
  EXPECT_EQ(profile->item.group_id, "g1");
  EXPECT_EQ(profile->item.author_id, "owner-g1");
  EXPECT_EQ(profile->revision, 1);

  batch[0].description = "Changed";
  auto changed = groups().UpsertGroups(batch, kNow + 2);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->revised, 1);
  profile = db_->items().GetItem(GroupProfileItemId("g1"));
  ASSERT_TRUE(profile.ok());
  EXPECT_EQ(profile->revision, 2);  // a new revision: scanned again
  EXPECT_EQ(profile->item.text, "Night Owls\nChanged");
}

TEST_F(GroupStoreTest, AGroupFirstSeenThroughItsItemsIsDescribedLater) {
  Item item = MakeItem("p1", "hello");
  item.group_id = "g9";
  item.group_visibility = Visibility::kPrivate;
  ASSERT_TRUE(db_->items().UpsertItems({&item, 1}, kNow).ok());
  auto seen = groups().GetGroup("g9");
  ASSERT_TRUE(seen.ok());
  EXPECT_FALSE(seen->described);
  EXPECT_EQ(seen->group.visibility, Visibility::kPrivate);
  Group g = MakeGroup("g9", "Nine", Visibility::kPrivate);
  auto r = groups().UpsertGroups({&g, 1}, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->created, 1);  // first described now
  EXPECT_TRUE(groups().GetGroup("g9")->described);
}

TEST_F(GroupStoreTest, MembershipsAreIdempotentAndNeedAKnownGroup) {
  Group g = MakeGroup("g1", "One");
  ASSERT_TRUE(groups().UpsertGroups({&g, 1}, kNow).ok());
  std::vector<MembershipEvent> events = {
      Join("m1", "g1", "a", kNow - 10 * kDay), Join("m2", "g1", "b", kNow - 5 * kDay),
      Join("m3", "g1", "a", kNow - 2 * kDay, MembershipAction::kLeave),
      Join("m4", "g1", "c", kNow - 1 * kDay)};
  auto r = groups().AppendMemberships(events, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->accepted, 4);
  r = groups().AppendMemberships(events, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->duplicates, 4);
  EXPECT_EQ(groups().GetGroup("g1")->members, 2);  // b and c; a left

  std::vector<MembershipEvent> bad = {Join("m5", "g1", "d", kNow), Join("m6", "nope", "d", kNow)};
  r = groups().AppendMemberships(bad, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().field(), "[1].group_id");
  EXPECT_EQ(groups().GetGroup("g1")->members, 2);  // all or nothing: m5 was not stored

  auto act = groups().Activity("g1", kNow - 7 * kDay, kNow, 100);
  ASSERT_TRUE(act.ok()) << act.status().ToString();
  EXPECT_EQ(act->members_at_start, 1);  // a
  EXPECT_EQ(act->members_now, 2);
  EXPECT_EQ(act->joins, 2);
  EXPECT_EQ(act->leaves, 1);
}

TEST_F(GroupStoreTest, ActivityListsTheWindowsItemsWithTheirDecisionsAndAdminsRemovals) {
  Group g = MakeGroup("g1", "One");
  ASSERT_TRUE(groups().UpsertGroups({&g, 1}, kNow).ok());
  std::vector<Item> items;
  for (int i = 0; i < 5; ++i) {
    Item it =
        MakeItem("i" + std::to_string(i), "text " + std::to_string(i), i == 0 ? "adm-1" : "member");
    it.group_id = "g1";
    it.created_at = kNow - (i + 1) * kDay;
    items.push_back(it);
  }
  Item old = MakeItem("old", "long ago", "member");
  old.group_id = "g1";
  old.created_at = kNow - 60 * kDay;
  items.push_back(old);
  ASSERT_TRUE(db_->items().UpsertItems(items, kNow).ok());
  Decision remove;
  remove.item_id = "i0";
  remove.item_revision = 1;
  remove.action = ActionType::kRemove;
  remove.category = "hate";
  remove.rule_id = "hate.remove";
  remove.actor = std::string(kSystemActor);
  remove.created_at = kNow - kDay;
  ASSERT_TRUE(db_->decisions().AppendDecisions({remove}).ok());

  auto act = groups().Activity("g1", kNow - 30 * kDay, kNow, 3);
  ASSERT_TRUE(act.ok()) << act.status().ToString();
  ASSERT_EQ(act->items.size(), 3u);  // newest first, capped
  EXPECT_TRUE(act->items_truncated);
  EXPECT_EQ(act->items[0].item_id, "i0");
  ASSERT_EQ(act->items[0].decisions.size(), 1u);
  EXPECT_EQ(act->items[0].decisions[0].rule_id, "hate.remove");
  ASSERT_TRUE(act->profile.has_value());
  EXPECT_EQ(act->profile->item_id, GroupProfileItemId("g1"));
  EXPECT_EQ(act->admins, (std::vector<std::string>{"owner-g1", "adm-1", "adm-2"}));
  ASSERT_EQ(act->admin_removals.size(), 3u);
  EXPECT_EQ(act->admin_removals[1].removed, 1);  // adm-1's item i0
  EXPECT_EQ(act->admin_removals[0].removed, 0);

  // A reviewer's restore undoes the standing removal.
  Decision restore = remove;
  restore.action = ActionType::kRestore;
  restore.rule_id.clear();
  restore.actor = "appeal:user:r1";
  ASSERT_TRUE(db_->decisions().AppendDecisions({restore}).ok());
  act = groups().Activity("g1", kNow - 30 * kDay, kNow, 10);
  ASSERT_TRUE(act.ok());
  EXPECT_EQ(act->items.size(), 5u);  // "old" is outside the window
  EXPECT_FALSE(act->items_truncated);
  EXPECT_EQ(act->admin_removals[1].removed, 0);
}

TEST_F(GroupStoreTest, AReviewersGroupDecisionSetsTheStateAndItsHistory) {
  Group g = MakeGroup("g1", "One");
  ASSERT_TRUE(groups().UpsertGroups({&g, 1}, kNow).ok());
  Decision d;
  d.target_kind = TargetKind::kGroup;
  d.item_id = "g1";
  d.action = ActionType::kRestrict;
  d.category = "hate";
  d.actor = "reviewer:user:r1";
  d.reason = "group.hate: built around hate against a protected group";
  d.created_at = kNow;
  auto logged = db_->decisions().AppendDecisions({d});
  ASSERT_TRUE(logged.ok()) << logged.status().ToString();
  auto stored = groups().GetGroup("g1");
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->state, GroupState::kRestricted);
  EXPECT_EQ(stored->state_seq, (*logged)[0].seq);

  d.action = ActionType::kRemove;
  ASSERT_TRUE(db_->decisions().AppendDecisions({d}).ok());
  EXPECT_EQ(groups().GetGroup("g1")->state, GroupState::kRemoved);
  auto history = groups().GroupHistory("g1");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].state, GroupState::kRestricted);
  EXPECT_EQ((*history)[1].state, GroupState::kRemoved);
  EXPECT_EQ((*history)[1].actor, "reviewer:user:r1");

  // The log holds it as a group decision, hashed as such, and the chain verifies.
  auto all = db_->decisions().ListDecisions(0, 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].target_kind, TargetKind::kGroup);
  EXPECT_EQ((*all)[0].hash, ChainHash((*all)[0].prev_hash, (*all)[0]));
  auto v = db_->decisions().VerifyLog();
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->problem;
  // No item is called g1, and a group decision is not an item decision.
  auto for_item = db_->decisions().DecisionsForItem("g1");
  ASSERT_TRUE(for_item.ok());
  EXPECT_TRUE(for_item->empty());

  Decision unknown = d;
  unknown.item_id = "nope";
  auto r = db_->decisions().AppendDecisions({unknown});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
}

TEST_F(GroupStoreTest, ActiveGroupsAreThoseWithRecentItemsOrMemberships) {
  for (const char* id : {"ga", "gb", "gc"}) {
    Group g = MakeGroup(id, id);
    ASSERT_TRUE(groups().UpsertGroups({&g, 1}, kNow).ok());
  }
  Item it = MakeItem("x", "hi");
  it.group_id = "gb";
  it.created_at = kNow - kDay;
  ASSERT_TRUE(db_->items().UpsertItems({&it, 1}, kNow).ok());
  MembershipEvent m = Join("m1", "gc", "a", kNow - kDay);
  ASSERT_TRUE(groups().AppendMemberships({&m, 1}, kNow).ok());
  auto active = groups().ActiveGroups(kNow - 2 * kDay, "", 10);
  ASSERT_TRUE(active.ok()) << active.status().ToString();
  // ga's profile item was created 30 days ago: outside the window.
  EXPECT_EQ(*active, (std::vector<std::string>{"gb", "gc"}));
}

}  // namespace
}  // namespace bulwark::store
