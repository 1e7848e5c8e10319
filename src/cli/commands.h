#pragma once

// Subcommands of the `bulwark` executable. Each Add*Command registers one subcommand (with its
// --help text and an example). A command that fails prints "error: ..." to stderr and throws
// CLI::RuntimeError(exit_code), which main() turns into the process exit status.

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "detect/verdict.h"

namespace bulwark::store {
class Database;
}
namespace bulwark::enforce {
class PolicyHandle;
}

namespace bulwark::cli {

void AddServeCommand(CLI::App& app);
void AddKeysCommand(CLI::App& app);
void AddUsersCommand(CLI::App& app);  // staff accounts
void AddIngestCommand(CLI::App& app);
void AddDbCommand(CLI::App& app);
void AddLogCommand(CLI::App& app);
void AddTrainCommands(CLI::App& app);  // train, eval
void AddPolicyCommand(CLI::App& app);
// policy draft|submit|approve|reject|activate|list|show, under the `policy` subcommand.
void AddPolicyLifecycleCommands(CLI::App& policy);
void AddEnforceCommand(CLI::App& app);
void AddScanCommand(CLI::App& app);
void AddVersionCommand(CLI::App& app);   // version --detectors
void AddEnsembleCommand(CLI::App& app);  // ensemble-fit
void AddDemoCommand(CLI::App& app);
void AddReviewCommand(CLI::App& app);       // review check, review stats
void AddPerspectiveCommand(CLI::App& app);  // perspective-calibrate
void AddGroupsCommand(CLI::App& app);       // groups scan, stats
void AddAccountsCommand(CLI::App& app);     // accounts scan
void AddRefundsCommand(CLI::App& app);      // refunds accrue, statement

// `bulwark eval --functional DIR` (functional_command.cc).
struct FunctionalEvalOptions {
  std::string suite_dir;
  std::string data_dir = "data";
  std::string ensemble_file;
  std::string split = "test";  // test, train or all
  size_t show_failures = 0;
  std::string json;
  std::string cases_out;  // JSONL: every case with its verdict's hate score and features
};
void RunFunctionalEval(const FunctionalEvalOptions& o);

// One line of an error-analysis file (--cases-out): `fields` (what the text is: its source and
// gold label) followed by the verdict's hate probability, label and review flags and its
// ensemble features, as compact JSON.
std::string CaseLine(nlohmann::json fields, const detect::CategoryScore& hate);

// Prints `status` as "error: <message>" (with the field, if any) and throws
// CLI::RuntimeError(exit_code).
[[noreturn]] void Fail(const Status& status, int exit_code = 1);

// The policy `serve` and `enforce` enforce: the database's active version, followed as new
// versions are activated. When no version is active, `file` is imported and activated (actor
// "bootstrap", logged) so that a fresh install works; when the active version's text differs
// from `file`, says so on stderr and keeps the database's. Fails (see Fail) on errors.
std::unique_ptr<enforce::PolicyHandle> OpenActivePolicy(store::Database& db,
                                                        const std::string& file,
                                                        const Clock& clock);

// The default database URL: an SQLite file in the working directory.
inline constexpr const char* kDefaultDb = "sqlite:bulwark.db";

// Where the decision log's signing key lives unless --log-key says otherwise: beside the SQLite
// file ("sqlite:/var/lib/bulwark.db" -> "/var/lib/bulwark.db.logkey"); "" for other URLs.
std::string DefaultLogKeyPath(const std::string& db_url);

}  // namespace bulwark::cli
