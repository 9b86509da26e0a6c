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
#include "store/store.h"

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

// Adds --cache-dir DIR (see CachePath) to a subcommand.
void AddCacheDirOption(CLI::App* cmd, std::string* dir);

// Adds -C and --config to a subcommand (they are accepted before or after it).
void AddCommonOptions(CLI::App* cmd, CommonOptions* common);

// "sotinc: message" on stderr.
void PrintError(const std::string& message);
// "sotinc: warning: message" on stderr.
void PrintWarning(const std::string& message);
// Writes to stdout ("" or "-") or to a file; false (with a message) on failure.
bool WriteOutput(const std::string& path, const std::string& text);
// Ends the process with `code` now, after flushing stdout and stderr,
// without running destructors: a run that has written its reports and
// closed its cache has nothing left to do but free memory (tens of
// thousands of paths) and close the repository. Under a sanitizer it
// returns `code` instead, so that leak checking still sees everything.
int ExitWithoutCleanup(int code);
// Colour on a TTY unless NO_COLOR is set or TERM is dumb.
bool UseColor(FILE* stream);

// Opens the workspace or prints why not; null with *exit_code set on failure.
std::unique_ptr<Workspace> OpenWorkspaceOrReport(const CommonOptions& common, int* exit_code);
// Opens only the repository around -C (for commands that need no config);
// prints why not and returns null with *exit_code set on failure.
std::unique_ptr<GitRepo> OpenRepoOrReport(const CommonOptions& common, int* exit_code);

void RegisterCheckCommand(CLI::App* app, CommonOptions* common, Action* action);
void RegisterListCommand(CLI::App* app, CommonOptions* common, Action* action);
void RegisterGraphCommand(CLI::App* app, CommonOptions* common, Action* action);
void RegisterHookCommand(CLI::App* app, CommonOptions* common, Action* action);
void RegisterCacheCommand(CLI::App* app, CommonOptions* common, Action* action);
void RegisterExplainCommand(CLI::App* app, CommonOptions* common, Action* action);
void RegisterInitCommand(CLI::App* app, CommonOptions* common, Action* action);
// `help` prints the help of the commands registered on `app` before it runs.
void RegisterHelpCommand(CLI::App* app, Action* action);

// The cache database of REPO: <dir>/cache.db, where dir is override_dir
// (the --cache-dir option) when not empty, else $SOTINC_CACHE_DIR when set
// and not empty, else repo.CacheDir(). A relative dir is taken relative to
// base_dir (pass CommonOptions' -C directory: "as if started in DIR"),
// itself relative to the process's working directory. Pure: creates
// nothing and does not check that anything exists.
std::string CachePath(const GitRepo& repo, const std::string& override_dir,
                      const std::string& base_dir = ".");

// True when a file exists at `path`.
bool DatabaseExists(const std::string& path);
// Opens the database at `path`; warnings (a damaged file moved aside) go to
// stderr. Null after printing the error.
std::unique_ptr<ResultStore> OpenExistingStore(const std::string& path);

}  // namespace sotinc
