// `sotinc explain ID`: would the rule run now, and why, without running it.
#include "cli/command.h"
#include "engine/runner.h"
#include "store/store_cache.h"

namespace sotinc {
namespace {

struct ExplainOptions {
  std::string id;
  std::string cache_dir;
};

int RunExplain(const CommonOptions& common, const ExplainOptions& o) {
  int exit_code = 0;
  std::unique_ptr<Workspace> opened = OpenWorkspaceOrReport(common, &exit_code);
  if (!opened) return exit_code;
  Workspace& ws = *opened;
  if (ws.graph->Find(o.id) == nullptr) {
    PrintError("explain " + o.id + ": no such rule in " + ws.config_path +
               " ('sotinc list' shows the rules)");
    return kExitUsage;
  }
  Result<Snapshot> snapshot = ws.TakeSnapshot();
  if (!snapshot.ok()) {
    PrintError("cannot list the files of the " + ws.source->description() + ": " +
               snapshot.error());
    return kExitUsage;
  }
  // An absent database stays absent: explaining creates nothing.
  std::string path = CachePath(*ws.repo, o.cache_dir, common.workspace.dir);
  std::unique_ptr<ResultStore> store;
  if (DatabaseExists(path)) store = OpenExistingStore(path);
  std::unique_ptr<StoreCache> store_cache;
  MemoryCache empty;
  ResultCache* cache = &empty;
  if (store) {
    store_cache = std::make_unique<StoreCache>(store.get());
    cache = store_cache.get();
  }
  std::unique_ptr<ProcessRunner> processes = NewSubprocessRunner();
  SteadyClock clock;
  Runner runner(ws.graph.get(), ws.source.get(), processes.get(), &clock);
  RunRequest request;
  request.settings = ws.config.settings;
  request.cache = cache;
  Result<std::string> text = runner.Explain(*snapshot, request, o.id);
  if (store_cache) store_cache->Commit();  // the stat cache of files it hashed
  if (!text.ok()) {
    PrintError(text.error());
    return kExitInternal;
  }
  return WriteOutput("", *text + "\n") ? kExitOk : kExitInternal;
}

}  // namespace

void RegisterExplainCommand(CLI::App* app, CommonOptions* common, Action* action) {
  auto o = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app->add_subcommand(
      "explain", "Say whether a rule would run now, and why, without running it");
  cmd->add_option("ID", o->id, "The rule")->required()->type_name("ID");
  AddCacheDirOption(cmd, &o->cache_dir);
  AddCommonOptions(cmd, common);
  cmd->callback([=]() { *action = [=]() { return RunExplain(*common, *o); }; });
}

}  // namespace sotinc
