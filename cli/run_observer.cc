#include "cli/run_observer.h"

#include "cli/report.h"

namespace sotinc {
namespace {

constexpr double kRedrawMs = 100;
constexpr size_t kMaxLineBytes = 160;

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

ProgressLine::ProgressLine(FILE* out, Clock* clock, int total_rules)
    : out_(out), clock_(clock), start_ms_(clock->NowMs()), total_(total_rules) {}

ProgressLine::~ProgressLine() { Clear(); }

void ProgressLine::JobStarted(const Job&, const Rule& rule) {
  ++running_[rule.id];
  Draw(false);
}

void ProgressLine::JobEnded(const Job&, const Rule& rule, const JobOutcome&) {
  auto it = running_.find(rule.id);
  if (it != running_.end() && --it->second <= 0) running_.erase(it);
  Draw(false);
}

void ProgressLine::RuleEnded(const RuleResult& result) {
  ++done_;
  if (result.cached) ++cached_;
  if (result.status == RuleStatus::kFail || result.status == RuleStatus::kError) ++failed_;
  Draw(done_ == total_);
}

void ProgressLine::Draw(bool force) {
  double now = clock_->NowMs();
  if (!force && now - last_draw_ms_ < kRedrawMs) return;
  last_draw_ms_ = now;
  std::string line = "[" + std::to_string(done_) + "/" + std::to_string(total_) + "] " +
                     std::to_string(cached_) + " cached, " + std::to_string(failed_) +
                     " failed, " + Fixed((now - start_ms_) / 1000, 1) + "s";
  if (!running_.empty()) {
    line += "  running:";
    for (const auto& [id, jobs] : running_) {
      line += " " + id;
      if (jobs > 1) line += "(x" + std::to_string(jobs) + ")";
      if (line.size() > kMaxLineBytes) break;
    }
  }
  if (line.size() > kMaxLineBytes) line = line.substr(0, kMaxLineBytes - 3) + "...";
  std::fprintf(out_, "\r\033[K%s", line.c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::Clear() {
  if (!drawn_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  drawn_ = false;
}

void TraceRecorder::JobEnded(const Job& job, const Rule& rule, const JobOutcome& outcome) {
  Slice s;
  s.name = rule.id;
  s.category = outcome.status.ok() ? "job" : "error";
  s.track = outcome.worker + 1;
  s.start_ms = outcome.start_ms - start_ms_;
  s.duration_ms = outcome.end_ms - outcome.start_ms;
  s.args = "\"rule\": " + JsonString(rule.id) +
           ", \"files\": " + std::to_string(job.per_file ? job.files.size() : 0) +
           ", \"per_file\": " + (job.per_file ? "true" : "false") +
           ", \"ran\": true, \"bytes_read\": " + std::to_string(outcome.bytes_read);
  // The slice spans submit to the parent's reading of the outcome; run_ms
  // is the part the worker spent on it.
  if (outcome.run_ms >= 0) s.args += ", \"run_ms\": " + Fixed(outcome.run_ms, 3);
  if (!outcome.status.ok()) s.args += ", \"error\": " + JsonString(outcome.status.message());
  tracks_.insert(s.track);
  slices_.push_back(std::move(s));
}

void TraceRecorder::RuleEnded(const RuleResult& result) {
  // On the scheduler's track: when the rule ended, and for a cached rule
  // the time its key and lookup took.
  Slice s;
  s.name = result.id;
  s.category = result.cached ? "cached" : StatusName(result.status);
  s.track = 0;
  double now = clock_->NowMs() - start_ms_;
  s.duration_ms = result.cached ? result.duration_ms : 0;
  s.start_ms = now - s.duration_ms;
  s.args = "\"rule\": " + JsonString(result.id) + ", \"status\": \"" +
           StatusName(result.status) + "\", \"cached\": " + (result.cached ? "true" : "false");
  tracks_.insert(0);
  slices_.push_back(std::move(s));
}

void TraceRecorder::Phase(const std::string& name, double start_ms, double end_ms) {
  Slice s;
  s.name = name;
  s.category = "phase";
  s.start_ms = start_ms - start_ms_;
  s.duration_ms = end_ms - start_ms;
  tracks_.insert(0);
  slices_.push_back(std::move(s));
}

std::string TraceRecorder::Json() const {
  std::string out = "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [\n";
  bool first = true;
  auto add = [&](const std::string& event) {
    out += (first ? "  " : ",\n  ") + event;
    first = false;
  };
  for (int track : tracks_) {
    std::string name = track == 0 ? "scheduler" : "worker " + std::to_string(track - 1);
    add("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": " +
        std::to_string(track) + ", \"args\": {\"name\": " + JsonString(name) + "}}");
  }
  for (const Slice& s : slices_) {
    // Microseconds, as the format wants.
    add("{\"name\": " + JsonString(s.name) + ", \"cat\": " + JsonString(s.category) +
        ", \"ph\": \"X\", \"pid\": 1, \"tid\": " + std::to_string(s.track) +
        ", \"ts\": " + Fixed(s.start_ms * 1000, 1) + ", \"dur\": " +
        Fixed(s.duration_ms * 1000, 1) + ", \"args\": {" + s.args + "}}");
  }
  out += "\n]}\n";
  return out;
}

void ObserverList::JobStarted(const Job& job, const Rule& rule) {
  for (RunObserver* o : list_) o->JobStarted(job, rule);
}

void ObserverList::JobEnded(const Job& job, const Rule& rule, const JobOutcome& outcome) {
  for (RunObserver* o : list_) o->JobEnded(job, rule, outcome);
}

void ObserverList::RuleEnded(const RuleResult& result) {
  for (RunObserver* o : list_) o->RuleEnded(result);
}

}  // namespace sotinc
