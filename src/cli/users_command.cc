#include <cstdio>
#include <iostream>
#include <string>

#include "auth/accounts.h"
#include "cli/commands.h"
#include "store/store.h"

namespace bulwark::cli {
namespace {

std::unique_ptr<store::Database> OpenDb(const std::string& url) {
  auto db = store::OpenDatabase(url, store::OpenOptions{});
  if (!db.ok()) Fail(db.status());
  return std::move(db).value();
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// One line from stdin without its line ending.
std::string ReadPasswordLine() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

store::StaffUser FindByUsername(store::Database& db, const std::string& username) {
  auto user = db.users().FindUserByUsername(username);
  if (!user.ok()) Fail(user.status());
  return std::move(user).value();
}

}  // namespace

void AddUsersCommand(CLI::App& app) {
  auto* users =
      app.add_subcommand("users",
                         "Manage staff accounts (people who log in; platforms use API keys).\n"
                         "Example: bulwark users create --username root --role admin");
  users->require_subcommand(1);
  auto db_url = std::make_shared<std::string>(kDefaultDb);
  users->add_option("--db", *db_url, "Database URL (default sqlite:bulwark.db)");

  struct CreateOptions {
    std::string username, role, expertise, display_name;
    bool password_stdin = false;
  };
  auto c = std::make_shared<CreateOptions>();
  auto* create = users->add_subcommand(
      "create",
      "Create a staff account. The password is read from stdin with --password-stdin, otherwise\n"
      "a strong one is generated and printed once.\n"
      "Example: bulwark users create --username amira --role reviewer --expertise "
      "antisemitism,anti_muslim\n"
      "Example: printf '%s\\n' \"$PASSWORD\" | bulwark users create --username root --role admin "
      "--password-stdin");
  create->add_option("--username", c->username, "Login name (letters, digits, . _ @ -)")
      ->required();
  create
      ->add_option("--role", c->role,
                   "admin, civil_rights, policy_author, reviewer, auditor, advertiser or "
                   "support_agent")
      ->required();
  create->add_option(
      "--expertise", c->expertise,
      "Comma-separated review queues the reviewer works (e.g. antisemitism,misogyny)");
  create->add_option("--display-name", c->display_name, "Name shown in the console");
  create->add_flag("--password-stdin", c->password_stdin, "Read the password from stdin");
  create->fallthrough();
  create->callback([db_url, c] {
    auto role = ParseRole(c->role);
    if (!role) Fail(InvalidArgument("unknown role '" + c->role + "'", "role"));
    auth::NewUser request;
    request.username = c->username;
    request.role = *role;
    request.display_name = c->display_name;
    request.expertise = SplitComma(c->expertise);
    if (c->password_stdin) request.password = ReadPasswordLine();
    auto db = OpenDb(*db_url);
    auth::StaffAccounts accounts(db->users(), auth::AuthOptions{});
    auto created = accounts.CreateUser(std::move(request), WallNowMillis());
    if (!created.ok()) Fail(created.status());
    if (!created->generated_password.empty()) {
      std::printf("%s\n", created->generated_password.c_str());
      std::fprintf(stderr, "generated password printed above; it is not shown again\n");
    }
    std::fprintf(stderr, "created user %s (%s, role %s)\n", created->user.username.c_str(),
                 created->user.id.c_str(), std::string(RoleName(created->user.role)).c_str());
  });

  auto* list = users->add_subcommand("list",
                                     "List staff accounts (never their password hashes).\n"
                                     "Example: bulwark users list");
  list->fallthrough();
  list->callback([db_url] {
    auto db = OpenDb(*db_url);
    auto all = db->users().ListUsers();
    if (!all.ok()) Fail(all.status());
    std::printf("%-16s %-20s %-14s %-26s %-26s %s\n", "ID", "USERNAME", "ROLE", "CREATED",
                "DISABLED", "EXPERTISE");
    for (const auto& u : *all) {
      std::string tags;
      for (const auto& t : u.expertise) tags += (tags.empty() ? "" : ",") + t;
      std::printf("%-16s %-20s %-14s %-26s %-26s %s\n", u.id.c_str(), u.username.c_str(),
                  std::string(RoleName(u.role)).c_str(), FormatRfc3339(u.created_at).c_str(),
                  u.disabled_at ? FormatRfc3339(*u.disabled_at).c_str() : "-",
                  tags.empty() ? "-" : tags.c_str());
    }
  });

  auto name = std::make_shared<std::string>();
  auto* disable =
      users->add_subcommand("disable",
                            "Disable an account by username; its sessions end at once.\n"
                            "Example: bulwark users disable amira");
  disable->add_option("username", *name, "Username (from users list)")->required();
  disable->fallthrough();
  disable->callback([db_url, name] {
    auto db = OpenDb(*db_url);
    store::StaffUser user = FindByUsername(*db, *name);
    auth::StaffAccounts accounts(db->users(), auth::AuthOptions{});
    Status s = accounts.DisableUser(user.id, WallNowMillis());
    if (!s.ok()) Fail(s);
    std::printf("disabled %s\n", user.username.c_str());
  });

  auto reset_name = std::make_shared<std::string>();
  auto reset_stdin = std::make_shared<bool>(false);
  auto* password = users->add_subcommand(
      "password",
      "Set a new password for an account (read from stdin with --password-stdin, otherwise\n"
      "generated and printed once); its sessions end and any login lockout is lifted.\n"
      "Example: bulwark users password amira");
  password->add_option("username", *reset_name, "Username (from users list)")->required();
  password->add_flag("--password-stdin", *reset_stdin, "Read the password from stdin");
  password->fallthrough();
  password->callback([db_url, reset_name, reset_stdin] {
    auto db = OpenDb(*db_url);
    store::StaffUser user = FindByUsername(*db, *reset_name);
    std::optional<std::string> pw;
    if (*reset_stdin) pw = ReadPasswordLine();
    auth::StaffAccounts accounts(db->users(), auth::AuthOptions{});
    auto generated = accounts.ResetPassword(user.id, std::move(pw), WallNowMillis());
    if (!generated.ok()) Fail(generated.status());
    if (!generated->empty()) std::printf("%s\n", generated->c_str());
    std::fprintf(stderr, "password of %s changed; their sessions have ended\n",
                 user.username.c_str());
  });
}

}  // namespace bulwark::cli
