#include "server/console_views.h"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/utf8.h"

namespace bulwark::server {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> DecodeComponent(std::string_view s, std::string_view field) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\0') {
      // A raw NUL is refused like an escaped one (found by fuzz_web_decoders).
      return InvalidArgument("NUL byte in form field", std::string(field));
    } else if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      int hi = i + 2 < s.size() ? HexValue(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? HexValue(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return InvalidArgument("malformed percent-escape in form field", std::string(field));
      }
      char decoded = static_cast<char>(hi * 16 + lo);
      if (decoded == '\0') return InvalidArgument("NUL byte in form field", std::string(field));
      out += decoded;
      i += 2;
    } else {
      out += c;
    }
  }
  if (!IsValidUtf8(out))
    return InvalidArgument("form field is not valid UTF-8", std::string(field));
  return out;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool OnBoundary(std::string_view text, size_t pos) {
  return pos == text.size() || (pos < text.size() && !IsContinuationByte(text[pos]));
}

}  // namespace

Result<std::vector<FormField>> ParseFormFields(std::string_view body, size_t max_fields,
                                               size_t max_value_bytes) {
  std::vector<FormField> out;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    if (out.size() == max_fields) {
      return InvalidArgument("too many form fields (at most " + std::to_string(max_fields) + ")",
                             "form");
    }
    size_t eq = pair.find('=');
    BULWARK_ASSIGN_OR_RETURN(std::string name, DecodeComponent(pair.substr(0, eq), "form"));
    std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    BULWARK_ASSIGN_OR_RETURN(std::string value,
                             DecodeComponent(raw_value, name.empty() ? "form" : name));
    if (value.size() > max_value_bytes) {
      return InvalidArgument(
          "form field too long (at most " + std::to_string(max_value_bytes) + " bytes)",
          name.empty() ? "form" : name);
    }
    out.push_back({std::move(name), std::move(value)});
  }
  return out;
}

std::optional<std::string_view> FormValue(const std::vector<FormField>& form,
                                          std::string_view name) {
  for (const FormField& f : form) {
    if (f.name == name) return std::string_view(f.value);
  }
  return std::nullopt;
}

nlohmann::json EvidenceSegments(std::string_view text,
                                const std::vector<nlohmann::json>& evidence) {
  struct Span {
    size_t begin, end;
    std::string title, kind;
  };
  std::vector<Span> spans;
  for (const nlohmann::json& e : evidence) {
    if (!e.is_object() || !e.contains("span") || !e["span"].is_array() || e["span"].size() != 2 ||
        !e["span"][0].is_number_integer() || !e["span"][1].is_number_integer() ||
        e["span"][0].get<std::int64_t>() < 0 || e["span"][1].get<std::int64_t>() < 0) {
      continue;
    }
    size_t b = e["span"][0].get<size_t>(), en = e["span"][1].get<size_t>();
    if (b >= en || en > text.size() || !OnBoundary(text, b) || !OnBoundary(text, en)) continue;
    std::string kind = e.value("detector", std::string());
    std::string title = kind;
    if (e.contains("entry") && e["entry"].is_string())
      title += ": " + e["entry"].get<std::string>();
    if (e.contains("context") && e["context"].is_array() && !e["context"].empty()) {
      title += " (context:";
      for (const auto& c : e["context"]) {
        if (c.is_string()) title += " " + c.get<std::string>();
      }
      title += ")";
    }
    spans.push_back({b, en, std::move(title), std::move(kind)});
  }
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (Span& s : spans) {
    if (!merged.empty() && s.begin <= merged.back().end) {
      Span& m = merged.back();
      m.end = std::max(m.end, s.end);
      if (m.title.find(s.title) == std::string::npos) m.title += "; " + s.title;
    } else {
      merged.push_back(std::move(s));
    }
  }
  nlohmann::json out = nlohmann::json::array();
  size_t pos = 0;
  for (const Span& s : merged) {
    if (s.begin > pos) out.push_back({{"text", text.substr(pos, s.begin - pos)}, {"mark", false}});
    out.push_back({{"text", text.substr(s.begin, s.end - s.begin)},
                   {"mark", true},
                   {"title", s.title},
                   {"kind", s.kind}});
    pos = s.end;
  }
  if (pos < text.size()) out.push_back({{"text", text.substr(pos)}, {"mark", false}});
  return out;
}

std::string HumanDuration(std::int64_t millis) {
  if (millis < 0) return "–";
  std::int64_t s = millis / 1000;
  if (s < 60) return std::to_string(s) + " s";
  std::int64_t m = s / 60;
  if (m < 60) return std::to_string(m) + " min";
  std::int64_t h = m / 60;
  if (h < 24) return std::to_string(h) + " h " + std::to_string(m % 60) + " min";
  return std::to_string(h / 24) + " d " + std::to_string(h % 24) + " h";
}

std::string HumanTime(std::int64_t unix_millis) {
  std::time_t t = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

nlohmann::json WeeklyChart(const std::vector<WeekCounts>& weeks, int width, int height) {
  nlohmann::json out = nlohmann::json::array();
  if (weeks.empty() || width <= 0 || height <= 0) return out;
  std::int64_t top = 1;
  for (const WeekCounts& w : weeks) top = std::max({top, w.items, w.flagged});
  const double slot = static_cast<double>(width) / static_cast<double>(weeks.size());
  const double bar = std::max(1.0, slot * 0.7);
  auto fmt = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return std::string(buf);
  };
  for (size_t i = 0; i < weeks.size(); ++i) {
    const WeekCounts& w = weeks[i];
    const double x = slot * static_cast<double>(i) + (slot - bar) / 2;
    const double ih = static_cast<double>(height) * static_cast<double>(w.items) / top;
    const double fh = static_cast<double>(height) * static_cast<double>(w.flagged) / top;
    char title[160];
    if (w.items > 0) {
      std::snprintf(title, sizeof title, "week of %s: %lld items, %lld flagged (%.1f%%)",
                    w.label.c_str(), static_cast<long long>(w.items),
                    static_cast<long long>(w.flagged),
                    100.0 * static_cast<double>(w.flagged) / static_cast<double>(w.items));
    } else {
      std::snprintf(title, sizeof title, "week of %s: no items", w.label.c_str());
    }
    out.push_back({{"x", fmt(x)},
                   {"w", fmt(bar)},
                   {"items_y", fmt(height - ih)},
                   {"items_h", fmt(ih)},
                   {"flagged_y", fmt(height - fh)},
                   {"flagged_h", fmt(fh)},
                   {"label", w.label},
                   {"label_x", fmt(x + bar / 2)},
                   {"title", title}});
  }
  return out;
}

}  // namespace bulwark::server
