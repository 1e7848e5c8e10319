// The review queue configuration: the shipped file covers every queue the default policy names,
// and a bad file is rejected with an error naming the file, the entry and the field.

#include "review/queues.h"

#include <gtest/gtest.h>

#include <set>

namespace bulwark::review {
namespace {

const std::string kData = std::string(BULWARK_SOURCE_DIR) + "/data";

std::string Queue(const std::string& id, const std::string& extra = "") {
  return R"({"id":")" + id + R"(","title":"T","description":"D","expertise":["x"],)" +
         R"("sla_first_review_minutes":60,"second_review_share":0.1,"wellbeing":false)" + extra +
         "}";
}

std::string File(const std::string& queues, const std::string& extra = "") {
  return R"({"format":"bulwark-review-queues/1","queues":[)" + queues + "]" + extra + "}";
}

Status ParseError(const std::string& text) {
  auto r = ParseQueueConfig(text, "q.json");
  return r.ok() ? Status::Ok() : r.status();
}

TEST(QueueConfig, ShippedFileCoversEveryQueueOfTheDefaultPolicy) {
  auto config = LoadQueueConfig(kData + "/review/queues.json");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto policy = policy::LoadPolicyFile(kData + "/policy/default.policy");
  ASSERT_TRUE(policy.ok());
  auto missing = MissingQueues(**config, **policy);
  for (const auto& m : missing) ADD_FAILURE() << FormatMissingQueue(**policy, **config, m);
  // The expert teams of issue 4 and the appeals queue are all there.
  for (const char* id : {"antisemitism", "anti_black_racism", "anti_muslim", "anti_asian",
                         "anti_lgbtq", "misogyny", "disability", "xenophobia", "threat",
                         "election_integrity", "health_misinformation", "appeals"}) {
    const QueueSpec* q = (*config)->Find(id);
    ASSERT_NE(q, nullptr) << id;
    EXPECT_FALSE(q->expertise.empty()) << id;
    EXPECT_GT(q->sla_first_review_ms, 0) << id;
  }
  EXPECT_EQ((*config)->Find("appeals")->second_review_share, 0);
  EXPECT_TRUE((*config)->Find("threat")->wellbeing);
  EXPECT_NE((*config)->FindReasonCode("no_violation"), nullptr);
}

TEST(QueueConfig, ParsesEveryField) {
  auto c = ParseQueueConfig(
      File(Queue("a") + "," +
               R"({"id":"b","title":"B","description":"Bee","expertise":["x","y"],)"
               R"("sla_first_review_minutes":15,"second_review_share":1,"wellbeing":true})",
           R"(,"version":"7","reviewer_reason_codes":[{"code":"no_violation","outcomes":["none"],)"
           R"("description":"fine"}])"),
      "q.json");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ((*c)->queues.size(), 2u);
  const QueueSpec* b = (*c)->Find("b");
  EXPECT_EQ(b->title, "B");
  EXPECT_EQ(b->expertise, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(b->sla_first_review_ms, 15 * 60 * 1000);
  EXPECT_EQ(b->second_review_share, 1.0);
  EXPECT_TRUE(b->wellbeing);
  EXPECT_EQ((*c)->version, "7");
  EXPECT_EQ((*c)->FindReasonCode("no_violation")->outcomes, std::vector<std::string>{"none"});
  EXPECT_TRUE(HasExpertise(*b, {"y", "x", "z"}));
  EXPECT_FALSE(HasExpertise(*b, {"x"}));
}

TEST(QueueConfig, ErrorsNameTheFileTheEntryAndTheField) {
  struct Case {
    std::string text, field, message_part;
  };
  const Case cases[] = {
      {File(R"({"id":"a","title":"T","description":"D","expertise":["x"],)"
            R"("sla_first_review_minutes":0,"second_review_share":0.1,"wellbeing":false})"),
       "queues[0].sla_first_review_minutes", "queues[0] (id 'a')"},
      {File(Queue("a") + "," +
            R"({"id":"b","title":"T","description":"D","expertise":["x"],)"
            R"("sla_first_review_minutes":5,"second_review_share":1.5,"wellbeing":false})"),
       "queues[1].second_review_share", "from 0 to 1"},
      {File(Queue("a") + "," + Queue("a")), "queues[1].id", "defined twice"},
      {File(Queue("a", R"(,"colour":"red")")), "queues[0].colour", "not a known field"},
      {File(R"({"id":"Bad Name","title":"T","description":"D","expertise":["x"],)"
            R"("sla_first_review_minutes":5,"second_review_share":0,"wellbeing":false})"),
       "queues[0].id", "a-z 0-9 _"},
      {File(R"({"id":"a","title":"T","description":"D","expertise":[],)"
            R"("sla_first_review_minutes":5,"second_review_share":0,"wellbeing":false})"),
       "queues[0].expertise", "non-empty"},
      {File(R"({"id":"a","title":"T","description":"D","expertise":["x"],)"
            R"("sla_first_review_minutes":5,"second_review_share":0})"),
       "queues[0].wellbeing", "is required"},
      {File(Queue("a"), R"(,"reviewer_reason_codes":[{"code":"ok","outcomes":["obliterate"],)"
                        R"("description":"d"}])"),
       "reviewer_reason_codes[0].outcomes[0]", "must be one of"},
      {R"({"queues":[]})", "format", "bulwark-review-queues/1"},
      {File(""), "queues", "non-empty"},
  };
  for (const Case& c : cases) {
    Status s = ParseError(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << s.ToString();
    EXPECT_EQ(s.field(), c.field) << s.ToString();
    EXPECT_EQ(s.message().rfind("q.json", 0), 0u) << s.ToString();
    EXPECT_NE(s.message().find(c.message_part), std::string::npos) << s.ToString();
  }
}

TEST(QueueConfig, ASyntaxErrorNamesLineAndColumn) {
  Status s = ParseError("{\n  \"format\": \"bulwark-review-queues/1\",\n  \"queues\": [,]\n}\n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("q.json:3:"), std::string::npos) << s.message();
  EXPECT_EQ(LoadQueueConfig("/nonexistent/queues.json").status().code(), Code::kNotFound);
  // A number too large for a double is an error, not an exception (found by the fuzzer).
  Status overflow = ParseError("4e2026");
  EXPECT_EQ(overflow.code(), Code::kInvalidArgument);
  EXPECT_EQ(overflow.message().rfind("q.json: not valid JSON", 0), 0u) << overflow.message();
}

TEST(QueueConfig, APolicyQueueMissingFromTheConfigIsReportedWithItsRule) {
  auto config = ParseQueueConfig(File(Queue("threat")), "q.json");
  ASSERT_TRUE(config.ok());
  auto policy = policy::ParsePolicy(
      "format = bulwark-policy/1\npolicy = p\nversion = 1\ntitle = t\n\n"
      "[rule threat.review]\ncategory = threat\nscore >= 0.5\naction = review:threat priority:5\n"
      "reason_code = violence.review\nreason = r\n\n"
      "[rule hate.review]\ncategory = hate\nscore >= 0.5\naction = review:new_team priority:5\n"
      "reason_code = hate.review\nreason = r\n",
      "p.policy");
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  auto missing = MissingQueues(**config, **policy);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].queue, "new_team");
  EXPECT_EQ(missing[0].rule_id, "hate.review");
  EXPECT_EQ(FormatMissingQueue(**policy, **config, missing[0]),
            "p.policy:13: error: rule 'hate.review' sends items to queue 'new_team', which q.json "
            "does not define [review-queue]");
}

}  // namespace
}  // namespace bulwark::review
