// Staff sessions (login, logout, me) and user management (admin only). Routes: api.cc.

#include <algorithm>
#include <nlohmann/json.hpp>

#include "server/api.h"
#include "server/api_json.h"
#include "server/web_auth.h"

namespace bulwark::server {
namespace {

using nlohmann::json;

HttpResponse Json(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  r.body += '\n';
  return r;
}

json UserJson(const store::StaffUser& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"role", RoleName(u.role)},
          {"expertise", u.expertise},
          {"created_at", FormatRfc3339(u.created_at)},
          {"password_changed_at", FormatRfc3339(u.password_changed_at)},
          // False until the user has chosen their own password (POST /v1/auth/password); a
          // civil-rights account cannot sign off policy before.
          {"password_set_by_owner", u.password_set_by == store::StaffActor(u.id)},
          {"disabled_at", u.disabled_at ? json(FormatRfc3339(*u.disabled_at)) : json(nullptr)}};
}

// The body as a JSON object whose every key is in `allowed`; InvalidArgument naming the first
// unknown key otherwise.
Result<json> ObjectBody(std::string_view body, std::initializer_list<std::string_view> allowed) {
  // An empty body is an empty object (curl -X POST without -d).
  if (body.empty()) return json::object();
  BULWARK_ASSIGN_OR_RETURN(json j, ParseJsonBody(body));
  if (!j.is_object()) return InvalidArgument("body must be a JSON object", "body");
  for (const auto& [k, v] : j.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return InvalidArgument("unknown field", k);
    }
  }
  return j;
}

// j[field] as a string: nullopt if absent (or null, when `nullable`), InvalidArgument if not a
// string.
Result<std::optional<std::string>> OptionalString(const json& j, const std::string& field) {
  auto it = j.find(field);
  if (it == j.end()) return std::optional<std::string>();
  if (!it->is_string()) return InvalidArgument("must be a string", field);
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::string> RequiredString(const json& j, const std::string& field) {
  BULWARK_ASSIGN_OR_RETURN(std::optional<std::string> v, OptionalString(j, field));
  if (!v) return InvalidArgument("is required", field);
  return std::move(*v);
}

// 429 for a client address over its sign-in rate.
HttpResponse TooManySignIns(std::int64_t retry_after_ms) {
  return TooManyRequests(
      ResourceExhausted(
          "too many sign-in attempts from this address; retry after the Retry-After header's "
          "seconds"),
      retry_after_ms);
}

// A failed sign-in or password check: a lockout is a 429 saying when to come back (a full set of
// password-check slots is Unavailable: 503 with Retry-After, as ErrorResponse writes it).
HttpResponse SignInError(const Status& s, std::int64_t retry_after_ms) {
  return s.code() == Code::kResourceExhausted ? TooManyRequests(s, retry_after_ms)
                                              : ErrorResponse(s);
}

}  // namespace

Result<Api::Caller> Api::AuthenticateSession(std::string_view token) {
  BULWARK_ASSIGN_OR_RETURN(auth::ActiveSession s,
                           accounts_->VerifySession(token, ctx_.clock->NowMillis()));
  Caller caller;
  caller.role = s.user.role;
  caller.actor = s.user.id;
  caller.expertise = std::move(s.user.expertise);
  caller.via_session = true;
  caller.user_id = s.user.id;
  caller.username = std::move(s.user.username);
  caller.display_name = std::move(s.user.display_name);
  caller.csrf_token = std::move(s.session.csrf_token);
  caller.session_expires_at = s.session.expires_at;
  return caller;
}

HttpResponse Api::Login(const HttpRequest& req) {
  auto body = ObjectBody(req.body, {"username", "password"});
  if (!body.ok()) return ErrorResponse(body.status());
  auto username = RequiredString(*body, "username");
  if (!username.ok()) return ErrorResponse(username.status());
  auto password = RequiredString(*body, "password");
  if (!password.ok()) return ErrorResponse(password.status());
  const UnixMillis now = ctx_.clock->NowMillis();
  std::int64_t retry_after_ms = 0;
  if (LoginAddressLimited(req, &retry_after_ms)) return TooManySignIns(retry_after_ms);
  auto login = accounts_->Login(*username, *password, now, &retry_after_ms);
  if (!login.ok()) return SignInError(login.status(), retry_after_ms);
  HttpResponse r = Json(200, {{"user", UserJson(login->user)},
                              {"csrf_token", login->csrf_token},
                              {"expires_at", FormatRfc3339(login->expires_at)}});
  r.headers.emplace_back("Set-Cookie",
                         SessionCookieHeader(login->session_token, (login->expires_at - now) / 1000,
                                             ctx_.secure_cookies));
  return r;
}

HttpResponse Api::Logout(const HttpRequest& req, const Caller& caller) {
  if (!caller.via_session) {
    return ErrorResponse(InvalidArgument(
        "logout ends a session; this request is authenticated by an API key (revoke keys with "
        "'bulwark keys revoke')",
        "Authorization"));
  }
  auto token = CookieValue(req, CookieName(kSessionCookie, ctx_.secure_cookies));
  Status s = accounts_->Logout(token ? *token : "", ctx_.clock->NowMillis());
  if (!s.ok()) return ErrorResponse(s);
  HttpResponse r = Json(200, {{"logged_out", true}});
  r.headers.emplace_back("Set-Cookie", ClearSessionCookieHeader(ctx_.secure_cookies));
  return r;
}

HttpResponse Api::Me(const Caller& caller) {
  if (!caller.via_session) {
    return Json(200, {{"authenticated_by", "api_key"},
                      {"key_id", caller.key_id},
                      {"role", RoleName(caller.role)}});
  }
  auto user = ctx_.db->users().FindUserById(caller.user_id);
  if (!user.ok()) return ErrorResponse(user.status());
  return Json(200, {{"authenticated_by", "session"},
                    {"user", UserJson(*user)},
                    {"csrf_token", caller.csrf_token},
                    {"expires_at", FormatRfc3339(caller.session_expires_at)}});
}

HttpResponse Api::ListUsers() {
  auto users = ctx_.db->users().ListUsers();
  if (!users.ok()) return ErrorResponse(users.status());
  json out = json::array();
  for (const auto& u : *users) out.push_back(UserJson(u));
  return Json(200, {{"users", out}});
}

std::string Api::AccountActor(const Caller& caller) {
  return caller.via_session ? store::StaffActor(caller.user_id) : "key:" + caller.key_id;
}

HttpResponse Api::ChangeOwnPassword(const HttpRequest& req, const Caller& caller) {
  if (!caller.via_session) {
    return ErrorResponse(InvalidArgument(
        "a password belongs to a staff session; this request is authenticated by an API key",
        "Authorization"));
  }
  auto body = ObjectBody(req.body, {"current_password", "new_password"});
  if (!body.ok()) return ErrorResponse(body.status());
  auto current = RequiredString(*body, "current_password");
  if (!current.ok()) return ErrorResponse(current.status());
  auto next = RequiredString(*body, "new_password");
  if (!next.ok()) return ErrorResponse(next.status());
  std::int64_t retry_after_ms = 0;
  if (LoginAddressLimited(req, &retry_after_ms)) return TooManySignIns(retry_after_ms);
  Status s = accounts_->ChangeOwnPassword(caller.user_id, *current, *next, ctx_.clock->NowMillis(),
                                          &retry_after_ms);
  if (!s.ok()) return SignInError(s, retry_after_ms);
  // Every session of the user has ended, this one too: sign in again with the new password.
  HttpResponse r = Json(200, {{"password_changed", true}, {"sessions_ended", true}});
  r.headers.emplace_back("Set-Cookie", ClearSessionCookieHeader(ctx_.secure_cookies));
  return r;
}

HttpResponse Api::CreateUser(const HttpRequest& req, const Caller& caller) {
  auto body = ObjectBody(req.body, {"username", "role", "display_name", "expertise", "password"});
  if (!body.ok()) return ErrorResponse(body.status());
  auth::NewUser user;
  auto username = RequiredString(*body, "username");
  if (!username.ok()) return ErrorResponse(username.status());
  user.username = std::move(*username);
  auto role_name = RequiredString(*body, "role");
  if (!role_name.ok()) return ErrorResponse(role_name.status());
  auto role = ParseRole(*role_name);
  if (!role) {
    return ErrorResponse(InvalidArgument(
        "must be one of admin, civil_rights, policy_author, reviewer, auditor, advertiser, "
        "support_agent",
        "role"));
  }
  user.role = *role;
  auto display_name = OptionalString(*body, "display_name");
  if (!display_name.ok()) return ErrorResponse(display_name.status());
  if (*display_name) user.display_name = std::move(**display_name);
  if (auto it = body->find("expertise"); it != body->end()) {
    if (!it->is_array()) return ErrorResponse(InvalidArgument("must be an array", "expertise"));
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_string()) {
        return ErrorResponse(
            InvalidArgument("must be a string", "expertise[" + std::to_string(i) + "]"));
      }
      user.expertise.push_back((*it)[i].get<std::string>());
    }
  }
  auto password = OptionalString(*body, "password");
  if (!password.ok()) return ErrorResponse(password.status());
  user.password = std::move(*password);
  user.created_by = AccountActor(caller);
  auto created = accounts_->CreateUser(std::move(user), ctx_.clock->NowMillis());
  if (!created.ok()) return ErrorResponse(created.status());
  json out = {{"user", UserJson(created->user)}};
  if (!created->generated_password.empty()) out["password"] = created->generated_password;
  return Json(201, out);
}

HttpResponse Api::DisableUser(const std::string& id, const Caller& caller) {
  if (caller.via_session && caller.user_id == id) {
    return ErrorResponse(
        FailedPrecondition("you cannot disable your own account; ask another admin", "id"));
  }
  Status s = accounts_->DisableUser(id, ctx_.clock->NowMillis(), AccountActor(caller));
  if (!s.ok()) return ErrorResponse(s.code() == Code::kNotFound ? s.WithFieldPrefix("id") : s);
  auto user = ctx_.db->users().FindUserById(id);
  if (!user.ok()) return ErrorResponse(user.status());
  return Json(200, {{"user", UserJson(*user)}});
}

HttpResponse Api::ResetPassword(const std::string& id, const HttpRequest& req,
                                const Caller& caller) {
  auto body = ObjectBody(req.body, {"password"});
  if (!body.ok()) return ErrorResponse(body.status());
  auto password = OptionalString(*body, "password");
  if (!password.ok()) return ErrorResponse(password.status());
  auto generated = accounts_->ResetPassword(id, std::move(*password), ctx_.clock->NowMillis(),
                                            AccountActor(caller));
  if (!generated.ok()) {
    const Status& s = generated.status();
    return ErrorResponse(s.code() == Code::kNotFound ? s.WithFieldPrefix("id") : s);
  }
  auto user = ctx_.db->users().FindUserById(id);
  if (!user.ok()) return ErrorResponse(user.status());
  json out = {{"user", UserJson(*user)}, {"sessions_ended", true}};
  if (!generated->empty()) out["password"] = *generated;
  return Json(200, out);
}

}  // namespace bulwark::server
