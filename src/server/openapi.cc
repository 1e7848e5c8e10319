#include "server/api.h"

namespace bulwark::server {

// Kept beside the routes it describes; tests/server/api_test.cc checks that every route in
// Api::Routes() appears here and that this parses as JSON.
std::string_view OpenApiJson() {
  static constexpr std::string_view kDoc = R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "Bulwark API",
    "version": "1",
    "description": "Trust-and-safety engine: the platform sends items, views, reports and ad impressions. Every /v1 call except this document needs 'Authorization: Bearer <api key>'. Batches are all-or-nothing. Errors are {\"error\":{\"code\",\"message\",\"field\",\"index\"}}."
  },
  "components": {
    "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}, "queryKey": {"type": "apiKey", "in": "query", "name": "key", "description": "Perspective clients' way of sending the key: accepted on /v1alpha1/comments:analyze only"}, "session": {"type": "apiKey", "in": "cookie", "name": "__Host-bulwark_session", "description": "Staff session from POST /v1/auth/login (bulwark_session, without Secure, under serve --insecure-http). POST/PUT/PATCH/DELETE with it need the session's CSRF token in X-CSRF-Token (or form field csrf_token)."}},
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object",
        "required": ["code", "message"], "properties": {
          "code": {"type": "string", "enum": ["invalid_argument", "not_found", "already_exists", "failed_precondition", "unauthenticated", "permission_denied", "resource_exhausted", "unavailable", "internal"]},
          "message": {"type": "string"},
          "field": {"type": "string", "example": "items[3].created_at"},
          "index": {"type": "integer", "example": 3}}}}},
      "Item": {"type": "object", "additionalProperties": false, "required": ["id", "author_id", "text", "created_at"], "properties": {
        "id": {"type": "string", "maxLength": 256},
        "kind": {"type": "string", "enum": ["post", "comment", "message", "ad_creative", "group_profile", "user_profile"], "default": "post"},
        "author_id": {"type": "string", "maxLength": 256},
        "author_public_figure": {"type": "boolean", "default": false},
        "group_id": {"type": "string", "nullable": true},
        "group_visibility": {"type": "string", "enum": ["public", "private"], "description": "required when group_id is set"},
        "parent_id": {"type": "string", "nullable": true, "description": "must name an item already sent or earlier in the batch"},
        "text": {"type": "string", "maxLength": 65536},
        "lang": {"type": "string", "nullable": true},
        "created_at": {"type": "string", "format": "date-time"}}},
      "View": {"type": "object", "additionalProperties": false, "required": ["item_id"], "properties": {
        "item_id": {"type": "string"},
        "count": {"type": "integer", "minimum": 1, "default": 1},
        "viewed_at": {"type": "string", "format": "date-time"},
        "surface": {"type": "string"}}},
      "Report": {"type": "object", "additionalProperties": false, "required": ["id", "item_id", "reporter_id", "reason", "created_at"], "properties": {
        "id": {"type": "string"},
        "item_id": {"type": "string"},
        "reporter_id": {"type": "string"},
        "reason": {"type": "string", "enum": ["hate", "harassment", "threat", "extremism", "misinformation", "spam", "other"]},
        "comment": {"type": "string", "maxLength": 2048},
        "created_at": {"type": "string", "format": "date-time"},
        "reporter_created_at": {"type": "string", "format": "date-time", "description": "when the reporter's account was created: reports from accounts created together count as one"}}},
      "AdImpression": {"type": "object", "additionalProperties": false, "required": ["id", "ad_id", "advertiser_id", "price_micros", "shown_at", "adjacent"], "properties": {
        "id": {"type": "string"},
        "ad_id": {"type": "string"},
        "advertiser_id": {"type": "string"},
        "price_micros": {"type": "integer", "minimum": 0},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "default": "USD"},
        "shown_at": {"type": "string", "format": "date-time"},
        "adjacent": {"type": "array", "maxItems": 32, "items": {"type": "object", "additionalProperties": false, "required": ["item_id", "position"], "properties": {
          "item_id": {"type": "string"},
          "position": {"type": "integer", "description": "signed distance in the feed: -1 above, +1 below, 0 simultaneously viewable"}}}}}},
      "StaffUser": {"type": "object", "properties": {"id": {"type": "string"}, "username": {"type": "string"}, "display_name": {"type": "string"}, "role": {"type": "string"}, "expertise": {"type": "array", "items": {"type": "string"}}, "created_at": {"type": "string", "format": "date-time"}, "password_set_by_owner": {"type": "boolean", "description": "false until the user has chosen their own password (POST /v1/auth/password); a civil_rights user cannot sign off policy before"}, "password_changed_at": {"type": "string", "format": "date-time"}, "disabled_at": {"type": "string", "format": "date-time", "nullable": true}}},
      "UpsertSummary": {"type": "object", "properties": {"accepted": {"type": "integer"}, "created": {"type": "integer"}, "revised": {"type": "integer"}, "unchanged": {"type": "integer"}}},
      "AppendSummary": {"type": "object", "properties": {"accepted": {"type": "integer"}, "duplicates": {"type": "integer"}}},
      "PolicyVersion": {"type": "object", "properties": {
        "id": {"type": "integer"}, "policy": {"type": "string"}, "version": {"type": "string"}, "policy_version": {"type": "string", "example": "default@4"},
        "state": {"type": "string", "enum": ["draft", "in_review", "approved", "active", "retired", "rejected"]},
        "sha256": {"type": "string"}, "author": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
        "submitted_by": {"type": "string", "nullable": true}, "submitted_at": {"type": "string", "nullable": true},
        "backtest_against": {"type": "integer", "nullable": true},
        "approved_by": {"type": "string", "nullable": true}, "approved_at": {"type": "string", "nullable": true}, "approval_comment": {"type": "string", "nullable": true},
        "activated_by": {"type": "string", "nullable": true}, "activated_at": {"type": "string", "nullable": true}}}
    },
    "responses": {
      "BadRequest": {"description": "malformed or invalid input; the error names the field", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "missing, unknown or revoked API key", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "RateLimited": {"description": "the caller's rate limit (serve --classify-rate, --ingest-rate); Retry-After says when to come back", "headers": {"Retry-After": {"schema": {"type": "integer"}}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "the key's role may not call this endpoint", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "body or batch over the configured limit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unprocessable": {"description": "a reference names an unknown item; nothing in the batch was stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "PolicyState": {"description": "the version's state does not allow this step (field state), its lint has errors (field text:LINE), or its backtest is stale", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "parameters": {
      "PolicyId": {"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}
    },
    "requestBodies": {
      "PolicyComment": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"comment": {"type": "string", "maxLength": 2000}}}}}}
    }
  },
  "paths": {
    "/healthz": {"get": {"summary": "Liveness and database check", "responses": {"200": {"description": "ok"}, "503": {"description": "database unavailable"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4)", "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}}}},
    "/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document"}}}},
    "/v1/items": {"post": {"summary": "Upsert a batch of items (new text = new revision)", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["items"], "properties": {"items": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/Item"}}}}}}},
      "responses": {"200": {"description": "stored durably", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpsertSummary"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "429": {"$ref": "#/components/responses/RateLimited"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/BadRequest"}, "422": {"$ref": "#/components/responses/Unprocessable"}}}},
    "/v1/items/{id}": {"get": {"summary": "One item with every revision, view and report count", "security": [{"apiKey": []}],
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "the item"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"description": "unknown item"}}}},
    "/v1/views": {"post": {"summary": "Add view counts per item; a sample is kept for audits", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["views"], "properties": {"views": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/View"}}}}}}},
      "responses": {"200": {"description": "stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppendSummary"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}, "413": {"$ref": "#/components/responses/TooLarge"}, "422": {"$ref": "#/components/responses/Unprocessable"}}}},
    "/v1/reports": {"post": {"summary": "User reports (idempotent by report id)", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["reports"], "properties": {"reports": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/Report"}}}}}}},
      "responses": {"200": {"description": "stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppendSummary"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}, "413": {"$ref": "#/components/responses/TooLarge"}, "422": {"$ref": "#/components/responses/Unprocessable"}}}},
    "/v1/recommendations/check": {"post": {"summary": "The amplification guard: for up to 1,000 candidate items, may the recommender amplify them? allow, demote (with a factor) or block, with the reason code and the decision-log entry (docs/amplification.md). Group and account candidates are refused until the log has group and account decisions", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["candidates"], "properties": {"candidates": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "object", "additionalProperties": false, "required": ["type", "id"], "properties": {"type": {"type": "string", "enum": ["item"]}, "id": {"type": "string", "minLength": 1, "maxLength": 256}}}}}}}}},
      "responses": {"200": {"description": "{\"as_of_seq\": N, \"results\": [{\"type\", \"id\", \"verdict\", \"factor\", \"reason_code\", \"decision_seq\", \"rule_id\"}]}, one per candidate in order"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "413": {"$ref": "#/components/responses/TooLarge"}, "503": {"description": "the guard is not running"}}}},
    "/v1/reports/{id}": {"get": {"summary": "What became of a report, to tell the person who made it: status (received, in_review, actioned, no_violation), the action and its reason code; never who decided", "security": [{"apiKey": []}],
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "the report's status"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"description": "unknown report"}}}},
    "/v1/classify": {"post": {"summary": "Classify up to 100 texts synchronously: calibrated per-category probabilities, labels, target groups, evidence spans and versions", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["texts"], "properties": {"texts": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "string", "maxLength": 1048576}}}}}}},
      "responses": {"200": {"description": "one verdict per text, in order (format: docs/detection.md)"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}, "413": {"$ref": "#/components/responses/TooLarge"}, "503": {"description": "no detectors loaded"}}}},
    "/v1alpha1/comments:analyze": {"post": {"summary": "Perspective API compatible: score one comment for TOXICITY, SEVERE_TOXICITY, IDENTITY_ATTACK, INSULT, PROFANITY and THREAT in Perspective's request and response shapes (docs/perspective.md). The API key may also come as the key query parameter, on this route only. Errors have Google's shape: {\"error\":{\"code\":400,\"message\",\"status\":\"INVALID_ARGUMENT\",\"details\":[...]}}", "security": [{"apiKey": []}, {"queryKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["comment", "requestedAttributes"], "properties": {
        "comment": {"type": "object", "additionalProperties": false, "required": ["text"], "properties": {"text": {"type": "string", "minLength": 1, "description": "at most 20480 bytes of UTF-8"}, "type": {"type": "string", "enum": ["PLAIN_TEXT"]}}},
        "requestedAttributes": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "object", "properties": {"scoreType": {"type": "string", "enum": ["PROBABILITY"]}, "scoreThreshold": {"type": "number", "minimum": 0, "maximum": 1}}}},
        "languages": {"type": "array", "maxItems": 16, "items": {"type": "string"}}, "spanAnnotations": {"type": "boolean"}, "doNotStore": {"type": "boolean"}, "dropUnsupportedAttributes": {"type": "boolean"},
        "clientToken": {"type": "string"}, "sessionId": {"type": "string"}, "communityId": {"type": "string"}, "context": {"type": "object"}}}}}},
      "responses": {"200": {"description": "attributeScores.<ATTRIBUTE>.summaryScore.value (and spanScores with UTF-16 begin/end offsets when spanAnnotations), languages, detectedLanguages, clientToken"}, "400": {"description": "malformed request, unknown attribute, unsupported attribute or language (errorType LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE), COMMENT_EMPTY, COMMENT_TOO_LONG, or an invalid key"}, "401": {"description": "an invalid Bearer credential"}, "403": {"description": "no API key"}, "429": {"description": "the key's rate limit (serve --perspective-rate); Retry-After says when to come back"}, "503": {"description": "no detectors or no Perspective calibration loaded"}}}},
    "/v1alpha1/comments:suggestscore": {"post": {"summary": "Perspective's score suggestions: not supported (501 UNIMPLEMENTED); Bulwark learns from its reviewers' decisions", "responses": {"501": {"description": "not supported"}}}},
    "/v1/version": {"get": {"summary": "Server, schema and detector versions (model, lexicon, claims, ensemble, thresholds)", "responses": {"200": {"description": "versions"}}}},
    "/v1/auth/login": {"post": {"summary": "Staff login: sets the HttpOnly SameSite=Strict Secure session cookie __Host-bulwark_session (bulwark_session under serve --insecure-http) and returns the user and the session's CSRF token. Failed logins are throttled per username.",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["username", "password"], "properties": {"username": {"type": "string", "maxLength": 64}, "password": {"type": "string", "maxLength": 1024}}}}}},
      "responses": {"200": {"description": "logged in; Set-Cookie carries the session", "headers": {"Set-Cookie": {"schema": {"type": "string"}}}, "content": {"application/json": {"schema": {"type": "object", "properties": {"user": {"$ref": "#/components/schemas/StaffUser"}, "csrf_token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"description": "invalid username or password (the same answer for every cause)"}, "429": {"description": "too many failed logins for this username; see Retry-After"}}}},
    "/v1/auth/logout": {"post": {"summary": "End the current session (needs X-CSRF-Token) and clear the cookie", "security": [{"session": []}],
      "responses": {"200": {"description": "logged out"}, "400": {"description": "called with an API key, not a session"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"description": "CSRF token missing or wrong (field csrf_token)"}}}},
    "/v1/auth/password": {"post": {"summary": "Change one's own password (staff sessions; needs the session's CSRF token). A civil-rights account whose password an admin set cannot sign off policy until its owner has done this. Ends every session of the user.", "security": [{"session": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["current_password", "new_password"], "properties": {"current_password": {"type": "string"}, "new_password": {"type": "string"}}, "additionalProperties": false}}}},
      "responses": {"200": {"description": "changed; sign in again"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"description": "the current password is wrong (field current_password), or no session"}, "403": {"description": "CSRF token missing or wrong (field csrf_token)"}, "429": {"description": "too many wrong passwords for this username; see Retry-After"}}}},
    "/v1/auth/me": {"get": {"summary": "Who is calling: the staff user and CSRF token of the session, or the API key's id and role", "security": [{"apiKey": []}, {"session": []}],
      "responses": {"200": {"description": "the caller"}, "401": {"$ref": "#/components/responses/Unauthorized"}}}},
    "/v1/admin/users": {
      "get": {"summary": "Staff accounts (admin); never password hashes", "security": [{"apiKey": []}, {"session": []}],
        "responses": {"200": {"description": "users", "content": {"application/json": {"schema": {"type": "object", "properties": {"users": {"type": "array", "items": {"$ref": "#/components/schemas/StaffUser"}}}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}},
      "post": {"summary": "Create a staff account (admin). Without a password one is generated and returned once.", "security": [{"apiKey": []}, {"session": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["username", "role"], "properties": {"username": {"type": "string", "maxLength": 64, "pattern": "^[A-Za-z0-9][A-Za-z0-9._@-]*$"}, "role": {"type": "string", "enum": ["admin", "civil_rights", "policy_author", "reviewer", "auditor", "advertiser", "support_agent"]}, "display_name": {"type": "string", "maxLength": 100}, "expertise": {"type": "array", "maxItems": 32, "items": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"}}, "password": {"type": "string", "minLength": 12, "maxLength": 1024}}}}}},
        "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"type": "object", "properties": {"user": {"$ref": "#/components/schemas/StaffUser"}, "password": {"type": "string", "description": "only when generated"}}}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "409": {"description": "username taken (case-insensitive)"}}}},
    "/v1/admin/users/{id}/disable": {"post": {"summary": "Disable a staff account and end its sessions (admin)", "security": [{"apiKey": []}, {"session": []}],
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "disabled"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "no such user"}, "422": {"description": "an admin cannot disable their own account"}}}},
    "/v1/admin/users/{id}/password": {"post": {"summary": "Set a new password (or generate one, returned once) and end the user's sessions (admin)", "security": [{"apiKey": []}, {"session": []}],
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "requestBody": {"content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"password": {"type": "string", "minLength": 12, "maxLength": 1024}}}}}},
      "responses": {"200": {"description": "password set"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "no such user"}}}},
    "/v1/admin/reload-detectors": {"post": {"summary": "Load the detectors again from disk and swap them in atomically (admin). On failure the previous snapshot stays in service.", "security": [{"apiKey": []}],
      "responses": {"200": {"description": "reloaded"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "422": {"description": "the new snapshot failed to load; the old one is still serving"}}}},
    "/v1/review/queues": {"get": {"summary": "The caller's expert review queues (every queue for admins, read-only): configuration (title, expertise, SLA, second-review share, wellbeing), cases waiting and claimed, second reviews waiting, and SLA timers (time to first review p50/p90/max over the last 7 days, open cases past the SLA, oldest waiting age) (reviewer, admin)", "security": [{"apiKey": []}], "responses": {"200": {"description": "queues"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "503": {"description": "review is not configured"}}}},
    "/v1/review/queues/{queue}/claim": {"post": {"summary": "Claim the highest-priority waiting case in a queue under a lease (15 min); needs every expertise tag of the queue; returns the case, the text, whether to blur it and the decision that opened it (a second review is blind: it never shows the first outcome)", "security": [{"apiKey": []}],
      "parameters": [{"name": "queue", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "claimed"}, "404": {"description": "unknown queue, or nothing waiting for this reviewer (field queue)"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"description": "the role may not claim, or the reviewer lacks the queue's expertise (field queue)"}}}},
    "/v1/review/cases/{id}/decision": {"post": {"summary": "Decide a claimed case with a reason code; a first review, tie-break or appeal is appended to the decision log, a second review only counts toward agreement", "security": [{"apiKey": []}],
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["action", "reason_code"], "properties": {"action": {"type": "string", "enum": ["none", "label", "reduce", "remove", "escalate", "restore", "uphold"], "description": "restore/uphold for appeal cases, restore also for tie-breaks"}, "reason_code": {"type": "string", "maxLength": 64, "description": "a reason code of the active policy (label, reduce, remove, escalate, uphold) or a reviewer reason code from data/review/queues.json for an outcome it lists"}, "reason": {"type": "string", "maxLength": 2000}}}}}},
      "responses": {"200": {"description": "the case as decided, and the decision as logged (if logged)"}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"description": "unknown case (field id)"}, "422": {"description": "not claimed by this reviewer, or the lease expired"}}}},
    "/v1/review/stats": {"get": {"summary": "Reviewer agreement per queue (second-review pairs, percent agreement, Cohen's kappa, reason-code agreement) and SLA timers over a window (admin, auditor, civil_rights)", "security": [{"apiKey": []}],
      "parameters": [{"name": "since", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "default: until minus 30 days"},
                     {"name": "until", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "default: now"}],
      "responses": {"200": {"description": "statistics"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
    "/v1/appeals": {"post": {"summary": "The author (through the platform) appeals a remove, reduce or label decision; the appeal waits in the appeals queue for a reviewer other than the one who decided", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["decision_seq"], "properties": {"decision_seq": {"type": "integer", "minimum": 1}, "statement": {"type": "string", "maxLength": 5000}}}}}},
      "responses": {"201": {"description": "appeal opened"}, "400": {"$ref": "#/components/responses/BadRequest"}, "404": {"description": "no such decision"}, "422": {"description": "not appealable, or an appeal is already waiting"}}}},
    "/v1/log/head": {"get": {"summary": "The newest entry of the hash-chained decision log, signed with the server's Ed25519 log key over \"bulwark-log-head-v1\\n<seq>\\n<hash>\\n<signed_at>\" (public, so anyone can record it and later prove the log held it)", "responses": {"200": {"description": "head", "content": {"application/json": {"schema": {"type": "object", "properties": {"seq": {"type": "integer"}, "hash": {"type": "string"}, "signed_at": {"type": "string", "format": "date-time", "description": "when the server first signed this head; signed verbatim"}, "algorithm": {"type": "string", "enum": ["ed25519"]}, "signature": {"type": "string", "description": "128 hex digits"}, "public_key": {"type": "string", "description": "64 hex digits; compare with the key the operator published"}}}}}}}}},
    "/v1/decisions": {"get": {"summary": "Decisions feed: entries after a cursor, oldest first; the platform applies removals from it", "security": [{"apiKey": []}],
      "parameters": [{"name": "after", "in": "query", "schema": {"type": "string", "default": "0"}, "description": "next_cursor of the previous page"},
                     {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
      "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "decisions": {"type": "array", "items": {"type": "object", "properties": {"seq": {"type": "integer"}, "item_id": {"type": "string"}, "item_revision": {"type": "integer"}, "action": {"type": "string", "enum": ["none", "label", "reduce", "review", "escalate", "remove", "restore", "activate_policy", "account"], "description": "activate_policy: a policy version went live; account: a staff account was created, disabled or given a new password (item_id is empty for both)"}, "category": {"type": "string"}, "rule_id": {"type": "string"}, "policy_version": {"type": "string"}, "model_version": {"type": "string"}, "actor": {"type": "string"}, "reason": {"type": "string"}, "evidence": {}, "created_at": {"type": "string"}, "prev_hash": {"type": "string"}, "hash": {"type": "string"}, "hashed_bytes": {"type": "string", "format": "byte", "description": "base64 of the exact bytes whose SHA-256 is hash (docs/decision-log.md)"}}}},
        "next_cursor": {"type": "string"}, "has_more": {"type": "boolean"}}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
    "/v1/policies": {
      "get": {"summary": "Policy versions, newest first: state, author, sign-off, activation (admin, policy_author, civil_rights, auditor)", "security": [{"apiKey": []}],
        "responses": {"200": {"description": "versions", "content": {"application/json": {"schema": {"type": "object", "properties": {"policies": {"type": "array", "items": {"$ref": "#/components/schemas/PolicyVersion"}}}}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}},
      "post": {"summary": "Store a policy text as a new draft (policy_author, admin). It must parse; lint findings are returned and lint errors block submission", "security": [{"apiKey": []}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["text"], "properties": {"text": {"type": "string", "maxLength": 1048576, "description": "the policy file (docs/policy.md)"}, "comment": {"type": "string", "maxLength": 2000}}}}}},
        "responses": {"201": {"description": "the draft and its lint findings"}, "400": {"description": "the text does not parse; field is text:LINE", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "409": {"description": "this policy id and version string are already stored"}, "413": {"$ref": "#/components/responses/TooLarge"}}}},
    "/v1/policies/{id}": {"get": {"summary": "One policy version with its text, backtest summary and transition history", "security": [{"apiKey": []}],
      "parameters": [{"$ref": "#/components/parameters/PolicyId"}],
      "responses": {"200": {"description": "the version"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "unknown version"}}}},
    "/v1/policies/{id}/submit": {"post": {"summary": "draft (or approved, to refresh a stale backtest) -> in_review (policy_author, admin): lint must pass; queues the backtest against the active version on stored items as a background job (GET the version for its progress and summary)", "security": [{"apiKey": []}],
      "parameters": [{"$ref": "#/components/parameters/PolicyId"}], "requestBody": {"$ref": "#/components/requestBodies/PolicyComment"},
      "responses": {"202": {"description": "in review, backtest running ({state: running, items_scanned})"}, "200": {"description": "in review, with the backtest summary (servers without the background runner)"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "unknown version"}, "422": {"$ref": "#/components/responses/PolicyState"}, "503": {"description": "no detectors loaded: the backtest cannot run"}}}},
    "/v1/policies/{id}/approve": {"post": {"summary": "in_review -> approved: civil-rights sign-off (civil_rights only, never the version's author)", "security": [{"apiKey": []}],
      "parameters": [{"$ref": "#/components/parameters/PolicyId"}], "requestBody": {"$ref": "#/components/requestBodies/PolicyComment"},
      "responses": {"200": {"description": "approved"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "unknown version"}, "422": {"$ref": "#/components/responses/PolicyState"}}}},
    "/v1/policies/{id}/reject": {"post": {"summary": "in_review or approved -> rejected (civil_rights only, never the version's author); comment required", "security": [{"apiKey": []}],
      "parameters": [{"$ref": "#/components/parameters/PolicyId"}], "requestBody": {"$ref": "#/components/requestBodies/PolicyComment"},
      "responses": {"200": {"description": "rejected"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "unknown version"}, "422": {"$ref": "#/components/responses/PolicyState"}}}},
    "/v1/policies/{id}/activate": {"post": {"summary": "approved -> active (admin, civil_rights); the active version is retired in the same transaction and the activation is appended to the decision log", "security": [{"apiKey": []}],
      "parameters": [{"$ref": "#/components/parameters/PolicyId"}], "requestBody": {"$ref": "#/components/requestBodies/PolicyComment"},
      "responses": {"200": {"description": "the version now active, the one retired and the decision-log entry"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "404": {"description": "unknown version"}, "422": {"$ref": "#/components/responses/PolicyState"}}}},
    "/v1/ad-impressions": {"post": {"summary": "Ad impressions with the items shown next to them (idempotent by impression id)", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["impressions"], "properties": {"impressions": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/AdImpression"}}}}}}},
      "responses": {"200": {"description": "stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppendSummary"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "429": {"$ref": "#/components/responses/RateLimited"}, "413": {"$ref": "#/components/responses/TooLarge"}, "422": {"$ref": "#/components/responses/Unprocessable"}}}}
  }
})json";
  return kDoc;
}

}  // namespace bulwark::server
