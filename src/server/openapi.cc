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
    "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
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
        "created_at": {"type": "string", "format": "date-time"}}},
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
      "UpsertSummary": {"type": "object", "properties": {"accepted": {"type": "integer"}, "created": {"type": "integer"}, "revised": {"type": "integer"}, "unchanged": {"type": "integer"}}},
      "AppendSummary": {"type": "object", "properties": {"accepted": {"type": "integer"}, "duplicates": {"type": "integer"}}}
    },
    "responses": {
      "BadRequest": {"description": "malformed or invalid input; the error names the field", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthorized": {"description": "missing, unknown or revoked API key", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "the key's role may not call this endpoint", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "TooLarge": {"description": "body or batch over the configured limit", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unprocessable": {"description": "a reference names an unknown item; nothing in the batch was stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    }
  },
  "paths": {
    "/healthz": {"get": {"summary": "Liveness and database check", "responses": {"200": {"description": "ok"}, "503": {"description": "database unavailable"}}}},
    "/metrics": {"get": {"summary": "Prometheus metrics (text format 0.0.4)", "responses": {"200": {"description": "metrics", "content": {"text/plain": {}}}}}},
    "/v1/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3 document"}}}},
    "/v1/items": {"post": {"summary": "Upsert a batch of items (new text = new revision)", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["items"], "properties": {"items": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/Item"}}}}}}},
      "responses": {"200": {"description": "stored durably", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpsertSummary"}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}, "413": {"$ref": "#/components/responses/TooLarge"}, "415": {"$ref": "#/components/responses/BadRequest"}, "422": {"$ref": "#/components/responses/Unprocessable"}}}},
    "/v1/items/{id}": {"get": {"summary": "One item with every revision, view and report count", "security": [{"apiKey": []}],
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
      "responses": {"200": {"description": "the item"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "404": {"description": "unknown item"}}}},
    "/v1/views": {"post": {"summary": "Add view counts per item; a sample is kept for audits", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["views"], "properties": {"views": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/View"}}}}}}},
      "responses": {"200": {"description": "stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppendSummary"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "413": {"$ref": "#/components/responses/TooLarge"}, "422": {"$ref": "#/components/responses/Unprocessable"}}}},
    "/v1/reports": {"post": {"summary": "User reports (idempotent by report id)", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["reports"], "properties": {"reports": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/Report"}}}}}}},
      "responses": {"200": {"description": "stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppendSummary"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "413": {"$ref": "#/components/responses/TooLarge"}, "422": {"$ref": "#/components/responses/Unprocessable"}}}},
    "/v1/classify": {"post": {"summary": "Classify up to 100 texts synchronously: calibrated per-category probabilities, labels, target groups, evidence spans and versions", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["texts"], "properties": {"texts": {"type": "array", "minItems": 1, "maxItems": 100, "items": {"type": "string", "maxLength": 1048576}}}}}}},
      "responses": {"200": {"description": "one verdict per text, in order (format: docs/detection.md)"}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "413": {"$ref": "#/components/responses/TooLarge"}, "503": {"description": "no detectors loaded"}}}},
    "/v1/version": {"get": {"summary": "Server, schema and detector versions (model, lexicon, claims, ensemble, thresholds)", "responses": {"200": {"description": "versions"}}}},
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
    "/v1/log/head": {"get": {"summary": "The newest entry of the hash-chained decision log (public, so anyone can record and compare it)", "responses": {"200": {"description": "head", "content": {"application/json": {"schema": {"type": "object", "properties": {"seq": {"type": "integer"}, "hash": {"type": "string"}}}}}}}}},
    "/v1/decisions": {"get": {"summary": "Decisions feed: entries after a cursor, oldest first; the platform applies removals from it", "security": [{"apiKey": []}],
      "parameters": [{"name": "after", "in": "query", "schema": {"type": "string", "default": "0"}, "description": "next_cursor of the previous page"},
                     {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
      "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"type": "object", "properties": {
        "decisions": {"type": "array", "items": {"type": "object", "properties": {"seq": {"type": "integer"}, "item_id": {"type": "string"}, "item_revision": {"type": "integer"}, "action": {"type": "string", "enum": ["none", "label", "reduce", "review", "escalate", "remove", "restore"]}, "category": {"type": "string"}, "rule_id": {"type": "string"}, "policy_version": {"type": "string"}, "model_version": {"type": "string"}, "actor": {"type": "string"}, "reason": {"type": "string"}, "evidence": {}, "created_at": {"type": "string"}, "prev_hash": {"type": "string"}, "hash": {"type": "string"}}}},
        "next_cursor": {"type": "string"}, "has_more": {"type": "boolean"}}}}}},
        "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "403": {"$ref": "#/components/responses/Forbidden"}}}},
    "/v1/ad-impressions": {"post": {"summary": "Ad impressions with the items shown next to them (idempotent by impression id)", "security": [{"apiKey": []}],
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "required": ["impressions"], "properties": {"impressions": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"$ref": "#/components/schemas/AdImpression"}}}}}}},
      "responses": {"200": {"description": "stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AppendSummary"}}}}, "400": {"$ref": "#/components/responses/BadRequest"}, "401": {"$ref": "#/components/responses/Unauthorized"}, "413": {"$ref": "#/components/responses/TooLarge"}, "422": {"$ref": "#/components/responses/Unprocessable"}}}}
  }
})json";
  return kDoc;
}

}  // namespace bulwark::server
