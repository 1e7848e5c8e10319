#include "server/api_json.h"

#include <algorithm>
#include <string>

namespace bulwark::server {

using nlohmann::json;

long long FirstIndex(std::string_view field) {
  auto open = field.find('[');
  if (open == std::string_view::npos) return -1;
  auto close = field.find(']', open);
  if (close == std::string_view::npos || close == open + 1 || close - open - 1 > 15) return -1;
  long long v = 0;
  for (size_t i = open + 1; i < close; ++i) {
    if (field[i] < '0' || field[i] > '9') return -1;
    v = v * 10 + (field[i] - '0');
  }
  return v;
}

std::string_view MethodLabel(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    if (method == m) return m;
  }
  return "other";
}

int JsonDepth(std::string_view s, int max_depth) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, whatever it is, cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return -1;
      deepest = std::max(deepest, depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

Result<json> ParseJsonBody(std::string_view body, int max_depth) {
  if (JsonDepth(body, max_depth) < 0) {
    return InvalidArgument("JSON is nested deeper than " + std::to_string(max_depth) + " levels",
                           "body");
  }
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("body is not valid JSON", "body");
  return j;
}

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  r.body += '\n';
  return r;
}

std::optional<std::string_view> QueryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Result<std::int64_t> ParseCount(std::string_view v, std::string_view field, std::int64_t min,
                                std::int64_t max) {
  std::int64_t n = 0;
  if (v.empty() || v.size() > 18) {
    return InvalidArgument(
        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
        std::string(field));
  }
  for (char c : v) {
    if (c < '0' || c > '9') {
      return InvalidArgument(
          "must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
          std::string(field));
    }
    n = n * 10 + (c - '0');
  }
  if (n < min || n > max) {
    return InvalidArgument(
        "must be an integer from " + std::to_string(min) + " to " + std::to_string(max),
        std::string(field));
  }
  return n;
}

json DecisionJson(const Decision& d) {
  json evidence = json::parse(d.evidence, nullptr, false);
  return {{"seq", d.seq},
          {"target_kind", TargetKindName(d.target_kind)},
          {"item_id", d.item_id},
          {"item_revision", d.item_revision},
          {"action", ActionName(d.action)},
          {"category", d.category},
          {"rule_id", d.rule_id},
          {"policy_version", d.policy_version},
          {"model_version", d.model_version},
          {"actor", d.actor},
          {"reason", d.reason},
          {"evidence", evidence.is_discarded() ? json(d.evidence) : evidence},
          {"created_at", FormatRfc3339(d.created_at)},
          {"prev_hash", d.prev_hash},
          {"hash", d.hash}};
}

json DecisionFeedJson(const Decision& d) {
  json j = DecisionJson(d);
  j["hashed_bytes"] = Base64Encode(ChainPreimage(d.prev_hash, d));
  return j;
}

json SignedHeadJson(const SignedHead& h) {
  return {{"seq", h.seq},
          {"hash", h.hash},
          {"signed_at", h.signed_at},
          {"algorithm", kLogSignatureAlgorithm},
          {"signature", h.signature},
          {"public_key", h.public_key}};
}

Result<nlohmann::json> ParseStringFieldsBody(std::string_view body,
                                             std::initializer_list<std::string_view> fields) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return nlohmann::json::object();
  BULWARK_ASSIGN_OR_RETURN(nlohmann::json j, ParseJsonBody(body));
  if (!j.is_object()) return InvalidArgument("body must be a JSON object", "body");
  for (const auto& [k, v] : j.items()) {
    bool known = false;
    for (std::string_view f : fields) known = known || k == f;
    if (!known) return InvalidArgument("unknown field", k);
    if (!v.is_string()) return InvalidArgument("must be a string", k);
  }
  return j;
}

Result<std::int64_t> ParsePolicyId(std::string_view text) {
  std::int64_t n = 0;
  if (text.empty() || text.size() > 18) return InvalidArgument("must be a positive integer", "id");
  for (char c : text) {
    if (c < '0' || c > '9') return InvalidArgument("must be a positive integer", "id");
    n = n * 10 + (c - '0');
  }
  if (n < 1) return InvalidArgument("must be a positive integer", "id");
  return n;
}

// Percent-decodes one path segment; nullopt on malformed escapes or on a control character
// (NUL, CR, LF, ... and DEL), raw or encoded: a decoded segment can end up in a header value
// (a console redirect's Location), where CR LF would split the response.
std::optional<std::string> PercentDecode(std::string_view s) {
  auto control = [](unsigned char c) { return c < 0x20 || c == 0x7F; };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      if (control(static_cast<unsigned char>(s[i]))) return std::nullopt;
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
    if (hi < 0 || lo < 0 || control(static_cast<unsigned char>(hi * 16 + lo))) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace bulwark::server
