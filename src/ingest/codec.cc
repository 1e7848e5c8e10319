#include "ingest/codec.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/utf8.h"

namespace bulwark::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// Invalid UTF-8 is located by re-parsing a repaired copy in which each invalid sequence is
// replaced by this noncharacter (U+FDD0), then reporting the first string field holding it.
constexpr std::string_view kInvalidMarker = "\xEF\xB7\x90";

struct Ctx {
  const IngestLimits& limits;
  bool utf8_repaired = false;  // strings containing kInvalidMarker were invalid UTF-8
};

std::string_view TypeName(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
      return "an integer";
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "a value";
}

Status WrongType(element e, std::string_view want, std::string field) {
  return InvalidArgument(
      "must be " + std::string(want) + ", got " + std::string(TypeName(e.type())),
      std::move(field));
}

// A field name as it may appear in an error: the client's own key, cut to a short prefix (at a
// UTF-8 boundary) so that an error never echoes a huge key back.
std::string EchoKey(std::string_view key) {
  constexpr size_t kMax = 64;
  if (key.size() <= kMax) return std::string(key);
  size_t n = kMax;
  while (n > 0 && (static_cast<unsigned char>(key[n]) & 0xC0) == 0x80) --n;
  return std::string(key.substr(0, n)) + "...";
}

bool HasControlChars(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Reads a string field. `id_like` forbids control characters and empty values.
Status ReadString(const Ctx& ctx, element e, const std::string& field, size_t max_bytes,
                  bool id_like, std::string* out) {
  if (e.type() != element_type::STRING) return WrongType(e, "a string", field);
  std::string_view s = e.get_string().value_unsafe();
  if (ctx.utf8_repaired && s.find(kInvalidMarker) != std::string_view::npos) {
    return InvalidArgument("is not valid UTF-8", field);
  }
  if (s.size() > max_bytes) {
    return InvalidArgument(
        "is " + std::to_string(s.size()) + " bytes, the limit is " + std::to_string(max_bytes),
        field);
  }
  if (id_like) {
    if (s.empty()) return InvalidArgument("must not be empty", field);
    if (HasControlChars(s)) return InvalidArgument("must not contain control characters", field);
  }
  out->assign(s);
  return Status::Ok();
}

Status ReadOptionalId(const Ctx& ctx, element e, const std::string& field, std::string* out) {
  if (e.type() == element_type::NULL_VALUE) {
    out->clear();
    return Status::Ok();
  }
  return ReadString(ctx, e, field, ctx.limits.max_id_bytes, true, out);
}

Status ReadBool(element e, const std::string& field, bool* out) {
  if (e.type() != element_type::BOOL) return WrongType(e, "a boolean", field);
  *out = e.get_bool().value_unsafe();
  return Status::Ok();
}

Status ReadInt(element e, const std::string& field, std::int64_t min, std::int64_t max,
               std::int64_t* out) {
  std::int64_t v;
  if (e.type() == element_type::INT64) {
    v = e.get_int64().value_unsafe();
  } else if (e.type() == element_type::UINT64) {
    return InvalidArgument("must be at most " + std::to_string(max), field);
  } else {
    return WrongType(e, "an integer", field);
  }
  if (v < min) return InvalidArgument("must be at least " + std::to_string(min), field);
  if (v > max) return InvalidArgument("must be at most " + std::to_string(max), field);
  *out = v;
  return Status::Ok();
}

Status ReadTime(const Ctx& ctx, element e, const std::string& field, UnixMillis* out) {
  std::string s;
  BULWARK_RETURN_IF_ERROR(ReadString(ctx, e, field, 64, false, &s));
  auto t = ParseRfc3339(s);
  if (!t) {
    return InvalidArgument("must be an RFC 3339 timestamp such as 2026-01-31T12:00:00Z", field);
  }
  *out = *t;
  return Status::Ok();
}

// Walks an object's fields: each known name is handled once by its reader; unknown names and
// repeated names are errors; names listed in `required` must be present.
class FieldWalker {
 public:
  using Reader = std::function<Status(element, const std::string& field)>;

  FieldWalker(std::string path) : path_(std::move(path)) {}
  void On(std::string_view name, bool required, Reader reader) {
    fields_.push_back({name, required, std::move(reader)});
  }

  Status Walk(element e) {
    if (e.type() != element_type::OBJECT) return WrongType(e, "an object", path_);
    std::vector<bool> seen(fields_.size(), false);
    const object obj = e.get_object().value_unsafe();
    for (auto [key, value] : obj) {
      size_t k = 0;
      while (k < fields_.size() && fields_[k].name != key) ++k;
      std::string field = path_.empty() ? EchoKey(key) : path_ + "." + EchoKey(key);
      if (k == fields_.size()) {
        if (!IsValidUtf8(key) || key.find(kInvalidMarker) != std::string_view::npos) {
          return InvalidArgument("field name is not valid UTF-8", path_);
        }
        return InvalidArgument("unknown field", field);
      }
      if (seen[k]) return InvalidArgument("field appears more than once", field);
      seen[k] = true;
      BULWARK_RETURN_IF_ERROR(fields_[k].reader(value, field));
    }
    for (size_t k = 0; k < fields_.size(); ++k) {
      if (fields_[k].required && !seen[k]) {
        std::string field = path_.empty() ? std::string(fields_[k].name)
                                          : path_ + "." + std::string(fields_[k].name);
        return InvalidArgument("is required", field);
      }
    }
    return Status::Ok();
  }

 private:
  struct Field {
    std::string_view name;
    bool required;
    Reader reader;
  };
  std::string path_;
  std::vector<Field> fields_;
};

Status DecodeItemInto(const Ctx& ctx, element e, const std::string& path, Item* item) {
  const auto& L = ctx.limits;
  bool has_group = false, has_visibility = false;
  FieldWalker w(path);
  w.On("id", true, [&](element v, const std::string& f) -> Status {
    BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, L.max_id_bytes, true, &item->id));
    if (item->id.starts_with(kGroupProfileIdPrefix)) {
      return InvalidArgument(
          "must not start with \"group:\" (reserved for group profiles, "
          "which POST /v1/groups stores)",
          f);
    }
    return Status::Ok();
  });
  w.On("kind", false, [&](element v, const std::string& f) -> Status {
    std::string s;
    BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, 64, true, &s));
    auto k = ParseItemKind(s);
    if (!k) {
      return InvalidArgument(
          "must be one of post, comment, message, ad_creative, group_profile, user_profile", f);
    }
    item->kind = *k;
    return Status::Ok();
  });
  w.On("author_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &item->author_id);
  });
  w.On("author_public_figure", false, [&](element v, const std::string& f) {
    return ReadBool(v, f, &item->author_is_public_figure);
  });
  w.On("group_id", false, [&](element v, const std::string& f) {
    Status s = ReadOptionalId(ctx, v, f, &item->group_id);
    has_group = !item->group_id.empty();
    return s;
  });
  w.On("group_visibility", false, [&](element v, const std::string& f) -> Status {
    std::string s;
    BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, 64, true, &s));
    auto vis = ParseVisibility(s);
    if (!vis) return InvalidArgument("must be \"public\", \"private\" or \"secret\"", f);
    item->group_visibility = *vis;
    has_visibility = true;
    return Status::Ok();
  });
  w.On("parent_id", false, [&](element v, const std::string& f) {
    return ReadOptionalId(ctx, v, f, &item->parent_id);
  });
  w.On("text", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_text_bytes, false, &item->text);
  });
  w.On("lang", false, [&](element v, const std::string& f) -> Status {
    if (v.type() == element_type::NULL_VALUE) return Status::Ok();
    return ReadString(ctx, v, f, 35, true, &item->lang);
  });
  w.On("created_at", true,
       [&](element v, const std::string& f) { return ReadTime(ctx, v, f, &item->created_at); });
  BULWARK_RETURN_IF_ERROR(w.Walk(e));
  auto sub = [&](std::string_view name) {
    return path.empty() ? std::string(name) : path + "." + std::string(name);
  };
  if (has_group && !has_visibility) {
    return InvalidArgument("is required when group_id is set", sub("group_visibility"));
  }
  if (!has_group && has_visibility) {
    return InvalidArgument("must not be set without group_id", sub("group_visibility"));
  }
  if (item->parent_id == item->id) {
    return InvalidArgument("an item cannot be its own parent", sub("parent_id"));
  }
  return Status::Ok();
}

Status DecodeGroupInto(const Ctx& ctx, element e, const std::string& path, Group* g) {
  const auto& L = ctx.limits;
  FieldWalker w(path);
  w.On("id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &g->id);
  });
  w.On("name", true, [&](element v, const std::string& f) -> Status {
    BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, L.max_group_name_bytes, false, &g->name));
    if (g->name.empty()) return InvalidArgument("must not be empty", f);
    return Status::Ok();
  });
  w.On("description", false, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_text_bytes, false, &g->description);
  });
  w.On("visibility", true, [&](element v, const std::string& f) -> Status {
    std::string s;
    BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, 64, true, &s));
    auto vis = ParseVisibility(s);
    if (!vis) return InvalidArgument("must be \"public\", \"private\" or \"secret\"", f);
    g->visibility = *vis;
    return Status::Ok();
  });
  w.On("created_at", true,
       [&](element v, const std::string& f) { return ReadTime(ctx, v, f, &g->created_at); });
  w.On("owner_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &g->owner_id);
  });
  w.On("admin_ids", false, [&](element v, const std::string& f) -> Status {
    if (v.type() != element_type::ARRAY) return WrongType(v, "an array", f);
    const simdjson::dom::array arr = v.get_array().value_unsafe();
    if (arr.size() > L.max_group_admins) {
      return InvalidArgument("has " + std::to_string(arr.size()) + " entries, the limit is " +
                                 std::to_string(L.max_group_admins),
                             f);
    }
    size_t i = 0;
    for (element a : arr) {
      std::string field = f + "[" + std::to_string(i++) + "]";
      std::string id;
      BULWARK_RETURN_IF_ERROR(ReadString(ctx, a, field, L.max_id_bytes, true, &id));
      if (std::find(g->admin_ids.begin(), g->admin_ids.end(), id) != g->admin_ids.end()) {
        return InvalidArgument("duplicate admin '" + id + "'", field);
      }
      g->admin_ids.push_back(std::move(id));
    }
    return Status::Ok();
  });
  return w.Walk(e);
}

Status DecodeMembershipInto(const Ctx& ctx, element e, const std::string& path,
                            MembershipEvent* m) {
  const auto& L = ctx.limits;
  FieldWalker w(path);
  w.On("id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &m->id);
  });
  w.On("group_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &m->group_id);
  });
  w.On("account_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &m->account_id);
  });
  w.On("action", true, [&](element v, const std::string& f) -> Status {
    std::string s;
    BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, 16, true, &s));
    auto a = ParseMembershipAction(s);
    if (!a) return InvalidArgument("must be \"join\" or \"leave\"", f);
    m->action = *a;
    return Status::Ok();
  });
  w.On("at", true, [&](element v, const std::string& f) { return ReadTime(ctx, v, f, &m->at); });
  return w.Walk(e);
}

Status DecodeViewInto(const Ctx& ctx, element e, const std::string& path, UnixMillis now,
                      ViewEvent* view) {
  const auto& L = ctx.limits;
  view->viewed_at = now;
  FieldWalker w(path);
  w.On("item_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &view->item_id);
  });
  w.On("count", false, [&](element v, const std::string& f) {
    return ReadInt(v, f, 1, L.max_view_count, &view->count);
  });
  w.On("viewed_at", false,
       [&](element v, const std::string& f) { return ReadTime(ctx, v, f, &view->viewed_at); });
  w.On("surface", false, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, 64, false, &view->surface);
  });
  return w.Walk(e);
}

Status DecodeReportInto(const Ctx& ctx, element e, const std::string& path, Report* r) {
  const auto& L = ctx.limits;
  FieldWalker w(path);
  w.On("id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &r->id);
  });
  w.On("item_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &r->item_id);
  });
  w.On("reporter_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &r->reporter_id);
  });
  w.On("reason", true, [&](element v, const std::string& f) -> Status {
    std::string s;
    BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, 64, true, &s));
    auto reason = ParseReportReason(s);
    if (!reason) {
      return InvalidArgument(
          "must be one of hate, harassment, threat, extremism, misinformation, spam, other", f);
    }
    r->reason = *reason;
    return Status::Ok();
  });
  w.On("comment", false, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_short_bytes, false, &r->comment);
  });
  w.On("created_at", true,
       [&](element v, const std::string& f) { return ReadTime(ctx, v, f, &r->created_at); });
  w.On("reporter_created_at", false, [&](element v, const std::string& f) {
    return ReadTime(ctx, v, f, &r->reporter_created_at);
  });
  return w.Walk(e);
}

Status DecodeImpressionInto(const Ctx& ctx, element e, const std::string& path, AdImpression* imp) {
  const auto& L = ctx.limits;
  FieldWalker w(path);
  w.On("id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &imp->id);
  });
  w.On("ad_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &imp->ad_id);
  });
  w.On("advertiser_id", true, [&](element v, const std::string& f) {
    return ReadString(ctx, v, f, L.max_id_bytes, true, &imp->advertiser_id);
  });
  w.On("price_micros", true, [&](element v, const std::string& f) {
    return ReadInt(v, f, 0, L.max_price_micros, &imp->price_micros);
  });
  w.On("currency", false, [&](element v, const std::string& f) -> Status {
    BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, 3, true, &imp->currency));
    if (imp->currency.size() != 3 || !std::all_of(imp->currency.begin(), imp->currency.end(),
                                                  [](char c) { return c >= 'A' && c <= 'Z'; })) {
      return InvalidArgument("must be an ISO 4217 code such as USD", f);
    }
    return Status::Ok();
  });
  w.On("shown_at", true,
       [&](element v, const std::string& f) { return ReadTime(ctx, v, f, &imp->shown_at); });
  w.On("adjacent", true, [&](element v, const std::string& f) -> Status {
    if (v.type() != element_type::ARRAY) return WrongType(v, "an array", f);
    const simdjson::dom::array arr = v.get_array().value_unsafe();
    if (arr.size() > L.max_adjacent) {
      return InvalidArgument("has " + std::to_string(arr.size()) + " entries, the limit is " +
                                 std::to_string(L.max_adjacent),
                             f);
    }
    std::unordered_set<std::string> seen;
    size_t j = 0;
    for (element a : arr) {
      std::string p = f + "[" + std::to_string(j++) + "]";
      AdjacentItem adj;
      std::int64_t pos = 0;
      FieldWalker aw(p);
      aw.On("item_id", true, [&](element x, const std::string& ff) {
        return ReadString(ctx, x, ff, L.max_id_bytes, true, &adj.item_id);
      });
      aw.On("position", true,
            [&](element x, const std::string& ff) { return ReadInt(x, ff, -1000, 1000, &pos); });
      BULWARK_RETURN_IF_ERROR(aw.Walk(a));
      adj.position = static_cast<std::int32_t>(pos);
      if (!seen.insert(adj.item_id).second) {
        return InvalidArgument("item listed more than once in adjacent", p + ".item_id");
      }
      imp->adjacent.push_back(std::move(adj));
    }
    return Status::Ok();
  });
  return w.Walk(e);
}

Status ParseError(simdjson::error_code code) {
  switch (code) {
    case simdjson::DEPTH_ERROR:
      return InvalidArgument("JSON is nested too deeply", "");
    case simdjson::CAPACITY:
      return ResourceExhausted("JSON document is too large", "");
    case simdjson::UTF8_ERROR:
      return InvalidArgument("body is not valid UTF-8", "");
    case simdjson::EMPTY:
      return InvalidArgument("body is empty; expected a JSON object", "");
    default:
      return InvalidArgument(std::string("malformed JSON: ") + simdjson::error_message(code), "");
  }
}

// Parses `json` and calls `decode(root, ctx)`. Handles depth, size and UTF-8 errors uniformly.
template <typename Fn>
Status ParseAndDecode(std::string_view json, const IngestLimits& limits, Fn&& decode) {
  if (json.size() > limits.max_body_bytes) {
    return ResourceExhausted("body is " + std::to_string(json.size()) + " bytes, the limit is " +
                             std::to_string(limits.max_body_bytes));
  }
  simdjson::dom::parser parser;
  if (auto err = parser.allocate(std::max<size_t>(json.size(), 64), limits.max_depth); err) {
    return ResourceExhausted("cannot allocate a parser for this body");
  }
  Ctx ctx{limits};
  simdjson::padded_string padded(json);
  auto doc = parser.parse(padded);
  std::string repaired;
  if (doc.error() == simdjson::UTF8_ERROR) {
    size_t bad = FindInvalidUtf8(json);
    repaired = ReplaceInvalidUtf8(json, kInvalidMarker);
    simdjson::dom::parser second;
    if (second.allocate(repaired.size() + 64, limits.max_depth) != simdjson::SUCCESS) {
      return ResourceExhausted("cannot allocate a parser for this body");
    }
    simdjson::padded_string padded_repaired(repaired);
    auto doc2 = second.parse(padded_repaired);
    if (doc2.error()) return ParseError(doc2.error());
    ctx.utf8_repaired = true;
    Status s = decode(doc2.value_unsafe(), ctx);
    if (!s.ok()) return s;
    // The invalid bytes were somewhere we did not read as a string (e.g. a key we accepted).
    return InvalidArgument("body is not valid UTF-8 at byte " + std::to_string(bad));
  }
  if (doc.error()) return ParseError(doc.error());
  return decode(doc.value_unsafe(), ctx);
}

// Decodes {"<name>": [ ... ]} with one decoder per element.
template <typename T, typename Fn>
Result<std::vector<T>> DecodeBatch(std::string_view json, const IngestLimits& limits,
                                   std::string_view name, Fn&& decode_one) {
  std::vector<T> out;
  Status s = ParseAndDecode(json, limits, [&](element root, const Ctx& ctx) -> Status {
    if (root.type() != element_type::OBJECT) {
      return InvalidArgument("body must be a JSON object with a \"" + std::string(name) +
                             "\" array");
    }
    bool found = false;
    const object root_obj = root.get_object().value_unsafe();
    for (auto [key, value] : root_obj) {
      if (key != name) {
        return InvalidArgument(
            "unknown field", IsValidUtf8(key) && key.find(kInvalidMarker) == std::string_view::npos
                                 ? EchoKey(key)
                                 : std::string());
      }
      if (found) return InvalidArgument("field appears more than once", std::string(name));
      found = true;
      if (value.type() != element_type::ARRAY) {
        return WrongType(value, "an array", std::string(name));
      }
      const simdjson::dom::array arr = value.get_array().value_unsafe();
      size_t n = arr.size();
      if (n == 0) return InvalidArgument("must not be empty", std::string(name));
      if (n > limits.max_batch) {
        return ResourceExhausted("batch has " + std::to_string(n) + " entries, the limit is " +
                                     std::to_string(limits.max_batch),
                                 std::string(name));
      }
      out.reserve(n);
      size_t i = 0;
      for (element e : arr) {
        std::string path = std::string(name) + "[" + std::to_string(i++) + "]";
        out.emplace_back();
        BULWARK_RETURN_IF_ERROR(decode_one(ctx, e, path, &out.back()));
      }
    }
    if (!found) return InvalidArgument("is required", std::string(name));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

template <typename T>
Status CheckUniqueIds(const std::vector<T>& batch, std::string_view name) {
  std::unordered_map<std::string_view, size_t> first;
  first.reserve(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) {
    auto [it, inserted] = first.emplace(batch[i].id, i);
    if (!inserted) {
      return InvalidArgument("duplicate id '" + batch[i].id + "' (also at " + std::string(name) +
                                 "[" + std::to_string(it->second) + "])",
                             std::string(name) + "[" + std::to_string(i) + "].id");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<Item>> DecodeItemBatch(std::string_view json, const IngestLimits& limits) {
  auto r = DecodeBatch<Item>(json, limits, "items",
                             [](const Ctx& ctx, element e, const std::string& p, Item* out) {
                               return DecodeItemInto(ctx, e, p, out);
                             });
  if (!r.ok()) return r;
  BULWARK_RETURN_IF_ERROR(CheckUniqueIds(*r, "items"));
  return r;
}

Result<std::vector<ViewEvent>> DecodeViewBatch(std::string_view json, const IngestLimits& limits,
                                               UnixMillis now) {
  return DecodeBatch<ViewEvent>(
      json, limits, "views",
      [now](const Ctx& ctx, element e, const std::string& p, ViewEvent* out) {
        return DecodeViewInto(ctx, e, p, now, out);
      });
}

Result<std::vector<Group>> DecodeGroupBatch(std::string_view json, const IngestLimits& limits) {
  auto r = DecodeBatch<Group>(json, limits, "groups",
                              [](const Ctx& ctx, element e, const std::string& p, Group* out) {
                                return DecodeGroupInto(ctx, e, p, out);
                              });
  if (!r.ok()) return r;
  BULWARK_RETURN_IF_ERROR(CheckUniqueIds(*r, "groups"));
  return r;
}

Result<std::vector<MembershipEvent>> DecodeMembershipBatch(std::string_view json,
                                                           const IngestLimits& limits) {
  auto r = DecodeBatch<MembershipEvent>(
      json, limits, "memberships",
      [](const Ctx& ctx, element e, const std::string& p, MembershipEvent* out) {
        return DecodeMembershipInto(ctx, e, p, out);
      });
  if (!r.ok()) return r;
  BULWARK_RETURN_IF_ERROR(CheckUniqueIds(*r, "memberships"));
  return r;
}

Result<std::vector<Report>> DecodeReportBatch(std::string_view json, const IngestLimits& limits) {
  auto r = DecodeBatch<Report>(json, limits, "reports",
                               [](const Ctx& ctx, element e, const std::string& p, Report* out) {
                                 return DecodeReportInto(ctx, e, p, out);
                               });
  if (!r.ok()) return r;
  BULWARK_RETURN_IF_ERROR(CheckUniqueIds(*r, "reports"));
  return r;
}

Result<std::vector<AdImpression>> DecodeAdImpressionBatch(std::string_view json,
                                                          const IngestLimits& limits) {
  auto r = DecodeBatch<AdImpression>(
      json, limits, "impressions",
      [](const Ctx& ctx, element e, const std::string& p, AdImpression* out) {
        return DecodeImpressionInto(ctx, e, p, out);
      });
  if (!r.ok()) return r;
  BULWARK_RETURN_IF_ERROR(CheckUniqueIds(*r, "impressions"));
  return r;
}

Result<std::vector<std::string>> DecodeTextBatch(std::string_view json, const IngestLimits& limits,
                                                 size_t max_texts, size_t max_text_bytes) {
  IngestLimits l = limits;
  l.max_batch = max_texts;
  return DecodeBatch<std::string>(
      json, l, "texts",
      [max_text_bytes](const Ctx& ctx, element e, const std::string& p, std::string* out) {
        return ReadString(ctx, e, p, max_text_bytes, false, out);
      });
}

Result<std::vector<RecommendationCandidate>> DecodeRecommendationCandidates(
    std::string_view json, const IngestLimits& limits, size_t max_candidates) {
  IngestLimits l = limits;
  l.max_batch = max_candidates;
  return DecodeBatch<RecommendationCandidate>(
      json, l, "candidates",
      [](const Ctx& ctx, element e, const std::string& path, RecommendationCandidate* c) -> Status {
        FieldWalker w(path);
        w.On("type", true, [&](element v, const std::string& f) -> Status {
          std::string type;
          BULWARK_RETURN_IF_ERROR(ReadString(ctx, v, f, 16, true, &type));
          if (type == "item") {
            c->kind = TargetKind::kItem;
          } else if (type == "group") {
            c->kind = TargetKind::kGroup;
          } else if (type == "account") {
            c->kind = TargetKind::kAccount;
          } else {
            return InvalidArgument("must be item, group or account", f);
          }
          return Status::Ok();
        });
        w.On("id", true, [&](element v, const std::string& f) {
          return ReadString(ctx, v, f, ctx.limits.max_id_bytes, true, &c->id);
        });
        return w.Walk(e);
      });
}

Result<Item> DecodeItem(std::string_view json, const IngestLimits& limits) {
  Item item;
  Status s = ParseAndDecode(json, limits, [&](element root, const Ctx& ctx) {
    return DecodeItemInto(ctx, root, "", &item);
  });
  if (!s.ok()) return s;
  return item;
}

}  // namespace bulwark::ingest
