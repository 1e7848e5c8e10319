#pragma once

// Staff users for the demo (reviewers for every queue, an admin, a civil-rights officer, a
// policy author, an auditor, an advertiser and a support agent), so that the console can be
// tried with real logins. Passwords are generated per run and returned to be printed.

#include <string>
#include <vector>

#include "auth/passwords.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace bulwark::demo {

struct DemoStaffUser {
  std::string username;
  std::string password;                // demo only: printed by `bulwark demo` and scripts/run.sh
  std::string role;                    // core/roles.h name
  std::vector<std::string> expertise;  // review queues
};

// Creates the demo's staff users in `db` with generated passwords (hashed with `passwords`) and
// returns them with the passwords, to print. Users that already exist (a --force reload) are
// left as they are and not returned.
Result<std::vector<DemoStaffUser>> CreateDemoStaffUsers(store::Database& db,
                                                        const auth::PasswordOptions& passwords,
                                                        UnixMillis now);

}  // namespace bulwark::demo
