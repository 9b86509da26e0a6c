// Jobs and outcomes: the byte form that crosses the worker pipe, and
// ExecuteJob's behaviour on a per-file job that fails part-way.
#include "engine/job.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/testing/fake_file_source.h"
#include "tests/testing/fake_process_runner.h"

namespace sotinc {
namespace {

TEST(JobCodec, RoundTrips) {
  Job job;
  job.id = 1ull << 40;
  job.rule = 7;
  job.per_file = true;
  job.timeout_ms = -5;  // any value survives, negative included
  job.files = {{3, {{"shard", "a"}, {"name", ""}}}, {0, {}}, {UINT32_MAX, {{"x", "y\n"}}}};
  Job back;
  ASSERT_TRUE(DecodeJob(EncodeJob(job), &back));
  EXPECT_EQ(back.id, job.id);
  EXPECT_EQ(back.rule, job.rule);
  EXPECT_EQ(back.per_file, job.per_file);
  EXPECT_EQ(back.timeout_ms, job.timeout_ms);
  ASSERT_EQ(back.files.size(), 3u);
  EXPECT_EQ(back.files[0].index, 3u);
  EXPECT_EQ(back.files[0].captures, job.files[0].captures);
  EXPECT_EQ(back.files[2].index, UINT32_MAX);

  JobOutcome o;
  o.id = 9;
  o.status = Status::Error("worker said no");
  o.findings = {{"a", 1, 2, "m"}};
  o.file_findings = {{}, {{"b", 0, 0, "n"}}};
  o.hashed_reads = {{"c", "x:00"}};
  o.changed = {"d"};
  o.files_read = 4;
  o.bytes_read = 1ull << 33;
  o.run_ms = 0.125;
  JobOutcome ob;
  ASSERT_TRUE(DecodeOutcome(EncodeOutcome(o), &ob));
  EXPECT_EQ(ob.id, 9u);
  EXPECT_FALSE(ob.status.ok());
  EXPECT_EQ(ob.status.message(), "worker said no");
  EXPECT_EQ(ob.findings, o.findings);
  EXPECT_EQ(ob.file_findings, o.file_findings);
  EXPECT_EQ(ob.hashed_reads, o.hashed_reads);
  EXPECT_EQ(ob.changed, o.changed);
  EXPECT_EQ(ob.files_read, 4u);
  EXPECT_EQ(ob.bytes_read, o.bytes_read);
  EXPECT_EQ(ob.run_ms, 0.125);
}

TEST(JobCodec, RejectsEveryTruncationAndGarbage) {
  Job job;
  job.files = {{1, {{"k", "v"}}}};
  std::string bytes = EncodeJob(job);
  for (size_t n = 0; n < bytes.size(); ++n) {
    Job back;
    EXPECT_FALSE(DecodeJob(bytes.substr(0, n), &back)) << n;
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    Job j;
    JobOutcome o;
    DecodeJob(junk, &j);  // must not crash or over-allocate
    DecodeOutcome(junk, &o);
  }
}

class FailOnCheck : public Check {
 public:
  FailOnCheck() : globs_(std::move(*GlobList::Compile({"*"}))) {}
  const char* kind() const override { return "fail_on"; }
  bool reads_content() const override { return true; }
  bool per_file() const override { return true; }
  const GlobList* file_globs() const override { return &globs_; }
  Status CheckFile(const CheckContext&, const CheckInput& input, std::string_view content,
                   std::vector<Finding>* out) const override {
    if (content == "boom") return Status::Error("cannot judge " + input.file->path);
    out->push_back(Finding{input.file->path, 1, 0, std::string(content)});
    return Status::Ok();
  }

 private:
  GlobList globs_;
};

TEST(ExecuteJob, PerFileJobKeepsTheFilesJudgedBeforeAFailure) {
  testing::FakeFileSource source;
  source.Add("a", "one");
  source.Add("b", "boom");
  source.Add("c", "three");
  Result<Snapshot> snapshot = Snapshot::Build(source, GlobList());
  ASSERT_TRUE(snapshot.ok());
  Rule rule;
  rule.id = "R";
  rule.check = std::make_unique<FailOnCheck>();
  testing::FakeProcessRunner processes;
  JobEnv env;
  env.rules = {&rule};
  env.snapshot = &*snapshot;
  env.source = &source;
  env.processes = &processes;
  Job job;
  job.per_file = true;
  job.files = {{0, {}}, {1, {}}, {2, {}}};
  JobOutcome o = ExecuteJob(env, job, nullptr);
  EXPECT_FALSE(o.status.ok());
  EXPECT_EQ(o.status.message(), "cannot judge b");
  ASSERT_EQ(o.file_findings.size(), 1u);  // a only; c was never reached
  EXPECT_EQ(o.file_findings[0], std::vector<Finding>({{"a", 1, 0, "one"}}));
  EXPECT_EQ(o.files_read, 2u);
}

}  // namespace
}  // namespace sotinc
