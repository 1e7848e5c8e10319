#include "demo/staff_users.h"

#include "auth/accounts.h"

namespace bulwark::demo {

Result<std::vector<DemoStaffUser>> CreateDemoStaffUsers(store::Database& db,
                                                        const auth::PasswordOptions& passwords,
                                                        UnixMillis now) {
  struct Spec {
    const char* username;
    const char* display_name;
    Role role;
    std::vector<std::string> expertise;
  };
  // Reviewer teams cover every queue of data/review/queues.json (expertise tags are queue ids);
  // appeals go to a separate reviewer so that an appeal never lands with the person who decided.
  const std::vector<Spec> specs = {
      {"admin", "Demo admin", Role::kAdmin, {}},
      {"civil-rights", "Civil-rights officer", Role::kCivilRights, {}},
      {"policy-author", "Policy author", Role::kPolicyAuthor, {}},
      {"auditor", "Independent auditor", Role::kAuditor, {}},
      {"advertiser", "Advertiser", Role::kAdvertiser, {}},
      {"support", "Support agent", Role::kSupportAgent, {}},
      {"reviewer-hate",
       "Identity-based hate team",
       Role::kReviewer,
       {"antisemitism", "anti_black_racism", "anti_muslim", "anti_asian", "anti_lgbtq", "misogyny",
        "disability", "xenophobia", "racism", "religious_hate", "hate_general"}},
      {"reviewer-safety",
       "Threats and harassment team",
       Role::kReviewer,
       {"harassment", "threat", "threat_escalation", "extremism"}},
      {"reviewer-misinfo",
       "Misinformation team",
       Role::kReviewer,
       {"election_integrity", "health_misinformation", "climate_misinformation", "conspiracy",
        "public_figures"}},
      {"reviewer-appeals", "Appeals reviewer", Role::kReviewer, {"appeals"}},
  };
  auth::StaffAccounts accounts(db.users(), {passwords, {}, {}});
  std::vector<DemoStaffUser> out;
  for (const Spec& spec : specs) {
    auth::NewUser n;
    n.username = spec.username;
    n.display_name = spec.display_name;
    n.role = spec.role;
    n.expertise = spec.expertise;
    auto created = accounts.CreateUser(std::move(n), now);
    if (!created.ok()) {
      if (created.status().code() == Code::kAlreadyExists) continue;
      return created.status();
    }
    out.push_back({spec.username, created->generated_password, std::string(RoleName(spec.role)),
                   spec.expertise});
  }
  return out;
}

}  // namespace bulwark::demo
