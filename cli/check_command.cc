#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "cli/command.h"
#include "cli/report.h"
#include "cli/run_observer.h"
#include "engine/affected.h"
#include "engine/content_ids.h"
#include "engine/git_index_file.h"
#include "engine/git_source.h"
#include "engine/interrupt.h"
#include "engine/run_memo.h"
#include "engine/runner.h"
#include "engine/worker_pool.h"
#include "store/store.h"
#include "store/store_cache.h"

namespace sotinc {
namespace {

struct CheckOptions {
  std::vector<std::string> rules;
  std::vector<std::string> tags;
  bool no_cache = false;
  int jobs = 0;
  std::string format = "text";
  std::string output;
  std::vector<std::string> reports;  // --report FORMAT=FILE
  std::string fail_on = "error";
  bool quiet = false;
  bool staged = false;
  std::string since;
  std::string rev;
  bool explain = false;
  std::string cache_dir;
  std::string trace;
};

// CPUs this process may run on (taskset and cpusets included).
int CpuCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

// The learned durations the scheduler plans with (store/store.h).
CostModel LoadCosts(ResultStore* store) {
  CostModel costs;
  if (store == nullptr) return costs;
  Result<std::map<std::string, DurationStats>> durations = store->GetDurations();
  if (!durations.ok()) return costs;
  const std::string suffix = PerFileCostKey("");
  for (const auto& [key, stats] : *durations) {
    if (key.size() > suffix.size() &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
      costs.per_file[key.substr(0, key.size() - suffix.size())] = stats.mean;
    } else {
      costs.rule[key] = stats.mean;
    }
  }
  return costs;
}

// Adds this run's durations to the store's running means, one sample per
// key (the chunks of a per-file rule are averaged), in one transaction.
void RecordCosts(ResultStore* store, const std::vector<CostSample>& samples) {
  std::map<std::string, std::pair<double, int>> by_key;
  for (const CostSample& s : samples) {
    by_key[s.key].first += s.ms;
    by_key[s.key].second += 1;
  }
  if (by_key.empty()) return;
  ResultStore::Batch batch(store);
  if (!batch.status().ok()) return;  // statistics only: never worth failing a run
  for (const auto& [key, sum] : by_key) store->UpdateDuration(key, sum.first / sum.second);
  batch.Commit();
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

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

// Opens the cache, or says why the run goes on uncached.
std::unique_ptr<ResultStore> OpenStore(const Workspace& ws, const CommonOptions& common,
                                       const CheckOptions& o) {
  std::string path = CachePath(*ws.repo, o.cache_dir, common.workspace.dir);
  std::vector<std::string> warnings;
  Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path, {}, &warnings);
  for (const std::string& w : warnings) PrintWarning(w);
  if (!store.ok()) {
    PrintWarning("running uncached: " + store.error());
    return nullptr;
  }
  return std::move(*store);
}

// The base side of --since / --staged: the commit to compare with, or
// empty with `why` set when every rule must run.
std::string FindBase(Workspace& ws, const CheckOptions& o, std::string* why) {
  if (!o.since.empty()) {
    if (ws.repo->HeadIsUnborn()) {
      *why = "HEAD has no commit yet";
      return "";
    }
    Result<std::string> base = ws.repo->MergeBaseWithHead(o.since);
    if (!base.ok()) {
      *why = "no merge base of '" + o.since + "' and HEAD (" + base.error() + ")";
      if (ws.repo->IsShallow()) *why += "; this is a shallow clone: fetch more history";
      return "";
    }
    return *base;
  }
  if (ws.repo->HeadIsUnborn()) {
    *why = "HEAD has no commit yet";
    return "";
  }
  Result<std::string> head = ws.repo->ResolveCommit("HEAD");
  if (!head.ok()) {
    *why = head.error();
    return "";
  }
  return *head;
}

// Which base record (engine/affected.h): the base commit's tree and the
// config path. Empty when the base cannot be kept (no cache, or a config
// outside the repository that can be read only once, such as a pipe).
std::string BaseRecordKey(Workspace& ws, ResultStore* store, const std::string& commit) {
  const bool outside = !ws.config_path.empty() && ws.config_path[0] == '/';
  if (store == nullptr || (outside && !ws.ConfigIsRegularFile())) return "";
  Result<std::string> tree = ws.repo->ResolveTree(commit);
  if (!tree.ok()) return "";
  return RunMemoKey({"affected base", *tree, ws.config_path});
}

// The cached BaseSide of `key`, when there is one and the config files it
// read from disk are unchanged.
std::optional<BaseSide> CachedBase(Workspace& ws, ResultStore* store, const std::string& key) {
  Result<std::optional<std::string>> bytes = store->Get(CacheNamespace::kRun, key);
  if (!bytes.ok() || !bytes->has_value()) return std::nullopt;
  Result<BaseRecord> record = DecodeBaseRecord(**bytes);
  if (!record.ok() || !ws.AllUnchanged(record->disk_files)) return std::nullopt;
  return std::move(record->side);
}

// Lists the base commit, loads its config and describes it; on failure
// returns nullopt with *why set.
std::optional<BaseRecord> ReadBase(Workspace& ws, const std::string& commit, std::string* why) {
  Result<std::unique_ptr<FileSource>> source = NewRevisionSource(ws.repo.get(), commit);
  if (!source.ok()) {
    *why = source.error();
    return std::nullopt;
  }
  Result<std::vector<FileEntry>> listed = (*source)->List();
  if (!listed.ok()) {
    *why = listed.error();
    return std::nullopt;
  }
  // A --config outside the repository is read from disk on both sides;
  // the files it includes come from the commit.
  BaseRecord record;
  ConfigError error;
  Result<Config> config =
      LoadConfigFromSource(**source, ws.config_path, &error, &*listed, &record.disk_files);
  if (!config.ok()) {
    *why = "the config does not load at " + commit.substr(0, 12);
    return std::nullopt;
  }
  Snapshot snapshot = Snapshot::FromEntries(std::move(*listed), config->ignore_globs);
  ContentIds ids(source->get(), nullptr);
  record.side = DescribeBase(config->rules, config->settings, snapshot, &ids);
  return record;
}

// Narrows `selected` to the rules the change can affect (plus their
// prerequisites). Falls back to every rule, saying why, when the base
// cannot be read. The base side comes from the cache when this base was
// described before (*base_cached says so).
std::vector<const Rule*> NarrowToAffected(Workspace& ws, const CheckOptions& o, const Snapshot& now,
                                          ResultCache* cache, ResultStore* store,
                                          const std::vector<const Rule*>& selected,
                                          bool* base_cached) {
  *base_cached = false;
  std::string why;
  std::string base_commit = FindBase(ws, o, &why);
  std::optional<BaseSide> base;
  if (!base_commit.empty()) {
    const std::string key = BaseRecordKey(ws, store, base_commit);
    if (!key.empty() && !o.no_cache) base = CachedBase(ws, store, key);
    *base_cached = base.has_value();
    if (!base) {
      std::optional<BaseRecord> record = ReadBase(ws, base_commit, &why);
      if (record) {
        bool complete = true;
        for (const auto& [id, inputs] : record->side.inputs) complete &= inputs.error.empty();
        if (!key.empty() && complete) {
          store->Put(CacheNamespace::kRun, key, "(affected base)", EncodeBaseRecord(*record));
        }
        base = std::move(record->side);
      }
    }
  }
  if (!base) {
    PrintWarning("checking every selected rule: " + why);
    return selected;
  }
  ContentIds now_ids(ws.source.get(), cache);
  AffectedQuery q;
  q.graph = ws.graph.get();
  q.selected = selected;
  q.settings = ws.config.settings;
  q.base = &*base;
  q.now = &now;
  q.now_ids = &now_ids;
  std::set<std::string> affected = FindAffected(q);
  std::vector<const Rule*> chosen;
  for (const Rule* r : selected) {
    if (affected.count(r->id)) chosen.push_back(r);
  }
  // Prerequisites of the affected rules, but only those the selection
  // holds: a disabled prerequisite stays out, so its dependents are
  // skipped exactly as in a plain check.
  std::set<const Rule*> allowed(selected.begin(), selected.end());
  std::vector<const Rule*> out;
  for (const Rule* r : ws.graph->WithPrerequisites(chosen)) {
    if (allowed.count(r)) out.push_back(r);
  }
  return out;
}

// One report to write: --format/--output, or a --report.
struct ReportTarget {
  ReportFormat format = ReportFormat::kText;
  std::string path;  // "" = standard output
};

// --format/--output first, then each --report FORMAT=FILE. At most one of
// them may go to standard output and no two to the same file.
Result<std::vector<ReportTarget>> ReportTargets(const CheckOptions& o) {
  std::vector<ReportTarget> targets(1);
  ParseReportFormat(o.format, &targets[0].format);  // checked by CLI11
  targets[0].path = o.output == "-" ? "" : o.output;
  for (const std::string& spec : o.reports) {
    std::string::size_type eq = spec.find('=');
    ReportTarget t;
    if (eq == std::string::npos || eq + 1 == spec.size() ||
        !ParseReportFormat(spec.substr(0, eq), &t.format)) {
      return Status::Error("--report " + spec + ": expected FORMAT=FILE with FORMAT one of " +
                           "text, json, sarif, junit (e.g. --report sarif=sotinc.sarif)");
    }
    t.path = spec.substr(eq + 1) == "-" ? "" : spec.substr(eq + 1);
    for (const ReportTarget& other : targets) {
      if (other.path == t.path) {
        std::string where = t.path.empty() ? "standard output" : t.path;
        return Status::Error("--report " + spec + ": another report already goes to " + where);
      }
    }
    targets.push_back(t);
  }
  return targets;
}

// The paths with conflict stages in the index, as "a, b, c" (at most five,
// then a count); empty when there are none or the index cannot be read
// (the source reports that itself).
std::string UnmergedPaths(const GitRepo& repo) {
  Result<std::vector<GitIndexEntry>> index = ReadGitIndexFile(repo.index_path());
  if (!index.ok()) return "";
  std::vector<std::string> paths;
  for (const GitIndexEntry& e : *index) {
    if (e.stage() != 0 && (paths.empty() || paths.back() != e.path)) paths.push_back(e.path);
  }
  std::string text;
  for (size_t i = 0; i < paths.size() && i < 5; ++i) text += (i ? ", " : "") + paths[i];
  if (paths.size() > 5) text += " and " + std::to_string(paths.size() - 5) + " more";
  return text;
}

// Writes every report and returns the exit status the results deserve.
int WriteReports(const RunReport& report, const RuleGraph& graph,
                 const std::vector<ReportTarget>& targets, const CheckOptions& o) {
  bool written = true;
  for (const ReportTarget& target : targets) {
    TextOptions t;
    t.color = target.path.empty() && UseColor(stdout);
    t.quiet = o.quiet;
    written &= WriteOutput(target.path, FormatReport(target.format, report, graph, t));
  }
  if (!written) return kExitUsage;

  Severity threshold = o.fail_on == "warning" ? Severity::kWarning : Severity::kError;
  for (const RuleResult& r : report.results) {
    bool bad = r.status == RuleStatus::kFail || r.status == RuleStatus::kError;
    // Lower enum value = more severe.
    if (bad && static_cast<int>(r.severity) <= static_cast<int>(threshold)) return kExitFailed;
  }
  return kExitOk;
}

// --- The no-op shortcut (engine/run_memo.h) ---------------------------------

// The run memo of one run.
struct MemoState {
  bool applies = false;            // MemoApplies
  std::string key;                 // MemoKey
  std::string listing;             // ListingDigest of this run's listing
  std::vector<HashedFile> hashed;  // the files it covers by their bytes
};

// Whether this run reads and writes the run memo: a plain check of the
// working tree through the cache, asking nothing a replay cannot give
// (--explain's reasons), with a config that can be read twice (not a pipe).
bool MemoApplies(const Workspace& ws, const CheckOptions& o) {
  return !o.staged && o.since.empty() && o.rev.empty() && !o.no_cache && !o.explain &&
         ws.ConfigIsRegularFile();
}

// Which memo: the config path and the rules asked for (-j, the formats and
// --fail-on do not change results).
std::string MemoKey(const Workspace& ws, const CheckOptions& o) {
  std::set<std::string> rules(o.rules.begin(), o.rules.end());
  std::set<std::string> tags(o.tags.begin(), o.tags.end());
  std::vector<std::string> fields = {"check", ws.config_path, std::to_string(rules.size())};
  fields.insert(fields.end(), rules.begin(), rules.end());
  fields.push_back(std::to_string(tags.size()));
  fields.insert(fields.end(), tags.begin(), tags.end());
  return RunMemoKey(fields);
}

// The memo of this kind of run when it is current: the files listed and
// every config file are as they were. Nullopt otherwise.
std::optional<RunMemo> CurrentMemo(ResultStore* store, const Workspace& ws,
                                   const MemoState& state) {
  if (state.listing.empty()) return std::nullopt;
  Result<std::optional<std::string>> bytes = store->Get(CacheNamespace::kRun, state.key);
  if (!bytes.ok() || !bytes->has_value()) return std::nullopt;
  Result<RunMemo> memo = DecodeRunMemo(**bytes);
  if (!memo.ok() || memo->listing != state.listing ||
      !ws.ConfigFilesUnchanged(memo->config_files)) {
    return std::nullopt;
  }
  return std::move(*memo);
}

// Reports `memo`'s results as this run's (all cache hits, nothing ran).
int Replay(RunMemo memo, ResultStore* store, const std::vector<ReportTarget>& targets,
           const CheckOptions& o, TraceRecorder* trace, double elapsed_ms) {
  RuleGraph graph(memo.rules);
  RunReport report;
  report.results = std::move(memo.results);
  report.summary = Summarize(report.results);
  report.summary.duration_ms = elapsed_ms;
  store->RecordRun(report.summary.cached, 0);
  if (!o.trace.empty()) {
    for (const RuleResult& r : report.results) trace->RuleEnded(r);
    if (!WriteOutput(o.trace, trace->Json())) return kExitUsage;
  }
  return WriteReports(report, graph, targets, o);
}

// Keeps this run's results as the memo, when the next run over the same
// inputs would only repeat them.
void WriteMemo(ResultStore* store, const Workspace& ws, const MemoState& state,
               const RunReport& report) {
  if (!state.applies || state.listing.empty() || !CanMemoize(report) ||
      !StillTheSame(ws.source.get(), state.hashed)) {
    return;
  }
  RunMemo memo;
  memo.listing = state.listing;
  memo.config_files = ws.config_files;
  for (const Rule* rule : ws.graph->rules()) memo.rules.push_back(DescriptionOf(*rule));
  for (const RuleResult& r : report.results) memo.results.push_back(AsReplayed(r));
  store->Put(CacheNamespace::kRun, state.key, "(run memo)", EncodeRunMemo(memo));
}

// --- Blob sizes (GitRepo::RememberBlobSizes) ---------------------------------

std::string BlobSizesKey() { return RunMemoKey({"blob sizes"}); }

// Listing the index or a commit takes each blob's size from its object
// header; the cache remembers them from run to run.
void LoadBlobSizes(ResultStore* store, GitRepo* repo) {
  Result<std::optional<std::string>> sizes = store->Get(CacheNamespace::kRun, BlobSizesKey());
  if (sizes.ok() && sizes->has_value()) repo->RememberBlobSizes(**sizes);
}

void SaveBlobSizes(ResultStore* store, const GitRepo& repo) {
  if (repo.blob_headers_read() > 0) {
    store->Put(CacheNamespace::kRun, BlobSizesKey(), "(blob sizes)", repo.EncodeBlobSizes());
  }
}

int RunCheck(CommonOptions common, const CheckOptions& o) {
  Result<std::vector<ReportTarget>> targets = ReportTargets(o);
  if (!targets.ok()) {
    PrintError(targets.error());
    return kExitUsage;
  }
  int modes = (o.staged ? 1 : 0) + (o.rev.empty() ? 0 : 1) + (o.since.empty() ? 0 : 1);
  if (modes > 1) {
    PrintError("--staged, --since and --rev exclude each other: choose one");
    return kExitUsage;
  }
  if (o.staged) common.workspace.mode = SnapshotMode::kIndex;
  if (!o.rev.empty()) {
    common.workspace.mode = SnapshotMode::kRevision;
    common.workspace.rev = o.rev;
  }
  SteadyClock clock;
  // --trace: the run's phases on the scheduler's track, then its jobs.
  TraceRecorder trace(&clock);
  const double start_ms = clock.NowMs();
  double phase_start = start_ms;
  auto phase = [&](const char* name) {
    double now = clock.NowMs();
    if (!o.trace.empty()) trace.Phase(name, phase_start, now);
    phase_start = now;
  };
  int exit_code = 0;
  Result<std::unique_ptr<Workspace>> opened =
      Workspace::OpenRepository(common.workspace, &exit_code);
  if (!opened.ok()) {
    PrintError(opened.error());
    return exit_code;
  }
  Workspace& ws = **opened;
  phase("open the repository");

  // The files are listed first, once (the config's includes are matched
  // against the same listing). For a plain check, when neither they nor
  // the config changed since the last complete run, that run's results
  // are the answer, and no rule is even loaded.
  std::unique_ptr<ResultStore> store = OpenStore(ws, common, o);
  const bool reads_objects = o.staged || !o.rev.empty() || !o.since.empty();
  if (store && reads_objects && !o.no_cache) LoadBlobSizes(store.get(), ws.repo.get());
  MemoState memo;
  memo.applies = MemoApplies(ws, o);
  const int64_t listed_at_ns = static_cast<int64_t>(std::time(nullptr)) * 1000000000LL;
  Result<std::vector<FileEntry>> files = ws.source->List();
  if (!files.ok()) {
    PrintError("cannot list the files of the " + ws.source->description() + ": " + files.error());
    return kExitUsage;
  }
  std::vector<FileEntry> listed = std::move(*files);
  phase("list files");
  if (memo.applies) {
    memo.listing = ListingDigest(listed, ws.source.get(), listed_at_ns, &memo.hashed);
    memo.key = MemoKey(ws, o);
    std::optional<RunMemo> current;
    if (store) current = CurrentMemo(store.get(), ws, memo);
    phase(current ? "replay the last run (nothing changed)" : "look up the run memo");
    if (current) {
      int code =
          Replay(std::move(*current), store.get(), *targets, o, &trace, clock.NowMs() - start_ms);
      store.reset();  // closed, so that the database file alone is the cache
      return ExitWithoutCleanup(code);
    }
  }
  if (Status s = ws.LoadConfig(common.workspace, &exit_code, &listed); !s.ok()) {
    PrintError(s.message());
    return exit_code;
  }
  phase("load the config");
  if (o.staged) {
    std::string unmerged = UnmergedPaths(*ws.repo);
    if (!unmerged.empty()) {
      // git refuses to commit them, and so does a pre-commit hook.
      PrintError("the index has unmerged paths (" + unmerged +
                 "): resolve the conflicts and `git add` the files, then check again");
      return kExitFailed;
    }
  }
  Result<std::vector<const Rule*>> selected = SelectRules(ws, o);
  if (!selected.ok()) {
    PrintError(selected.error());
    return kExitUsage;
  }
  std::unique_ptr<ProcessRunner> processes = NewSubprocessRunner();
  Result<std::unique_ptr<InterruptWatch>> watch = InterruptWatch::Install();
  if (!watch.ok()) PrintWarning(watch.error() + " (Ctrl-C will not stop the run cleanly)");
  PoolOptions pool_options;
  pool_options.workers = o.jobs > 0 ? o.jobs : ws.config.settings.jobs;
  if (pool_options.workers <= 0) pool_options.workers = CpuCount();
  pool_options.memory_limit = ws.config.settings.worker_memory;
  pool_options.clock = &clock;
  pool_options.interrupts = watch.ok() ? watch->get() : nullptr;
  // The workers are forked now, before the files are indexed and keyed,
  // while this process is small (engine/worker_pool.h). A replayed run
  // (above) forks none.
  pool_options.rules = &ws.graph->rules();
  pool_options.source = ws.source.get();
  pool_options.processes = processes.get();
  std::unique_ptr<Executor> pool = NewWorkerPool(pool_options);

  Snapshot snapshot = ws.SnapshotOf(std::move(listed));
  phase("index the files");
  std::unique_ptr<StoreCache> store_cache;
  MemoryCache memory_cache;  // when the store cannot open: still one run's worth
  ResultCache* cache = &memory_cache;
  if (store) {
    store_cache = std::make_unique<StoreCache>(store.get());
    cache = store_cache.get();
  }

  std::vector<const Rule*> to_run = *selected;
  if (o.staged || !o.since.empty()) {
    bool base_cached = false;
    to_run = NarrowToAffected(ws, o, snapshot, cache, store.get(), *selected, &base_cached);
    phase(base_cached ? "find the affected rules (base from the cache)"
                      : "find the affected rules");
  }

  CostModel costs = LoadCosts(store.get());

  ObserverList observers;
  std::unique_ptr<ProgressLine> progress;
  if (!o.quiet && isatty(fileno(stderr)) && std::getenv("SOTINC_NO_PROGRESS") == nullptr) {
    progress = std::make_unique<ProgressLine>(stderr, &clock, static_cast<int>(to_run.size()));
    observers.Add(progress.get());
  }
  if (!o.trace.empty()) observers.Add(&trace);

  Runner runner(ws.graph.get(), ws.source.get(), processes.get(), &clock);
  RunRequest request;
  request.rules = to_run;
  request.settings = ws.config.settings;
  request.workdir = ws.source->materialized_root();
  request.cache = cache;
  request.read_cache = !o.no_cache;
  request.explain = o.explain;
  request.executor = pool.get();
  request.start_early = o.staged || !o.since.empty();
  request.costs = &costs;
  request.interrupts = pool_options.interrupts;
  request.observer = &observers;
  phase("prepare the run");
  RunReport report = runner.Run(snapshot, request);
  pool->Stop();
  phase("run the rules");
  if (progress) progress->Clear();
  report.summary.unaffected =
      static_cast<int>(selected->size()) - static_cast<int>(report.results.size());
  if (report.summary.unaffected < 0 || report.interrupted) report.summary.unaffected = 0;
  if (store_cache) {
    store_cache->Commit();
    SaveBlobSizes(store.get(), *ws.repo);
    for (const std::string& w : store_cache->warnings()) {
      PrintWarning(w + " (results of this run were not all cached)");
    }
    RecordCosts(store.get(), report.costs);
    // Not when a result was left out of the cache: the next run must redo it.
    if (store_cache->warnings().empty() && runner.counters().unstable == 0) {
      WriteMemo(store.get(), ws, memo, report);
    }
    store->RecordRun(static_cast<int64_t>(runner.counters().rule_hits),
                     static_cast<int64_t>(runner.counters().rule_misses));
  }
  phase("write the cache");
  if (!o.trace.empty() && !WriteOutput(o.trace, trace.Json())) return kExitUsage;
  if (report.interrupted) {
    PrintError("interrupted by " + SignalName(report.interrupted) + ": " +
               std::to_string(report.results.size()) + " of " + std::to_string(to_run.size()) +
               " rules finished (their results are cached); the rest did not run");
    return kExitInterrupted;
  }

  int code = WriteReports(report, *ws.graph, *targets, o);
  // Closed (a WAL checkpoint), so that the database file alone is the cache
  // (what a CI job saves); the rest goes without freeing.
  store_cache.reset();
  store.reset();
  return ExitWithoutCleanup(code);
}

}  // namespace

void RegisterCheckCommand(CLI::App* app, CommonOptions* common, Action* action) {
  auto o = std::make_shared<CheckOptions>();
  CLI::App* cmd = app->add_subcommand("check", "Check the rules");
  cmd->add_option("--rule", o->rules, "Only this rule (repeatable)")->type_name("ID");
  cmd->add_option("--tag", o->tags, "Only rules with this tag (repeatable)")->type_name("TAG");
  cmd->add_flag("--no-cache", o->no_cache, "Run every rule fresh");
  cmd->add_option("-j,--jobs", o->jobs, "Worker processes (default: settings.jobs, auto = CPUs)")
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--trace", o->trace, "Write a Chrome trace (JSON) of the run to FILE")
      ->type_name("FILE");
  cmd->add_option("--format", o->format, "Output format")
      ->check(CLI::IsMember(ReportFormatNames()));
  cmd->add_option("--output", o->output, "Write the report to FILE")->type_name("FILE");
  cmd->add_option("--report", o->reports,
                  "Also write a report in FORMAT (text, json, sarif, junit) to FILE "
                  "(repeatable)")
      ->type_name("FORMAT=FILE");
  cmd->add_option("--fail-on", o->fail_on, "Lowest severity that fails the run")
      ->check(CLI::IsMember({"error", "warning"}));
  cmd->add_flag("-q,--quiet", o->quiet, "Print only rules that failed");
  cmd->add_option("--since", o->since, "Only rules affected by changes since merge-base(REF, HEAD)")
      ->type_name("REF");
  cmd->add_flag("--staged", o->staged,
                "Check the index snapshot, only rules affected since HEAD (pre-commit)");
  cmd->add_option("--rev", o->rev, "Check the tree of a commit")->type_name("REV");
  cmd->add_flag("--explain", o->explain, "Say why each rule ran");
  AddCacheDirOption(cmd, &o->cache_dir);
  AddCommonOptions(cmd, common);
  cmd->callback([=]() { *action = [=]() { return RunCheck(*common, *o); }; });
}

}  // namespace sotinc
