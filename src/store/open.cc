#include <cstdint>
#include <string>

#include "store/sqlite/sqlite_database.h"
#include "store/store.h"

namespace bulwark::store {

int ReachStep(std::int64_t views) {
  int step = 0;
  for (std::int64_t decade = 100; decade > 0 && decade <= views; decade *= 10) {
    for (std::int64_t m : {1, 2, 5}) {
      if (views >= decade * m) ++step;
    }
    if (decade > INT64_MAX / 10) break;
  }
  return step;
}

std::string_view GroupStateName(GroupState s) {
  switch (s) {
    case GroupState::kActive:
      return "active";
    case GroupState::kRestricted:
      return "restricted";
    case GroupState::kRemoved:
      return "removed";
  }
  return "active";
}

std::optional<GroupState> ParseGroupState(std::string_view name) {
  for (GroupState s : {GroupState::kActive, GroupState::kRestricted, GroupState::kRemoved}) {
    if (GroupStateName(s) == name) return s;
  }
  return std::nullopt;
}

std::string_view AccountStateName(AccountState s) {
  switch (s) {
    case AccountState::kActive:
      return "active";
    case AccountState::kRestricted:
      return "restricted";
    case AccountState::kSuspended:
      return "suspended";
  }
  return "active";
}

std::optional<AccountState> ParseAccountState(std::string_view name) {
  for (AccountState s :
       {AccountState::kActive, AccountState::kRestricted, AccountState::kSuspended}) {
    if (AccountStateName(s) == name) return s;
  }
  return std::nullopt;
}

Result<std::unique_ptr<Database>> OpenDatabase(std::string_view url, const OpenOptions& options) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    return FailedPrecondition("the PostgreSQL backend is not built into this version yet", "db");
  }
  std::string_view path = url;
  if (path.starts_with("sqlite:")) path.remove_prefix(7);
  if (path.empty()) return InvalidArgument("database path is empty", "db");
  return OpenSqliteDatabase(std::string(path), options);
}

}  // namespace bulwark::store
