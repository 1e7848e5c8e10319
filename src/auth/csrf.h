#pragma once

// CSRF protection by synchronizer token. Each session has one random token, stored with the
// session and handed to the client at login (and by GET /v1/auth/me). A request authenticated
// by the session cookie that changes state must present it, in the X-CSRF-Token header (JSON
// clients) or the csrf_token form field (HTML forms). A cross-site page can make the browser
// send the cookie but cannot read the token, so it cannot forge such a request.
// Requests authenticated by an Authorization header carry no ambient credential and need none.

#include <string>
#include <string_view>

#include "core/status.h"

namespace bulwark::auth {

// The name of the form field and of the error field.
inline constexpr std::string_view kCsrfField = "csrf_token";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// A new token: 256 random bits as 64 lower-case hex characters.
Result<std::string> NewCsrfToken();

// OK if `presented` equals `expected` (compared in constant time). PermissionDenied naming
// "csrf_token" otherwise, including when either is empty.
Status VerifyCsrfToken(std::string_view presented, std::string_view expected);

// Sign-in form tokens (login CSRF). Before there is a session, the token travels in a cookie and
// in the form; a form post is accepted when the two agree. A token is reused from the cookie only
// if this server issued it: 32 hex characters of nonce, then the first 16 bytes of
// HMAC-SHA256(key, nonce) as 32 hex characters. A cookie planted by a sibling subdomain or by a
// network attacker on plain HTTP carries no valid MAC and is replaced by a fresh token.
// `key` is the server's secret (any length; empty is refused).
Result<std::string> NewLoginCsrfToken(std::string_view key);
bool IsIssuedLoginCsrfToken(std::string_view token, std::string_view key);

}  // namespace bulwark::auth
