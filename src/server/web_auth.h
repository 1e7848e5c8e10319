#pragma once

// The HTTP side of staff sessions: the session cookie, CSRF tokens in headers and HTML forms,
// and application/x-www-form-urlencoded bodies. Used by the router for every request and by
// form handlers (the console) that need the same checks.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "server/http_server.h"

namespace bulwark::server {

// Cookie names. Served over TLS (the default; `serve --insecure-http` turns it off) they carry
// the `__Host-` prefix: a browser accepts such a cookie only with Secure, Path=/ and no Domain,
// so a sibling subdomain or a plain-HTTP page cannot plant or overwrite it. Browsers refuse the
// prefix without Secure, so plain HTTP uses the bare names.
inline constexpr std::string_view kSessionCookie = "bulwark_session";
inline constexpr std::string_view kLoginCsrfCookie = "bulwark_login_csrf";
inline constexpr std::string_view kHostCookiePrefix = "__Host-";
std::string CookieName(std::string_view base, bool secure);

// The value of the first header named `name` (case-insensitive), or empty.
std::string_view HeaderValue(const HttpRequest& req, std::string_view name);

// The value of cookie `name` in the Cookie header (the first, if several), or nullopt.
std::optional<std::string> CookieValue(const HttpRequest& req, std::string_view name);

// Set-Cookie values: the session cookie (HttpOnly, SameSite=Strict, Path=/, Max-Age, and Secure
// with the __Host- prefix when `secure`), and one that deletes it; the same for the sign-in
// form's CSRF cookie.
std::string SessionCookieHeader(std::string_view token, std::int64_t max_age_seconds, bool secure);
std::string ClearSessionCookieHeader(bool secure);
std::string LoginCsrfCookieHeader(std::string_view token, std::int64_t max_age_seconds,
                                  bool secure);

// True for the methods that may change state (POST, PUT, PATCH, DELETE).
bool IsStateChanging(std::string_view method);

// True if the Content-Type is application/x-www-form-urlencoded (parameters ignored).
bool IsFormContentType(std::string_view content_type);

// Decodes an application/x-www-form-urlencoded body ('+' is a space, %XX escapes) into
// name/value pairs in order. InvalidArgument naming "body" for a malformed escape.
Result<std::vector<std::pair<std::string, std::string>>> ParseForm(std::string_view body);

// The CSRF token a request presents: the X-CSRF-Token header, else, for a form body, its
// csrf_token field; empty if neither.
std::string PresentedCsrfToken(const HttpRequest& req);

// OK if the request presents `expected` (auth::VerifyCsrfToken: constant time); otherwise
// PermissionDenied naming "csrf_token" (HTTP 403).
Status CheckCsrf(const HttpRequest& req, std::string_view expected);

}  // namespace bulwark::server
