#include "cli/app.h"

#include <CLI/CLI.hpp>
#include <exception>

#include "cli/command.h"

namespace sotinc {

int RunApp(int argc, char** argv) {
  // Named explicitly: help reads "Usage: sotinc check ...", not argv[0].
  CLI::App app{"sotinc: validates a repository against its own rules, incrementally", "sotinc"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("sotinc ") + SOTINC_VERSION);
  CommonOptions common;
  AddCommonOptions(&app, &common);
  Action action;
  RegisterCheckCommand(&app, &common, &action);
  RegisterListCommand(&app, &common, &action);
  RegisterGraphCommand(&app, &common, &action);
  RegisterHookCommand(&app, &common, &action);
  RegisterCacheCommand(&app, &common, &action);
  RegisterExplainCommand(&app, &common, &action);
  RegisterInitCommand(&app, &common, &action);
  RegisterHelpCommand(&app, &action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    PrintError(std::string(e.what()) + " (see 'sotinc --help')");
    return kExitUsage;
  }
  if (!action) return kExitUsage;
  try {
    return action();
  } catch (const std::exception& e) {
    PrintError(std::string("internal error: ") + e.what() + " (please report this bug)");
    return kExitInternal;
  }
}

}  // namespace sotinc
