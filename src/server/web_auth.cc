#include "server/web_auth.h"

#include <cctype>

#include "auth/csrf.h"

namespace bulwark::server {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> FormDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexDigit(s[i + 1]), lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string CookieAttributes(bool secure) {
  return std::string("; Path=/; HttpOnly; SameSite=Strict") + (secure ? "; Secure" : "");
}

}  // namespace

std::string_view HeaderValue(const HttpRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.headers) {
    if (IEquals(k, name)) return v;
  }
  return {};
}

std::optional<std::string> CookieValue(const HttpRequest& req, std::string_view name) {
  std::string_view rest = req.cookie;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view pair = Trim(rest.substr(0, semi));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && Trim(pair.substr(0, eq)) == name) {
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return std::string(value);
    }
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::string CookieName(std::string_view base, bool secure) {
  return (secure ? std::string(kHostCookiePrefix) : std::string()) + std::string(base);
}

std::string SessionCookieHeader(std::string_view token, std::int64_t max_age_seconds, bool secure) {
  return CookieName(kSessionCookie, secure) + "=" + std::string(token) +
         "; Max-Age=" + std::to_string(max_age_seconds) + CookieAttributes(secure);
}

std::string ClearSessionCookieHeader(bool secure) {
  return CookieName(kSessionCookie, secure) + "=; Max-Age=0" + CookieAttributes(secure);
}

std::string LoginCsrfCookieHeader(std::string_view token, std::int64_t max_age_seconds,
                                  bool secure) {
  return CookieName(kLoginCsrfCookie, secure) + "=" + std::string(token) +
         "; Max-Age=" + std::to_string(max_age_seconds) + CookieAttributes(secure);
}

bool IsStateChanging(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool IsFormContentType(std::string_view content_type) {
  return IEquals(Trim(content_type.substr(0, content_type.find(';'))),
                 "application/x-www-form-urlencoded");
}

Result<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      auto name = FormDecode(pair.substr(0, eq));
      auto value =
          FormDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      if (!name || !value) return InvalidArgument("malformed form encoding", "body");
      out.emplace_back(std::move(*name), std::move(*value));
    }
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return out;
}

std::string PresentedCsrfToken(const HttpRequest& req) {
  std::string_view header = HeaderValue(req, auth::kCsrfHeader);
  if (!header.empty()) return std::string(Trim(header));
  if (IsFormContentType(req.content_type)) {
    auto form = ParseForm(req.body);
    if (form.ok()) {
      for (auto& [k, v] : *form) {
        if (k == auth::kCsrfField) return std::move(v);
      }
    }
  }
  return {};
}

Status CheckCsrf(const HttpRequest& req, std::string_view expected) {
  return auth::VerifyCsrfToken(PresentedCsrfToken(req), expected);
}

}  // namespace bulwark::server
