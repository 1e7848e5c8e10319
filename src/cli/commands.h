#pragma once

// Subcommands of the `bulwark` executable. Each Add*Command registers one subcommand (with its
// --help text and an example). A command that fails prints "error: ..." to stderr and throws
// CLI::RuntimeError(exit_code), which main() turns into the process exit status.

#include <CLI/CLI.hpp>
#include <string>

#include "core/status.h"

namespace bulwark::cli {

void AddServeCommand(CLI::App& app);
void AddKeysCommand(CLI::App& app);
void AddUsersCommand(CLI::App& app);  // staff accounts
void AddIngestCommand(CLI::App& app);
void AddDbCommand(CLI::App& app);
void AddLogCommand(CLI::App& app);
void AddTrainCommands(CLI::App& app);  // train, eval
void AddPolicyCommand(CLI::App& app);
void AddEnforceCommand(CLI::App& app);
void AddScanCommand(CLI::App& app);
void AddVersionCommand(CLI::App& app);   // version --detectors
void AddEnsembleCommand(CLI::App& app);  // ensemble-fit

// Prints `status` as "error: <message>" (with the field, if any) and throws
// CLI::RuntimeError(exit_code).
[[noreturn]] void Fail(const Status& status, int exit_code = 1);

// The default database URL: an SQLite file in the working directory.
inline constexpr const char* kDefaultDb = "sqlite:bulwark.db";

}  // namespace bulwark::cli
