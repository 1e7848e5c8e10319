#include "demo/staff_users.h"

namespace bulwark::demo {

// =================================================================================================
// DEMO STAFF USERS: the one place where `bulwark demo` creates staff users (username, password,
// role, expertise). Fill this in when staff accounts land (issue 4, staff users); nothing else in
// src/demo needs to change: RunDemo calls it after enforcement and the summary prints what it
// returns. Suggested set: one admin, one civil_rights, one policy_author, one auditor, one
// advertiser, one support_agent, and reviewers covering the default policy's queues
// (antisemitism, anti_black_racism, anti_muslim, anti_asian, anti_lgbtq, misogyny, disability,
// xenophobia, racism, religious_hate, hate_general, harassment, threat, threat_escalation,
// extremism, election_integrity, health_misinformation, climate_misinformation, conspiracy,
// public_figures, appeals).
// =================================================================================================
Result<std::vector<DemoStaffUser>> CreateDemoStaffUsers(store::Database& db) {
  (void)db;
  return std::vector<DemoStaffUser>{};
}

}  // namespace bulwark::demo
