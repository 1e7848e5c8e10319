#include "core/roles.h"

namespace bulwark {

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kPlatform:
      return "platform";
    case Role::kCivilRights:
      return "civil_rights";
    case Role::kPolicyAuthor:
      return "policy_author";
    case Role::kReviewer:
      return "reviewer";
    case Role::kAuditor:
      return "auditor";
    case Role::kAdvertiser:
      return "advertiser";
    case Role::kSupportAgent:
      return "support_agent";
  }
  return "admin";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

}  // namespace bulwark
