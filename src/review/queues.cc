#include "review/queues.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace bulwark::review {
namespace {

using nlohmann::json;

constexpr std::string_view kOutcomes[] = {"none",     "label",   "reduce", "remove",
                                          "escalate", "restore", "uphold"};

bool IsIdent(std::string_view s, std::string_view extra = "") {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                    extra.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string TypeName(const json& v) { return v.type_name(); }

// Reads one entry of a JSON object with checks, producing errors that name the file, the
// entry and the field.
class Reader {
 public:
  Reader(std::string_view filename, std::string path, std::string entry)
      : filename_(filename), path_(std::move(path)), entry_(std::move(entry)) {}

  Status Error(std::string_view key, std::string message) const {
    return InvalidArgument(
        std::string(filename_) + ": " + entry_ + ": " + std::string(key) + " " + message,
        path_ + (key.empty() ? "" : "." + std::string(key)));
  }

  Status CheckKeys(const json& obj, std::initializer_list<std::string_view> allowed) const {
    for (const auto& [k, v] : obj.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        return Error(k, "is not a known field (expected one of: " + list + ")");
      }
    }
    return Status::Ok();
  }

  Result<std::string> String(const json& obj, std::string_view key, std::size_t max_bytes,
                             bool required = true) const {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) return Error(key, "is required");
      return std::string();
    }
    if (!it->is_string()) return Error(key, "must be a string, not " + TypeName(*it));
    std::string v = it->get<std::string>();
    if (required && v.empty()) return Error(key, "must not be empty");
    if (v.size() > max_bytes) {
      return Error(key, "must be at most " + std::to_string(max_bytes) + " bytes");
    }
    return v;
  }

  Result<std::vector<std::string>> Idents(const json& obj, std::string_view key,
                                          std::string_view what) const {
    auto it = obj.find(key);
    if (it == obj.end()) return Error(key, "is required");
    if (!it->is_array() || it->empty()) {
      return Error(key, "must be a non-empty array of " + std::string(what));
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < it->size(); ++i) {
      const json& v = (*it)[i];
      const std::string k = std::string(key) + "[" + std::to_string(i) + "]";
      if (!v.is_string() || !IsIdent(v.get<std::string>())) {
        return Error(k, "must be " + std::string(what) + " (1-64 of a-z 0-9 _)");
      }
      if (std::find(out.begin(), out.end(), v.get<std::string>()) != out.end()) {
        return Error(k, "repeats '" + v.get<std::string>() + "'");
      }
      out.push_back(v.get<std::string>());
    }
    return out;
  }

 private:
  std::string_view filename_;
  std::string path_;
  std::string entry_;
};

// 1-based line and column of byte `offset` in `text`.
std::string LineColumn(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1, col = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

Status ParseQueue(const json& q, size_t index, std::string_view filename, QueueSpec* out) {
  const std::string path = "queues[" + std::to_string(index) + "]";
  if (!q.is_object()) {
    return InvalidArgument(std::string(filename) + ": " + path + " must be an object", path);
  }
  std::string entry = path;
  if (auto it = q.find("id"); it != q.end() && it->is_string()) {
    entry += " (id '" + it->get<std::string>().substr(0, 64) + "')";
  }
  Reader r(filename, path, entry);
  BULWARK_RETURN_IF_ERROR(
      r.CheckKeys(q, {"id", "title", "description", "expertise", "sla_first_review_minutes",
                      "second_review_share", "wellbeing"}));
  BULWARK_ASSIGN_OR_RETURN(out->id, r.String(q, "id", 64));
  if (!IsIdent(out->id)) return r.Error("id", "must be 1-64 of a-z 0-9 _ (a policy queue name)");
  BULWARK_ASSIGN_OR_RETURN(out->title, r.String(q, "title", 200));
  BULWARK_ASSIGN_OR_RETURN(out->description, r.String(q, "description", 2000));
  BULWARK_ASSIGN_OR_RETURN(out->expertise, r.Idents(q, "expertise", "expertise tags"));

  auto sla = q.find("sla_first_review_minutes");
  if (sla == q.end()) return r.Error("sla_first_review_minutes", "is required");
  if (!sla->is_number_integer() || sla->get<std::int64_t>() < 1 ||
      sla->get<std::int64_t>() > kMaxSlaMinutes) {
    return r.Error("sla_first_review_minutes",
                   "must be a whole number of minutes from 1 to " + std::to_string(kMaxSlaMinutes));
  }
  out->sla_first_review_ms = sla->get<std::int64_t>() * 60 * 1000;

  auto share = q.find("second_review_share");
  if (share == q.end()) return r.Error("second_review_share", "is required");
  if (!share->is_number() || !std::isfinite(share->get<double>()) || share->get<double>() < 0 ||
      share->get<double>() > 1) {
    return r.Error("second_review_share", "must be a number from 0 to 1");
  }
  out->second_review_share = share->get<double>();

  auto wellbeing = q.find("wellbeing");
  if (wellbeing == q.end()) return r.Error("wellbeing", "is required");
  if (!wellbeing->is_boolean()) return r.Error("wellbeing", "must be true or false");
  out->wellbeing = wellbeing->get<bool>();
  return Status::Ok();
}

Status ParseReasonCode(const json& c, size_t index, std::string_view filename,
                       ReviewerReasonCode* out) {
  const std::string path = "reviewer_reason_codes[" + std::to_string(index) + "]";
  if (!c.is_object()) {
    return InvalidArgument(std::string(filename) + ": " + path + " must be an object", path);
  }
  Reader r(filename, path, path);
  BULWARK_RETURN_IF_ERROR(r.CheckKeys(c, {"code", "outcomes", "description"}));
  BULWARK_ASSIGN_OR_RETURN(out->code, r.String(c, "code", 64));
  if (!IsIdent(out->code, ".-")) {
    return r.Error("code", "must be 1-64 of a-z 0-9 _ . - (like a policy reason_code)");
  }
  BULWARK_ASSIGN_OR_RETURN(out->outcomes, r.Idents(c, "outcomes", "outcomes"));
  for (size_t i = 0; i < out->outcomes.size(); ++i) {
    if (std::find(std::begin(kOutcomes), std::end(kOutcomes), out->outcomes[i]) ==
        std::end(kOutcomes)) {
      return r.Error("outcomes[" + std::to_string(i) + "]",
                     "must be one of none, label, reduce, remove, escalate, restore, uphold");
    }
  }
  BULWARK_ASSIGN_OR_RETURN(out->description, r.String(c, "description", 2000));
  return Status::Ok();
}

}  // namespace

const QueueSpec* QueueConfig::Find(std::string_view id) const {
  for (const QueueSpec& q : queues) {
    if (q.id == id) return &q;
  }
  return nullptr;
}

const ReviewerReasonCode* QueueConfig::FindReasonCode(std::string_view code) const {
  for (const ReviewerReasonCode& c : reason_codes) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

Result<std::shared_ptr<const QueueConfig>> ParseQueueConfig(std::string_view text,
                                                            std::string_view filename) {
  const std::string file(filename);
  if (text.size() > kMaxQueuesFileBytes) {
    return ResourceExhausted(file + ": larger than " + std::to_string(kMaxQueuesFileBytes) +
                             " bytes");
  }
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's byte is 1-based and points just past the offending character.
    const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
    return InvalidArgument(file + ":" + LineColumn(text, at) + ": not valid JSON", "");
  } catch (const json::exception& e) {
    // E.g. a number too large for a double (found by fuzz_review_queues).
    return InvalidArgument(file + ": not valid JSON (" + e.what() + ")", "");
  }
  if (!doc.is_object()) return InvalidArgument(file + ": must be a JSON object", "");
  for (const auto& [k, v] : doc.items()) {
    if (k != "format" && k != "version" && k != "queues" && k != "reviewer_reason_codes") {
      return InvalidArgument(file + ": " + k +
                                 " is not a known field (expected format, version, queues, "
                                 "reviewer_reason_codes)",
                             k);
    }
  }
  auto format = doc.find("format");
  if (format == doc.end() || !format->is_string() || format->get<std::string>() != kQueuesFormat) {
    return InvalidArgument(file + ": format must be \"" + std::string(kQueuesFormat) + "\"",
                           "format");
  }
  auto config = std::make_shared<QueueConfig>();
  config->filename = file;
  if (auto v = doc.find("version"); v != doc.end()) {
    if (!v->is_string() || v->get<std::string>().empty() || v->get<std::string>().size() > 64) {
      return InvalidArgument(file + ": version must be a string of 1-64 bytes", "version");
    }
    config->version = v->get<std::string>();
  }
  auto queues = doc.find("queues");
  if (queues == doc.end() || !queues->is_array() || queues->empty()) {
    return InvalidArgument(file + ": queues must be a non-empty array", "queues");
  }
  if (queues->size() > kMaxQueues) {
    return ResourceExhausted(file + ": more than " + std::to_string(kMaxQueues) + " queues",
                             "queues");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < queues->size(); ++i) {
    QueueSpec q;
    BULWARK_RETURN_IF_ERROR(ParseQueue((*queues)[i], i, filename, &q));
    if (!ids.insert(q.id).second) {
      return InvalidArgument(
          file + ": queues[" + std::to_string(i) + "]: id '" + q.id + "' is defined twice",
          "queues[" + std::to_string(i) + "].id");
    }
    config->queues.push_back(std::move(q));
  }
  if (auto codes = doc.find("reviewer_reason_codes"); codes != doc.end()) {
    if (!codes->is_array()) {
      return InvalidArgument(file + ": reviewer_reason_codes must be an array",
                             "reviewer_reason_codes");
    }
    std::set<std::string> seen;
    for (size_t i = 0; i < codes->size(); ++i) {
      ReviewerReasonCode c;
      BULWARK_RETURN_IF_ERROR(ParseReasonCode((*codes)[i], i, filename, &c));
      if (!seen.insert(c.code).second) {
        return InvalidArgument(file + ": reviewer_reason_codes[" + std::to_string(i) + "]: code '" +
                                   c.code + "' is defined twice",
                               "reviewer_reason_codes[" + std::to_string(i) + "].code");
      }
      config->reason_codes.push_back(std::move(c));
    }
  }
  return std::shared_ptr<const QueueConfig>(std::move(config));
}

Result<std::shared_ptr<const QueueConfig>> LoadQueueConfig(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return NotFound(path + ": cannot read the review queue configuration");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ParseQueueConfig(ss.str(), path);
}

std::vector<MissingQueue> MissingQueues(const QueueConfig& config, const policy::Policy& policy) {
  std::vector<MissingQueue> out;
  for (const auto* rules : {&policy.rules, &policy.group_rules}) {
    for (const policy::Rule& rule : *rules) {
      if (rule.queue.empty() || config.Find(rule.queue)) continue;
      out.push_back({rule.queue, rule.id, rule.line});
    }
  }
  return out;
}

std::string FormatMissingQueue(const policy::Policy& policy, const QueueConfig& config,
                               const MissingQueue& m) {
  return policy.filename + ":" + std::to_string(m.line) + ": error: rule '" + m.rule_id +
         "' sends items to queue '" + m.queue + "', which " + config.filename +
         " does not define [review-queue]";
}

bool HasExpertise(const QueueSpec& queue, const std::vector<std::string>& expertise) {
  for (const std::string& tag : queue.expertise) {
    if (std::find(expertise.begin(), expertise.end(), tag) == expertise.end()) return false;
  }
  return true;
}

}  // namespace bulwark::review
