#include "review/reports.h"

#include <algorithm>
#include <map>
#include <vector>

namespace bulwark::review {
namespace {

struct Reporter {
  UnixMillis created_at = 0;
  UnixMillis first_report = 0;
  std::int64_t upheld = 0, rejected = 0;
  double weight = 1;
};

double TrackRecordWeight(std::int64_t upheld, std::int64_t rejected) {
  const double accuracy =
      static_cast<double>(upheld + 1) / static_cast<double>(upheld + rejected + 2);
  return std::min(1.0, 2 * accuracy);
}

std::string_view ReasonCode(std::string_view reason) {
  const size_t colon = reason.find(": ");
  return colon == std::string_view::npos ? std::string_view() : reason.substr(0, colon);
}

}  // namespace

ReportWeighting WeighReports(std::span<const store::ReportSignal> reports) {
  ReportWeighting out;
  out.raw = static_cast<std::int64_t>(reports.size());
  std::map<std::string_view, Reporter> by_id;
  for (const store::ReportSignal& r : reports) {
    auto [it, fresh] = by_id.try_emplace(r.reporter_id);
    Reporter& p = it->second;
    if (fresh || r.reported_at < p.first_report) p.first_report = r.reported_at;
    if (r.reporter_created_at > 0) p.created_at = r.reporter_created_at;
    p.upheld = std::max(p.upheld, r.upheld);
    p.rejected = std::max(p.rejected, r.rejected);
  }
  out.reporters = static_cast<int>(by_id.size());

  std::vector<Reporter*> dated;  // reporters whose account creation time is known
  std::vector<UnixMillis> untracked_reports;
  for (auto& [id, p] : by_id) {
    p.weight = TrackRecordWeight(p.upheld, p.rejected);
    if (p.created_at > 0 && p.upheld == 0 && p.first_report - p.created_at < kYoungAccountMs) {
      p.weight *= 0.5;
    }
    if (p.created_at > 0) dated.push_back(&p);
    if (p.upheld == 0 && p.rejected == 0) untracked_reports.push_back(p.first_report);
  }

  // Creation clusters: greedy runs of accounts created within kClusterWindowMs of the run's first.
  std::sort(dated.begin(), dated.end(),
            [](const Reporter* a, const Reporter* b) { return a->created_at < b->created_at; });
  double clustered_weight = 0;
  for (size_t i = 0; i < dated.size();) {
    size_t j = i;
    while (j < dated.size() && dated[j]->created_at - dated[i]->created_at < kClusterWindowMs) ++j;
    const int size = static_cast<int>(j - i);
    if (size >= kClusterMinReporters) {
      double sum = 0;
      for (size_t k = i; k < j; ++k) {
        sum += dated[k]->weight;
        dated[k]->weight = 0;  // counted through the cluster below
      }
      clustered_weight += std::min(1.0, sum);
      out.clustered_reporters += size;
      out.largest_cluster = std::max(out.largest_cluster, size);
    }
    i = j;
  }
  for (const auto& [id, p] : by_id) out.weighted += p.weight;
  out.weighted += clustered_weight;

  // Bursts: the most reports from reporters without a track record within kBurstWindowMs.
  std::sort(untracked_reports.begin(), untracked_reports.end());
  for (size_t i = 0, j = 0; j < untracked_reports.size(); ++j) {
    while (untracked_reports[j] - untracked_reports[i] >= kBurstWindowMs) ++i;
    out.largest_burst = std::max(out.largest_burst, static_cast<int>(j - i + 1));
  }
  return out;
}

ReportStatus ReportStatusOf(const store::StoredReport& report,
                            std::span<const Decision> item_decisions) {
  ReportStatus out;
  out.status = "received";
  const Decision* state = nullptr;    // the latest decision that settles the item's state
  const Decision* pending = nullptr;  // a review or escalation not settled since
  for (const Decision& d : item_decisions) {
    const bool person = d.actor != kSystemActor;
    switch (d.action) {
      case ActionType::kRemove:
      case ActionType::kReduce:
      case ActionType::kLabel:
        state = &d;
        if (person) pending = nullptr;
        break;
      case ActionType::kNone:
      case ActionType::kRestore:
        if (!person) break;  // an automated "no action" settles nothing
        state = &d;
        pending = nullptr;
        break;
      case ActionType::kReview:
      case ActionType::kEscalate:
        pending = &d;
        break;
      default:
        break;
    }
  }
  auto settle = [&](const Decision& d, std::string status) {
    out.status = std::move(status);
    out.action = std::string(ActionName(d.action));
    out.reason_code = std::string(ReasonCode(d.reason));
    out.decided_at = d.created_at;
    out.by_reviewer = d.actor != kSystemActor;
  };
  if (state && (state->action == ActionType::kRemove || state->action == ActionType::kReduce ||
                state->action == ActionType::kLabel)) {
    settle(*state, "actioned");
  } else if (pending) {
    out.status = "in_review";
  } else if (state && state->created_at >= report.received_at) {
    settle(*state, "no_violation");
  }
  return out;
}

}  // namespace bulwark::review
