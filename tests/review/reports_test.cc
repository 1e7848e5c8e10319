// Reports as a signal, not a weapon: how a brigade, a serial reporter and a reporter with a
// poor record weigh, and what the person who reported is told.

#include "review/reports.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bulwark::review {
namespace {

constexpr std::int64_t kMinute = 60 * 1000;
constexpr std::int64_t kDay = 24 * 60 * kMinute;
constexpr UnixMillis kNow = 1'800'000'000'000;

store::ReportSignal R(std::string reporter, UnixMillis at, UnixMillis created = 0,
                      std::int64_t upheld = 0, std::int64_t rejected = 0) {
  return {std::move(reporter), created, at, upheld, rejected};
}

TEST(WeighReportsTest, IndependentNewcomersCountOneEach) {
  std::vector<store::ReportSignal> rs = {R("a", kNow), R("b", kNow + kDay),
                                         R("c", kNow + 2 * kDay)};
  ReportWeighting w = WeighReports(rs);
  EXPECT_EQ(w.raw, 3);
  EXPECT_EQ(w.reporters, 3);
  EXPECT_DOUBLE_EQ(w.weighted, 3.0);
  EXPECT_EQ(w.policy_count(), 3);
  EXPECT_FALSE(w.coordinated());
}

TEST(WeighReportsTest, OneReporterCountsOnceHoweverOftenTheyReport) {
  std::vector<store::ReportSignal> rs;
  for (int i = 0; i < 40; ++i) rs.push_back(R("same", kNow + i * kMinute));
  ReportWeighting w = WeighReports(rs);
  EXPECT_EQ(w.raw, 40);
  EXPECT_EQ(w.reporters, 1);
  EXPECT_EQ(w.policy_count(), 1);
}

TEST(WeighReportsTest, FiftyAccountsCreatedInTheSameMinuteCountAsOneAndAreFlagged) {
  std::vector<store::ReportSignal> rs;
  for (int i = 0; i < 50; ++i) {
    rs.push_back(R("sock" + std::to_string(i), kNow + i * 1000, kNow - 3 * kDay + i * 1000));
  }
  ReportWeighting w = WeighReports(rs);
  EXPECT_EQ(w.reporters, 50);
  EXPECT_LE(w.weighted, 1.0);
  EXPECT_EQ(w.policy_count(), 1) << "the cluster of 50 counts as one reporter";
  EXPECT_EQ(w.largest_cluster, 50);
  EXPECT_EQ(w.clustered_reporters, 50);
  EXPECT_GE(w.largest_burst, kBurstMinReporters);
  EXPECT_TRUE(w.coordinated());
}

TEST(WeighReportsTest, ABrigadeDoesNotDrownGenuineReporters) {
  std::vector<store::ReportSignal> rs;
  for (int i = 0; i < 30; ++i) {
    rs.push_back(R("sock" + std::to_string(i), kNow + i * 1000, kNow - 400 * kDay + i * 500));
  }
  // Three long-standing reporters whose reports reviewers upheld before.
  rs.push_back(R("x", kNow, kNow - 900 * kDay, 4, 0));
  rs.push_back(R("y", kNow, kNow - 500 * kDay, 2, 1));
  rs.push_back(R("z", kNow, kNow - 700 * kDay));
  ReportWeighting w = WeighReports(rs);
  EXPECT_EQ(w.largest_cluster, 30);
  EXPECT_DOUBLE_EQ(w.weighted, 4.0) << "three independent reporters plus the cluster as one";
}

TEST(WeighReportsTest, AccountsCreatedApartAreNotAClusterAndTwoAreNotEnough) {
  std::vector<store::ReportSignal> rs = {R("a", kNow, kNow - 100 * kDay),
                                         R("b", kNow, kNow - 100 * kDay + 10 * 1000),
                                         R("c", kNow, kNow - 100 * kDay + 2 * kMinute)};
  ReportWeighting w = WeighReports(rs);
  EXPECT_EQ(w.largest_cluster, 0) << "a and b made 10 s apart are two, below the minimum of 3";
  EXPECT_DOUBLE_EQ(w.weighted, 3.0);
}

TEST(WeighReportsTest, AReporterWhoseReportsAreRejectedWeighsLess) {
  std::vector<store::ReportSignal> rs = {R("cries_wolf", kNow, 0, 0, 5)};
  ReportWeighting w = WeighReports(rs);
  EXPECT_NEAR(w.weighted, 2.0 / 7, 1e-12);
  rs = {R("reliable", kNow, 0, 20, 1)};
  EXPECT_DOUBLE_EQ(WeighReports(rs).weighted, 1.0) << "capped: no one counts more than one";
}

TEST(WeighReportsTest, ABurstFromUntrackedReportersIsFlaggedButNotDiscounted) {
  std::vector<store::ReportSignal> rs;
  for (int i = 0; i < 12; ++i) rs.push_back(R("p" + std::to_string(i), kNow + i * 20 * 1000));
  ReportWeighting w = WeighReports(rs);
  EXPECT_EQ(w.largest_burst, 12);
  EXPECT_TRUE(w.coordinated());
  EXPECT_DOUBLE_EQ(w.weighted, 12.0);
  // The same reports spread over days are no burst.
  rs.clear();
  for (int i = 0; i < 12; ++i) rs.push_back(R("p" + std::to_string(i), kNow + i * kDay));
  EXPECT_EQ(WeighReports(rs).largest_burst, 1);
}

Decision D(ActionType a, std::string actor, UnixMillis at, std::string reason) {
  Decision d;
  d.item_id = "i";
  d.action = a;
  d.actor = std::move(actor);
  d.created_at = at;
  d.reason = std::move(reason);
  return d;
}

TEST(ReportStatusTest, FollowsTheItemWithoutNamingTheReviewer) {
  store::StoredReport rep;
  rep.report.id = "r1";
  rep.report.item_id = "i";
  rep.received_at = kNow;

  std::vector<Decision> ds;
  EXPECT_EQ(ReportStatusOf(rep, ds).status, "received");

  ds.push_back(D(ActionType::kReview, "system", kNow + 1, "harassment.reported: sent"));
  ReportStatus s = ReportStatusOf(rep, ds);
  EXPECT_EQ(s.status, "in_review");
  EXPECT_TRUE(s.action.empty());

  ds.push_back(
      D(ActionType::kRemove, "reviewer:user:3f9a", kNow + 2, "harassment.targeted: removed"));
  s = ReportStatusOf(rep, ds);
  EXPECT_EQ(s.status, "actioned");
  EXPECT_EQ(s.action, "remove");
  EXPECT_EQ(s.reason_code, "harassment.targeted");
  EXPECT_TRUE(s.by_reviewer);

  // Restored on appeal: the reporter learns that no violation was found in the end.
  ds.push_back(D(ActionType::kRestore, "appeal:user:77", kNow + 3, "appeal.upheld: restored"));
  s = ReportStatusOf(rep, ds);
  EXPECT_EQ(s.status, "no_violation");
  EXPECT_EQ(s.action, "restore");
}

TEST(ReportStatusTest, AnEarlierNoViolationDoesNotAnswerALaterReport) {
  store::StoredReport rep;
  rep.received_at = kNow;
  std::vector<Decision> ds = {
      D(ActionType::kNone, "reviewer:user:1", kNow - 10, "no_violation: ok")};
  EXPECT_EQ(ReportStatusOf(rep, ds).status, "received");
  ds.push_back(D(ActionType::kLabel, "system", kNow - 5, "misinfo.label: labelled"));
  ReportStatus s = ReportStatusOf(rep, ds);
  EXPECT_EQ(s.status, "actioned") << "the item was labelled before the report: still actioned";
  EXPECT_FALSE(s.by_reviewer);
}

}  // namespace
}  // namespace bulwark::review
