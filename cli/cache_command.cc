// `sotinc cache stats|gc --max-size SIZE|clear`: looks after the result
// cache database (store/store.h) of the repository.
//
// None of these needs a config, and none creates a database: when there is
// none, stats says so and gc and clear have nothing to do (all exit 0).
#include <sys/stat.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/command.h"
#include "rules/config.h"
#include "store/store.h"

namespace sotinc {
namespace {

struct CacheOptions {
  std::string cache_dir;  // --cache-dir
  std::string max_size;   // gc --max-size
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

bool DatabaseExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Opens the existing database; warnings (a damaged file moved aside) go to
// stderr. Null after printing the error.
std::unique_ptr<ResultStore> OpenStore(const std::string& path) {
  std::vector<std::string> warnings;
  Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path, StoreOptions(), &warnings);
  for (const std::string& w : warnings) PrintError("warning: " + w);
  if (!store.ok()) {
    PrintError(store.error());
    return nullptr;
  }
  return std::move(*store);
}

int RunStats(const CommonOptions& common, const CacheOptions& o) {
  int exit_code = kExitOk;
  std::string path = DatabasePath(common, o, &exit_code);
  if (path.empty()) return exit_code;
  if (!DatabaseExists(path)) {
    std::printf("no cache database at %s (a 'sotinc check' creates it)\n", path.c_str());
    return kExitOk;
  }
  std::unique_ptr<ResultStore> store = OpenStore(path);
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
                " per-file results), %s\n",
                stats->rule_entries + stats->file_entries, stats->rule_entries, stats->file_entries,
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
  std::unique_ptr<ResultStore> store = OpenStore(path);
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
              " per-file results; %s), least recently used first\n",
              gc->removed_entries, before->rule_entries - after->rule_entries,
              before->file_entries - after->file_entries, HumanBytes(gc->removed_bytes).c_str());
  std::printf("kept %" PRId64 " entries (%s, limit %s); %s on disk\n",
              after->rule_entries + after->file_entries, HumanBytes(gc->remaining_bytes).c_str(),
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
  std::unique_ptr<ResultStore> store = OpenStore(path);
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

void AddCacheOptions(CLI::App* cmd, CommonOptions* common, CacheOptions* o) {
  cmd->add_option("--cache-dir", o->cache_dir,
                  "The cache directory (default: $SOTINC_CACHE_DIR, else <git-common-dir>/sotinc)")
      ->type_name("DIR");
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
}

}  // namespace sotinc
