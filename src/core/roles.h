#pragma once

// Roles carried by API keys and staff accounts. A role grants a fixed set of rights; the
// mapping from route to required role lives with the routes (src/server).

#include <array>
#include <optional>
#include <string_view>

namespace bulwark {

enum class Role {
  kAdmin,         // manages users, keys and configuration
  kPlatform,      // the integrating platform: sends events, reads decisions
  kCivilRights,   // signs off policy versions (recommendation 1)
  kPolicyAuthor,  // drafts policy versions
  kReviewer,      // decides review cases in their expertise queues
  kAuditor,       // independent auditor: read access, blind labelling
  kAdvertiser,    // sees own impressions and refunds
  kSupportAgent,  // answers victims in the live-help queue
};
inline constexpr std::array<Role, 8> kAllRoles = {
    Role::kAdmin,    Role::kPlatform, Role::kCivilRights, Role::kPolicyAuthor,
    Role::kReviewer, Role::kAuditor,  Role::kAdvertiser,  Role::kSupportAgent};

// "admin", "platform", "civil_rights", "policy_author", "reviewer", "auditor", "advertiser",
// "support_agent".
std::string_view RoleName(Role r);
std::optional<Role> ParseRole(std::string_view name);

}  // namespace bulwark
