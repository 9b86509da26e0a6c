// `sotinc cache stats|gc --max-size SIZE|clear|verify`: looks after the
// result cache database (store/store.h) of the repository.
//
// None of these creates a database: when there is none, stats says so and
// gc, clear and verify have nothing to do (all exit 0). Only verify needs a
// config (it reruns the rules).
#include <sys/stat.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/command.h"
#include "engine/clock.h"
#include "engine/keys.h"
#include "engine/process.h"
#include "engine/runner.h"
#include "rules/config.h"
#include "store/store.h"
#include "store/store_cache.h"

namespace sotinc {
namespace {

// ", N run records" (run memos, the blob-size record and the kept bases of
// --staged/--since, docs/caching.md),
// or nothing when there are none.
std::string RunRecords(int64_t n) {
  if (n == 0) return "";
  return ", " + std::to_string(n) + (n == 1 ? " run record" : " run records");
}

struct CacheOptions {
  std::string cache_dir;  // --cache-dir
  std::string max_size;   // gc --max-size
  int sample = 0;         // verify --sample; 0 = every cached result
};

// "1.5 MiB", "512 B": for people, not for parsing.
std::string HumanBytes(int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < sizeof kUnits / sizeof kUnits[0]) {
    v /= 1024;
    ++unit;
  }
  char buf[64];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%" PRId64 " B", bytes);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", v, kUnits[unit]);
  }
  return buf;
}

std::string UtcTime(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm;
  char buf[64];
  if (gmtime_r(&t, &tm) == nullptr ||
      std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
    return "an unknown time";
  }
  return buf;
}

// The database's path, or "" (with *exit_code set) when the repository
// cannot be opened.
std::string DatabasePath(const CommonOptions& common, const CacheOptions& o, int* exit_code) {
  std::unique_ptr<GitRepo> repo = OpenRepoOrReport(common, exit_code);
  if (!repo) return "";
  return CachePath(*repo, o.cache_dir, common.workspace.dir);
}

int RunStats(const CommonOptions& common, const CacheOptions& o) {
  int exit_code = kExitOk;
  std::string path = DatabasePath(common, o, &exit_code);
  if (path.empty()) return exit_code;
  if (!DatabaseExists(path)) {
    std::printf("no cache database at %s (a 'sotinc check' creates it)\n", path.c_str());
    return kExitOk;
  }
  std::unique_ptr<ResultStore> store = OpenExistingStore(path);
  if (!store) return kExitUsage;
  Result<StoreStats> stats = store->Stats();
  if (!stats.ok()) {
    PrintError(stats.error());
    return kExitUsage;
  }
  Result<std::map<std::string, DurationStats>> durations = store->GetDurations();
  if (!durations.ok()) {
    PrintError(durations.error());
    return kExitUsage;
  }
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "database:     %s\n", path.c_str());
  out += line;
  std::snprintf(line, sizeof line,
                "entries:      %" PRId64 " (%" PRId64 " rule results, %" PRId64
                " per-file records%s), %s\n",
                stats->rule_entries + stats->file_entries + stats->run_entries,
                stats->rule_entries, stats->file_entries, RunRecords(stats->run_entries).c_str(),
                HumanBytes(stats->total_bytes).c_str());
  out += line;
  std::snprintf(line, sizeof line, "stat cache:   %" PRId64 " files\n", stats->stat_entries);
  out += line;
  std::snprintf(line, sizeof line, "durations:    %zu rules\n", durations->size());
  out += line;
  std::snprintf(line, sizeof line, "size on disk: %s\n", HumanBytes(stats->file_bytes).c_str());
  out += line;
  if (stats->last_run) {
    const RunRecord& run = *stats->last_run;
    std::snprintf(line, sizeof line,
                  "last run:     hit rate %.1f%% (%" PRId64 " hits, %" PRId64 " misses), %s\n",
                  100.0 * run.HitRate(), run.hits, run.misses, UtcTime(run.finished_ms).c_str());
  } else {
    std::snprintf(line, sizeof line, "last run:     none recorded\n");
  }
  out += line;
  return WriteOutput("", out) ? kExitOk : kExitInternal;
}

int RunGc(const CommonOptions& common, const CacheOptions& o) {
  uint64_t max_bytes = 0;
  if (!ParseSize(o.max_size, &max_bytes)) {
    PrintError("--max-size '" + o.max_size + "': expected a size such as 100MiB, 512KiB or " +
               "1000000 (units B, KiB, MiB, GiB, KB, MB, GB)");
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::string path = DatabasePath(common, o, &exit_code);
  if (path.empty()) return exit_code;
  if (!DatabaseExists(path)) {
    std::printf("no cache database at %s; nothing to do\n", path.c_str());
    return kExitOk;
  }
  std::unique_ptr<ResultStore> store = OpenExistingStore(path);
  if (!store) return kExitUsage;
  Result<StoreStats> before = store->Stats();
  if (!before.ok()) {
    PrintError(before.error());
    return kExitUsage;
  }
  const int64_t limit =
      static_cast<int64_t>(std::min<uint64_t>(max_bytes, std::numeric_limits<int64_t>::max()));
  Result<GcResult> gc = store->Gc(limit, /*vacuum=*/true);
  if (!gc.ok()) {
    PrintError(gc.error());
    return kExitUsage;
  }
  Result<StoreStats> after = store->Stats();
  if (!after.ok()) {
    PrintError(after.error());
    return kExitUsage;
  }
  std::printf("removed %" PRId64 " entries (%" PRId64 " rule results, %" PRId64
              " per-file records%s; %s), least recently used first\n",
              gc->removed_entries, before->rule_entries - after->rule_entries,
              before->file_entries - after->file_entries,
              RunRecords(before->run_entries - after->run_entries).c_str(),
              HumanBytes(gc->removed_bytes).c_str());
  std::printf("kept %" PRId64 " entries (%s, limit %s); %s on disk\n",
              after->rule_entries + after->file_entries + after->run_entries,
              HumanBytes(gc->remaining_bytes).c_str(),
              HumanBytes(limit).c_str(), HumanBytes(after->file_bytes).c_str());
  return kExitOk;
}

int RunClear(const CommonOptions& common, const CacheOptions& o) {
  int exit_code = kExitOk;
  std::string path = DatabasePath(common, o, &exit_code);
  if (path.empty()) return exit_code;
  if (!DatabaseExists(path)) {
    std::printf("no cache database at %s; nothing to do\n", path.c_str());
    return kExitOk;
  }
  std::unique_ptr<ResultStore> store = OpenExistingStore(path);
  if (!store) return kExitUsage;
  Result<StoreStats> before = store->Stats();
  if (!before.ok()) {
    PrintError(before.error());
    return kExitUsage;
  }
  if (Status s = store->Clear(); !s.ok()) {
    PrintError(s.message());
    return kExitUsage;
  }
  // Shrink the file now; the entries are gone whether or not this works.
  if (Status s = store->Vacuum(); !s.ok()) PrintError("warning: " + s.message());
  std::printf("cleared %s: removed %" PRId64 " entries (%s)\n", path.c_str(),
              before->rule_entries + before->file_entries, HumanBytes(before->total_bytes).c_str());
  return kExitOk;
}

// --- cache verify -----------------------------------------------------------

// The store seen read-only: reads come from the store (and from what this
// run put), writes stay in memory.
class ReadOnlyCache : public ResultCache {
 public:
  explicit ReadOnlyCache(ResultCache* base) : base_(base) {}

  std::optional<std::string> Get(CacheSpace space, std::string_view key) override {
    std::optional<std::string> value = written_.Get(space, key);
    return value ? value : base_->Get(space, key);
  }
  bool Put(CacheSpace space, std::string_view key, const std::string& rule_id,
           std::string_view value) override {
    return written_.Put(space, key, rule_id, value);
  }
  std::optional<std::string> GetStatHash(const FileEntry& file) override {
    std::optional<std::string> id = written_.GetStatHash(file);
    return id ? id : base_->GetStatHash(file);
  }
  void PutStatHash(const FileEntry& file, const std::string& content_id) override {
    written_.PutStatHash(file, content_id);
  }
  void Commit() override {}

 private:
  ResultCache* base_;
  MemoryCache written_;
};

std::string FindingText(const Finding& f) {
  std::string s = f.path;
  if (f.line > 0) s += (s.empty() ? "" : ":") + std::to_string(f.line);
  if (f.column > 0) s += ":" + std::to_string(f.column);
  return s.empty() ? f.message : s + ": " + f.message;
}

// Findings of `a` missing from `b` (both sorted), counting duplicates.
std::vector<Finding> Missing(const std::vector<Finding>& a, const std::vector<Finding>& b) {
  std::vector<Finding> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out), FindingLess);
  return out;
}

std::string StatusText(const RuleResult& r) {
  std::string s = StatusName(r.status);
  if (!r.reason.empty()) s += " (" + r.reason + ")";
  return s;
}

// "" when the two results agree (status, reason, findings); else what
// differs, on one line.
std::string Difference(const RuleResult& cached, const RuleResult& fresh) {
  std::string out;
  if (cached.status != fresh.status || cached.reason != fresh.reason) {
    out += "cached " + StatusText(cached) + ", fresh " + StatusText(fresh);
  }
  std::vector<Finding> a = cached.findings, b = fresh.findings;
  SortFindings(&a);
  SortFindings(&b);
  std::vector<Finding> only_cached = Missing(a, b), only_fresh = Missing(b, a);
  auto describe = [&](const char* side, const std::vector<Finding>& v) {
    if (v.empty()) return;
    if (!out.empty()) out += "; ";
    out += std::to_string(v.size()) + (v.size() == 1 ? " finding" : " findings") + " only in " +
           side + ", first: \"" + FindingText(v.front()) + "\"";
  };
  describe("the cached result", only_cached);
  describe("a fresh run", only_fresh);
  return out;
}

// The order in which --sample picks rules: by a hash of the id, so the
// sample is stable from run to run and spread over the rule set.
bool SampleLess(const std::string& a, const std::string& b) {
  std::string ha = HashBytes(a), hb = HashBytes(b);
  return ha != hb ? ha < hb : a < b;
}

// Reruns fresh the rules whose result for the current working tree came
// from the cache (in whole, or per file) and compares. Nothing is written
// to the cache.
int RunVerify(const CommonOptions& common, const CacheOptions& o) {
  int exit_code = kExitOk;
  std::unique_ptr<Workspace> opened = OpenWorkspaceOrReport(common, &exit_code);
  if (!opened) return exit_code;
  Workspace& ws = *opened;
  std::string path = CachePath(*ws.repo, o.cache_dir, common.workspace.dir);
  if (!DatabaseExists(path)) {
    std::printf("no cache database at %s; nothing to verify\n", path.c_str());
    return kExitOk;
  }
  Result<Snapshot> snapshot = ws.TakeSnapshot();
  if (!snapshot.ok()) {
    PrintError("cannot list the files of the " + ws.source->description() + ": " +
               snapshot.error());
    return kExitUsage;
  }
  std::unique_ptr<ResultStore> store = OpenExistingStore(path);
  if (!store) return kExitUsage;

  // Every enabled rule and its enabled prerequisites, as `sotinc check`.
  std::vector<const Rule*> enabled;
  for (const Rule* r : ws.graph->rules()) {
    if (r->enabled) enabled.push_back(r);
  }
  std::vector<const Rule*> all;
  for (const Rule* r : ws.graph->WithPrerequisites(enabled)) {
    if (r->enabled) all.push_back(r);
  }

  std::unique_ptr<ProcessRunner> processes = NewSubprocessRunner();
  SteadyClock clock;

  // 1. The cached run: what `sotinc check` would report now, noting which
  // rules used a cached value.
  StoreCache store_cache(store.get());
  ReadOnlyCache cache(&store_cache);
  RunRequest cached_request;
  cached_request.rules = all;
  cached_request.settings = ws.config.settings;
  cached_request.workdir = ws.source->materialized_root();
  cached_request.cache = &cache;
  cached_request.read_cache = true;
  Runner cached_runner(ws.graph.get(), ws.source.get(), processes.get(), &clock);
  RunReport cached = cached_runner.Run(*snapshot, cached_request);
  // Rules that used a cached value, whole or for some of their files.
  const std::set<std::string>& used_cache = cached_runner.counters().used_cache;

  std::vector<std::string> chosen(used_cache.begin(), used_cache.end());
  if (o.sample > 0 && static_cast<size_t>(o.sample) < chosen.size()) {
    std::sort(chosen.begin(), chosen.end(), SampleLess);
    chosen.resize(static_cast<size_t>(o.sample));
    std::sort(chosen.begin(), chosen.end());
  }
  if (chosen.empty()) {
    std::printf(
        "verified 0 cached results: the cache holds none for the current files "
        "(a 'sotinc check' fills it)\n");
    return kExitOk;
  }

  // 2. The fresh run of the chosen rules (and their prerequisites), into
  // a throwaway cache.
  std::vector<const Rule*> chosen_rules;
  for (const std::string& id : chosen) chosen_rules.push_back(ws.graph->Find(id));
  std::set<const Rule*> in_run(all.begin(), all.end());
  std::vector<const Rule*> fresh_rules;
  for (const Rule* r : ws.graph->WithPrerequisites(chosen_rules)) {
    if (in_run.count(r)) fresh_rules.push_back(r);
  }
  MemoryCache scratch;
  RunRequest fresh_request = cached_request;
  fresh_request.rules = fresh_rules;
  fresh_request.cache = &scratch;
  fresh_request.read_cache = false;
  fresh_request.on_result = nullptr;
  Runner fresh_runner(ws.graph.get(), ws.source.get(), processes.get(), &clock);
  RunReport fresh = fresh_runner.Run(*snapshot, fresh_request);

  std::map<std::string, const RuleResult*> before, after;
  for (const RuleResult& r : cached.results) before[r.id] = &r;
  for (const RuleResult& r : fresh.results) after[r.id] = &r;
  std::string out;
  int differ = 0;
  for (const std::string& id : chosen) {
    auto b = before.find(id);
    auto a = after.find(id);
    if (b == before.end() || a == after.end()) continue;  // cannot happen
    std::string diff = Difference(*b->second, *a->second);
    if (diff.empty()) continue;
    ++differ;
    out += id + ": differs from a fresh run: " + diff + "\n";
  }
  std::string count =
      std::to_string(chosen.size()) + (chosen.size() == 1 ? " cached result" : " cached results");
  if (o.sample > 0) {
    count += " (a sample of " + std::to_string(used_cache.size()) + ")";
  }
  if (differ == 0) {
    out += "verified " + count + ": all match\n";
  } else {
    out += "verified " + count + ": " + std::to_string(differ) +
           " differ (a rule that is not deterministic, or that reads files it does not "
           "declare as inputs; 'sotinc cache clear' drops the stale results)\n";
  }
  if (!WriteOutput("", out)) return kExitInternal;
  return differ == 0 ? kExitOk : kExitFailed;
}

void AddCacheOptions(CLI::App* cmd, CommonOptions* common, CacheOptions* o) {
  AddCacheDirOption(cmd, &o->cache_dir);
  AddCommonOptions(cmd, common);
}

}  // namespace

void RegisterCacheCommand(CLI::App* app, CommonOptions* common, Action* action) {
  auto o = std::make_shared<CacheOptions>();
  CLI::App* cache = app->add_subcommand("cache", "Inspect or trim the result cache");
  cache->require_subcommand(1);
  AddCacheOptions(cache, common, o.get());

  CLI::App* stats =
      cache->add_subcommand("stats", "Entries, size on disk and the last run's hit rate");
  AddCacheOptions(stats, common, o.get());
  stats->callback([=]() { *action = [=]() { return RunStats(*common, *o); }; });

  CLI::App* gc = cache->add_subcommand(
      "gc", "Delete least recently used entries until the cache fits in SIZE");
  gc->add_option("--max-size", o->max_size, "The size to trim to, e.g. 100MiB")
      ->type_name("SIZE")
      ->required();
  AddCacheOptions(gc, common, o.get());
  gc->callback([=]() { *action = [=]() { return RunGc(*common, *o); }; });

  CLI::App* clear = cache->add_subcommand("clear", "Delete every cached result");
  AddCacheOptions(clear, common, o.get());
  clear->callback([=]() { *action = [=]() { return RunClear(*common, *o); }; });

  CLI::App* verify = cache->add_subcommand(
      "verify", "Rerun the cached results of the current files fresh and report any that differ");
  verify->add_option("--sample", o->sample, "Verify only N of them, chosen deterministically")
      ->type_name("N")
      ->check(CLI::PositiveNumber);
  AddCacheOptions(verify, common, o.get());
  verify->callback([=]() { *action = [=]() { return RunVerify(*common, *o); }; });
}

}  // namespace sotinc
