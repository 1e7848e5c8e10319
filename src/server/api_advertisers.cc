// GET /v1/advertisers/{id}/statements/{month}: an advertiser's refund statement for a month
// (ads/statement.h), as JSON, CSV or a printable HTML page, after accruing the log to its end
// (docs/advertisers.md).

#include <string>

#include <nlohmann/json.hpp>

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
  if (format == "json") {
    // An issued statement's JSON is the body stored when it was issued, byte for byte, with
    // the hash stored beside it.
    auto issued = ctx_.db->ads().IssuedStatementFor(advertiser_id, month);
    if (!issued.ok()) return ErrorResponse(issued.status());
    if (*issued) {
      HttpResponse r;
      r.content_type = "application/json";
      r.body = std::move((*issued)->body);
      r.headers.emplace_back("X-Statement-SHA256", (*issued)->sha256);
      return r;
    }
  }
  auto loaded = ads::LoadStatement(ctx_.db->ads(), advertiser_id, month);
  if (!loaded.ok()) return ErrorResponse(loaded.status());
  const ads::Statement& s = *loaded;
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

HttpResponse Api::IssueRefundStatement(const std::string& advertiser_id, const std::string& month,
                                       const Caller& caller) {
  if (auto range = ads::ParseMonth(month); !range.ok()) return ErrorResponse(range.status());
  // Everything logged so far is accrued before the month is frozen.
  ads::RefundAccruer accruer(*ctx_.db);
  if (auto p = accruer.CatchUp(); !p.ok()) return ErrorResponse(p.status());
  const std::string by = caller.via_session ? "user:" + caller.user_id : "key:" + caller.key_id;
  auto issued =
      ads::IssueStatement(ctx_.db->ads(), advertiser_id, month, by, ctx_.clock->NowMillis());
  if (!issued.ok()) return ErrorResponse(issued.status());
  HttpResponse r;
  r.status = 201;
  r.content_type = "application/json";
  r.body = nlohmann::json{{"advertiser_id", issued->advertiser_id},
                          {"month", issued->month},
                          {"issued_at", FormatRfc3339(issued->issued_at)},
                          {"issued_by", issued->issued_by},
                          {"through_seq", issued->through_seq},
                          {"sha256", issued->sha256}}
               .dump();
  return r;
}

}  // namespace bulwark::server
