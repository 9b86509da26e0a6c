#include "engine/runner.h"

#include <algorithm>
#include <map>

namespace sotinc {
namespace {

// Reads through the FileSource and counts what was read.
class CountingReader : public ContentReader {
 public:
  CountingReader(FileSource* source, uint64_t* files, uint64_t* bytes)
      : source_(source), files_(files), bytes_(bytes) {}

  Result<std::string> Read(const FileEntry& file) override {
    Result<std::string> r = source_->Read(file);
    if (r.ok()) {
      ++*files_;
      *bytes_ += r->size();
    }
    return r;
  }

 private:
  FileSource* source_;
  uint64_t* files_;
  uint64_t* bytes_;
};

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

RuleResult Runner::Evaluate(const Rule& rule, const Snapshot& snapshot,
                            const RunRequest& request) {
  RuleResult result;
  result.id = rule.id;
  result.severity = rule.severity;
  CountingReader reader(source_, &files_read_, &bytes_read_);
  CheckContext ctx;
  ctx.tree = &snapshot.tree;
  ctx.files = &snapshot.files;
  ctx.reader = &reader;
  ctx.processes = processes_;
  ctx.max_file_bytes = request.settings.max_file_bytes;
  ctx.timeout_ms = rule.timeout_ms > 0 ? rule.timeout_ms : request.settings.timeout_ms;
  ctx.workdir = request.workdir;
  ctx.rule_id = rule.id;
  ctx.allow_empty = rule.allow_empty;
  double start = clock_->NowMs();
  Status status = rule.check ? rule.check->Run(ctx, &result.findings)
                             : Status::Error("internal: rule " + rule.id + " has no check");
  result.duration_ms = clock_->NowMs() - start;
  if (!status.ok()) {
    result.status = RuleStatus::kError;
    result.reason = status.message();
    result.findings.clear();
  } else {
    SortFindings(&result.findings);
    result.status = result.findings.empty() ? RuleStatus::kPass : RuleStatus::kFail;
  }
  return result;
}

RunReport Runner::Run(const Snapshot& snapshot, const RunRequest& request) {
  double start = clock_->NowMs();
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
      RuleResult skipped;
      skipped.id = rule->id;
      skipped.severity = rule->severity;
      skipped.status = RuleStatus::kSkipped;
      skipped.reason = blocker;
      done.emplace(rule->id, std::move(skipped));
      continue;
    }
    done.emplace(rule->id, Evaluate(*rule, snapshot, request));
  }
  RunReport report;
  for (auto& [id, r] : done) report.results.push_back(std::move(r));
  report.summary = Summarize(report.results);
  report.summary.duration_ms = clock_->NowMs() - start;
  return report;
}

}  // namespace sotinc
