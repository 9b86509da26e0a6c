#include <algorithm>
#include <set>

#include "cli/command.h"
#include "cli/report.h"
#include "engine/runner.h"

namespace sotinc {
namespace {

struct CheckOptions {
  std::vector<std::string> rules;
  std::vector<std::string> tags;
  bool no_cache = false;
  int jobs = 0;
  std::string format = "text";
  std::string output;
  std::string fail_on = "error";
  bool quiet = false;
};

// The rules the user asked for (all enabled ones by default), plus their
// prerequisites.
Result<std::vector<const Rule*>> SelectRules(const Workspace& ws, const CheckOptions& o) {
  std::vector<const Rule*> chosen;
  std::set<std::string> tags(o.tags.begin(), o.tags.end());
  for (const std::string& id : o.rules) {
    const Rule* r = ws.graph->Find(id);
    if (r == nullptr) {
      return Status::Error("--rule " + id + ": no such rule in " + ws.config_path +
                           " ('sotinc list' shows the rules)");
    }
    chosen.push_back(r);
  }
  std::set<std::string> tags_seen;
  for (const Rule* r : ws.graph->rules()) {
    if (o.rules.empty() && tags.empty() && r->enabled) chosen.push_back(r);
    for (const std::string& t : r->tags) {
      if (tags.count(t) && r->enabled) {
        chosen.push_back(r);
        tags_seen.insert(t);
      }
    }
  }
  for (const std::string& t : tags) {
    if (!tags_seen.count(t)) {
      return Status::Error("--tag " + t + ": no enabled rule has this tag");
    }
  }
  // Disabled prerequisites are not run; their dependents are skipped.
  std::vector<const Rule*> with_deps;
  for (const Rule* r : ws.graph->WithPrerequisites(chosen)) {
    if (r->enabled || std::find(chosen.begin(), chosen.end(), r) != chosen.end()) {
      with_deps.push_back(r);
    }
  }
  return with_deps;
}

int RunCheck(const CommonOptions& common, const CheckOptions& o) {
  int exit_code = 0;
  std::unique_ptr<Workspace> opened = OpenWorkspaceOrReport(common, &exit_code);
  if (!opened) return exit_code;
  Workspace& ws = *opened;
  Result<std::vector<const Rule*>> selected = SelectRules(ws, o);
  if (!selected.ok()) {
    PrintError(selected.error());
    return kExitUsage;
  }
  Result<Snapshot> snapshot = ws.TakeSnapshot();
  if (!snapshot.ok()) {
    PrintError("cannot list the files of the " + ws.source->description() + ": " +
               snapshot.error());
    return kExitUsage;
  }
  std::unique_ptr<ProcessRunner> processes = NewSubprocessRunner();
  SteadyClock clock;
  Runner runner(ws.graph.get(), ws.source.get(), processes.get(), &clock);
  RunRequest request;
  request.rules = *selected;
  request.settings = ws.config.settings;
  request.workdir = ws.repo->workdir();
  RunReport report = runner.Run(*snapshot, request);

  std::string text;
  if (o.format == "json") {
    text = FormatJson(report);
  } else {
    TextOptions t;
    t.color = o.output.empty() && UseColor(stdout);
    t.quiet = o.quiet;
    text = FormatText(report, *ws.graph, t);
  }
  if (!WriteOutput(o.output, text)) return kExitUsage;

  Severity threshold = o.fail_on == "warning" ? Severity::kWarning : Severity::kError;
  for (const RuleResult& r : report.results) {
    bool bad = r.status == RuleStatus::kFail || r.status == RuleStatus::kError;
    // Lower enum value = more severe.
    if (bad && static_cast<int>(r.severity) <= static_cast<int>(threshold)) return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

void RegisterCheckCommand(CLI::App* app, CommonOptions* common, Action* action) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = app->add_subcommand("check", "Check the rules");
  cmd->add_option("--rule", o->rules, "Only this rule (repeatable)")->type_name("ID");
  cmd->add_option("--tag", o->tags, "Only rules with this tag (repeatable)")->type_name("TAG");
  cmd->add_flag("--no-cache", o->no_cache, "Run every rule fresh");
  cmd->add_option("-j,--jobs", o->jobs, "Worker processes")->check(CLI::Range(1, 1024));
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--output", o->output, "Write the report to FILE")->type_name("FILE");
  cmd->add_option("--fail-on", o->fail_on, "Lowest severity that fails the run")
      ->check(CLI::IsMember({"error", "warning"}));
  cmd->add_flag("-q,--quiet", o->quiet, "Print only rules that failed");
  AddCommonOptions(cmd, common);
  cmd->callback([=]() { *action = [=]() { return RunCheck(*common, *o); }; });
}

}  // namespace sotinc
