// The scheduler: critical-path priorities, chunk planning, and a simulated
// executor (fake durations, a simulated clock) that shows which job starts
// when and how busy the workers are.
#include "engine/scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "engine/job.h"
#include "engine/result_cache.h"
#include "engine/runner.h"
#include "tests/testing/fake_file_source.h"
#include "tests/testing/fake_process_runner.h"

namespace sotinc {
namespace {

using V = std::vector<std::string>;

class NoopCheck : public Check {
 public:
  const char* kind() const override { return "noop"; }
  bool reads_content() const override { return false; }
  Status Run(const CheckContext&, std::vector<Finding>*) const override { return Status::Ok(); }
};

std::vector<Rule> MakeRules(const std::vector<std::pair<std::string, V>>& spec) {
  std::vector<Rule> rules;
  for (const auto& [id, deps] : spec) {
    Rule r;
    r.id = id;
    r.kind = "noop";
    r.depends_on = deps;
    r.check = std::make_unique<NoopCheck>();
    rules.push_back(std::move(r));
  }
  return rules;
}

TEST(CriticalPaths, SumsTheLongestChainBelowEachRule) {
  // a -> b -> d, a -> c; e alone. Durations by id.
  std::vector<Rule> rules = MakeRules({{"a", {}}, {"b", {"a"}}, {"c", {"a"}}, {"d", {"b"}}, {"e", {}}});
  RuleGraph graph(rules);
  std::map<std::string, double> ms = {{"a", 1}, {"b", 2}, {"c", 10}, {"d", 3}, {"e", 7}};
  std::map<std::string, double> p =
      CriticalPaths(graph, graph.rules(), [&](const Rule& r) { return ms[r.id]; });
  EXPECT_EQ(p["d"], 3);
  EXPECT_EQ(p["c"], 10);
  EXPECT_EQ(p["b"], 5);
  EXPECT_EQ(p["a"], 11);  // 1 + max(b's 5, c's 10)
  EXPECT_EQ(p["e"], 7);
}

TEST(CriticalPaths, OnlyRulesInTheRunCount) {
  std::vector<Rule> rules = MakeRules({{"a", {}}, {"b", {"a"}}});
  RuleGraph graph(rules);
  std::map<std::string, double> p =
      CriticalPaths(graph, {graph.Find("a")}, [](const Rule&) { return 4.0; });
  EXPECT_EQ(p["a"], 4);  // b is not in this run
  EXPECT_EQ(p.count("b"), 0u);
}

TEST(PlanChunks, KeepsEveryWorkerBusyWithoutTinyChunks) {
  std::vector<double> costs(1000, 1.0);  // 1 s of work
  auto chunks = PlanChunks(costs, 2, 5);
  EXPECT_EQ(chunks.size(), 8u);  // about four per worker
  size_t next = 0;
  for (const auto& [begin, end] : chunks) {
    EXPECT_EQ(begin, next);
    EXPECT_EQ(end - begin, 125u);
    next = end;
  }
  EXPECT_EQ(next, costs.size());

  // Little work: chunks are never cheaper than the minimum, so 40 files of
  // 0.1 ms make a single job.
  EXPECT_EQ(PlanChunks(std::vector<double>(40, 0.1), 2, 5).size(), 1u);
  EXPECT_TRUE(PlanChunks({}, 2, 5).empty());
  // Uneven costs: cut by cost, not by count.
  auto uneven = PlanChunks({100, 1, 1, 1, 100, 1}, 1, 5);
  ASSERT_GE(uneven.size(), 2u);
  EXPECT_EQ(uneven[0], (std::pair<size_t, size_t>(0, 1)));
}

TEST(CostModel, LearnedMeansWinOverFirstGuesses) {
  std::vector<Rule> rules = MakeRules({{"a", {}}});
  CostModel costs;
  double guess = costs.ExpectRule(rules[0]);
  EXPECT_GT(guess, 0);
  costs.rule["a"] = 42;
  EXPECT_EQ(costs.ExpectRule(rules[0]), 42);
  FileEntry f;
  f.size = 1000;
  costs.per_file["a"] = 3;
  EXPECT_EQ(costs.ExpectFile(rules[0], f), 3);
}

// Runs jobs on a simulated clock: each job takes the duration the test
// gives its rule, `slots` run at once, Wait() ends the earliest.
class SimulatedExecutor : public Executor {
 public:
  SimulatedExecutor(int slots, std::map<std::string, double> ms) : slots_(slots), ms_(ms) {}

  int slots() const override { return slots_; }
  Status Start(const JobEnv& env) override {
    env_ = &env;
    ++started;
    if (cache != nullptr) cache_gets_at_start = cache->gets_;
    return Status::Ok();
  }
  void Submit(const Job& job) override {
    const std::string& id = env_->rules[job.rule]->id;
    starts.push_back(id);
    busy_at_start.push_back(static_cast<int>(running_.size()) + 1);
    JobOutcome outcome = ExecuteJob(*env_, job, nullptr);
    outcome.start_ms = now_;
    outcome.end_ms = now_ + ms_[id];
    running_.push_back(std::move(outcome));
  }
  int in_flight() const override { return static_cast<int>(running_.size()); }
  std::vector<JobOutcome> Wait() override {
    if (cache != nullptr) keyed_not_ended.push_back(cache->gets_ - ended);
    auto first = std::min_element(running_.begin(), running_.end(),
                                  [](const JobOutcome& a, const JobOutcome& b) {
                                    return a.end_ms < b.end_ms;
                                  });
    now_ = first->end_ms;
    std::vector<JobOutcome> done = {std::move(*first)};
    running_.erase(first);
    ++ended;
    return done;
  }

  V starts;                        // rule ids, in the order their jobs started
  std::vector<int> busy_at_start;  // jobs in flight once each one started
  int started = 0;                 // calls of Start()
  const MemoryCache* cache = nullptr;
  int cache_gets_at_start = -1;    // lookups the runner had made by then
  int ended = 0;                   // jobs Wait() has ended
  // At each Wait(): the rules looked up (one lookup per rule here) whose
  // job had not ended yet, which the runner holds in progress meanwhile.
  std::vector<int> keyed_not_ended;
  double now() const { return now_; }

 private:
  int slots_;
  std::map<std::string, double> ms_;
  const JobEnv* env_ = nullptr;
  std::vector<JobOutcome> running_;
  double now_ = 0;
};

// Rules over an empty repository, and a runner over them: what the
// simulations share. Run() asks for every rule.
struct World {
  explicit World(const std::vector<std::pair<std::string, V>>& spec)
      : rules(MakeRules(spec)),
        graph(rules),
        snapshot(std::move(*Snapshot::Build(source, GlobList()))) {}

  RunReport Run(RunRequest request) {
    Runner runner(&graph, &source, &processes, &clock);
    request.rules = graph.rules();
    return runner.Run(snapshot, request);
  }

  std::vector<Rule> rules;
  RuleGraph graph;
  testing::FakeFileSource source;
  testing::FakeProcessRunner processes;
  SteadyClock clock;
  Snapshot snapshot;
};

struct Simulation {
  V starts;
  std::vector<int> busy;
  double makespan = 0;
};

Simulation Simulate(const std::vector<std::pair<std::string, V>>& spec,
                    const std::map<std::string, double>& ms, int slots) {
  World world(spec);
  SimulatedExecutor executor(slots, ms);
  CostModel costs;
  costs.rule = ms;  // the learned means are exact here
  RunRequest request;
  request.executor = &executor;
  request.costs = &costs;
  world.Run(request);
  return {executor.starts, executor.busy_at_start, executor.now()};
}

TEST(Scheduling, LongestChainStartsFirst) {
  // Three short independent rules and a chain x -> y -> z of 30 in all.
  // By critical path, x starts first even though "a" sorts before it.
  Simulation s = Simulate({{"a", {}}, {"b", {}}, {"c", {}}, {"x", {}}, {"y", {"x"}}, {"z", {"y"}}},
                          {{"a", 5}, {"b", 5}, {"c", 5}, {"x", 10}, {"y", 10}, {"z", 10}}, 2);
  ASSERT_EQ(s.starts.size(), 6u);
  EXPECT_EQ(s.starts[0], "x");
  // The chain is never waiting for a worker: total time is the chain's.
  EXPECT_EQ(s.makespan, 30);
}

TEST(Scheduling, WideGraphKeepsEveryWorkerBusy) {
  // Twelve independent rules of 10 each after one root: with 3 workers,
  // every start after the root has all three busy until the tail.
  std::vector<std::pair<std::string, V>> spec = {{"root", {}}};
  std::map<std::string, double> ms = {{"root", 1}};
  for (int i = 0; i < 12; ++i) {
    std::string id = "w" + std::to_string(i);
    spec.push_back({id, {"root"}});
    ms[id] = 10;
  }
  Simulation s = Simulate(spec, ms, 3);
  ASSERT_EQ(s.starts.size(), 13u);
  EXPECT_EQ(s.starts[0], "root");
  // Once the first three are in flight, each new start fills a freed slot.
  for (size_t i = 3; i < s.busy.size(); ++i) EXPECT_EQ(s.busy[i], 3) << "start " << i;
  EXPECT_EQ(s.makespan, 1 + 4 * 10);  // 12 jobs of 10 on 3 workers, no idle gap
}

// A run starts its executor with its first job, so a run whose rules all
// come from the cache starts none; with start_early (check --staged and
// --since) it starts before the first key is looked up.
TEST(Scheduling, StartEarlyStartsTheExecutorBeforeTheFirstLookup) {
  World world({{"a", {}}, {"b", {"a"}}});
  MemoryCache cache;
  auto run = [&](bool early, SimulatedExecutor* executor) {
    executor->cache = &cache;
    RunRequest request;
    request.executor = executor;
    request.cache = &cache;
    request.start_early = early;
    world.Run(request);
  };
  const std::map<std::string, double> ms = {{"a", 1}, {"b", 1}};
  SimulatedExecutor first(2, ms);
  run(false, &first);
  EXPECT_EQ(first.started, 1);
  EXPECT_GT(first.cache_gets_at_start, 0);  // after a's lookup missed
  EXPECT_EQ(first.starts, V({"a", "b"}));

  SimulatedExecutor cached(2, ms);
  run(false, &cached);
  EXPECT_EQ(cached.started, 0);
  EXPECT_TRUE(cached.starts.empty());

  SimulatedExecutor early(2, ms);
  const int gets_before = cache.gets_;
  run(true, &early);
  EXPECT_EQ(early.started, 1);
  EXPECT_EQ(early.cache_gets_at_start, gets_before);
  EXPECT_GT(cache.gets_, gets_before);
  EXPECT_TRUE(early.starts.empty());  // started, and still nothing to run
}

// The parent keys rules ahead of the workers, but only so many: each keyed
// rule holds its inputs and planned jobs until its last job ends.
TEST(Scheduling, RulesInProgressAreBounded) {
  std::vector<std::pair<std::string, V>> spec;
  std::map<std::string, double> ms;
  for (int i = 0; i < 200; ++i) {
    const std::string id = "r" + std::to_string(1000 + i);
    spec.push_back({id, {}});
    ms[id] = 10;
  }
  World world(spec);
  auto run = [&](size_t limit) {
    MemoryCache cache;
    SimulatedExecutor executor(2, ms);
    executor.cache = &cache;
    RunRequest request;
    request.executor = &executor;
    request.cache = &cache;
    request.max_rules_in_progress = limit;
    RunReport report = world.Run(request);
    EXPECT_EQ(report.results.size(), 200u);
    EXPECT_EQ(executor.starts.size(), 200u);
    // With room for more rules than workers, no worker ever waits.
    if (limit > 2) {
      EXPECT_EQ(executor.now(), 200 * 10 / 2) << "a worker waited, limit " << limit;
    }
    return *std::max_element(executor.keyed_not_ended.begin(), executor.keyed_not_ended.end());
  };
  EXPECT_EQ(run(8), 8);
  EXPECT_EQ(run(1), 1);  // one at a time still runs every rule
  EXPECT_EQ(run(1000), 200);  // no limit: every rule keyed before the first job ended
}

TEST(Scheduling, ResultsDoNotDependOnOrder) {
  // The same graph with opposite durations gives a different start order
  // but the same results (checked by the runner's report being complete).
  Simulation fast_a = Simulate({{"a", {}}, {"b", {}}}, {{"a", 1}, {"b", 9}}, 1);
  Simulation fast_b = Simulate({{"a", {}}, {"b", {}}}, {{"a", 9}, {"b", 1}}, 1);
  EXPECT_EQ(fast_a.starts, V({"b", "a"}));
  EXPECT_EQ(fast_b.starts, V({"a", "b"}));
}

}  // namespace
}  // namespace sotinc
