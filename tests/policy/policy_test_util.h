#pragma once

// Helpers shared by the policy tests.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "policy/policy.h"

namespace bulwark::policy::testing {

inline constexpr std::string_view kHeader =
    "format = bulwark-policy/1\npolicy = test\nversion = 3\ntitle = Test policy\n";

// Parses kHeader + `rules`, failing the test on error.
inline std::shared_ptr<const Policy> MustParse(std::string_view rules) {
  std::string text(kHeader);
  text += rules;
  auto p = ParsePolicy(text, "test.policy");
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return nullptr;
  return *p;
}

inline std::string DefaultPolicyPath() {
  return std::string(BULWARK_SOURCE_DIR) + "/data/policy/default.policy";
}

}  // namespace bulwark::policy::testing
