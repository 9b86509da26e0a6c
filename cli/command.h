// How a subcommand plugs into the `sotinc` command line.
//
// Each command lives in its own cli/x_command.cc and registers its CLI11
// subcommand, options and action; cli/app.cc only lists them. Actions
// return the exit status (see cli/app.h) and print their own errors.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "cli/workspace.h"

namespace sotinc {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;
constexpr int kExitInterrupted = 130;

// Options every command shares (-C, --config), filled before the action.
struct CommonOptions {
  WorkspaceOptions workspace;
};

using Action = std::function<int()>;

// Adds -C and --config to a subcommand (they are accepted before or after it).
void AddCommonOptions(CLI::App* cmd, CommonOptions* common);

// "sotinc: message" on stderr.
void PrintError(const std::string& message);
// Writes to stdout ("" or "-") or to a file; false (with a message) on failure.
bool WriteOutput(const std::string& path, const std::string& text);
// Colour on a TTY unless NO_COLOR is set or TERM is dumb.
bool UseColor(FILE* stream);

// Opens the workspace or prints why not; null with *exit_code set on failure.
std::unique_ptr<Workspace> OpenWorkspaceOrReport(const CommonOptions& common, int* exit_code);

void RegisterCheckCommand(CLI::App* app, CommonOptions* common, Action* action);
void RegisterListCommand(CLI::App* app, CommonOptions* common, Action* action);
void RegisterGraphCommand(CLI::App* app, CommonOptions* common, Action* action);

}  // namespace sotinc
