#include "engine/runner.h"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "engine/content_ids.h"
#include "engine/inputs.h"
#include "engine/keys.h"
#include "engine/materialize.h"
#include "engine/result_codec.h"

namespace sotinc {
namespace {

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
  Status ReadChunks(const FileEntry& file,
                    const std::function<void(std::string_view)>& sink) override {
    uint64_t bytes = 0;
    Status s = source_->ReadChunks(file, [&](std::string_view b) {
      bytes += b.size();
      sink(b);
    });
    if (s.ok()) {
      ++counters_->files_read;
      counters_->bytes_read += bytes;
    }
    return s;
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

// Per-file results are cached as one record per rule definition and
// top-level folder (files at the root form the group ""): a handful of
// sequential writes per run instead of one row per file, and a file judged
// again rewrites only its folder's record.
std::string_view RecordGroup(std::string_view path) {
  size_t slash = path.find('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

std::string FileRecordKey(const std::string& definition, std::string_view group) {
  KeyBuilder key;
  key.Add("file-record").Add(definition).Add(group);
  return key.Finish();
}

std::string ManifestKey(const std::string& rule_id) {
  KeyBuilder key;
  key.Add("manifest").Add(rule_id);
  return key.Finish();
}

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


namespace {

// Files of a per-file chunk cost at least this much before dispatch
// overhead (tens of microseconds per job) stops mattering.
constexpr double kMinChunkMs = 5;

// Why `rule` cannot run, or "" when every prerequisite passed. `done`
// holds the results of the prerequisites that were evaluated; one missing
// from it was left out of the run (disabled).
std::string Blocker(const Rule& rule, const std::map<std::string, RuleResult>& done) {
  for (const std::string& dep : rule.depends_on) {
    auto it = done.find(dep);
    if (it == done.end()) return "prerequisite " + dep + " did not run (disabled)";
    if (it->second.status != RuleStatus::kPass) {
      return "prerequisite " + dep + " did not pass (" + StatusName(it->second.status) + ")";
    }
  }
  return "";
}

struct Keyed {
  RunManifest manifest;
  std::string key;
};


// The rule's cache key: its definition, its inputs and the result digests
// of its prerequisites (all in `done`). Fails when an input's content id
// cannot be computed.
Result<Keyed> KeyFor(const Rule& rule, const Snapshot& snapshot, ContentIds* ids,
                     const Settings& settings, const std::map<std::string, RuleResult>& done) {
  Keyed k;
  k.manifest.definition_digest = CheckDigest(rule, settings);
  k.manifest.inputs = CollectInputs(rule, snapshot, ids, settings.max_file_bytes);
  if (!k.manifest.inputs.error.empty()) return Status::Error(k.manifest.inputs.error);
  std::vector<std::string> deps = rule.depends_on;
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  KeyBuilder key;
  key.Add("rule").Add(k.manifest.definition_digest).Add(k.manifest.inputs.Digest());
  for (const std::string& dep : deps) {
    std::string digest = ResultDigest(done.at(dep));
    key.Add(dep).Add(digest);
    k.manifest.deps.emplace_back(dep, digest);
  }
  k.key = key.Finish();
  return k;
}

std::optional<RuleResult> CachedResult(ResultCache* cache, const Rule& rule,
                                       const std::string& key) {
  std::optional<std::string> value = cache->Get(CacheSpace::kRule, key);
  if (!value) return std::nullopt;
  Result<RuleResult> decoded = DecodeRuleResult(*value);
  if (!decoded.ok()) return std::nullopt;  // a damaged entry is a miss
  RuleResult r = std::move(*decoded);
  r.id = rule.id;
  r.severity = rule.severity;
  r.cached = true;
  return r;
}

// Why a rule with no usable cached result runs, for --explain. A per-file
// rule's last inputs are read back from its per-file records.
std::string WhyItRuns(const RunRequest& request, const Rule& rule, const RunManifest& now) {
  if (!request.cache) return "no cache";
  if (!request.read_cache) return "--no-cache: every rule runs fresh";
  RunManifest before;
  std::optional<std::string> old = request.cache->Get(CacheSpace::kRule, ManifestKey(rule.id));
  if (!old || !RunManifest::Decode(*old, &before)) return "no cached result";
  for (const std::string& group : before.record_groups) {
    std::optional<std::string> value =
        request.cache->Get(CacheSpace::kFile, FileRecordKey(before.definition_digest, group));
    FileRecordIndex record;
    if (!value || !record.Parse(std::move(*value))) {
      return "no cached result (its per-file records were evicted)";
    }
    for (const FileRecordIndex::Entry& e : record.entries()) {
      before.inputs.files.emplace_back(before.inputs.Own(std::string(record.path(e))),
                                       before.inputs.Own(std::string(record.content_id(e))));
    }
  }
  return ExplainDifference(before, now);
}

// A per-file rule's inputs are all in its per-file records once they are
// written, so its manifest names their groups instead of listing them.
bool FilesInRecords(const Rule& rule) {
  return rule.check->per_file() && rule.check->file_globs() != nullptr;
}

}  // namespace

// One run: the state of every rule, the jobs out, the ready queue.
class Runner::Evaluation {
 public:
  Evaluation(Runner* runner, const Snapshot& snapshot, const RunRequest& request)
      : runner_(runner),
        snapshot_(snapshot),
        request_(request),
        counters_(&runner->counters_),
        hashing_source_(runner->source_, counters_),
        ids_(&hashing_source_, request.cache),
        inline_(runner->clock_),
        executor_(request.executor ? request.executor : &inline_) {}

  RunReport Run();

 private:
  // A rule whose jobs are out.
  struct Pending {
    const Rule* rule = nullptr;
    Keyed keyed;
    std::string explain;
    InputIdIndex input_ids;  // over keyed.manifest.inputs.files
    std::vector<Finding> findings;
    std::set<std::string> unstable;  // inputs that changed while we read them
    // Per-file rules, by record group: the cached records to rewrite (a
    // group with nothing to judge and nothing gone stays as it is and is
    // not kept here), the entries of them reused, and the files judged now.
    std::map<std::string, FileRecordIndex, std::less<>> records;
    std::map<std::string, std::vector<const FileRecordIndex::Entry*>, std::less<>> reused;
    std::map<std::string, std::vector<FileVerdict>, std::less<>> verdicts;
    // Per group, the files out in jobs whose verdicts are to be cached: a
    // group whose last such file is back is written then, not when the rule
    // ends, so that a rule over every file holds a few groups, not all.
    std::map<std::string, size_t, std::less<>> files_out;
    Status error;
    int jobs_left = 0;
    uint64_t fresh = 0;  // files judged fresh (per-file rules)
    double work_ms = 0;  // key, planning, and the sum of its jobs' durations
  };

  bool Interrupted() const {
    return (request_.interrupts && request_.interrupts->signal() != 0) ||
           executor_->interrupted() != 0;
  }
  void Resolve(const Rule* rule);
  void PlanJobs(Pending* p);
  void Dispatch();
  bool Holds();
  void Absorb(JobOutcome outcome);
  void Finalize(Pending* p);
  void WriteFileRecords(Pending* p);
  void WriteFileRecord(Pending* p, std::string_view group);
  void Complete(const Rule* rule, RuleResult result);
  Status StartExecutor();

  Runner* runner_;
  const Snapshot& snapshot_;
  const RunRequest& request_;
  RunCounters* counters_;
  CountingSource hashing_source_;
  ContentIds ids_;
  InlineExecutor inline_;
  Executor* executor_;
  CostModel default_costs_;

  std::set<std::string> in_run_;
  std::map<std::string, RuleResult> done_;
  std::map<std::string, int> waiting_on_;  // prerequisites not done yet
  std::map<std::string, double> priority_;
  std::map<std::string, uint32_t> rule_index_;
  std::vector<const Rule*> ready_;
  std::map<std::string, Pending> pending_;
  std::vector<Job> queue_;               // a heap by JobBefore
  double queued_ms_ = 0;                 // expected_ms of the jobs in queue_
  double held_since_ms_ = -1;            // when Holds() began holding, or -1
  double hold_ms_ = 0;                   // for how long it may
  std::map<uint64_t, Job> out_;          // submitted, not ended
  uint64_t next_job_ = 1;
  JobEnv env_;
  std::unique_ptr<TempTree> temp_root_;
  bool started_ = false;
  Status start_error_;
  std::vector<CostSample> costs_;
};

namespace {

// Heap order: the job to run next is the one with the highest priority,
// then the largest, then the first made (deterministic).
bool JobAfter(const Job& a, const Job& b) {
  if (a.priority != b.priority) return a.priority < b.priority;
  if (a.expected_ms != b.expected_ms) return a.expected_ms < b.expected_ms;
  return a.id > b.id;
}

}  // namespace

RunReport Runner::Evaluation::Run() {
  double start = runner_->clock_->NowMs();
  const CostModel& costs = request_.costs ? *request_.costs : default_costs_;
  std::vector<const Rule*> order = runner_->graph_->TopologicalOrder(request_.rules);
  for (const Rule* r : order) in_run_.insert(r->id);
  priority_ = CriticalPaths(*runner_->graph_, order,
                            [&](const Rule& r) { return costs.ExpectRule(r); });
  env_.snapshot = &snapshot_;
  env_.source = runner_->source_;
  env_.processes = runner_->processes_;
  env_.settings = request_.settings;
  env_.workdir = request_.workdir;
  for (const Rule* r : order) {
    rule_index_[r->id] = static_cast<uint32_t>(env_.rules.size());
    env_.rules.push_back(r);
    int waiting = 0;
    for (const std::string& dep : r->depends_on) waiting += in_run_.count(dep) ? 1 : 0;
    waiting_on_[r->id] = waiting;
    if (waiting == 0) ready_.push_back(r);
  }

  if (request_.start_early && !order.empty()) start_error_ = StartExecutor();
  int interrupted = 0;
  while (true) {
    // A rule in pending_ has a job queued or in flight, so a full pending_
    // always has something to wait for.
    while (!ready_.empty() && !Interrupted() &&
           pending_.size() < std::max<size_t>(1, request_.max_rules_in_progress)) {
      // Highest priority first, so its jobs are queued first among equals.
      auto best = std::max_element(ready_.begin(), ready_.end(), [&](const Rule* a, const Rule* b) {
        return priority_[a->id] < priority_[b->id];
      });
      const Rule* rule = *best;
      ready_.erase(best);
      Resolve(rule);
      Dispatch();  // idle workers start on its jobs while later keys are computed
    }
    if (Interrupted()) break;
    Dispatch();
    if (executor_->in_flight() == 0) {
      if (ready_.empty() && queue_.empty()) break;
      continue;
    }
    std::vector<JobOutcome> ended =
        held_since_ms_ < 0
            ? executor_->Wait()
            : executor_->WaitFor(hold_ms_ - (runner_->clock_->NowMs() - held_since_ms_));
    // Freed workers get their next job before the results are filed (which,
    // for a chunk of a per-file rule, means a cache write per file).
    if (executor_->asynchronous()) Dispatch();
    for (JobOutcome& outcome : ended) Absorb(std::move(outcome));
  }
  if (Interrupted()) {
    // Keep what the rules still out had judged: the next run starts there.
    for (auto& [id, p] : pending_) WriteFileRecords(&p);
    if (request_.cache) request_.cache->Commit();
    interrupted = executor_->interrupted();
    if (interrupted == 0 && request_.interrupts) interrupted = request_.interrupts->signal();
  }
  if (started_) executor_->Stop();
  temp_root_.reset();

  counters_->files_hashed += ids_.files_hashed();
  RunReport report;
  for (auto& [id, r] : done_) report.results.push_back(std::move(r));
  report.summary = Summarize(report.results);
  report.summary.duration_ms = runner_->clock_->NowMs() - start;
  report.interrupted = interrupted;
  report.costs = std::move(costs_);
  return report;
}

void Runner::Evaluation::Resolve(const Rule* rule) {
  std::string blocker = Blocker(*rule, done_);
  if (!blocker.empty()) return Complete(rule, Skipped(*rule, blocker));
  if (rule->check == nullptr) {
    return Complete(rule, Errored(*rule, "internal: rule " + rule->id + " has no check"));
  }
  double start = runner_->clock_->NowMs();
  Result<Keyed> keyed = KeyFor(*rule, snapshot_, &ids_, request_.settings, done_);
  if (!keyed.ok()) return Complete(rule, Errored(*rule, keyed.error()));
  if (request_.cache && request_.read_cache) {
    if (std::optional<RuleResult> hit = CachedResult(request_.cache, *rule, keyed->key)) {
      hit->duration_ms = runner_->clock_->NowMs() - start;
      ++counters_->rule_hits;
      counters_->used_cache.insert(rule->id);
      return Complete(rule, std::move(*hit));
    }
  }
  ++counters_->rule_misses;
  Pending& p = pending_[rule->id];
  p.rule = rule;
  p.keyed = std::move(*keyed);
  if (request_.explain) p.explain = WhyItRuns(request_, *rule, p.keyed.manifest);
  p.input_ids.Index(&p.keyed.manifest.inputs.files);
  PlanJobs(&p);
  p.work_ms = runner_->clock_->NowMs() - start;
  if (p.jobs_left == 0) Finalize(&p);
}

// One job for a whole rule; for a per-file rule, the dead-glob findings
// and the cached files' findings now, and chunks of the other files.
void Runner::Evaluation::PlanJobs(Pending* p) {
  const Rule& rule = *p->rule;
  const CostModel& costs = request_.costs ? *request_.costs : default_costs_;
  Job job;
  job.rule = rule_index_.at(rule.id);
  job.timeout_ms = rule.timeout_ms > 0 ? rule.timeout_ms : request_.settings.timeout_ms;
  job.priority = priority_[rule.id];
  if (!rule.check->per_file() || rule.check->file_globs() == nullptr) {
    job.id = next_job_++;
    job.expected_ms = costs.ExpectRule(rule);
    queued_ms_ += job.expected_ms;
    queue_.push_back(std::move(job));
    std::push_heap(queue_.begin(), queue_.end(), JobAfter);
    p->jobs_left = 1;
    return;
  }
  CheckContext ctx;
  ctx.tree = &snapshot_.tree;
  ctx.allow_empty = rule.allow_empty;
  std::vector<JobFile> misses;
  std::vector<double> miss_costs;
  std::set<std::string, std::less<>> judged_groups;  // with a file to judge and cache
  const bool use_records = request_.cache && request_.read_cache;
  std::vector<GlobMatch> matches = MatchFiles(ctx, *rule.check->file_globs(), &p->findings);
  if (!use_records) {  // every file is a miss: no doubling to 2x of what is needed
    misses.reserve(matches.size());
    miss_costs.reserve(matches.size());
  }
  for (GlobMatch& m : matches) {
    const FileEntry& file = snapshot_.files[m.index];
    const std::string_view* id = p->input_ids.Find(file.path);
    if (use_records && id != nullptr) {
      std::string_view group = RecordGroup(file.path);
      auto record = p->records.find(group);
      if (record == p->records.end()) {
        // Read once per group; a missing or damaged record is empty.
        record = p->records.emplace(std::string(group), FileRecordIndex()).first;
        std::optional<std::string> value = request_.cache->Get(
            CacheSpace::kFile, FileRecordKey(p->keyed.manifest.definition_digest, group));
        if (value) record->second.Parse(std::move(*value));
      }
      const FileRecordIndex& known = record->second;
      const FileRecordIndex::Entry* e = known.Find(file.path);
      if (e != nullptr && known.content_id(*e) == *id) {
        std::vector<Finding> findings = known.findings(*e);
        p->findings.insert(p->findings.end(), findings.begin(), findings.end());
        p->reused[record->first].push_back(e);
        ++counters_->file_hits;
        counters_->used_cache.insert(rule.id);
        continue;
      }
      judged_groups.insert(record->first);
    }
    if (request_.cache && id != nullptr) ++p->files_out[std::string(RecordGroup(file.path))];
    misses.push_back(JobFile{static_cast<uint32_t>(m.index), std::move(m.captures)});
    miss_costs.push_back(costs.ExpectFile(rule, file));
  }
  // A record every file of which was reused, with no file to judge, needs
  // no rewrite (a file gone since makes it smaller: rewritten). Its findings
  // are in p->findings now, so it is let go at once rather than held until
  // the rule's jobs end (with one file changed, that is all but one group).
  for (auto it = p->records.begin(); it != p->records.end();) {
    const std::string& group = it->first;
    const FileRecordIndex& known = it->second;
    auto reused = p->reused.find(group);
    if (!known.entries().empty() && !judged_groups.count(group) && reused != p->reused.end() &&
        reused->second.size() == known.entries().size()) {
      p->reused.erase(reused);
      it = p->records.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [begin, end] : PlanChunks(miss_costs, executor_->slots(), kMinChunkMs)) {
    Job chunk = job;
    chunk.id = next_job_++;
    chunk.per_file = true;
    chunk.files.assign(std::make_move_iterator(misses.begin() + begin),
                       std::make_move_iterator(misses.begin() + end));
    for (size_t i = begin; i < end; ++i) chunk.expected_ms += miss_costs[i];
    queued_ms_ += chunk.expected_ms;
    queue_.push_back(std::move(chunk));
    std::push_heap(queue_.begin(), queue_.end(), JobAfter);
    ++p->jobs_left;
  }
}

Status Runner::Evaluation::StartExecutor() {
  started_ = true;
  if (request_.workdir.empty()) {
    // Command jobs copy their inputs under one directory of the run's, so
    // that whatever a killed worker left behind goes with it.
    Result<std::unique_ptr<TempTree>> root = TempTree::Create(*runner_->source_, {});
    if (!root.ok()) return root.status();
    temp_root_ = std::move(*root);
    env_.temp_root = temp_root_->path();
  }
  return executor_->Start(env_);
}

void Runner::Evaluation::Dispatch() {
  while (!queue_.empty() && executor_->in_flight() < executor_->slots()) {
    if (started_ && Holds()) return;
    if (!started_) start_error_ = StartExecutor();
    std::pop_heap(queue_.begin(), queue_.end(), JobAfter);
    Job job = std::move(queue_.back());
    queue_.pop_back();
    queued_ms_ = queue_.empty() ? 0 : queued_ms_ - job.expected_ms;
    const Rule& rule = *env_.rules[job.rule];
    ++counters_->jobs;
    if (request_.observer) request_.observer->JobStarted(job, rule);
    if (!start_error_.ok()) {
      JobOutcome failed;
      failed.id = job.id;
      failed.status = start_error_;
      out_.emplace(job.id, std::move(job));
      Absorb(std::move(failed));
      continue;
    }
    uint64_t id = job.id;
    out_.emplace(id, job);
    executor_->Submit(out_.at(id));
  }
}

// Whether the queued jobs wait for a busy worker instead of going to one
// that would first have to decode the run's start message: only while
// they are expected to take less than that start, and for no longer than
// it would take. A run's end is then at most that much later than with
// the extra worker, and a one-file --staged run's few small jobs leave the
// second core to the parent.
bool Runner::Evaluation::Holds() {
  const double cost = executor_->StartCostMs();
  if (cost <= 0 || queued_ms_ >= cost || executor_->in_flight() == 0) {
    held_since_ms_ = -1;
    return false;
  }
  const double now = runner_->clock_->NowMs();
  if (held_since_ms_ < 0) {
    held_since_ms_ = now;
    hold_ms_ = cost;
  }
  if (now - held_since_ms_ >= hold_ms_) {
    held_since_ms_ = -1;
    return false;
  }
  return true;
}

void Runner::Evaluation::Absorb(JobOutcome outcome) {
  auto it = out_.find(outcome.id);
  if (it == out_.end()) return;  // cannot happen: executors answer what they were given
  Job job = std::move(it->second);
  out_.erase(it);
  const Rule& rule = *env_.rules[job.rule];
  Pending& p = pending_.at(rule.id);
  if (request_.observer) request_.observer->JobEnded(job, rule, outcome);
  counters_->files_read += outcome.files_read;
  counters_->bytes_read += outcome.bytes_read;
  for (const std::string& path : outcome.changed) p.unstable.insert(path);
  for (const auto& [path, id] : outcome.hashed_reads) {
    const std::string_view* expected = p.input_ids.Find(path);
    if (expected != nullptr && *expected != id) p.unstable.insert(path);
  }
  size_t judged = std::min(outcome.file_findings.size(), job.files.size());
  if (outcome.status.ok() && job.per_file && judged != job.files.size()) {
    outcome.status = Status::Error("internal: a worker judged " + std::to_string(judged) +
                                   " of " + std::to_string(job.files.size()) + " files");
  }
  double ms = outcome.run_ms >= 0 ? outcome.run_ms : outcome.end_ms - outcome.start_ms;
  p.work_ms += ms;
  if (!outcome.status.ok() && p.error.ok()) p.error = outcome.status;
  if (job.per_file) {
    if (outcome.status.ok()) {
      costs_.push_back({PerFileCostKey(rule.id), ms / static_cast<double>(job.files.size())});
    }
    for (size_t k = 0; k < job.files.size(); ++k) {
      const FileEntry& file = snapshot_.files[job.files[k].index];
      const std::string_view* id = p.input_ids.Find(file.path);
      const bool cached = request_.cache && id != nullptr;
      const std::string_view group = RecordGroup(file.path);
      if (k < judged) {
        std::vector<Finding>& findings = outcome.file_findings[k];
        ++counters_->files_checked;
        ++p.fresh;
        if (cached) {
          auto verdicts = p.verdicts.find(group);  // no key string made per file
          if (verdicts == p.verdicts.end()) {
            verdicts = p.verdicts.emplace(std::string(group), std::vector<FileVerdict>()).first;
          }
          verdicts->second.push_back(FileVerdict{file.path, std::string(*id), findings});
        }
        p.findings.insert(p.findings.end(), findings.begin(), findings.end());
      }
      if (!cached) continue;
      // A file's verdict and whether it changed while read come back in
      // the same outcome, so a group whose files are all back is final.
      auto out = p.files_out.find(group);
      if (out != p.files_out.end() && --out->second == 0) {
        const std::string ended = out->first;  // the key goes with the erase
        p.files_out.erase(out);
        WriteFileRecord(&p, ended);
      }
    }
  } else if (outcome.status.ok()) {
    p.findings.insert(p.findings.end(), outcome.findings.begin(), outcome.findings.end());
  }
  if (--p.jobs_left == 0) Finalize(&p);
}

void Runner::Evaluation::Finalize(Pending* p) {
  const Rule& rule = *p->rule;
  RuleResult result;
  result.id = rule.id;
  result.severity = rule.severity;
  result.explain = p->explain;
  if (!p->error.ok()) {
    result.status = RuleStatus::kError;
    result.reason = p->error.message();
  } else {
    result.findings = std::move(p->findings);
    SortFindings(&result.findings);
    result.status = result.findings.empty() ? RuleStatus::kPass : RuleStatus::kFail;
  }
  // A per-file rule whose every file came from the cache did not run.
  result.cached = rule.check->per_file() && p->fresh == 0 && p->error.ok() &&
                  !p->keyed.manifest.inputs.files.empty() && request_.read_cache &&
                  request_.cache != nullptr;
  if (!result.cached) {
    ++counters_->rules_ran;
    counters_->ran.push_back(rule.id);
  }
  result.duration_ms = p->work_ms;
  if (result.status != RuleStatus::kError && !result.cached) costs_.push_back({rule.id, p->work_ms});
  WriteFileRecords(p);
  if (!p->unstable.empty()) ++counters_->unstable;
  if (request_.cache && result.status != RuleStatus::kError && p->unstable.empty()) {
    RunManifest& manifest = p->keyed.manifest;
    if (FilesInRecords(rule)) {
      manifest.files_in_records = true;
      for (const auto& [path, id] : manifest.inputs.files) {
        std::string_view group = RecordGroup(path);
        if (manifest.record_groups.empty() || manifest.record_groups.back() != group) {
          manifest.record_groups.emplace_back(group);
        }
      }
      std::sort(manifest.record_groups.begin(), manifest.record_groups.end());
      manifest.record_groups.erase(
          std::unique(manifest.record_groups.begin(), manifest.record_groups.end()),
          manifest.record_groups.end());
    }
    request_.cache->Put(CacheSpace::kRule, p->keyed.key, rule.id, EncodeRuleResult(result));
    request_.cache->Put(CacheSpace::kRule, ManifestKey(rule.id), rule.id,
                        p->keyed.manifest.Encode());
  }
  if (request_.cache) request_.cache->Commit();
  std::string id = rule.id;
  Complete(&rule, std::move(result));
  pending_.erase(id);
}

// Writes the rule's per-file verdicts of the groups not written yet (also
// those of a rule that failed or was interrupted part way: the files judged
// keep their results).
void Runner::Evaluation::WriteFileRecords(Pending* p) {
  if (!request_.cache) return;
  std::set<std::string, std::less<>> groups;
  for (const auto& entry : p->verdicts) groups.insert(entry.first);
  for (const auto& entry : p->reused) groups.insert(entry.first);
  for (const std::string& group : groups) WriteFileRecord(p, group);
  p->verdicts.clear();
  p->reused.clear();
  p->records.clear();
  p->files_out.clear();
}

// Writes one group's record: the verdicts of the files judged now (less
// those that changed while they were read) and the entries reused from the
// cached record; then lets them go. A group with neither keeps its record.
void Runner::Evaluation::WriteFileRecord(Pending* p, std::string_view group) {
  auto judged = p->verdicts.find(group);
  auto reused = p->reused.find(group);
  auto record = p->records.find(group);
  std::vector<FileVerdict> verdicts;
  if (judged != p->verdicts.end()) verdicts = std::move(judged->second);
  if (!p->unstable.empty()) {
    verdicts.erase(std::remove_if(verdicts.begin(), verdicts.end(),
                                  [&](const FileVerdict& v) { return p->unstable.count(v.path); }),
                   verdicts.end());
  }
  if (reused != p->reused.end() && record != p->records.end()) {
    const FileRecordIndex& known = record->second;
    for (const FileRecordIndex::Entry* e : reused->second) {
      verdicts.push_back(FileVerdict{std::string(known.path(*e)), std::string(known.content_id(*e)),
                                     known.findings(*e)});
    }
  }
  if (judged != p->verdicts.end() || reused != p->reused.end()) {
    std::sort(verdicts.begin(), verdicts.end(),
              [](const FileVerdict& a, const FileVerdict& b) { return a.path < b.path; });
    // Equal paths cannot come from one snapshot; keep the record well formed anyway.
    verdicts.erase(std::unique(verdicts.begin(), verdicts.end(),
                               [](const FileVerdict& a, const FileVerdict& b) { return a.path == b.path; }),
                   verdicts.end());
    request_.cache->Put(CacheSpace::kFile, FileRecordKey(p->keyed.manifest.definition_digest, group),
                        p->rule->id, EncodeFileRecord(verdicts));
  }
  if (judged != p->verdicts.end()) p->verdicts.erase(judged);
  if (reused != p->reused.end()) p->reused.erase(reused);
  if (record != p->records.end()) p->records.erase(record);
}

void Runner::Evaluation::Complete(const Rule* rule, RuleResult result) {
  if (request_.on_result) request_.on_result(result);
  if (request_.observer) request_.observer->RuleEnded(result);
  done_.emplace(rule->id, std::move(result));
  for (const Rule* d : runner_->graph_->Dependents(rule->id)) {
    if (in_run_.count(d->id) && --waiting_on_[d->id] == 0) ready_.push_back(d);
  }
}

RunReport Runner::Run(const Snapshot& snapshot, const RunRequest& request) {
  Evaluation evaluation(this, snapshot, request);
  return evaluation.Run();
}

Result<std::string> Runner::Explain(const Snapshot& snapshot, const RunRequest& request,
                                    const std::string& id) {
  const Rule* target = graph_->Find(id);
  if (target == nullptr) return Status::Error("no rule " + id);
  CountingSource hashing_source(source_, &counters_);
  ContentIds ids(&hashing_source, request.cache);
  std::map<std::string, RuleResult> done;
  for (const Rule* rule : graph_->TopologicalOrder(graph_->WithPrerequisites({target}))) {
    if (!rule->enabled && rule != target) continue;  // as in a run: left out
    bool is_target = rule == target;
    std::string blocker = Blocker(*rule, done);
    if (!blocker.empty()) {
      if (is_target) return id + " would be skipped: " + blocker;
      done.emplace(rule->id, Skipped(*rule, blocker));
      continue;
    }
    if (rule->check == nullptr) return Status::Error("internal: rule " + rule->id + " has no check");
    Result<Keyed> keyed = KeyFor(*rule, snapshot, &ids, request.settings, done);
    if (!keyed.ok()) {
      return id + " would end as error: " + (is_target ? "" : rule->id + ": ") + keyed.error();
    }
    std::optional<RuleResult> hit;
    if (request.cache && request.read_cache) hit = CachedResult(request.cache, *rule, keyed->key);
    if (!hit) {
      std::string why = WhyItRuns(request, *rule, keyed->manifest);
      if (is_target) return id + " would run: " + why;
      return id + " would run after its prerequisite " + rule->id + ", which would run (" + why +
             "): its key depends on that result";
    }
    if (is_target) {
      std::string text = id + " is cached: " + StatusName(hit->status) +
                         ", and nothing it depends on changed since that run";
      if (!hit->findings.empty()) text += " (" + std::to_string(hit->findings.size()) + " findings)";
      return text;
    }
    done.emplace(rule->id, std::move(*hit));
  }
  return Status::Error("internal: rule " + id + " is not in its own prerequisites");
}

}  // namespace sotinc
