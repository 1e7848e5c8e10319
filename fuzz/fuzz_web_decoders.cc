// Fuzzes what the server decodes before anyone is signed in: the sign-in and console form
// bodies (ParseFormFields, ParseForm), the Cookie header (CookieValue), the sign-in form's
// CSRF token (IsIssuedLoginCsrfToken) and every JSON body's depth check and parse (JsonDepth,
// ParseJsonBody, as POST /v1/auth/login and the policy, review and user routes use them).
// No crash, no sanitizer report, and the documented invariants hold.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/csrf.h"
#include "core/utf8.h"
#include "fuzz_check.h"
#include "server/api_json.h"
#include "server/console_views.h"
#include "server/web_auth.h"

using namespace bulwark;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);

  // Form bodies: bounded, decoded, valid UTF-8 without NUL; an error names a field.
  auto fields = server::ParseFormFields(in, 8, 64);
  if (fields.ok()) {
    FUZZ_CHECK(fields->size() <= 8);
    for (const auto& f : *fields) {
      FUZZ_CHECK(f.value.size() <= 64);
      FUZZ_CHECK(IsValidUtf8(f.value) && IsValidUtf8(f.name));
      FUZZ_CHECK(f.value.find('\0') == std::string::npos);
      FUZZ_CHECK(server::FormValue(*fields, f.name).has_value());
    }
  } else {
    FUZZ_CHECK(!fields.status().field().empty());
  }
  auto form = server::ParseForm(in);
  if (!form.ok()) FUZZ_CHECK(form.status().field() == "body");

  // The Cookie header: a value never spans a separator.
  server::HttpRequest req;
  req.cookie = std::string(in);
  for (std::string_view name : {"bulwark_session", "__Host-bulwark_session", "a"}) {
    if (auto v = server::CookieValue(req, name)) FUZZ_CHECK(v->find(';') == std::string::npos);
  }

  // Sign-in form tokens: a token issued under a key is accepted under it and no other; the
  // input is accepted only if it is well formed.
  const std::string key = "fuzz-key";
  if (auth::IsIssuedLoginCsrfToken(in, key)) FUZZ_CHECK(in.size() == 64);
  FUZZ_CHECK(!auth::IsIssuedLoginCsrfToken(in, ""));

  // JSON bodies: the depth check bounds the parse.
  const int depth = server::JsonDepth(in, server::kMaxJsonBodyDepth);
  FUZZ_CHECK(depth >= -1 && depth <= server::kMaxJsonBodyDepth);
  auto body = server::ParseJsonBody(in);
  if (depth == -1) FUZZ_CHECK(!body.ok());
  if (!body.ok()) FUZZ_CHECK(body.status().field() == "body");
  return 0;
}
