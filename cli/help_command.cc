// `sotinc help [COMMAND [SUBCOMMAND]]`: the help of a command, the same text
// as `sotinc COMMAND --help` (both come from CLI11's formatter), as git and
// pip users expect. Two hidden flags serve the build and the shells:
// `--man` prints the man page (cli/man_page.h) and `--commands` the command
// and option table the bash and zsh completions read when they run.
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/man_page.h"

namespace sotinc {
namespace {

struct HelpOptions {
  std::vector<std::string> words;
  bool man = false;
  bool commands = false;
};

int RunHelp(const CLI::App& root, const HelpOptions& o) {
  if (o.man) return WriteOutput("-", ManPage(root)) ? kExitOk : kExitInternal;
  if (o.commands) return WriteOutput("-", CommandList(root)) ? kExitOk : kExitInternal;
  const CLI::App* app = &root;
  std::string prefix = root.get_name();
  for (const std::string& word : o.words) {
    std::vector<const CLI::App*> found = app->get_subcommands(
        [&](const CLI::App* sub) { return sub->get_name() == word && !sub->get_group().empty(); });
    if (found.empty()) {
      std::string known;
      for (const CLI::App* sub :
           app->get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); })) {
        known += (known.empty() ? "" : ", ") + sub->get_name();
      }
      PrintError("help: no command '" + word + "'" + (app == &root ? "" : " in " + prefix) +
                 " (commands: " + known + ")");
      return kExitUsage;
    }
    app = found[0];
    prefix += " " + app->get_name();
  }
  // What CLI::App::help() prints for `... --help`, without its delegation
  // to the command being parsed (which is `help` itself).
  std::string name = app == &root ? root.get_name() : prefix;
  return WriteOutput("-", app->get_formatter()->make_help(app, name, CLI::AppFormatMode::Normal))
             ? kExitOk
             : kExitInternal;
}

}  // namespace

void RegisterHelpCommand(CLI::App* app, Action* action) {
  auto o = std::make_shared<HelpOptions>();
  CLI::App* cmd = app->add_subcommand(
      "help", "Print the help of a command, the same as 'sotinc COMMAND --help'");
  cmd->add_option("command", o->words, "The command (and subcommand), e.g. 'cache gc'")
      ->type_name("COMMAND");
  cmd->add_flag("--man", o->man, "Print the man page (roff)")->group("");
  cmd->add_flag("--commands", o->commands, "List commands and their options")->group("");
  const CLI::App* root = app;
  cmd->callback([=]() { *action = [=]() { return RunHelp(*root, *o); }; });
}

}  // namespace sotinc
