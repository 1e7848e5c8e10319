#pragma once

// IngestService: the one path by which platform events enter Bulwark, shared by the HTTP API
// and `bulwark ingest`. It decodes and validates a batch, then stores it in one transaction:
// a batch is accepted whole or rejected whole, and an OK result means it is durable.
//
// Thread safety: all methods may be called concurrently.

#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <span>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "core/status.h"
#include "core/time.h"
#include "ingest/limits.h"
#include "store/store.h"

namespace bulwark::ingest {

struct IngestOptions {
  IngestLimits limits;
  // Share of views kept in the sampled view log (the audit's view-weighted sample frame).
  double view_sample_rate = 0.01;
  // At most this many sampled rows per view event; above it the stored rate is adjusted so each
  // row still stands for the right number of views.
  int max_samples_per_event = 100;
  std::uint64_t seed = 0x5eed;
};

// Told about item batches: asked before each is stored (backpressure) and after it commits.
class IngestObserver {
 public:
  virtual ~IngestObserver() = default;
  // A non-OK Status refuses the batch before anything is stored (e.g. Unavailable: backlog).
  virtual Status AdmitItems(size_t n) = 0;
  virtual void ItemsCommitted(size_t n) = 0;
  // `n` stored items are pending again: reports or reach arrived for them (never refused: the
  // events are stored whatever the backlog, and an item is pending at most once).
  virtual void ItemsRequeued(size_t n) { ItemsCommitted(n); }
};

class IngestService {
 public:
  // `db`, `clock` and `metrics` (optional) must outlive the service.
  IngestService(store::Database& db, IngestOptions options, const Clock& clock,
                MetricsRegistry* metrics);

  Result<store::UpsertSummary> IngestItemsJson(std::string_view json);
  Result<store::AppendSummary> IngestViewsJson(std::string_view json);
  Result<store::AppendSummary> IngestReportsJson(std::string_view json);
  Result<store::AppendSummary> IngestAdImpressionsJson(std::string_view json);
  // Groups (their profile becomes an item that enforcement scans) and membership events.
  Result<store::UpsertSummary> IngestGroupsJson(std::string_view json);
  Result<store::AppendSummary> IngestMembershipsJson(std::string_view json);

  // Already-decoded items (bulk load).
  Result<store::UpsertSummary> StoreItems(std::span<const Item> items);
  Result<store::AppendSummary> StoreViews(std::span<const ViewEvent> views);

  const IngestOptions& options() const { return options_; }
  // Optional; must outlive the service. Set before serving requests.
  void set_observer(IngestObserver* observer) { observer_ = observer; }
  // Optional: called with every committed view batch (the amplification guard counts views
  // through recommendation surfaces). Set before serving requests.
  void set_view_listener(std::function<void(std::span<const ViewEvent>)> listener) {
    view_listener_ = std::move(listener);
  }
  // Optional: called with every committed item batch (the amplification guard links new items
  // of removed or restricted groups to them). Set before serving requests.
  void set_item_listener(std::function<void(std::span<const Item>)> listener) {
    item_listener_ = std::move(listener);
  }

 private:
  std::vector<store::ViewSample> SampleViews(std::span<const ViewEvent> views);
  void Count(std::string_view kind, std::uint64_t n, bool ok);

  store::Database& db_;
  const IngestOptions options_;
  const Clock& clock_;
  MetricsRegistry* metrics_;
  IngestObserver* observer_ = nullptr;
  std::function<void(std::span<const ViewEvent>)> view_listener_;
  std::function<void(std::span<const Item>)> item_listener_;

  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

}  // namespace bulwark::ingest
