// Backend-independent parts of the policy store.

#include <iterator>

#include "store/store.h"

namespace bulwark::store {
namespace {

constexpr std::string_view kStateNames[] = {"draft",  "in_review", "approved",
                                            "active", "retired",   "rejected"};

}  // namespace

std::string_view PolicyStateName(PolicyState s) { return kStateNames[static_cast<int>(s)]; }

std::optional<PolicyState> ParsePolicyState(std::string_view name) {
  for (size_t i = 0; i < std::size(kStateNames); ++i) {
    if (kStateNames[i] == name) return static_cast<PolicyState>(i);
  }
  return std::nullopt;
}

}  // namespace bulwark::store
