#include <cmath>
#include <cstdio>
#include <map>

#include "cli/command.h"
#include "cli/report.h"
#include "engine/scheduler.h"

namespace sotinc {
namespace {

struct ListOptions {
  bool stats = false;
  std::string cache_dir;
};

std::string Ms(double ms) {
  char buf[32];
  if (ms >= 1000) std::snprintf(buf, sizeof buf, "%.2fs", ms / 1000);
  else std::snprintf(buf, sizeof buf, "%.2fms", ms);
  return buf;
}

// `list --stats`: how long each rule took in the runs the cache saw.
int RunListStats(const CommonOptions& common, const ListOptions& o, const Workspace& ws) {
  std::string path = CachePath(*ws.repo, o.cache_dir, common.workspace.dir);
  if (!DatabaseExists(path)) {
    std::printf("no statistics yet: no cache database at %s (a 'sotinc check' creates it)\n",
                path.c_str());
    return kExitOk;
  }
  std::unique_ptr<ResultStore> store = OpenExistingStore(path);
  if (!store) return kExitUsage;
  Result<std::map<std::string, DurationStats>> durations = store->GetDurations();
  if (!durations.ok()) {
    PrintError(durations.error());
    return kExitUsage;
  }
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-24s %6s %10s %10s %12s\n", "ID", "RUNS", "MEAN", "STDDEV",
                "PER FILE");
  out += line;
  for (const Rule* r : ws.graph->rules()) {
    auto whole = durations->find(r->id);
    auto file = durations->find(PerFileCostKey(r->id));
    std::string runs = "0", mean = "-", spread = "-", per_file = "-";
    if (whole != durations->end()) {
      runs = std::to_string(whole->second.count);
      mean = Ms(whole->second.mean);
      spread = whole->second.count > 1 ? Ms(std::sqrt(whole->second.Variance())) : "-";
    }
    if (file != durations->end()) per_file = Ms(file->second.mean);
    std::snprintf(line, sizeof line, "%-24s %6s %10s %10s %12s\n", r->id.c_str(), runs.c_str(),
                  mean.c_str(), spread.c_str(), per_file.c_str());
    out += line;
  }
  out += "(RUNS counts the runs in which the rule's check ran; cached runs are not timed)\n";
  return WriteOutput("", out) ? kExitOk : kExitInternal;
}

int RunList(const CommonOptions& common, const ListOptions& o) {
  int exit_code = 0;
  std::unique_ptr<Workspace> opened = OpenWorkspaceOrReport(common, &exit_code);
  if (!opened) return exit_code;
  Workspace& ws = *opened;
  if (o.stats) return RunListStats(common, o, ws);
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
  auto o = std::make_shared<ListOptions>();
  CLI::App* cmd = app->add_subcommand("list", "List the rules with their inputs");
  cmd->add_flag("--stats", o->stats, "Show each rule's measured durations instead");
  AddCacheDirOption(cmd, &o->cache_dir);
  AddCommonOptions(cmd, common);
  cmd->callback([=]() { *action = [=]() { return RunList(*common, *o); }; });
}

void RegisterGraphCommand(CLI::App* app, CommonOptions* common, Action* action) {
  auto dot = std::make_shared<bool>(false);
  CLI::App* cmd = app->add_subcommand("graph", "Print the rule dependency graph");
  cmd->add_flag("--dot", *dot, "Graphviz dot output");
  AddCommonOptions(cmd, common);
  cmd->callback([=]() { *action = [=]() { return RunGraph(*common, *dot); }; });
}

}  // namespace sotinc
