#include "review/priority.h"

#include <algorithm>
#include <cmath>

namespace bulwark::review {

int CasePriority(const PriorityInput& in) {
  const double severity = std::clamp(in.severity, 1, 10);
  const double views = static_cast<double>(std::clamp<std::int64_t>(in.views, 0, 1'000'000'000));
  const double reports = static_cast<double>(std::clamp<std::int64_t>(in.reports, 0, 1023));
  const double reach = 1 + 0.1 * std::log10(1 + views);
  const double group = in.private_group ? 1.2 : 1.0;
  const double user_reports = 1 + 0.1 * std::log2(1 + reports);
  return static_cast<int>(std::lround(100 * severity * reach * group * user_reports));
}

}  // namespace bulwark::review
