#include <cstdio>

#include "cli/command.h"
#include "cli/report.h"

namespace sotinc {
namespace {

int RunList(const CommonOptions& common) {
  int exit_code = 0;
  std::unique_ptr<Workspace> opened = OpenWorkspaceOrReport(common, &exit_code);
  if (!opened) return exit_code;
  Workspace& ws = *opened;
  Result<Snapshot> snapshot = ws.TakeSnapshot();
  if (!snapshot.ok()) {
    PrintError(snapshot.error());
    return kExitUsage;
  }
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-24s %-15s %-8s %7s  %s\n", "ID", "KIND", "SEVERITY",
                "INPUTS", "TAGS");
  out += line;
  for (const Rule* r : ws.graph->rules()) {
    std::string tags;
    for (const std::string& t : r->tags) tags += (tags.empty() ? "" : ",") + t;
    if (!r->enabled) tags += (tags.empty() ? "" : " ") + std::string("(disabled)");
    std::snprintf(line, sizeof line, "%-24s %-15s %-8s %7zu  %s\n", r->id.c_str(),
                  r->kind.c_str(), SeverityName(r->severity),
                  r->check->CountInputs(snapshot->tree), tags.c_str());
    out += line;
  }
  return WriteOutput("", out) ? kExitOk : kExitInternal;
}

std::string DotId(const std::string& id) { return JsonString(id); }

int RunGraph(const CommonOptions& common, bool dot) {
  int exit_code = 0;
  std::unique_ptr<Workspace> opened = OpenWorkspaceOrReport(common, &exit_code);
  if (!opened) return exit_code;
  Workspace& ws = *opened;
  std::string out;
  if (dot) {
    out += "digraph sotinc {\n  rankdir=LR;\n";
    for (const Rule* r : ws.graph->rules()) {
      out += "  " + DotId(r->id) + ";\n";
      for (const std::string& d : r->depends_on) {
        out += "  " + DotId(r->id) + " -> " + DotId(d) + ";\n";
      }
    }
    out += "}\n";
  } else {
    for (const Rule* r : ws.graph->TopologicalOrder(ws.graph->rules())) {
      out += r->id;
      if (!r->depends_on.empty()) {
        out += " <- ";
        for (size_t i = 0; i < r->depends_on.size(); ++i) {
          out += (i ? ", " : "") + r->depends_on[i];
        }
      }
      out += "\n";
    }
  }
  return WriteOutput("", out) ? kExitOk : kExitInternal;
}

}  // namespace

void RegisterListCommand(CLI::App* app, CommonOptions* common, Action* action) {
  CLI::App* cmd = app->add_subcommand("list", "List the rules with their inputs");
  AddCommonOptions(cmd, common);
  cmd->callback([=]() { *action = [=]() { return RunList(*common); }; });
}

void RegisterGraphCommand(CLI::App* app, CommonOptions* common, Action* action) {
  auto dot = std::make_shared<bool>(false);
  CLI::App* cmd = app->add_subcommand("graph", "Print the rule dependency graph");
  cmd->add_flag("--dot", *dot, "Graphviz dot output");
  AddCommonOptions(cmd, common);
  cmd->callback([=]() { *action = [=]() { return RunGraph(*common, *dot); }; });
}

}  // namespace sotinc
