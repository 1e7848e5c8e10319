#include <cstdio>

#include "auth/api_keys.h"
#include "cli/commands.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

std::unique_ptr<store::Database> Open(const std::string& url) {
  auto db = store::OpenDatabase(url, store::OpenOptions{});
  if (!db.ok()) Fail(db.status());
  return std::move(db).value();
}

}  // namespace

void AddKeysCommand(CLI::App& app) {
  auto* keys = app.add_subcommand("keys", "Manage API keys (hashed at rest; shown once).");
  keys->require_subcommand(1);
  auto db_url = std::make_shared<std::string>(kDefaultDb);
  keys->add_option("--db", *db_url, "Database URL (default sqlite:bulwark.db)");

  auto name = std::make_shared<std::string>();
  auto role = std::make_shared<std::string>("platform");
  auto* create =
      keys->add_subcommand("create",
                           "Create a key and print it once.\n"
                           "Example: bulwark keys create --name acme-forum --role platform");
  create->add_option("--name", *name, "A label for the key")->required();
  create->add_option("--role", *role,
                     "admin, platform, civil_rights, policy_author, reviewer, auditor, "
                     "advertiser or support_agent (default platform)");
  create->fallthrough();
  create->callback([db_url, name, role] {
    auto r = ParseRole(*role);
    if (!r) Fail(InvalidArgument("unknown role '" + *role + "'", "role"));
    auto db = Open(*db_url);
    auto key = auth::CreateApiKey(db->keys(), *name, *r, WallNowMillis());
    if (!key.ok()) Fail(key.status());
    std::printf("%s\n", key->token.c_str());
    std::fprintf(stderr, "created key %s (%s, role %s); store it now, it is not shown again\n",
                 key->record.id.c_str(), key->record.name.c_str(), role->c_str());
  });

  auto* list = keys->add_subcommand("list",
                                    "List keys (never their secrets).\n"
                                    "Example: bulwark keys list");
  list->fallthrough();
  list->callback([db_url] {
    auto db = Open(*db_url);
    auto all = db->keys().ListKeys();
    if (!all.ok()) Fail(all.status());
    std::printf("%-14s %-14s %-26s %-26s %s\n", "ID", "ROLE", "CREATED", "REVOKED", "NAME");
    for (const auto& k : *all) {
      std::printf("%-14s %-14s %-26s %-26s %s\n", k.id.c_str(),
                  std::string(RoleName(k.role)).c_str(), FormatRfc3339(k.created_at).c_str(),
                  k.revoked_at ? FormatRfc3339(*k.revoked_at).c_str() : "-", k.name.c_str());
    }
  });

  auto id = std::make_shared<std::string>();
  auto* revoke = keys->add_subcommand("revoke",
                                      "Revoke a key by id; it stops working at once.\n"
                                      "Example: bulwark keys revoke 3f9a1c0b7d2e");
  revoke->add_option("id", *id, "Key id (from keys list)")->required();
  revoke->fallthrough();
  revoke->callback([db_url, id] {
    auto db = Open(*db_url);
    Status s = db->keys().RevokeKey(*id, WallNowMillis());
    if (!s.ok()) Fail(s);
    std::printf("revoked %s\n", id->c_str());
  });
}

}  // namespace bulwark::cli
