// `sotinc init`: the starter config (cli/starter_config.h) and the command,
// end to end with the real binary on temp repositories: the config it
// writes loads, `sotinc check` runs on it, and it never overwrites.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/starter_config.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<FileEntry> Files(const std::vector<std::string>& paths, uint64_t size = 10) {
  std::vector<FileEntry> out;
  for (const std::string& p : paths) {
    FileEntry e;
    e.path = p;
    e.size = size;
    out.push_back(e);
  }
  return out;
}

bool Has(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

TEST(StarterConfig, AlwaysGuardsKeysConflictsAndSizes) {
  StarterConfig c = MakeStarterConfig(Files({"main.c"}));
  EXPECT_EQ(c.ids, (std::vector<std::string>{"SEC001", "GIT001", "SIZE001"}));
  EXPECT_EQ(c.text.rfind("# sotinc.yaml", 0), 0u) << c.text;
  EXPECT_NE(c.text.find("version: 1\n"), std::string::npos);
  EXPECT_NE(c.text.find("PRIVATE KEY"), std::string::npos);
}

TEST(StarterConfig, InfersRulesFromWhatIsThere) {
  StarterConfig c =
      MakeStarterConfig(Files({"README.md", "charts/a/templates/x.yaml", "charts/a/values.yml",
                               "app/tsconfig.json", "package.json", "tools/run.py"}));
  EXPECT_TRUE(Has(c.ids, "YAML001"));
  EXPECT_TRUE(Has(c.ids, "JSON001"));
  EXPECT_TRUE(Has(c.ids, "PY001"));
  EXPECT_TRUE(Has(c.ids, "DOC001"));
  EXPECT_NE(c.text.find("'!**/templates/**'"), std::string::npos) << c.text;
  EXPECT_NE(c.text.find("'!**/tsconfig*.json'"), std::string::npos) << c.text;
  EXPECT_EQ(c.text.find("'!.vscode/**'"), std::string::npos) << c.text;
  EXPECT_NE(c.text.find("files: ['README.md']"), std::string::npos) << c.text;
}

TEST(StarterConfig, OnlySotincYamlIsNoReasonForAYamlRule) {
  StarterConfig c = MakeStarterConfig(Files({"sotinc.yaml", "docs/README.md"}));
  EXPECT_FALSE(Has(c.ids, "YAML001"));
  EXPECT_FALSE(Has(c.ids, "DOC001"));  // the README is not at the root
}

TEST(StarterConfig, FilesOverMaxFileBytesAreExcludedByName) {
  std::vector<FileEntry> files = Files({"small.txt"});
  std::vector<FileEntry> big = Files({"data/big[1].bin"}, 9u << 20);
  files.insert(files.end(), big.begin(), big.end());
  StarterConfig c = MakeStarterConfig(files);
  EXPECT_NE(c.text.find("['**', '!data/big\\[1\\].bin']"), std::string::npos) << c.text;
}

TEST(StarterConfig, GlobLiteralEscapesEveryMetacharacter) {
  EXPECT_EQ(GlobLiteral("a/b.txt"), "a/b.txt");
  EXPECT_EQ(GlobLiteral("!a*?[x]{y,z}<n>\\"), "\\!a\\*\\?\\[x\\]\\{y\\,z\\}\\<n\\>\\\\");
}

// The whole point: on a realistic repository the written config loads,
// every rule runs, and a clean repository passes every rule.
TEST(InitCommand, WritesAConfigThatChecksCleanly) {
  TempRepo repo;
  repo.WriteFile("README.md", "# demo\n");
  repo.WriteFile("deploy/chart/values.yaml", "replicas: 2\n");
  repo.WriteFile("deploy/chart/templates/svc.yaml", "name: {{ .Release.Name }}\n  bad: [\n");
  repo.WriteFile("config/app.json", "{\"a\": [1, 2]}\n");
  repo.WriteFile(".vscode/settings.json", "{\n  // comments are fine here\n}\n");
  repo.WriteFile("src/app.py", "print('hi')\n");
  repo.WriteFile("assets/big.bin", std::string(9u << 20, 'x'));
  repo.Commit("project");

  RunResult r = repo.Run(Sotinc(repo, "init"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + repo.path() +
                       "/sotinc.yaml with 7 rules: SEC001, GIT001, "
                       "SIZE001, YAML001, JSON001, PY001, DOC001"),
            std::string::npos)
      << r.out;
  std::string config = Read(repo.path() + "/sotinc.yaml");
  EXPECT_NE(config.find("'!assets/big.bin'"), std::string::npos) << config;

  r = repo.Run(Sotinc(repo, "check --format json"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << config;
  EXPECT_NE(r.out.find("\"rules\": 7, \"passed\": 6, \"failed\": 1"), std::string::npos)
      << r.out;  // SIZE001 (a warning) reports assets/big.bin
  EXPECT_NE(r.out.find("\"path\": \"assets/big.bin\""), std::string::npos) << r.out;
}

TEST(InitCommand, TheStarterRulesCatchWhatTheySay) {
  TempRepo repo;
  repo.WriteFile("a.yaml", "x: [\n");
  repo.WriteFile("b.json", "{\"a\": [1, 2}\n");
  repo.WriteFile("id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n");
  repo.WriteFile("src/m.py", "x = 1\n<<<<<<< HEAD\n    breakpoint()\n");
  ASSERT_EQ(repo.Run(Sotinc(repo, "init")).exit_code, 0);
  RunResult r = repo.Run(Sotinc(repo, "check --format json"));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  for (const char* id : {"SEC001", "GIT001", "YAML001", "JSON001", "PY001"}) {
    EXPECT_NE(r.out.find(std::string("{\"id\": \"") + id + "\", \"status\": \"fail\""),
              std::string::npos)
        << id << "\n"
        << r.out;
  }
  EXPECT_NE(r.out.find("{\"id\": \"SIZE001\", \"status\": \"pass\""), std::string::npos) << r.out;
}

TEST(InitCommand, NeverOverwritesAConfig) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", "version: 1\nrules: []\n");
  RunResult r = repo.Run(Sotinc(repo, "init"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sotinc.yaml already exists: init never overwrites a config"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Read(repo.path() + "/sotinc.yaml"), "version: 1\nrules: []\n");

  // Not even through a dangling symlink.
  repo.RemoveFile("sotinc.yaml");
  ASSERT_EQ(repo.Run("ln -s nowhere.yaml sotinc.yaml").exit_code, 0);
  EXPECT_EQ(repo.Run(Sotinc(repo, "init")).exit_code, 2);
  EXPECT_EQ(repo.Run("test -e nowhere.yaml").exit_code, 1);
}

TEST(InitCommand, StdoutPrintsWithoutWritingAndConfigChoosesThePath) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", "version: 1\nrules: []\n");
  RunResult r = repo.Run(Sotinc(repo, "init --stdout"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, MakeStarterConfig(Files({"sotinc.yaml"})).text);

  repo.Run("mkdir -p ci");
  r = repo.Run(Sotinc(repo, "init --config ci/rules.yaml"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = repo.Run(Sotinc(repo, "check --config ci/rules.yaml --format json"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(InitCommand, OutsideARepositoryIsAUsageError) {
  TempRepo repo;
  RunResult r = repo.Run(std::string("'") + SOTINC_BINARY + "' -C '" + repo.path() + "/..' init");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(repo.Run("test -e ../sotinc.yaml").exit_code, 1);
}

TEST(InitCommand, CheckWithoutAConfigPointsAtInit) {
  TempRepo repo;
  repo.WriteFile("a.txt", "a\n");
  RunResult r = repo.Run(Sotinc(repo, "check"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("'sotinc init' writes a starter one"), std::string::npos) << r.err;
}

// docs/getting-started.md quotes one rule of the starter config: the quote
// must be what init writes.
TEST(InitCommand, GettingStartedQuotesTheStarterConfig) {
  std::string doc = Read(std::string(SOTINC_SOURCE_DIR) + "/docs/getting-started.md");
  size_t intro = doc.find("This is the\nprivate-key rule it wrote:");
  ASSERT_NE(intro, std::string::npos);
  size_t begin = doc.find("```yaml\n", intro);
  ASSERT_NE(begin, std::string::npos);
  begin += 8;
  std::string quote = doc.substr(begin, doc.find("```\n", begin) - begin);
  ASSERT_FALSE(quote.empty());
  EXPECT_NE(MakeStarterConfig(Files({"a.txt"})).text.find(quote), std::string::npos) << quote;
}

}  // namespace
}  // namespace sotinc
