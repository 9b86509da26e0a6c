#include "engine/run_memo.h"

#include <gtest/gtest.h>

#include <random>

#include "engine/keys.h"
#include "engine/runner.h"
#include "tests/testing/fake_file_source.h"

namespace sotinc {
namespace {

RunMemo SampleMemo() {
  RunMemo memo;
  memo.listing = std::string(16, '\x7f');
  memo.config_files = {{"sotinc.yaml", HashBytes("rules: []")},
                       {"rules/more.yaml", HashBytes("rules: [x]")}};
  Rule a;
  a.id = "A1";
  a.title = "Charts name their shard";
  a.description = "Every chart.yaml says which shard it is";
  a.kind = "yaml";
  a.severity = Severity::kWarning;
  a.tags = {"charts", "identity"};
  a.depends_on = {"B2"};
  a.loc = {"rules/more.yaml", 12, 3};
  Rule b;
  b.id = "B2";
  b.kind = "required_files";
  b.enabled = false;
  memo.rules.push_back(std::move(a));
  memo.rules.push_back(std::move(b));
  RuleResult fail;
  fail.id = "A1";
  fail.status = RuleStatus::kFail;
  fail.severity = Severity::kWarning;
  fail.cached = true;
  fail.findings = {{"x/chart.yaml", 2, 1, "shard_id is y, expected x"}};
  RuleResult skipped;
  skipped.id = "B2";
  skipped.status = RuleStatus::kSkipped;
  skipped.reason = "disabled";
  skipped.duration_ms = 0.25;
  memo.results = {fail, skipped};
  return memo;
}

TEST(RunMemoTest, RoundTrips) {
  RunMemo memo = SampleMemo();
  Result<RunMemo> back = DecodeRunMemo(EncodeRunMemo(memo));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(back->listing, memo.listing);
  EXPECT_EQ(back->config_files, memo.config_files);
  ASSERT_EQ(back->rules.size(), 2u);
  const Rule& a = back->rules[0];
  EXPECT_EQ(a.id, "A1");
  EXPECT_EQ(a.title, "Charts name their shard");
  EXPECT_EQ(a.description, "Every chart.yaml says which shard it is");
  EXPECT_EQ(a.kind, "yaml");
  EXPECT_EQ(a.severity, Severity::kWarning);
  EXPECT_EQ(a.tags, (std::vector<std::string>{"charts", "identity"}));
  EXPECT_EQ(a.depends_on, (std::vector<std::string>{"B2"}));
  EXPECT_EQ(a.loc.ToString(), "rules/more.yaml:12:3");
  EXPECT_TRUE(a.enabled);
  EXPECT_FALSE(back->rules[1].enabled);
  ASSERT_EQ(back->results.size(), 2u);
  EXPECT_TRUE(back->results[0].cached);
  EXPECT_EQ(back->results[0].findings, memo.results[0].findings);
  EXPECT_FALSE(back->results[1].cached);
  EXPECT_EQ(back->results[1].reason, "disabled");
  EXPECT_EQ(back->results[1].duration_ms, 0.25);
}

TEST(RunMemoTest, EveryTruncationAndEveryFlippedByteFailsCleanlyOrDecodes) {
  const std::string bytes = EncodeRunMemo(SampleMemo());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeRunMemo(bytes.substr(0, n)).ok()) << "prefix of " << n << " bytes";
  }
  std::mt19937 rng(7);
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ (1 + rng() % 255));
    // Either outcome is fine; reading out of bounds or allocating wildly is
    // not (the sanitizer build and the codec fuzzer watch for that).
    Result<RunMemo> r = DecodeRunMemo(damaged);
    if (r.ok()) {
      EXPECT_EQ(r->rules.size(), 2u) << "byte " << i;
    }
  }
  EXPECT_FALSE(DecodeRunMemo(bytes + "x").ok());
}

TEST(RunMemoTest, KeysDependOnEveryField) {
  EXPECT_EQ(RunMemoKey({"check", "sotinc.yaml"}), RunMemoKey({"check", "sotinc.yaml"}));
  EXPECT_NE(RunMemoKey({"check", "sotinc.yaml"}), RunMemoKey({"check", "sotinc.yaml", "A"}));
  // Fields cannot run into each other (a --tag may hold any text).
  EXPECT_NE(RunMemoKey({"a\nrule b"}), RunMemoKey({"a", "rule b"}));
  EXPECT_NE(RunMemoKey({"ab", "c"}), RunMemoKey({"a", "bc"}));
  EXPECT_EQ(RunMemoKey({"x"}).size(), 16u);
}

constexpr int64_t kSecond = 1000000000LL;

TEST(RunMemoTest, ListingDigestSeesEveryChangeThatCanChangeAResult) {
  testing::FakeFileSource source;
  FileEntry tracked{"a/b.py", 10, FileType::kRegular, "0123456789012345678901234567890123456789",
                    111, 222, 333};
  FileEntry untracked{"a/c.py", 5, FileType::kRegular, "", 444, 555, 666};
  const int64_t now = 100 * kSecond;  // both files settled long ago
  std::vector<HashedFile> hashed;
  const std::string base = ListingDigest({tracked, untracked}, &source, now, &hashed);
  EXPECT_EQ(ListingDigest({tracked, untracked}, &source, now, &hashed), base);
  EXPECT_TRUE(hashed.empty());

  auto changed = [&](auto edit) {
    FileEntry t = tracked, u = untracked;
    edit(t, u);
    return ListingDigest({t, u}, &source, now, &hashed);
  };
  EXPECT_NE(changed([](FileEntry& t, FileEntry&) { t.path = "a/B.py"; }), base);
  EXPECT_NE(changed([](FileEntry& t, FileEntry&) { t.content_id[0] = '1'; }), base);
  EXPECT_NE(changed([](FileEntry& t, FileEntry&) { t.type = FileType::kExecutable; }), base);
  EXPECT_NE(changed([](FileEntry& t, FileEntry&) { t.size = 11; }), base);
  // A file git has no id for is judged by the stat data the stat cache trusts.
  EXPECT_NE(changed([](FileEntry&, FileEntry& u) { u.mtime_ns = 445; }), base);
  EXPECT_NE(changed([](FileEntry&, FileEntry& u) { u.ctime_ns = 556; }), base);
  EXPECT_NE(changed([](FileEntry&, FileEntry& u) { u.ino = 667; }), base);
  // A file with a content id is that content, whatever its stat data.
  EXPECT_EQ(changed([](FileEntry& t, FileEntry&) { t.mtime_ns = 1; }), base);
  EXPECT_NE(ListingDigest({tracked}, &source, now, &hashed), base);
  EXPECT_NE(ListingDigest({}, &source, now, &hashed),
            ListingDigest({untracked}, &source, now, &hashed));
  EXPECT_TRUE(hashed.empty());
  EXPECT_TRUE(source.files_read_.empty());
}

TEST(RunMemoTest, AFileChangedMomentsAgoIsDigestedByItsBytes) {
  testing::FakeFileSource source;
  source.Add("a/c.py", "x = 1\n");
  FileEntry recent{"a/c.py", 6, FileType::kRegular, "", 10 * kSecond, 10 * kSecond, 7};
  const int64_t now = 12 * kSecond;  // modified 2 s before the listing
  std::vector<HashedFile> hashed;
  const std::string first = ListingDigest({recent}, &source, now, &hashed);
  ASSERT_EQ(hashed.size(), 1u);
  EXPECT_EQ(hashed[0].hash, HashBytes("x = 1\n"));
  EXPECT_TRUE(StillTheSame(&source, hashed));
  // Rewritten with the same size and the same timestamps: the bytes tell.
  source.Add("a/c.py", "x = 2\n");
  EXPECT_FALSE(StillTheSame(&source, hashed));
  std::vector<HashedFile> again;
  EXPECT_NE(ListingDigest({recent}, &source, now, &again), first);
  // Unreadable: no digest, so no memo.
  source.Remove("a/c.py");
  std::vector<HashedFile> gone;
  EXPECT_EQ(ListingDigest({recent}, &source, now, &gone), "");
}

TEST(RunMemoTest, OnlyFinishedRunsWithoutErrorsAreMemoized) {
  RunReport report;
  report.results = SampleMemo().results;
  EXPECT_TRUE(CanMemoize(report));
  report.interrupted = 2;
  EXPECT_FALSE(CanMemoize(report));
  report.interrupted = 0;
  RuleResult error;
  error.id = "C3";
  error.status = RuleStatus::kError;
  report.results.push_back(error);
  EXPECT_FALSE(CanMemoize(report));
}

TEST(RunMemoTest, ReplayedResultsLookLikeCacheHits) {
  RuleResult ran;
  ran.id = "A1";
  ran.status = RuleStatus::kPass;
  ran.duration_ms = 120;
  ran.explain = "input a.py changed";
  RuleResult replayed = AsReplayed(ran);
  EXPECT_TRUE(replayed.cached);
  EXPECT_EQ(replayed.duration_ms, 0);
  EXPECT_EQ(replayed.explain, "");
  RuleResult skipped;
  skipped.status = RuleStatus::kSkipped;
  skipped.reason = "prerequisite B failed";
  EXPECT_FALSE(AsReplayed(skipped).cached);
  EXPECT_EQ(AsReplayed(skipped).reason, "prerequisite B failed");
}

TEST(RunMemoTest, DescriptionKeepsWhatReportsShowAndDropsTheCheck) {
  Rule rule;
  rule.id = "A1";
  rule.title = "t";
  rule.tags = {"x"};
  rule.canonical = "kind: yaml";
  rule.timeout_ms = 5;
  Rule d = DescriptionOf(rule);
  EXPECT_EQ(d.id, "A1");
  EXPECT_EQ(d.title, "t");
  EXPECT_EQ(d.tags, rule.tags);
  EXPECT_EQ(d.check, nullptr);
  EXPECT_EQ(d.canonical, "");
}

}  // namespace
}  // namespace sotinc
