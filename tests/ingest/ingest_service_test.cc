#include "ingest/ingest_service.h"

#include <gtest/gtest.h>

#include "testing/temp_dir.h"

namespace bulwark::ingest {
namespace {

class FixedClock : public Clock {
 public:
  UnixMillis NowMillis() const override { return 1'000; }
};

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::OpenDatabase("sqlite:" + dir_.File("i.db"), store::OpenOptions{});
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Database> db_;
  FixedClock clock_;
  MetricsRegistry metrics_;
};

TEST_F(IngestServiceTest, StoresItemsAndCountsThem) {
  IngestService svc(*db_, IngestOptions{}, clock_, &metrics_);
  auto r = svc.IngestItemsJson(
      R"({"items":[{"id":"a","author_id":"u","text":"t","created_at":"2026-01-01T00:00:00Z"}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->created, 1);
  EXPECT_NE(metrics_.RenderPrometheus().find("bulwark_ingest_events_total{kind=\"item\"} 1"),
            std::string::npos);
}

TEST_F(IngestServiceTest, StorageErrorsCarryTheBatchFieldPath) {
  IngestService svc(*db_, IngestOptions{}, clock_, nullptr);
  auto r = svc.IngestItemsJson(R"({"items":[{"id":"a","author_id":"u","text":"t","parent_id":"zz",)"
                               R"("created_at":"2026-01-01T00:00:00Z"}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kFailedPrecondition);
  EXPECT_EQ(r.status().field(), "items[0].parent_id");
  auto v = svc.IngestViewsJson(R"({"views":[{"item_id":"nope"}]})");
  EXPECT_EQ(v.status().field(), "views[0].item_id");
}

TEST_F(IngestServiceTest, SampledViewLogIsBoundedAndWeighted) {
  IngestOptions o;
  o.view_sample_rate = 0.5;
  o.max_samples_per_event = 10;
  IngestService svc(*db_, o, clock_, nullptr);
  ASSERT_TRUE(svc.IngestItemsJson(R"({"items":[{"id":"a","author_id":"u","text":"t",)"
                                  R"("created_at":"2026-01-01T00:00:00Z"}]})")
                  .ok());
  ASSERT_TRUE(svc.IngestViewsJson(R"({"views":[{"item_id":"a","count":1000000}]})").ok());
  auto stats = db_->Stats();
  ASSERT_TRUE(stats.ok());
  std::int64_t samples = -1;
  for (const auto& t : stats->tables) {
    if (t.table == "view_samples") samples = t.rows;
  }
  EXPECT_EQ(samples, 10);  // capped, not 500,000 rows
  EXPECT_EQ(db_->items().GetItem("a")->views, 1000000);
}

}  // namespace
}  // namespace bulwark::ingest

namespace bulwark::ingest {
namespace {

class CountingObserver : public IngestObserver {
 public:
  Status AdmitItems(size_t) override { return refuse ? Unavailable("busy") : Status::Ok(); }
  void ItemsCommitted(size_t n) override { committed += n; }
  bool refuse = false;
  size_t committed = 0;
};

TEST_F(IngestServiceTest, ObserverSeesCommitsAndCanRefuseBatches) {
  IngestService svc(*db_, IngestOptions{}, clock_, nullptr);
  CountingObserver obs;
  svc.set_observer(&obs);
  const char* body =
      R"({"items":[{"id":"a","author_id":"u","text":"t","created_at":"2026-01-01T00:00:00Z"}]})";
  ASSERT_TRUE(svc.IngestItemsJson(body).ok());
  EXPECT_EQ(obs.committed, 1u);
  ASSERT_TRUE(svc.IngestItemsJson(body).ok());  // unchanged: nothing new to enforce
  EXPECT_EQ(obs.committed, 1u);
  obs.refuse = true;
  auto r = svc.IngestItemsJson(
      R"({"items":[{"id":"b","author_id":"u","text":"t","created_at":"2026-01-01T00:00:00Z"}]})");
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_EQ(db_->items().GetItem("b").status().code(), Code::kNotFound);
}

}  // namespace
}  // namespace bulwark::ingest
