// End-to-end tests of the report formats: the real sotinc binary on real
// git repositories, its SARIF checked by Microsoft's SARIF Multitool (the
// reference validator, installed into .tools/sarif by
// scripts/install-deps.sh) and its JUnit XML parsed by xmllint. A test
// whose tool cannot be found is skipped, saying how to install it.
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every outcome and location kind: findings with line and column, with a
// path only (a space in it), without a path (a dead glob), an `error`
// (timeout) and a `skipped` rule, and a passing info rule.
const char* kMixedConfig = R"(version: 1
rules:
  - id: PY001
    title: Python files are snake_case
    tags: [style]
    check: {kind: path_name, files: "**/*.py", pattern: "^[a-z_][a-z0-9_]*\\.py$"}
  - id: PY002
    title: No raw SSNs
    description: Social security numbers must never be committed.
    severity: warning
    check: {kind: forbid_regex, files: "**/*.py", pattern: "[0-9]{3}-[0-9]{2}-[0-9]{4}"}
  - id: DEAD
    check: {kind: path_name, files: "nothing/**", pattern: "x"}
  - id: SLOW
    timeout: 10ms
    check: {kind: command, run: "sleep 5", files: "**/*.py"}
  - id: AFTER
    depends_on: [DEAD]
    check: {kind: max_size, files: "**", bytes: 100000}
  - id: SIZE
    severity: info
    check: {kind: max_size, files: "**", bytes: 100000}
)";

void WriteMixedRepo(TempRepo* repo) {
  repo->WriteFile("sotinc.yaml", kMixedConfig);
  repo->WriteFile("src dir/BadName.py", "a = '123-45-6789'\nb = '123-45-6789'\n");
  repo->WriteFile("caf\xc3\xa9/ok.py", "x = 1\n");
  repo->Commit("init");
}

TEST(ReportE2E, TextOnStdoutWithSarifJunitAndJsonReportsInOneRun) {
  TempRepo repo;
  WriteMixedRepo(&repo);
  std::string out = repo.path() + "/..";
  RunResult r = repo.Run(Sotinc(repo, "check --format text --report sarif=" + out +
                                          "/r.sarif --report junit=" + out +
                                          "/r.xml --report json=" + out + "/r.json"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("      src dir/BadName.py:2:6: warning: forbidden pattern "
                       "'[0-9]{3}-[0-9]{2}-[0-9]{4}' [PY002]\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("      sotinc.yaml:12:5: error: glob 'nothing/**' matched nothing [DEAD]\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("failed (3): DEAD (1 finding), PY001 (1 finding), PY002 (2 findings)\n"
                       "errors (1): SLOW\n"
                       "skipped (1): AFTER\n"
                       "6 rules: 1 passed, 3 failed, 1 errors, 1 skipped"),
            std::string::npos)
      << r.out;

  YAML::Node json = YAML::Load(ReadFile(out + "/r.json"));
  EXPECT_EQ(json["summary"]["failed"].as<int>(), 3);
  EXPECT_EQ(json["results"].size(), 6u);

  // The SARIF holds the same findings as the JSON, in the same order.
  YAML::Node sarif = YAML::Load(ReadFile(out + "/r.sarif"));
  std::vector<std::string> from_json, from_sarif;
  for (const YAML::Node& result : json["results"]) {
    for (const YAML::Node& f : result["findings"]) {
      from_json.push_back(result["id"].as<std::string>() + " " + f["message"].as<std::string>());
    }
  }
  for (const YAML::Node& result : sarif["runs"][0]["results"]) {
    from_sarif.push_back(result["ruleId"].as<std::string>() + " " +
                         result["message"]["text"].as<std::string>());
  }
  EXPECT_EQ(from_sarif, from_json);
  YAML::Node py002 = sarif["runs"][0]["results"][3];
  EXPECT_EQ(py002["ruleId"].as<std::string>(), "PY002");
  EXPECT_EQ(py002["level"].as<std::string>(), "warning");
  YAML::Node loc = py002["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"].as<std::string>(), "src%20dir/BadName.py");
  EXPECT_EQ(loc["region"]["startLine"].as<int>(), 2);
  EXPECT_EQ(loc["region"]["startColumn"].as<int>(), 6);
  YAML::Node notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0]["associatedRule"]["id"].as<std::string>(), "AFTER");
  EXPECT_EQ(notes[1]["associatedRule"]["id"].as<std::string>(), "SLOW");
  EXPECT_EQ(notes[1]["level"].as<std::string>(), "error");

  // The JUnit XML parses, and says per rule what happened.
  if (repo.Run("command -v xmllint").exit_code != 0) {
    GTEST_SKIP() << "xmllint not found: install Debian's libxml2-utils "
                    "(bash scripts/install-deps.sh does)";
  }
  auto xpath = [&](const std::string& expr) {
    RunResult x = repo.Run("xmllint --xpath '" + expr + "' '" + out + "/r.xml'");
    EXPECT_EQ(x.exit_code, 0) << expr << "\n" << x.err;
    if (!x.out.empty() && x.out.back() == '\n') x.out.pop_back();  // xmllint adds one
    return x.out;
  };
  EXPECT_EQ(xpath("count(/testsuites/testsuite)"), "1");
  EXPECT_EQ(xpath("count(/testsuites/testsuite/testcase)"), "6");
  EXPECT_EQ(xpath("string(/testsuites/testsuite/@failures)"), "3");
  EXPECT_EQ(xpath("string(/testsuites/testsuite/@errors)"), "1");
  EXPECT_EQ(xpath("string(/testsuites/testsuite/@skipped)"), "1");
  EXPECT_EQ(xpath("count(//testcase[failure])"), "3");
  EXPECT_EQ(xpath("string(//testcase[@name=\"PY002: No raw SSNs\"]/failure/@type)"), "warning");
  EXPECT_EQ(xpath("string(//testcase[@name=\"PY002: No raw SSNs\"]/failure)"),
            "src dir/BadName.py:1:6: warning: forbidden pattern '[0-9]{3}-[0-9]{2}-[0-9]{4}' "
            "[PY002]\n"
            "src dir/BadName.py:2:6: warning: forbidden pattern '[0-9]{3}-[0-9]{2}-[0-9]{4}' "
            "[PY002]\n");
  EXPECT_EQ(xpath("string(//testcase[@name=\"SLOW\"]/error/@message)"), "timed out after 10ms");
  EXPECT_EQ(xpath("string(//testcase[@name=\"AFTER\"]/skipped/@message)"),
            "prerequisite DEAD did not pass (fail)");
  EXPECT_EQ(xpath("count(//testcase[@name=\"SIZE\"]/*)"), "0");
}

// The Multitool's console lines: "FILE(LINE[,COL]): LEVEL CODE: message".
struct Diagnostic {
  std::string file;
  std::string level;
  std::string code;
};

std::vector<Diagnostic> ParseValidatorOutput(const std::string& text) {
  std::vector<Diagnostic> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    Diagnostic d;
    if (RE2::PartialMatch(line, R"(^(.*)\([0-9]+(?:,[0-9]+)?\): (error|warning|note) (\w+): )",
                          &d.file, &d.level, &d.code)) {
      out.push_back(d);
    }
  }
  return out;
}

// $SOTINC_SARIF_MULTITOOL, else where scripts/install-deps.sh puts it.
std::string SarifMultitoolPath() {
  const char* env = std::getenv("SOTINC_SARIF_MULTITOOL");
  if (env && *env) return env;
  return std::string(SOTINC_SOURCE_DIR) + "/.tools/sarif/node_modules/.bin/sarif-multitool";
}

TEST(ReportE2E, SarifPassesTheSarifMultitoolValidator) {
  std::string tool = SarifMultitoolPath();
  if (access(tool.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "SARIF Multitool not found at " << tool
                 << " (bash scripts/install-deps.sh installs it there; or set "
                    "SOTINC_SARIF_MULTITOOL to its path)";
  }
  TempRepo repo;
  WriteMixedRepo(&repo);
  std::string dir = repo.path() + "/..";
  // 1: every outcome, to a file.
  RunResult r = repo.Run(Sotinc(repo, "check --format sarif --output " + dir + "/mixed.sarif"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // 2: a clean run, on standard output, with a config outside the
  // repository (so its dead-glob finding has an absolute file: URI).
  repo.WriteFile("../outside.yaml", R"(version: 1
rules:
  - id: OK
    check: {kind: max_size, files: "**/*.py", bytes: 1000}
  - id: GONE
    severity: info
    check: {kind: path_name, files: "gone/**", pattern: "x"}
)");
  r = repo.Run(Sotinc(repo, "check --format sarif --config " + dir + "/outside.yaml"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  repo.WriteFile("../clean.sarif", r.out);
  EXPECT_NE(r.out.find("\"uri\": \"file:///"), std::string::npos) << r.out;
  // 3: a broken log, to prove the validator is really judging.
  repo.WriteFile("../broken.sarif", R"({"version": "2.1.0", "runs": [{"tool": {}}]})");

  RunResult v = repo.Run("'" + tool + "' validate '" + dir + "/mixed.sarif' '" + dir +
                         "/clean.sarif' '" + dir + "/broken.sarif' 2>&1");
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("Done. 3 files scanned."), std::string::npos) << v.out;
  // Allowed: no `informationUri` (sotinc has no web page of its own) and
  // no `region` for a finding about a whole file (it has no line).
  std::set<std::string> allowed = {"SARIF2005", "SARIF2017"};
  bool broken_caught = false;
  for (const Diagnostic& d : ParseValidatorOutput(v.out)) {
    if (d.file.find("broken.sarif") != std::string::npos) {
      broken_caught |= d.level == "error";
      continue;
    }
    EXPECT_TRUE(d.level == "note" || (d.level == "warning" && allowed.count(d.code)))
        << d.file << ": " << d.level << " " << d.code << "\n"
        << v.out;
  }
  EXPECT_TRUE(broken_caught) << "the validator did not flag a log without tool.driver:\n" << v.out;
}

TEST(ReportE2E, BadReportOptionsAreUsageErrors) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", "version: 1\nrules: []\n");
  std::string dir = repo.path() + "/..";
  struct Case {
    std::string args;
    std::string error;
  } cases[] = {
      {"--report sarif", "--report sarif: expected FORMAT=FILE"},
      {"--report xml=a.xml", "--report xml=a.xml: expected FORMAT=FILE"},
      {"--report json=", "--report json=: expected FORMAT=FILE"},
      {"--report json=-", "--report json=-: another report already goes to standard output"},
      {"--output " + dir + "/x --report junit=" + dir + "/x",
       "another report already goes to " + dir + "/x"},
      {"--format xml", "--format"},
  };
  for (const Case& c : cases) {
    RunResult r = repo.Run(Sotinc(repo, "check " + c.args));
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(c.error), std::string::npos) << c.args << "\n" << r.err;
    EXPECT_EQ(r.out, "") << c.args;
  }
  // With its text going to a file, --report FORMAT=- may use stdout.
  RunResult r = repo.Run(Sotinc(repo, "check --output " + dir + "/t.txt --report junit=- --quiet"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"), 0u) << r.out;
  EXPECT_EQ(ReadFile(dir + "/t.txt").find("0 rules: 0 passed"), 0u);
}

}  // namespace
}  // namespace sotinc
