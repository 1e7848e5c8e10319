#pragma once

// Staff users for the demo (reviewers, admin, auditor, ...), so that the console can be tried
// with real logins. Staff accounts arrive on another branch; until then no user is created.

#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace bulwark::demo {

struct DemoStaffUser {
  std::string username;
  std::string password;                // demo only: printed by `bulwark demo` and scripts/run.sh
  std::string role;                    // core/roles.h name
  std::vector<std::string> expertise;  // review queues
};

// Creates the demo's staff users in `db` and returns them (with their passwords, to print).
Result<std::vector<DemoStaffUser>> CreateDemoStaffUsers(store::Database& db);

}  // namespace bulwark::demo
