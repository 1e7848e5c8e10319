// An item accepted with a 2xx survives kill -9 of the server: send batches from several
// clients, SIGKILL the server while they are in flight, restart it on the same database and
// read back every acknowledged id. Batches that were not acknowledged must be all-or-nothing.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "testing/subprocess.h"
#include "testing/temp_dir.h"

namespace bulwark {
namespace {

using testing::Process;

struct Batch {
  std::vector<std::string> ids;
  bool acked = false;
};

class DurabilityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = testing::BulwarkBinary();
    db_ = "sqlite:" + dir_.File("durable.db");
    std::string out;
    ASSERT_EQ(testing::RunCommand(bin_ + " keys create --db " + db_ + " --name durability", &out),
              0);
    key_ = out.substr(0, out.find('\n'));
  }

  std::unique_ptr<Process> Start(int* port) {
    std::string port_file = dir_.File("port" + std::to_string(starts_++));
    auto p = std::make_unique<Process>(
        std::vector<std::string>{bin_, "serve", "--db", db_, "--port", "0", "--threads", "4",
                                 "--port-file", port_file, "--no-detectors"});
    *port = testing::WaitForPortFile(port_file);
    return p;
  }

  std::string bin_, db_, key_;
  testing::TempDir dir_;
  int starts_ = 0;
};

TEST_F(DurabilityTest, AcknowledgedItemsSurviveKillNine) {
  std::vector<Batch> batches;
  std::mutex mu;
  int next_id = 0;
  for (int round = 0; round < 3; ++round) {
    int port = 0;
    auto server = Start(&port);
    ASSERT_GT(port, 0);
    std::atomic<bool> stop{false};
    std::atomic<int> acked_in_round{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 3; ++c) {
      clients.emplace_back([&] {
        httplib::Client client("127.0.0.1", port);
        client.set_keep_alive(true);
        httplib::Headers h = {{"Authorization", "Bearer " + key_}};
        while (!stop) {
          size_t index;
          std::string body = R"({"items":[)";
          {
            std::lock_guard lock(mu);
            index = batches.size();
            batches.emplace_back();
            for (int i = 0; i < 50; ++i) {
              std::string id = "d" + std::to_string(next_id++);
              batches[index].ids.push_back(id);
              body += (i ? "," : "") + std::string(R"({"id":")") + id +
                      R"(","author_id":"u","text":"durable )" + id +
                      R"(","created_at":"2026-01-01T00:00:00Z"})";
            }
          }
          body += "]}";
          auto r = client.Post("/v1/items", h, body, "application/json");
          if (r && r->status == 200) {
            std::lock_guard lock(mu);
            batches[index].acked = true;
            ++acked_in_round;
          } else if (!r) {
            return;  // server gone
          }
        }
      });
    }
    // Let acknowledgements accumulate, then kill without warning while requests are in flight.
    while (acked_in_round < 20 + round * 10)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server->Kill(SIGKILL);
    stop = true;
    for (auto& t : clients) t.join();
  }

  int port = 0;
  auto server = Start(&port);
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  httplib::Headers h = {{"Authorization", "Bearer " + key_}};
  int acked_items = 0, partial_batches = 0, lost = 0;
  for (const Batch& b : batches) {
    int present = 0;
    for (const std::string& id : b.ids) {
      auto r = client.Get(("/v1/items/" + id).c_str(), h);
      ASSERT_TRUE(r);
      if (r->status == 200) ++present;
    }
    if (b.acked) {
      acked_items += static_cast<int>(b.ids.size());
      lost += static_cast<int>(b.ids.size()) - present;
    } else if (present != 0 && present != static_cast<int>(b.ids.size())) {
      ++partial_batches;
    }
  }
  std::printf("durability: %zu batches sent, %d acknowledged items, all read back after 3 kills\n",
              batches.size(), acked_items);
  EXPECT_GT(acked_items, 0);
  EXPECT_EQ(lost, 0) << "acknowledged items lost after kill -9";
  EXPECT_EQ(partial_batches, 0) << "a batch was partly stored";
  server->Kill(SIGTERM);
}

}  // namespace
}  // namespace bulwark
