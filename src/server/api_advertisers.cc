// GET /v1/advertisers/{id}/statements/{month}: an advertiser's refund statement for a month
// (ads/statement.h), as JSON, CSV or a printable HTML page, after accruing the log to its end
// (docs/advertisers.md).

#include <string>

#include "ads/accruer.h"
#include "ads/statement.h"
#include "server/api.h"
#include "server/api_json.h"
#include "server/statement_page.h"

namespace bulwark::server {

HttpResponse Api::GetRefundStatement(const std::string& advertiser_id, const std::string& month,
                                     const HttpRequest& req) {
  auto range = ads::ParseMonth(month);
  if (!range.ok()) return ErrorResponse(range.status());
  const std::string format(QueryParam(req.query, "format").value_or("json"));
  if (format != "json" && format != "csv" && format != "html") {
    return ErrorResponse(InvalidArgument("must be json, csv or html", "format"));
  }
  // The statement reflects every decision logged so far, not only the background pass's.
  ads::RefundAccruer accruer(*ctx_.db);
  if (auto p = accruer.CatchUp(); !p.ok()) return ErrorResponse(p.status());
  auto lines = ctx_.db->ads().RefundLines(advertiser_id, range->since, range->until);
  if (!lines.ok()) return ErrorResponse(lines.status());
  const ads::Statement s = ads::BuildStatement(advertiser_id, month, *range, std::move(*lines));
  HttpResponse r;
  if (format == "csv") {
    r.content_type = "text/csv; charset=utf-8";
    r.body = ads::StatementCsv(s);
  } else if (format == "html") {
    auto page = RenderStatementPage(s, pages_);
    if (!page.ok()) return ErrorResponse(page.status());
    r.content_type = "text/html; charset=utf-8";
    r.body = std::move(*page);
    // A document with inline styles and no scripts: nothing else may load or run.
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; "
                           "frame-ancestors 'none'; base-uri 'none'");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  } else {
    r.content_type = "application/json";
    r.body = ads::StatementJson(s);
  }
  return r;
}

}  // namespace bulwark::server
