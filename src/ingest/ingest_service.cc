#include "ingest/ingest_service.h"

#include <algorithm>

#include "ingest/codec.h"

namespace bulwark::ingest {

IngestService::IngestService(store::Database& db, IngestOptions options, const Clock& clock,
                             MetricsRegistry* metrics)
    : db_(db), options_(options), clock_(clock), metrics_(metrics), rng_(options.seed) {}

void IngestService::Count(std::string_view kind, std::uint64_t n, bool ok) {
  if (!metrics_) return;
  metrics_
      ->GetCounter(ok ? "bulwark_ingest_events_total" : "bulwark_ingest_rejected_batches_total",
                   ok ? "Events accepted by ingest, by kind."
                      : "Batches rejected by ingest (validation or storage), by kind.",
                   {{"kind", std::string(kind)}})
      .Inc(n);
}

Result<store::UpsertSummary> IngestService::IngestItemsJson(std::string_view json) {
  auto items = DecodeItemBatch(json, options_.limits);
  if (!items.ok()) {
    Count("item", 1, false);
    return items.status();
  }
  return StoreItems(*items);
}

Result<store::UpsertSummary> IngestService::StoreItems(std::span<const Item> items) {
  if (observer_) {
    Status admit = observer_->AdmitItems(items.size());
    if (!admit.ok()) {
      Count("item", 1, false);
      return admit;
    }
  }
  auto r = db_.items().UpsertItems(items, clock_.NowMillis());
  if (!r.ok()) {
    Count("item", 1, false);
    return Status(r.status().code(), r.status().message(),
                  r.status().field().empty() ? "" : "items" + r.status().field());
  }
  Count("item", items.size(), true);
  if (item_listener_) item_listener_(items);
  if (observer_ && r->created + r->revised > 0) observer_->ItemsCommitted(r->created + r->revised);
  return r;
}

std::vector<store::ViewSample> IngestService::SampleViews(std::span<const ViewEvent> views) {
  std::vector<store::ViewSample> samples;
  if (options_.view_sample_rate <= 0) return samples;
  std::lock_guard lock(rng_mu_);
  for (const ViewEvent& v : views) {
    std::binomial_distribution<std::int64_t> binom(v.count, options_.view_sample_rate);
    std::int64_t k = binom(rng_);
    double rate = options_.view_sample_rate;
    if (k > options_.max_samples_per_event) {
      k = options_.max_samples_per_event;
      rate = static_cast<double>(k) / static_cast<double>(v.count);
    }
    for (std::int64_t j = 0; j < k; ++j) {
      samples.push_back({v.item_id, v.viewed_at, v.surface, rate});
    }
  }
  return samples;
}

Result<store::AppendSummary> IngestService::IngestViewsJson(std::string_view json) {
  auto views = DecodeViewBatch(json, options_.limits, clock_.NowMillis());
  if (!views.ok()) {
    Count("view", 1, false);
    return views.status();
  }
  return StoreViews(*views);
}

Result<store::AppendSummary> IngestService::StoreViews(std::span<const ViewEvent> views) {
  auto samples = SampleViews(views);
  auto r = db_.events().AppendViews(views, samples, clock_.NowMillis());
  if (!r.ok()) {
    Count("view", 1, false);
    return Status(r.status().code(), r.status().message(), "views" + r.status().field());
  }
  Count("view", views.size(), true);
  if (view_listener_) view_listener_(views);
  if (observer_ && r->requeued > 0) observer_->ItemsRequeued(static_cast<size_t>(r->requeued));
  return r;
}

Result<store::AppendSummary> IngestService::IngestReportsJson(std::string_view json) {
  auto reports = DecodeReportBatch(json, options_.limits);
  if (!reports.ok()) {
    Count("report", 1, false);
    return reports.status();
  }
  auto r = db_.events().AppendReports(*reports, clock_.NowMillis());
  if (!r.ok()) {
    Count("report", 1, false);
    return Status(r.status().code(), r.status().message(), "reports" + r.status().field());
  }
  Count("report", r->accepted, true);
  if (observer_ && r->requeued > 0) observer_->ItemsRequeued(static_cast<size_t>(r->requeued));
  return r;
}

Result<store::AppendSummary> IngestService::IngestAdImpressionsJson(std::string_view json) {
  auto imps = DecodeAdImpressionBatch(json, options_.limits);
  if (!imps.ok()) {
    Count("ad_impression", 1, false);
    return imps.status();
  }
  auto r = db_.events().AppendAdImpressions(*imps, clock_.NowMillis());
  if (!r.ok()) {
    Count("ad_impression", 1, false);
    return Status(r.status().code(), r.status().message(), "impressions" + r.status().field());
  }
  Count("ad_impression", r->accepted, true);
  return r;
}

Result<store::UpsertSummary> IngestService::IngestGroupsJson(std::string_view json) {
  auto groups = DecodeGroupBatch(json, options_.limits);
  if (!groups.ok()) {
    Count("group", 1, false);
    return groups.status();
  }
  auto r = db_.groups().UpsertGroups(*groups, clock_.NowMillis());
  if (!r.ok()) {
    Count("group", 1, false);
    return Status(r.status().code(), r.status().message(), "groups" + r.status().field());
  }
  Count("group", groups->size(), true);
  // A new or changed profile is a revision for enforcement to scan.
  const int changed = r->created + r->revised;
  if (observer_ && changed > 0) observer_->ItemsRequeued(static_cast<size_t>(changed));
  return r;
}

Result<store::AppendSummary> IngestService::IngestMembershipsJson(std::string_view json) {
  auto events = DecodeMembershipBatch(json, options_.limits);
  if (!events.ok()) {
    Count("membership", 1, false);
    return events.status();
  }
  auto r = db_.groups().AppendMemberships(*events, clock_.NowMillis());
  if (!r.ok()) {
    Count("membership", 1, false);
    return Status(r.status().code(), r.status().message(), "memberships" + r.status().field());
  }
  Count("membership", r->accepted, true);
  return r;
}

}  // namespace bulwark::ingest
