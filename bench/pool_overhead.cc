// Per-job dispatch overhead of the worker pool (issue 4): how long the
// executor takes per job when the job itself does nothing.
//
//   sotinc_pool_bench [--jobs N] [--rounds R] [--files F]
//
// For each executor (InlineExecutor, then the worker pool with 1 and 2
// workers) it submits N empty whole-rule jobs (a check whose Run() returns
// at once), keeping every slot busy the way the runner does (submit while
// in_flight() < slots(), then Wait()), and reports the wall time per job.
// With --files F > 0 each job is a per-file job naming F files (no content
// is read: the check does not load content), which adds the job and
// outcome encoding of F entries. The pool is started outside the timing
// (forking the workers is a per-run cost, reported separately). Each
// configuration runs R rounds, measured alternately; the median, min and
// max of the rounds are printed, plus one JSON line per configuration for
// scripts (bench/run_bench.py reads them).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/executor.h"
#include "engine/job.h"
#include "engine/process.h"
#include "engine/rule.h"
#include "engine/snapshot.h"
#include "engine/worker_pool.h"

namespace sotinc {
namespace {

// Does nothing, as fast as possible: what is left is the dispatch.
class NoopCheck : public Check {
 public:
  const char* kind() const override { return "noop"; }
  bool reads_content() const override { return false; }
  bool per_file() const override { return true; }
  bool loads_file_content() const override { return false; }
  Status CheckFile(const CheckContext&, const CheckInput&, std::string_view,
                   std::vector<Finding>*) const override {
    return Status::Ok();
  }
  Status Run(const CheckContext&, std::vector<Finding>*) const override { return Status::Ok(); }
};

// Lists a fixed set of paths; never read.
class ListSource : public FileSource {
 public:
  explicit ListSource(int files) {
    for (int i = 0; i < files; ++i) {
      FileEntry e;
      e.path = "d/f" + std::to_string(100000 + i) + ".txt";
      e.size = 1;
      e.content_id = "x";
      files_.push_back(e);
    }
  }
  Result<std::vector<FileEntry>> List() override { return files_; }
  Result<std::string> Read(const FileEntry&) override { return Status::Error("not read"); }
  std::string materialized_root() const override { return "/nonexistent"; }
  std::string description() const override { return "bench"; }

 private:
  std::vector<FileEntry> files_;
};

struct Timing {
  double start_ms = 0;  // Start(): forking the workers
  double run_ms = 0;    // submitting and waiting for every job
};

double NowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

// Runs `jobs` jobs through a fresh executor made by `make`.
Timing RunOnce(const std::function<std::unique_ptr<Executor>()>& make, const JobEnv& env,
               int jobs, int files) {
  std::unique_ptr<Executor> ex = make();
  Timing t;
  double t0 = NowMs();
  Status s = ex->Start(env);
  if (!s.ok()) {
    std::fprintf(stderr, "sotinc_pool_bench: cannot start: %s\n", s.message().c_str());
    std::exit(1);
  }
  t.start_ms = NowMs() - t0;
  // The jobs are made before the clock starts, and kept alive until they
  // end (the executor borrows them, as the runner's out_ map does).
  std::vector<Job> all(static_cast<size_t>(jobs));
  for (int i = 0; i < jobs; ++i) {
    Job& j = all[static_cast<size_t>(i)];
    j.id = static_cast<uint64_t>(i) + 1;
    j.rule = 0;
    j.timeout_ms = 60000;
    j.per_file = files > 0;
    for (int f = 0; f < files; ++f) j.files.push_back(JobFile{static_cast<uint32_t>(f), {}});
  }
  int next = 0, ended = 0, errors = 0;
  std::string first_error;
  t0 = NowMs();
  while (ended < jobs) {
    while (next < jobs && ex->in_flight() < ex->slots()) ex->Submit(all[static_cast<size_t>(next++)]);
    for (const JobOutcome& o : ex->Wait()) {
      ++ended;
      if (!o.status.ok() && errors++ == 0) first_error = o.status.message();
    }
  }
  t.run_ms = NowMs() - t0;
  ex->Stop();
  if (errors) {
    std::fprintf(stderr, "sotinc_pool_bench: %d jobs failed; the first: %s\n", errors,
                 first_error.c_str());
    std::exit(1);
  }
  return t;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int Main(int argc, char** argv) {
  int jobs = 20000, rounds = 5, files = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](int* out) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "sotinc_pool_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      *out = std::atoi(argv[++i]);
    };
    if (a == "--jobs") value(&jobs);
    else if (a == "--rounds") value(&rounds);
    else if (a == "--files") value(&files);
    else {
      std::fprintf(stderr, "usage: sotinc_pool_bench [--jobs N] [--rounds R] [--files F]\n");
      return 2;
    }
  }
  if (jobs < 1 || rounds < 1 || files < 0) return 2;

  Rule rule;
  rule.id = "BENCH.noop";
  rule.kind = "noop";
  rule.check = std::make_unique<NoopCheck>();
  ListSource source(std::max(files, 1));
  Result<Snapshot> snapshot = Snapshot::Build(source, GlobList());
  if (!snapshot.ok()) return 1;
  JobEnv env;
  env.rules = {&rule};
  env.snapshot = &*snapshot;
  env.source = &source;
  env.workdir = "/nonexistent";
  // Workers install a spawn observer on it, so a pool needs one (unused).
  std::unique_ptr<ProcessRunner> processes = NewSubprocessRunner();
  env.processes = processes.get();

  SteadyClock clock;
  struct Config {
    std::string name;
    std::function<std::unique_ptr<Executor>()> make;
  };
  std::vector<Config> configs = {
      {"inline", [&] { return std::unique_ptr<Executor>(new InlineExecutor(&clock)); }},
  };
  for (int w : {1, 2}) {
    configs.push_back({"pool-j" + std::to_string(w), [&clock, w] {
                         PoolOptions o;
                         o.workers = w;
                         o.clock = &clock;
                         return NewWorkerPool(o);
                       }});
  }
  std::map<std::string, std::vector<double>> per_job_us, start_ms;
  for (int r = 0; r < rounds; ++r) {
    // Alternate the order so that load drifts hit every executor alike.
    std::vector<size_t> order(configs.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = r % 2 ? order.size() - 1 - k : k;
    for (size_t k : order) {
      Timing t = RunOnce(configs[k].make, env, jobs, files);
      per_job_us[configs[k].name].push_back(t.run_ms * 1000.0 / jobs);
      start_ms[configs[k].name].push_back(t.start_ms);
    }
  }
  std::printf("%d empty jobs%s per run, %d rounds (median [min, max])\n", jobs,
              files ? (" of " + std::to_string(files) + " files each").c_str() : "", rounds);
  for (const Config& c : configs) {
    const std::vector<double>& v = per_job_us[c.name];
    std::printf("  %-8s %8.2f us/job [%.2f, %.2f]   start %.2f ms\n", c.name.c_str(), Median(v),
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()),
                Median(start_ms[c.name]));
  }
  for (const Config& c : configs) {
    const std::vector<double>& v = per_job_us[c.name];
    std::printf(
        "{\"executor\": \"%s\", \"jobs\": %d, \"files_per_job\": %d, \"rounds\": %d, "
        "\"us_per_job_median\": %.3f, \"us_per_job_min\": %.3f, \"us_per_job_max\": %.3f, "
        "\"start_ms_median\": %.3f}\n",
        c.name.c_str(), jobs, files, rounds, Median(v), *std::min_element(v.begin(), v.end()),
        *std::max_element(v.begin(), v.end()), Median(start_ms[c.name]));
  }
  return 0;
}

}  // namespace
}  // namespace sotinc

int main(int argc, char** argv) { return sotinc::Main(argc, argv); }
