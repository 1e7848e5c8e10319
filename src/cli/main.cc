// bulwark: the command-line front end. Every subcommand is a thin shell over src/ libraries.

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.h"

namespace bulwark::cli {

void Fail(const Status& status, int exit_code) {
  std::fprintf(stderr, "error: %s%s%s\n", status.field().empty() ? "" : status.field().c_str(),
               status.field().empty() ? "" : ": ", status.message().c_str());
  throw CLI::RuntimeError(exit_code);
}

}  // namespace bulwark::cli

int main(int argc, char** argv) {
  CLI::App app{
      "Bulwark: a trust-and-safety engine. It takes a platform's content, views, reports and ad\n"
      "impressions, and keeps an auditable record of what it did about them.\n\n"
      "Quick start:\n"
      "  bulwark keys create --name my-platform --role platform   # prints an API key once\n"
      "  bulwark serve                                            # http://127.0.0.1:8080\n",
      "bulwark"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "bulwark 0.1.0");
  bulwark::cli::AddServeCommand(app);
  bulwark::cli::AddKeysCommand(app);
  bulwark::cli::AddUsersCommand(app);
  bulwark::cli::AddIngestCommand(app);
  bulwark::cli::AddDbCommand(app);
  bulwark::cli::AddLogCommand(app);
  bulwark::cli::AddTrainCommands(app);
  bulwark::cli::AddPolicyCommand(app);
  bulwark::cli::AddEnforceCommand(app);
  bulwark::cli::AddScanCommand(app);
  bulwark::cli::AddVersionCommand(app);
  bulwark::cli::AddEnsembleCommand(app);
  bulwark::cli::AddDemoCommand(app);
  bulwark::cli::AddReviewCommand(app);
  bulwark::cli::AddPerspectiveCommand(app);
  bulwark::cli::AddGroupsCommand(app);
  bulwark::cli::AddAccountsCommand(app);
  bulwark::cli::AddRefundsCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
