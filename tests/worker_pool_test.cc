// The worker pool under the runner, with checks that misbehave inside the
// worker itself: a segfault, an abort, an escaped std::bad_alloc, an
// unbounded allocation under worker_memory, a hang past the timeout, a
// plain exit. Each must end as `error` with the specified reason while
// every other rule gives its normal result, nothing failed is cached, and
// no process is left behind (checked with waitpid, not with a sleep).
#include "engine/worker_pool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <thread>

#include "engine/graph.h"
#include "engine/result_cache.h"
#include "engine/runner.h"
#include "engine/scheduler.h"
#include "tests/testing/fake_file_source.h"
#include "tests/testing/fake_process_runner.h"
#include "tests/testing/sanitizers.h"

namespace sotinc {
namespace {

using testing::FakeFileSource;
using testing::FakeProcessRunner;

constexpr bool kAsan = testing::kUnderAsan;

// A per-file check that does what each file's content says: "ok", "bad"
// (a finding), "segv", "abort", "throw" (std::bad_alloc), "grow" (allocate
// until it fails), "hang", "exit".
class FaultyCheck : public Check {
 public:
  const char* kind() const override { return "faulty"; }
  bool reads_content() const override { return true; }
  bool per_file() const override { return true; }

  Status CheckFile(const CheckContext&, const CheckInput& input, std::string_view content,
                   std::vector<Finding>* out) const override {
    if (content == "bad") out->push_back(Finding{input.file->path, 1, 1, "bad"});
    if (content == "segv") {
      signal(SIGSEGV, SIG_DFL);  // past any sanitizer's handler: die as a real crash does
      raise(SIGSEGV);
    }
    if (content == "abort") {
      signal(SIGABRT, SIG_DFL);
      abort();
    }
    if (content == "throw") throw std::bad_alloc();
    if (content == "grow") {
      std::vector<std::unique_ptr<char[]>> hog;
      while (true) {
        hog.emplace_back(new char[1 << 20]);
        hog.back()[0] = 1;
      }
    }
    if (content == "hang") {
      while (true) pause();
    }
    if (content == "exit") _exit(3);
    return Status::Ok();
  }
};

class WorkerPoolTest : public ::testing::Test {
 protected:
  // One rule per directory: rule X sees the files under x/.
  void AddRule(const std::string& id, const std::string& dir) {
    Rule r;
    r.id = id;
    r.kind = "faulty";
    auto check = std::make_unique<ScopedCheck>(dir);
    r.check = std::move(check);
    rules_.push_back(std::move(r));
  }

  class ScopedCheck : public FaultyCheck {
   public:
    explicit ScopedCheck(const std::string& dir)
        : dir_globs_(std::move(*GlobList::Compile({dir + "/**"}))) {}
    const GlobList* file_globs() const override { return &dir_globs_; }

   private:
    GlobList dir_globs_;
  };

  // With `prefork`, as `sotinc check` does: the workers are forked before
  // the snapshot exists, which then reaches them in their start message.
  RunReport Run(int workers, ResultCache* cache, int64_t timeout_ms = 60000, uint64_t memory = 0,
                RunCounters* counters = nullptr, bool prefork = false) {
    graph_ = std::make_unique<RuleGraph>(rules_);
    SteadyClock clock;
    PoolOptions options;
    options.workers = workers;
    options.clock = &clock;
    options.grace_ms = 100;
    options.memory_limit = memory;
    if (start_ms_per_file_ >= 0) options.start_ms_per_file = start_ms_per_file_;
    if (prefork) {
      options.rules = &graph_->rules();
      options.source = &source_;
      options.processes = &processes_;
    }
    std::unique_ptr<Executor> pool = NewWorkerPool(options);
    if (prefork) {
      EXPECT_EQ(Children().size(), static_cast<size_t>(workers)) << "forked when made";
    }
    Result<Snapshot> snapshot = Snapshot::Build(source_, GlobList());
    EXPECT_TRUE(snapshot.ok());
    Runner runner(graph_.get(), &source_, &processes_, &clock);
    RunRequest request;
    request.rules = graph_->rules();
    request.settings.timeout_ms = timeout_ms;
    request.workdir = "/nonexistent";
    request.cache = cache;
    request.executor = pool.get();
    request.costs = costs_;
    request.observer = observer_;
    RunReport report = runner.Run(*snapshot, request);
    pool->Stop();
    if (counters) *counters = runner.counters();
    return report;
  }

  static const RuleResult& Get(const RunReport& report, const std::string& id) {
    for (const RuleResult& r : report.results) {
      if (r.id == id) return r;
    }
    static RuleResult none;
    ADD_FAILURE() << "no result for " << id;
    return none;
  }

  // The pids of this process's children (running or not yet reaped).
  static std::vector<int> Children() {
    std::ifstream in("/proc/self/task/" + std::to_string(getpid()) + "/children");
    std::vector<int> pids;
    for (int pid; in >> pid;) pids.push_back(pid);
    return pids;
  }

  // No child process of ours is left, running or unreaped.
  static void ExpectNoChildren() {
    errno = 0;
    EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD) << "a process of the run was left behind";
  }

  std::vector<Rule> rules_;
  std::unique_ptr<RuleGraph> graph_;
  const CostModel* costs_ = nullptr;  // for Run(), when set
  RunObserver* observer_ = nullptr;   // for Run(), when set
  double start_ms_per_file_ = -1;     // for Run(), when not negative
  FakeFileSource source_;
  FakeProcessRunner processes_;
};

class WorkerPoolForkTest : public WorkerPoolTest, public ::testing::WithParamInterface<bool> {};

TEST_P(WorkerPoolForkTest, CrashesBecomeErrorsOfTheirRuleOnly) {
  const bool prefork = GetParam();
  source_.Add("ok/a.txt", "ok");
  source_.Add("ok/b.txt", "bad");
  source_.Add("segv/a.txt", "ok");
  source_.Add("segv/b.txt", "segv");
  source_.Add("abort/a.txt", "abort");
  source_.Add("throw/a.txt", "throw");
  source_.Add("exit/a.txt", "exit");
  source_.Add("fine/a.txt", "ok");
  AddRule("OK", "ok");
  AddRule("SEGV", "segv");
  AddRule("ABORT", "abort");
  AddRule("THROW", "throw");
  AddRule("EXIT", "exit");
  AddRule("FINE", "fine");
  MemoryCache cache;
  RunCounters counters;
  RunReport report = Run(2, &cache, 60000, 0, &counters, prefork);
  ExpectNoChildren();

  EXPECT_EQ(Get(report, "OK").status, RuleStatus::kFail);
  ASSERT_EQ(Get(report, "OK").findings.size(), 1u);
  EXPECT_EQ(Get(report, "OK").findings[0].path, "ok/b.txt");
  EXPECT_EQ(Get(report, "FINE").status, RuleStatus::kPass);
  EXPECT_EQ(Get(report, "SEGV").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "SEGV").reason,
            "worker crashed: signal 11 (SIGSEGV) while running SEGV on segv/b.txt");
  EXPECT_EQ(Get(report, "ABORT").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "ABORT").reason,
            "worker crashed: signal 6 (SIGABRT) while running ABORT on abort/a.txt");
  EXPECT_EQ(Get(report, "THROW").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "THROW").reason, "out of memory");
  EXPECT_EQ(Get(report, "EXIT").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "EXIT").reason,
            "worker exited with status 3 while running EXIT on exit/a.txt");

  // Nothing failed was cached: those rules run again, the others do not.
  report = Run(2, &cache, 60000, 0, &counters, prefork);
  ExpectNoChildren();
  std::set<std::string> ran(counters.ran.begin(), counters.ran.end());
  EXPECT_EQ(ran, (std::set<std::string>{"ABORT", "EXIT", "SEGV", "THROW"}));
  EXPECT_TRUE(Get(report, "OK").cached);
  EXPECT_TRUE(Get(report, "FINE").cached);
}

INSTANTIATE_TEST_SUITE_P(ForkedWhenNeededOrAtOnce, WorkerPoolForkTest, ::testing::Bool());

TEST_F(WorkerPoolTest, WorkersForkedBeforeTheSnapshotGetItInTheirStartMessage) {
  // Each worker holds no snapshot when forked: every file index and rule of
  // its jobs must come from the start message, for every -j.
  for (int d = 0; d < 3; ++d) {
    for (int f = 0; f < 30; ++f) {
      source_.Add("d" + std::to_string(d) + "/sub/f" + std::to_string(f) + ".txt",
                  (f + d) % 4 == 1 ? "bad" : "ok");
    }
    AddRule("R" + std::to_string(d), "d" + std::to_string(d));
  }
  RunReport late = Run(2, nullptr);
  for (int workers : {1, 2, 3}) {
    RunReport early = Run(workers, nullptr, 60000, 0, nullptr, /*prefork=*/true);
    ExpectNoChildren();
    ASSERT_EQ(early.results.size(), 3u);
    for (size_t i = 0; i < late.results.size(); ++i) {
      EXPECT_EQ(early.results[i].status, RuleStatus::kFail);
      EXPECT_EQ(early.results[i].findings, late.results[i].findings) << late.results[i].id;
      EXPECT_FALSE(early.results[i].findings.empty());
    }
  }
}

// A worker's first job costs it the start message (the whole snapshot).
// While the worker that has it is busy, small jobs wait for it rather than
// start a second worker; work worth a worker's start gets one.
TEST_F(WorkerPoolTest, SmallJobsWaitForTheStartedWorkerAndBigOnesStartAnother) {
  for (int f = 0; f < 40000; ++f) source_.Add("filler/f" + std::to_string(f), "ok");
  CostModel costs;
  for (int d = 0; d < 6; ++d) {
    const std::string id = "R" + std::to_string(d);
    source_.Add("d" + std::to_string(d) + "/only.txt", "bad");
    AddRule(id, "d" + std::to_string(d));
  }
  struct Workers : RunObserver {
    void JobEnded(const Job&, const Rule&, const JobOutcome& outcome) override {
      used.insert(outcome.worker);
    }
    std::set<int> used;
  };
  // A worker's start is taken to cost 5 s here, so that a slow machine
  // cannot make the small jobs' wait run out.
  start_ms_per_file_ = 5000.0 / 40006;
  for (double per_file_ms : {0.01, 10000.0}) {
    SCOPED_TRACE("expected per file: " + std::to_string(per_file_ms) + " ms");
    for (int d = 0; d < 6; ++d) costs.per_file["R" + std::to_string(d)] = per_file_ms;
    Workers workers;
    costs_ = &costs;
    observer_ = &workers;
    RunReport report = Run(2, nullptr, 60000, 0, nullptr, /*prefork=*/true);
    ExpectNoChildren();
    ASSERT_EQ(report.results.size(), 6u);
    for (const RuleResult& r : report.results) {
      EXPECT_EQ(r.status, RuleStatus::kFail) << r.id;
      EXPECT_EQ(r.findings.size(), 1u) << r.id;
    }
    EXPECT_EQ(workers.used.size(), per_file_ms < 1 ? 1u : 2u);
  }
}

// Small jobs wait for a busy started worker for no longer than a worker's
// start would take: behind a job that hangs, they go to the other worker.
TEST_F(WorkerPoolTest, SmallJobsDoNotWaitLongBehindAHang) {
  source_.Add("hang/a.txt", "hang");
  source_.Add("ok/a.txt", "bad");
  AddRule("HANG", "hang");
  AddRule("OK", "ok");
  start_ms_per_file_ = 100;  // 200 ms for these 2 files
  struct Ends : RunObserver {
    void JobEnded(const Job&, const Rule& rule, const JobOutcome&) override {
      if (rule.id == "OK") ok_end_ms = clock.NowMs();
    }
    SteadyClock clock;
    double ok_end_ms = -1;
  };
  Ends ends;
  observer_ = &ends;
  const double start = ends.clock.NowMs();
  RunReport report = Run(2, nullptr, /*timeout_ms=*/3000, 0, nullptr, /*prefork=*/true);
  ExpectNoChildren();
  EXPECT_EQ(Get(report, "HANG").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "OK").status, RuleStatus::kFail);
  ASSERT_GE(ends.ok_end_ms, 0);
  EXPECT_LT(ends.ok_end_ms - start, 2000) << "OK waited for HANG's timeout";
}

TEST(JobStartCodec, CarriesTheSnapshotRulesAndSettings) {
  Rule a, b;
  a.id = "A";
  b.id = "B";
  std::vector<const Rule*> universe = {&a, &b};
  std::vector<FileEntry> files(3);
  files[0].path = "x/a.txt";
  files[0].size = 5;
  files[0].content_id = std::string(40, 'c');
  files[1].path = "x/ab.txt";
  files[1].type = FileType::kSymlink;
  files[1].content_id = "x:0123456789abcdef0123456789abcdef";
  files[1].mtime_ns = -7;
  files[1].ctime_ns = 1700000000123456789;
  files[1].ino = 42;
  files[2].path = "y z/\xff";
  Snapshot snapshot = Snapshot::FromEntries(files, GlobList());
  JobEnv env;
  env.rules = {&b, &a, &b};
  env.snapshot = &snapshot;
  env.settings.jobs = -1;
  env.settings.timeout_ms = 1234;
  env.settings.max_file_bytes = 99;
  env.settings.worker_memory = 1ull << 33;
  env.workdir = "/w";
  env.temp_root = "/t";
  const std::string bytes = EncodeJobStart(env, universe);

  JobEnv back;
  Snapshot got;
  ASSERT_TRUE(DecodeJobStart(bytes, universe, &back, &got));
  EXPECT_EQ(back.rules, env.rules);
  EXPECT_EQ(back.snapshot, &got);
  EXPECT_EQ(back.settings.jobs, -1);
  EXPECT_EQ(back.settings.timeout_ms, 1234);
  EXPECT_EQ(back.settings.max_file_bytes, 99u);
  EXPECT_EQ(back.settings.worker_memory, 1ull << 33);
  EXPECT_EQ(back.workdir, "/w");
  EXPECT_EQ(back.temp_root, "/t");
  ASSERT_EQ(got.files.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(got.files[i].path, snapshot.files[i].path);
    EXPECT_EQ(got.files[i].size, snapshot.files[i].size);
    EXPECT_EQ(got.files[i].type, snapshot.files[i].type);
    EXPECT_EQ(got.files[i].content_id, snapshot.files[i].content_id);
    EXPECT_EQ(got.files[i].mtime_ns, snapshot.files[i].mtime_ns);
    EXPECT_EQ(got.files[i].ctime_ns, snapshot.files[i].ctime_ns);
    EXPECT_EQ(got.files[i].ino, snapshot.files[i].ino);
  }
  EXPECT_EQ(got.tree.files.paths(), snapshot.tree.files.paths());
  EXPECT_EQ(got.tree.dirs.paths(), snapshot.tree.dirs.paths());

  // A rule the worker was not forked with, and every truncation, fail.
  Rule stranger;
  env.rules = {&stranger};
  EXPECT_FALSE(DecodeJobStart(EncodeJobStart(env, universe), universe, &back, &got));
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeJobStart(bytes.substr(0, n), universe, &back, &got)) << n;
  }
}

TEST_F(WorkerPoolTest, OneWorkerSurvivesEveryCrash) {
  // -j 1: the same worker slot is replaced after each crash and the run
  // still finishes every rule.
  source_.Add("a/x.txt", "segv");
  source_.Add("b/x.txt", "ok");
  source_.Add("c/x.txt", "abort");
  source_.Add("d/x.txt", "bad");
  for (const char* id : {"a", "b", "c", "d"}) AddRule(std::string(1, id[0] - 32), id);
  RunReport report = Run(1, nullptr);
  ExpectNoChildren();
  EXPECT_EQ(Get(report, "A").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "B").status, RuleStatus::kPass);
  EXPECT_EQ(Get(report, "C").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "D").status, RuleStatus::kFail);
}

TEST_F(WorkerPoolTest, HangPastTheTimeoutIsKilled) {
  source_.Add("hang/a.txt", "hang");
  source_.Add("ok/a.txt", "bad");
  AddRule("HANG", "hang");
  AddRule("OK", "ok");
  RunReport report = Run(2, nullptr, /*timeout_ms=*/300);
  ExpectNoChildren();
  EXPECT_EQ(Get(report, "HANG").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "HANG").reason, "timed out after 300ms while running HANG on hang/a.txt");
  EXPECT_EQ(Get(report, "OK").status, RuleStatus::kFail);
}

TEST_F(WorkerPoolTest, UnboundedAllocationUnderAMemoryLimit) {
  if (kAsan) GTEST_SKIP() << "AddressSanitizer reserves more address space than any limit";
  source_.Add("grow/a.txt", "grow");
  source_.Add("ok/a.txt", "ok");
  AddRule("GROW", "grow");
  AddRule("OK", "ok");
  RunReport report = Run(2, nullptr, 60000, /*memory=*/256u << 20);
  ExpectNoChildren();
  EXPECT_EQ(Get(report, "GROW").status, RuleStatus::kError);
  EXPECT_EQ(Get(report, "GROW").reason, "out of memory");
  EXPECT_EQ(Get(report, "OK").status, RuleStatus::kPass);
}

TEST_F(WorkerPoolTest, ResultsDoNotDependOnTheNumberOfWorkers) {
  for (int d = 0; d < 6; ++d) {
    for (int f = 0; f < 40; ++f) {
      source_.Add("d" + std::to_string(d) + "/f" + std::to_string(f),
                  (f * d) % 7 == 3 ? "bad" : "ok");
    }
    AddRule("R" + std::to_string(d), "d" + std::to_string(d));
  }
  RunReport one = Run(1, nullptr);
  RunReport two = Run(2, nullptr);
  RunReport four = Run(4, nullptr);
  ASSERT_EQ(one.results.size(), 6u);
  for (const RunReport* other : {&two, &four}) {
    ASSERT_EQ(other->results.size(), one.results.size());
    for (size_t i = 0; i < one.results.size(); ++i) {
      EXPECT_EQ(other->results[i].id, one.results[i].id);
      EXPECT_EQ(other->results[i].status, one.results[i].status);
      EXPECT_EQ(other->results[i].findings, one.results[i].findings) << one.results[i].id;
    }
  }
  ExpectNoChildren();
}

TEST_F(WorkerPoolTest, InterruptStopsTheRunAndKeepsWhatFinished) {
  source_.Add("hang/a.txt", "hang");
  source_.Add("ok/a.txt", "bad");
  AddRule("HANG", "hang");
  AddRule("OK", "ok");
  Result<std::unique_ptr<InterruptWatch>> watch = InterruptWatch::Install();
  ASSERT_TRUE(watch.ok()) << watch.error();
  graph_ = std::make_unique<RuleGraph>(rules_);
  Result<Snapshot> snapshot = Snapshot::Build(source_, GlobList());
  ASSERT_TRUE(snapshot.ok());
  SteadyClock clock;
  PoolOptions options;
  options.workers = 2;
  options.clock = &clock;
  options.interrupts = watch->get();
  std::unique_ptr<Executor> pool = NewWorkerPool(options);
  Runner runner(graph_.get(), &source_, &processes_, &clock);
  RunRequest request;
  request.rules = graph_->rules();
  request.workdir = "/nonexistent";
  request.executor = pool.get();
  request.interrupts = watch->get();
  MemoryCache cache;
  request.cache = &cache;
  // The signal arrives once OK has finished (HANG never does).
  request.on_result = [](const RuleResult& r) {
    if (r.id == "OK") kill(getpid(), SIGINT);
  };
  RunReport report = runner.Run(*snapshot, request);
  pool->Stop();
  ExpectNoChildren();
  EXPECT_EQ(report.interrupted, SIGINT);
  ASSERT_EQ(report.results.size(), 1u);
  EXPECT_EQ(report.results[0].id, "OK");
  EXPECT_EQ(report.results[0].status, RuleStatus::kFail);

  // The next run reuses what finished before the interrupt.
  watch->reset();
  source_.Add("hang/a.txt", "ok");
  RunCounters counters;
  report = Run(2, &cache, 60000, 0, &counters);
  ExpectNoChildren();
  EXPECT_EQ(counters.ran, std::vector<std::string>{"HANG"});
  EXPECT_TRUE(Get(report, "OK").cached);
}

}  // namespace
}  // namespace sotinc
