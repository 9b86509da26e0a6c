#include "engine/runner.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "engine/content_ids.h"
#include "engine/inputs.h"
#include "engine/keys.h"
#include "engine/materialize.h"
#include "engine/result_codec.h"

namespace sotinc {
namespace {

// Reads through the FileSource, counts what was read, and notices a file
// whose content is not the one its listing (and so its key) described: it
// changed after it was listed. Results built on such a read are not cached.
class CountingReader : public ContentReader {
 public:
  CountingReader(FileSource* source, RunCounters* counters)
      : source_(source), counters_(counters) {}

  Result<std::string> Read(const FileEntry& file) override {
    Result<std::string> r = source_->Read(file);
    if (!r.ok()) return r;
    ++counters_->files_read;
    counters_->bytes_read += r->size();
    bool changed = r->size() != file.size;
    if (!changed && file.content_id.empty() && expected_ids_) {
      // Hashed ids ("x:...") can be verified cheaply against the bytes read.
      auto it = expected_ids_->find(file.path);
      if (it != expected_ids_->end() && it->second.rfind("x:", 0) == 0) {
        changed = it->second != "x:" + ToHex(HashBytes(*r));
      }
    }
    if (changed) unstable_.insert(file.path);
    return r;
  }

  void set_expected_ids(const std::map<std::string, std::string>* ids) { expected_ids_ = ids; }
  bool unstable() const { return !unstable_.empty(); }
  bool unstable(const std::string& path) const { return unstable_.count(path) > 0; }

 private:
  FileSource* source_;
  RunCounters* counters_;
  const std::map<std::string, std::string>* expected_ids_ = nullptr;
  std::set<std::string> unstable_;
};

// Counts the reads ContentIds makes to hash files, so that files_read and
// bytes_read cover every content read of the run.
class CountingSource : public FileSource {
 public:
  CountingSource(FileSource* source, RunCounters* counters)
      : source_(source), counters_(counters) {}

  Result<std::vector<FileEntry>> List() override { return source_->List(); }
  Result<std::string> Read(const FileEntry& file) override {
    Result<std::string> r = source_->Read(file);
    if (r.ok()) {
      ++counters_->files_read;
      counters_->bytes_read += r->size();
    }
    return r;
  }
  std::string materialized_root() const override { return source_->materialized_root(); }
  std::string description() const override { return source_->description(); }

 private:
  FileSource* source_;
  RunCounters* counters_;
};

// What a rule's own findings depend on besides its inputs: the check as
// written, the settings it sees, and the rule's id (a command rule sees it
// as $SOTINC_RULE and as $0, so two rules with equal checks may differ).
// Not depends_on: prerequisites decide whether a rule runs, not what it
// finds, so per-file findings survive an edit of depends_on.
std::string CheckDigest(const Rule& rule, const Settings& settings) {
  KeyBuilder key;
  key.Add(kEngineKeyVersion).Add(rule.id).Add(rule.kind).Add(rule.canonical);
  key.AddU64(settings.max_file_bytes);
  return key.Finish();
}

std::string FileKey(const std::string& definition, const std::string& path,
                    const std::string& content_id) {
  KeyBuilder key;
  key.Add("file").Add(definition).Add(path).Add(content_id);
  return key.Finish();
}

std::string ManifestKey(const std::string& rule_id) {
  KeyBuilder key;
  key.Add("manifest").Add(rule_id);
  return key.Finish();
}

// Per-file findings in the cache, for one rule's evaluation.
class CachedFiles : public FileResultCache {
 public:
  CachedFiles(ResultCache* cache, bool read, const std::string& definition,
              const std::string& rule_id, const std::map<std::string, std::string>* ids,
              const CountingReader* reader, RunCounters* counters)
      : cache_(cache), read_(read), definition_(definition), rule_id_(rule_id), ids_(ids),
        reader_(reader), counters_(counters) {}

  bool Lookup(const FileEntry& file, std::vector<Finding>* findings) override {
    auto id = ids_->find(file.path);
    if (!read_ || id == ids_->end()) return false;
    std::optional<std::string> value =
        cache_->Get(CacheSpace::kFile, FileKey(definition_, file.path, id->second));
    if (!value) return false;
    Result<std::vector<Finding>> decoded = DecodeFindings(*value);
    if (!decoded.ok()) return false;  // a damaged entry is a miss
    *findings = std::move(*decoded);
    ++counters_->file_hits;
    return true;
  }

  void Store(const FileEntry& file, const std::vector<Finding>& findings) override {
    ++counters_->files_checked;
    ++fresh_;
    auto id = ids_->find(file.path);
    if (id == ids_->end() || reader_->unstable(file.path)) return;
    cache_->Put(CacheSpace::kFile, FileKey(definition_, file.path, id->second), rule_id_,
                EncodeFindings(findings));
  }

  uint64_t fresh() const { return fresh_; }

 private:
  ResultCache* cache_;
  bool read_;
  const std::string& definition_;
  const std::string& rule_id_;
  const std::map<std::string, std::string>* ids_;
  const CountingReader* reader_;
  RunCounters* counters_;
  uint64_t fresh_ = 0;
};

RuleResult Skipped(const Rule& rule, std::string reason) {
  RuleResult r;
  r.id = rule.id;
  r.severity = rule.severity;
  r.status = RuleStatus::kSkipped;
  r.reason = std::move(reason);
  return r;
}

RuleResult Errored(const Rule& rule, std::string reason) {
  RuleResult r;
  r.id = rule.id;
  r.severity = rule.severity;
  r.status = RuleStatus::kError;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

RunSummary Summarize(const std::vector<RuleResult>& results) {
  RunSummary s;
  s.rules = static_cast<int>(results.size());
  for (const RuleResult& r : results) {
    switch (r.status) {
      case RuleStatus::kPass: s.passed++; break;
      case RuleStatus::kFail: s.failed++; break;
      case RuleStatus::kError: s.errors++; break;
      case RuleStatus::kSkipped: s.skipped++; break;
    }
    if (r.status != RuleStatus::kSkipped) {
      if (r.cached) s.cached++;
      else s.ran++;
    }
  }
  return s;
}

// For comparing a rule across two configs (FindAffected): the check, and
// also what decides whether the rule runs at all (depends_on, enabled), so
// that a rule whose prerequisites changed counts as changed. The cache key
// covers prerequisites through their results instead (Runner::Run).
std::string DefinitionDigest(const Rule& rule, const Settings& settings) {
  std::vector<std::string> deps = rule.depends_on;
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  KeyBuilder key;
  key.Add(CheckDigest(rule, settings)).AddU64(rule.enabled ? 1 : 0).AddU64(deps.size());
  for (const std::string& dep : deps) key.Add(dep);
  return key.Finish();
}

RunReport Runner::Run(const Snapshot& snapshot, const RunRequest& request) {
  double start = clock_->NowMs();
  CountingSource hashing_source(source_, &counters_);
  ContentIds ids(&hashing_source, request.cache);
  std::map<std::string, RuleResult> done;
  for (const Rule* rule : graph_->TopologicalOrder(request.rules)) {
    std::string blocker;
    for (const std::string& dep : rule->depends_on) {
      auto it = done.find(dep);
      if (it == done.end()) {
        blocker = "prerequisite " + dep + " did not run (disabled)";
      } else if (it->second.status != RuleStatus::kPass) {
        blocker = "prerequisite " + dep + " did not pass (" + StatusName(it->second.status) + ")";
      }
      if (!blocker.empty()) break;
    }
    if (!blocker.empty()) {
      done.emplace(rule->id, Skipped(*rule, blocker));
      continue;
    }
    if (rule->check == nullptr) {
      done.emplace(rule->id, Errored(*rule, "internal: rule " + rule->id + " has no check"));
      continue;
    }

    // The key: definition, inputs, and the results of the prerequisites.
    double rule_start = clock_->NowMs();
    RunManifest manifest;
    manifest.definition_digest = CheckDigest(*rule, request.settings);
    manifest.inputs = CollectInputs(*rule, snapshot, &ids, request.settings.max_file_bytes);
    if (!manifest.inputs.error.empty()) {
      done.emplace(rule->id, Errored(*rule, manifest.inputs.error));
      continue;
    }
    std::vector<std::string> deps = rule->depends_on;
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    KeyBuilder key;
    key.Add("rule").Add(manifest.definition_digest).Add(manifest.inputs.Digest());
    for (const std::string& dep : deps) {
      std::string digest = ResultDigest(done.at(dep));
      key.Add(dep).Add(digest);
      manifest.deps.emplace_back(dep, digest);
    }
    std::string rule_key = key.Finish();

    if (request.cache && request.read_cache) {
      if (std::optional<std::string> value = request.cache->Get(CacheSpace::kRule, rule_key)) {
        Result<RuleResult> cached = DecodeRuleResult(*value);
        if (cached.ok()) {
          RuleResult r = std::move(*cached);
          r.id = rule->id;
          r.severity = rule->severity;
          r.cached = true;
          r.duration_ms = clock_->NowMs() - rule_start;
          ++counters_.rule_hits;
          if (request.on_result) request.on_result(r);
          done.emplace(rule->id, std::move(r));
          continue;
        }
      }
    }
    ++counters_.rule_misses;

    std::string explain;
    if (request.explain) {
      RunManifest before;
      std::optional<std::string> old =
          request.cache ? request.cache->Get(CacheSpace::kRule, ManifestKey(rule->id))
                        : std::nullopt;
      if (!request.cache) explain = "no cache";
      else if (!request.read_cache) explain = "--no-cache: every rule runs fresh";
      else if (!old || !RunManifest::Decode(*old, &before)) explain = "no cached result";
      else explain = ExplainDifference(before, manifest);
    }

    // Evaluate.
    std::map<std::string, std::string> input_ids(manifest.inputs.files.begin(),
                                                 manifest.inputs.files.end());
    CountingReader reader(source_, &counters_);
    reader.set_expected_ids(&input_ids);
    std::unique_ptr<CachedFiles> file_cache;
    if (request.cache && rule->check->per_file()) {
      file_cache = std::make_unique<CachedFiles>(request.cache, request.read_cache,
                                                 manifest.definition_digest, rule->id,
                                                 &input_ids, &reader, &counters_);
    }
    CheckContext ctx;
    ctx.tree = &snapshot.tree;
    ctx.files = &snapshot.files;
    ctx.reader = &reader;
    ctx.processes = processes_;
    ctx.max_file_bytes = request.settings.max_file_bytes;
    ctx.timeout_ms = rule->timeout_ms > 0 ? rule->timeout_ms : request.settings.timeout_ms;
    ctx.workdir = request.workdir;
    ctx.rule_id = rule->id;
    ctx.allow_empty = rule->allow_empty;
    ctx.file_cache = file_cache.get();

    RuleResult result;
    result.id = rule->id;
    result.severity = rule->severity;
    result.explain = explain;
    std::unique_ptr<TempTree> temp;
    Status status;
    if (request.workdir.empty() && std::string(rule->check->kind()) == "command") {
      // Not on disk: the command gets a private copy of its inputs.
      std::vector<const FileEntry*> files;
      const GlobList* globs = rule->check->file_globs();
      if (globs) {
        for (const GlobMatch& m : globs->MatchAll(snapshot.tree.files)) {
          files.push_back(&snapshot.files[m.index]);
        }
      } else {
        for (const FileEntry& f : snapshot.files) files.push_back(&f);
      }
      Result<std::unique_ptr<TempTree>> made = TempTree::Create(*source_, files);
      if (made.ok()) {
        temp = std::move(*made);
        ctx.workdir = temp->path();
      } else {
        status = Status::Error("cannot prepare the command's files: " + made.error());
      }
    }
    if (status.ok()) status = rule->check->Run(ctx, &result.findings);
    temp.reset();
    result.duration_ms = clock_->NowMs() - rule_start;
    if (!status.ok()) {
      result.status = RuleStatus::kError;
      result.reason = status.message();
      result.findings.clear();
    } else {
      SortFindings(&result.findings);
      result.status = result.findings.empty() ? RuleStatus::kPass : RuleStatus::kFail;
    }
    // A per-file rule whose every file came from the cache did not run.
    result.cached = file_cache && file_cache->fresh() == 0 && !manifest.inputs.files.empty() &&
                    request.read_cache;
    if (!result.cached) {
      ++counters_.rules_ran;
      counters_.ran.push_back(rule->id);
    }
    if (request.cache && result.status != RuleStatus::kError && !reader.unstable()) {
      request.cache->Put(CacheSpace::kRule, rule_key, rule->id, EncodeRuleResult(result));
      request.cache->Put(CacheSpace::kRule, ManifestKey(rule->id), rule->id, manifest.Encode());
      request.cache->Commit();
    }
    if (request.on_result) request.on_result(result);
    done.emplace(rule->id, std::move(result));
  }
  counters_.files_hashed += ids.files_hashed();
  RunReport report;
  for (auto& [id, r] : done) report.results.push_back(std::move(r));
  report.summary = Summarize(report.results);
  report.summary.duration_ms = clock_->NowMs() - start;
  return report;
}

}  // namespace sotinc
