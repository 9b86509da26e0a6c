// The integration files work as written: .pre-commit-hooks.yaml (run by
// the real pre-commit framework when it is installed), and the CI recipes
// under docs/ci/ parse as YAML, are the ones docs/ci.md shows, and their
// `sotinc` command lines run as written on a real repository and write
// the reports their upload and artifact steps name.
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::TempRepo;

std::string ReadSource(const std::string& rel) {
  std::ifstream in(std::string(SOTINC_SOURCE_DIR) + "/" + rel, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << rel;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The step of `job` that uses `action` (e.g. "actions/cache@v4"), or null.
YAML::Node StepUsing(const YAML::Node& job, const std::string& action) {
  for (const YAML::Node& step : job["steps"]) {
    if (step["uses"] && step["uses"].as<std::string>() == action) return step;
  }
  return YAML::Node();
}

// The `run:` of the step of `job` that runs `sotinc check`.
std::string CheckCommand(const YAML::Node& job) {
  for (const YAML::Node& step : job["steps"]) {
    if (step["run"] && step["run"].as<std::string>().rfind("sotinc check", 0) == 0) {
      return step["run"].as<std::string>();
    }
  }
  return "";
}

std::string OptionValue(const std::string& command, const std::string& option) {
  std::string value;
  RE2::PartialMatch(command, option + "[ =](\\S+)", &value);
  return value;
}

// A repository with a remote `origin` whose main is the first commit, and
// one more commit that adds a private key: the rule fails.
void MakeRepoWithOrigin(TempRepo* repo) {
  repo->WriteFile("sotinc.yaml", R"(version: 1
rules:
  - id: NOKEY
    title: No private keys
    check: {kind: forbid_regex, files: "**", pattern: "BEGIN [A-Z]+ PRIVATE KEY"}
)");
  repo->WriteFile("README.md", "hello\n");
  repo->Commit("init");
  repo->Git("clone -q --bare . ../origin.git");
  repo->Git("remote add origin ../origin.git");
  repo->Git("fetch -q origin");
  repo->Git("checkout -q -b feature");
  repo->WriteFile("deploy/id_rsa", "-----BEGIN RSA PRIVATE KEY-----\n");
  repo->Commit("add a key");
}

// `command` as a shell line in repo, with `sotinc` the binary under test.
RunResult RunAsWritten(TempRepo& repo, const std::string& command) {
  std::string line = command;
  EXPECT_EQ(line.rfind("sotinc ", 0), 0u) << line;
  line.replace(0, 6, std::string("'") + SOTINC_BINARY + "'");
  return repo.Run(line);
}

TEST(CiFiles, PreCommitHookManifest) {
  YAML::Node hooks = YAML::Load(ReadSource(".pre-commit-hooks.yaml"));
  ASSERT_TRUE(hooks.IsSequence());
  ASSERT_EQ(hooks.size(), 1u);
  YAML::Node hook = hooks[0];
  EXPECT_EQ(hook["id"].as<std::string>(), "sotinc");
  EXPECT_EQ(hook["name"].as<std::string>(), "sotinc");
  EXPECT_EQ(hook["entry"].as<std::string>(), "sotinc check --staged");
  EXPECT_EQ(hook["language"].as<std::string>(), "system");
  EXPECT_FALSE(hook["pass_filenames"].as<bool>());
  EXPECT_TRUE(hook["always_run"].as<bool>());
}

TEST(CiFiles, PreCommitFrameworkRunsTheHookOnTheStagedSnapshot) {
  TempRepo repo;
  if (repo.Run("command -v pre-commit").exit_code != 0) {
    GTEST_SKIP() << "pre-commit not found: install Debian's pre-commit package "
                    "(bash scripts/install-deps.sh does)";
  }
  // A hook repository holding only the manifest, as a user's clone of
  // sotinc would provide it.
  std::string hooks = repo.path() + "/../hooks";
  repo.WriteFile("../hooks/.pre-commit-hooks.yaml", ReadSource(".pre-commit-hooks.yaml"));
  RunResult init = repo.Run("cd '" + hooks +
                            "' && git init -q -b main && git add -A && "
                            "git -c user.name=t -c user.email=t@t commit -q -m hooks");
  ASSERT_EQ(init.exit_code, 0) << init.err;

  repo.WriteFile("sotinc.yaml", R"(version: 1
rules:
  - id: NOKEY
    check: {kind: forbid_regex, files: "**", pattern: "BEGIN [A-Z]+ PRIVATE KEY"}
)");
  repo.Commit("init");
  repo.WriteFile("staged.pem", "-----BEGIN RSA PRIVATE KEY-----\n");
  repo.Stage("staged.pem");
  repo.WriteFile("untracked.pem", "-----BEGIN EC PRIVATE KEY-----\n");  // not in the commit

  std::string bin_dir = SOTINC_BINARY;
  bin_dir = bin_dir.substr(0, bin_dir.rfind('/'));
  RunResult r =
      repo.Run("PATH='" + bin_dir + "':\"$PATH\" PRE_COMMIT_HOME='" + repo.path() +
               "/../pre-commit-home' pre-commit try-repo '" + hooks + "' sotinc --ref HEAD 2>&1");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(RE2::PartialMatch(r.out, "sotinc\\.+Failed")) << r.out;
  EXPECT_NE(r.out.find("staged.pem:1:6: error: forbidden pattern"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("untracked.pem"), std::string::npos) << r.out;
}

TEST(CiFiles, DocsShowTheRecipeFilesVerbatim) {
  std::string doc = ReadSource("docs/ci.md");
  for (const char* file :
       {"docs/ci/github-actions.yml", "docs/ci/gitlab-ci.yml", ".pre-commit-hooks.yaml"}) {
    std::string content = ReadSource(file);
    ASSERT_FALSE(content.empty()) << file;
    EXPECT_NE(doc.find("```yaml\n" + content + "```\n"), std::string::npos)
        << "docs/ci.md must show " << file << " exactly, in a ```yaml block";
  }
}

TEST(CiFiles, GithubWorkflowRunsAsWritten) {
  YAML::Node wf = YAML::Load(ReadSource("docs/ci/github-actions.yml"));
  ASSERT_TRUE(wf["on"]["pull_request"]) << "the workflow must run on pull requests";
  ASSERT_TRUE(wf["on"]["schedule"][0]["cron"]) << "the workflow must run nightly";

  YAML::Node pr = wf["jobs"]["pull-request"];
  ASSERT_TRUE(pr.IsMap());
  EXPECT_EQ(pr["permissions"]["security-events"].as<std::string>(), "write");
  YAML::Node checkout = StepUsing(pr, "actions/checkout@v4");
  ASSERT_TRUE(checkout);
  EXPECT_EQ(checkout["with"]["fetch-depth"].as<int>(), 0);
  std::string pr_check = CheckCommand(pr);
  EXPECT_NE(pr_check.find("--since origin/main"), std::string::npos) << pr_check;
  YAML::Node upload = StepUsing(pr, "github/codeql-action/upload-sarif@v3");
  ASSERT_TRUE(upload);
  EXPECT_EQ(upload["if"].as<std::string>(), "always()");
  std::string sarif = upload["with"]["sarif_file"].as<std::string>();
  EXPECT_EQ(OptionValue(pr_check, "--report"), "sarif=" + sarif);
  YAML::Node pr_cache = StepUsing(pr, "actions/cache/restore@v4");
  ASSERT_TRUE(pr_cache);
  EXPECT_EQ(pr_cache["with"]["path"].as<std::string>(), OptionValue(pr_check, "--cache-dir"));

  YAML::Node nightly = wf["jobs"]["nightly"];
  ASSERT_TRUE(nightly.IsMap());
  std::string nightly_check = CheckCommand(nightly);
  EXPECT_NE(nightly_check.find("--no-cache"), std::string::npos) << nightly_check;
  YAML::Node restore = StepUsing(nightly, "actions/cache/restore@v4");
  ASSERT_TRUE(restore);
  EXPECT_EQ(restore["with"]["path"].as<std::string>(), OptionValue(nightly_check, "--cache-dir"));
  YAML::Node save = StepUsing(nightly, "actions/cache/save@v4");
  ASSERT_TRUE(save);
  EXPECT_EQ(save["if"].as<std::string>(), "always()");  // sotinc exits 1 when a rule fails
  EXPECT_EQ(save["with"]["path"].as<std::string>(), OptionValue(nightly_check, "--cache-dir"));
  // What the nightly run saves is what pull requests restore.
  std::string prefix = pr_cache["with"]["restore-keys"].as<std::string>();
  EXPECT_EQ(restore["with"]["restore-keys"].as<std::string>(), prefix);
  EXPECT_EQ(save["with"]["key"].as<std::string>().rfind(prefix, 0), 0u);
  YAML::Node nightly_upload = StepUsing(nightly, "github/codeql-action/upload-sarif@v3");
  ASSERT_TRUE(nightly_upload);
  EXPECT_EQ(OptionValue(nightly_check, "--report"),
            "sarif=" + nightly_upload["with"]["sarif_file"].as<std::string>());

  // The two command lines, run as written (HOME is the test's own).
  TempRepo repo;
  MakeRepoWithOrigin(&repo);
  RunResult r = RunAsWritten(repo, pr_check);
  EXPECT_EQ(r.exit_code, 1) << pr_check << "\n" << r.out << r.err;
  EXPECT_NE(r.out.find("deploy/id_rsa:1:6: error: forbidden pattern"), std::string::npos) << r.out;
  YAML::Node log = YAML::Load(ReadFile(repo.path() + "/" + sarif));
  ASSERT_EQ(log["runs"][0]["results"].size(), 1u);
  EXPECT_EQ(log["runs"][0]["results"][0]["ruleId"].as<std::string>(), "NOKEY");

  r = RunAsWritten(repo, nightly_check);
  EXPECT_EQ(r.exit_code, 1) << nightly_check << "\n" << r.out << r.err;
  EXPECT_NE(r.out.find("(1 ran, 0 cached)"), std::string::npos) << r.out;
  RunResult home = repo.Run("test -s \"$HOME/.cache/sotinc/cache.db\"");
  EXPECT_EQ(home.exit_code, 0) << "the nightly run must fill the cache the workflow keeps";
}

TEST(CiFiles, GitlabJobRunsAsWritten) {
  YAML::Node ci = YAML::Load(ReadSource("docs/ci/gitlab-ci.yml"));
  YAML::Node job = ci["sotinc"];
  ASSERT_TRUE(job.IsMap());
  std::string check;
  for (const YAML::Node& line : job["script"]) {
    if (line.as<std::string>().rfind("sotinc check", 0) == 0) check = line.as<std::string>();
  }
  ASSERT_FALSE(check.empty());
  std::string junit = job["artifacts"]["reports"]["junit"].as<std::string>();
  EXPECT_EQ(OptionValue(check, "--report"), "junit=" + junit);
  EXPECT_EQ(job["artifacts"]["when"].as<std::string>(), "always");
  std::string cache_dir = OptionValue(check, "--cache-dir");
  EXPECT_EQ(job["cache"]["paths"][0].as<std::string>(), cache_dir + "/");

  TempRepo repo;
  MakeRepoWithOrigin(&repo);
  for (const YAML::Node& line : job["before_script"]) {
    std::string text = line.as<std::string>();
    if (text.find("info/exclude") != std::string::npos) {
      EXPECT_EQ(repo.Run(text).exit_code, 0) << text;
    }
  }
  RunResult r = RunAsWritten(repo, check);
  EXPECT_EQ(r.exit_code, 1) << check << "\n" << r.out << r.err;
  std::string xml = ReadFile(repo.path() + "/" + junit);
  EXPECT_NE(xml.find("<testcase name=\"NOKEY: No private keys\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("deploy/id_rsa:1:6: error: forbidden pattern"), std::string::npos) << xml;
  // The next pipeline: a fresh checkout (no report) with the cache
  // restored. The cache inside the checkout is excluded from the candidate
  // files, so every result comes from it.
  repo.RemoveFile(junit);
  r = RunAsWritten(repo, check);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("(0 ran, 1 cached)"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sotinc
