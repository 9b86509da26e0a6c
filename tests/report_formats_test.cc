// Tests of the report formats (cli/report*.cc) on hand-made run reports:
// the text lines editors link, the grouped summary, SARIF's fields (parsed
// back, not compared as text) and JUnit's escaping. The real binary, the
// SARIF Multitool and xmllint are exercised in report_e2e_test.cc.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

#include "cli/report.h"

namespace sotinc {
namespace {

Rule MakeRule(const std::string& id, const std::string& title, Severity severity, int line) {
  Rule r;
  r.id = id;
  r.title = title;
  r.severity = severity;
  r.kind = "forbid_regex";
  r.loc = SourceLoc{"sotinc.yaml", line, 5};
  return r;
}

Finding MakeFinding(const std::string& path, int line, int column, const std::string& message) {
  Finding f;
  f.path = path;
  f.line = line;
  f.column = column;
  f.message = message;
  return f;
}

RuleResult MakeResult(const std::string& id, RuleStatus status, Severity severity,
                      std::vector<Finding> findings = {}, const std::string& reason = "") {
  RuleResult r;
  r.id = id;
  r.status = status;
  r.severity = severity;
  r.findings = std::move(findings);
  r.reason = reason;
  return r;
}

// Rules A (error), B (warning, untitled), C (info), D (error), E (error).
class ReportFormatsTest : public ::testing::Test {
 protected:
  ReportFormatsTest() {
    rules_.push_back(MakeRule("A", "No secrets", Severity::kError, 3));
    rules_.push_back(MakeRule("B", "", Severity::kWarning, 6));
    rules_.push_back(MakeRule("C", "Sizes are small", Severity::kInfo, 9));
    rules_.push_back(MakeRule("D", "Runs a command", Severity::kError, 12));
    rules_.push_back(MakeRule("E", "Depends on A", Severity::kError, 15));
    rules_[0].description = "Private keys must never be committed";
    rules_[0].tags = {"security"};
    graph_ = std::make_unique<RuleGraph>(rules_);

    report_.results.push_back(
        MakeResult("A", RuleStatus::kFail, Severity::kError,
                   {MakeFinding("src/a b#1.py", 3, 5, "private key"),
                    MakeFinding("src/a b#1.py", 9, 1, "private key"),
                    MakeFinding("", 0, 0, "glob 'keys/**' matched nothing")}));
    report_.results.push_back(MakeResult("B", RuleStatus::kFail, Severity::kWarning,
                                         {MakeFinding("big.bin", 0, 0, "over 10 bytes")}));
    report_.results.push_back(MakeResult("C", RuleStatus::kPass, Severity::kInfo));
    report_.results.push_back(
        MakeResult("D", RuleStatus::kError, Severity::kError, {}, "timed out after 10ms"));
    report_.results.push_back(MakeResult("E", RuleStatus::kSkipped, Severity::kError, {},
                                         "prerequisite A did not pass (fail)"));
    report_.summary = Summarize(report_.results);
  }

  std::vector<Rule> rules_;
  std::unique_ptr<RuleGraph> graph_;
  RunReport report_;
};

TEST_F(ReportFormatsTest, FindingLineLeavesOutAbsentPartsAndPlacesPathlessAtTheRule) {
  const RuleResult& a = report_.results[0];
  const Rule* rule = graph_->Find("A");
  EXPECT_EQ(FindingLine(a.findings[0], a, rule), "src/a b#1.py:3:5: error: private key [A]");
  EXPECT_EQ(FindingLine(MakeFinding("x.py", 7, 0, "m"), a, rule), "x.py:7: error: m [A]");
  EXPECT_EQ(FindingLine(MakeFinding("x.py", 0, 4, "m"), a, rule), "x.py: error: m [A]");
  // A finding with no path points at the rule's definition.
  EXPECT_EQ(FindingLine(a.findings[2], a, rule),
            "sotinc.yaml:3:5: error: glob 'keys/**' matched nothing [A]");
  // ... unless the rule is unknown: then only the severity leads.
  EXPECT_EQ(FindingLine(a.findings[2], a, nullptr), "error: glob 'keys/**' matched nothing [A]");
}

TEST_F(ReportFormatsTest, TextHasOneLinePerFindingAndAGroupedSummary) {
  TextOptions options;
  std::string text = FormatText(report_, *graph_, options);
  EXPECT_NE(text.find("FAIL  A  No secrets\n"
                      "      src/a b#1.py:3:5: error: private key [A]\n"
                      "      src/a b#1.py:9:1: error: private key [A]\n"
                      "      sotinc.yaml:3:5: error: glob 'keys/**' matched nothing [A]\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      big.bin: warning: over 10 bytes [B]\n"), std::string::npos) << text;
  EXPECT_NE(text.find("PASS  C  Sizes are small\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ERROR D  Runs a command\n      timed out after 10ms\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("failed (2): A (3 findings), B (1 finding)\n"
                      "errors (1): D\n"
                      "skipped (1): E\n"
                      "5 rules: 1 passed, 2 failed, 1 errors, 1 skipped"),
            std::string::npos)
      << text;

  options.quiet = true;
  std::string quiet = FormatText(report_, *graph_, options);
  EXPECT_NE(quiet.find("FAIL  A"), std::string::npos) << quiet;
  EXPECT_NE(quiet.find("ERROR D"), std::string::npos) << quiet;
  EXPECT_EQ(quiet.find("PASS"), std::string::npos) << quiet;
  EXPECT_EQ(quiet.find("SKIP"), std::string::npos) << quiet;
  EXPECT_EQ(quiet.find("skipped (1)"), std::string::npos) << quiet;
  EXPECT_NE(quiet.find("failed (2): A (3 findings), B (1 finding)\nerrors (1): D\n5 rules:"),
            std::string::npos)
      << quiet;
}

TEST_F(ReportFormatsTest, TextOfACleanRunIsTheSummaryLineOnly) {
  RunReport clean;
  clean.results.push_back(MakeResult("C", RuleStatus::kPass, Severity::kInfo));
  clean.summary = Summarize(clean.results);
  TextOptions quiet;
  quiet.quiet = true;
  std::string text = FormatText(clean, *graph_, quiet);
  EXPECT_EQ(text.substr(0, text.find(" in ")),
            "1 rules: 1 passed, 0 failed, 0 errors, 0 skipped (1 ran, 0 cached)");
}

TEST_F(ReportFormatsTest, SarifDescribesEveryRule) {
  YAML::Node log = YAML::Load(FormatSarif(report_, *graph_));
  EXPECT_EQ(log["version"].as<std::string>(), "2.1.0");
  ASSERT_EQ(log["runs"].size(), 1u);
  YAML::Node driver = log["runs"][0]["tool"]["driver"];
  EXPECT_EQ(driver["name"].as<std::string>(), "sotinc");
  EXPECT_EQ(driver["version"].as<std::string>(), SOTINC_VERSION);
  ASSERT_EQ(driver["rules"].size(), 5u);
  YAML::Node a = driver["rules"][0];
  EXPECT_EQ(a["id"].as<std::string>(), "A");
  EXPECT_EQ(a["name"].as<std::string>(), "NoSecrets");
  EXPECT_EQ(a["shortDescription"]["text"].as<std::string>(), "No secrets");
  EXPECT_EQ(a["fullDescription"]["text"].as<std::string>(), "Private keys must never be committed");
  EXPECT_EQ(a["help"]["text"].as<std::string>(),
            "Private keys must never be committed. Check kind: forbid_regex. "
            "Defined in sotinc.yaml at line 3.");
  EXPECT_EQ(a["defaultConfiguration"]["level"].as<std::string>(), "error");
  EXPECT_EQ(a["properties"]["tags"][0].as<std::string>(), "security");
  YAML::Node b = driver["rules"][1];
  EXPECT_EQ(b["name"].as<std::string>(), "ForbidRegex");  // untitled: named by its kind
  EXPECT_EQ(b["shortDescription"]["text"].as<std::string>(), "B: forbid_regex check");
  EXPECT_EQ(b["defaultConfiguration"]["level"].as<std::string>(), "warning");
  EXPECT_EQ(driver["rules"][2]["defaultConfiguration"]["level"].as<std::string>(), "note");
}

TEST_F(ReportFormatsTest, SarifHasOneResultPerFindingWithItsLocation) {
  YAML::Node run = YAML::Load(FormatSarif(report_, *graph_))["runs"][0];
  YAML::Node results = run["results"];
  ASSERT_EQ(results.size(), 4u);

  YAML::Node first = results[0];
  EXPECT_EQ(first["ruleId"].as<std::string>(), "A");
  EXPECT_EQ(first["ruleIndex"].as<int>(), 0);
  EXPECT_EQ(first["level"].as<std::string>(), "error");
  EXPECT_EQ(first["message"]["text"].as<std::string>(), "private key");
  YAML::Node loc = first["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"].as<std::string>(), "src/a%20b%231.py");
  EXPECT_EQ(loc["artifactLocation"]["uriBaseId"].as<std::string>(), "%SRCROOT%");
  EXPECT_EQ(loc["region"]["startLine"].as<int>(), 3);
  EXPECT_EQ(loc["region"]["startColumn"].as<int>(), 5);

  // The path-less finding is placed at the rule's definition.
  YAML::Node at_rule = results[2]["locations"][0]["physicalLocation"];
  EXPECT_EQ(at_rule["artifactLocation"]["uri"].as<std::string>(), "sotinc.yaml");
  EXPECT_EQ(at_rule["region"]["startLine"].as<int>(), 3);

  // Line 0: no region at all.
  YAML::Node b = results[3];
  EXPECT_EQ(b["ruleId"].as<std::string>(), "B");
  EXPECT_EQ(b["level"].as<std::string>(), "warning");
  EXPECT_EQ(b["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as<std::string>(),
            "big.bin");
  EXPECT_FALSE(b["locations"][0]["physicalLocation"]["region"]);

  EXPECT_EQ(run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"].as<std::string>(),
            "The root of the checked repository.");
}

TEST_F(ReportFormatsTest, SarifFingerprintsIgnoreLinesButTellRepeatsApart) {
  auto fingerprints = [&](const RunReport& report) {
    std::vector<std::string> out;
    for (const YAML::Node& r : YAML::Load(FormatSarif(report, *graph_))["runs"][0]["results"]) {
      out.push_back(r["partialFingerprints"]["sotinc/v1"].as<std::string>());
    }
    return out;
  };
  std::vector<std::string> before = fingerprints(report_);
  ASSERT_EQ(before.size(), 4u);
  EXPECT_EQ(before[0].size(), 32u);
  // Two findings with the same rule, path and message differ.
  EXPECT_EQ(std::set<std::string>(before.begin(), before.end()).size(), 4u);

  // Lines above the findings were added: the same fingerprints.
  RunReport moved = report_;
  moved.results[0].findings[0].line += 10;
  moved.results[0].findings[1].line += 10;
  moved.results[0].findings[1].column = 7;
  EXPECT_EQ(fingerprints(moved), before);

  // Another message is another finding.
  moved.results[0].findings[0].message = "private key (RSA)";
  EXPECT_NE(fingerprints(moved)[0], before[0]);
}

TEST_F(ReportFormatsTest, SarifReportsErroredAndSkippedRulesAsNotifications) {
  YAML::Node invocation = YAML::Load(FormatSarif(report_, *graph_))["runs"][0]["invocations"][0];
  EXPECT_FALSE(invocation["executionSuccessful"].as<bool>());
  YAML::Node notes = invocation["toolExecutionNotifications"];
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0]["level"].as<std::string>(), "error");
  EXPECT_EQ(notes[0]["message"]["text"].as<std::string>(),
            "Rule D could not run: timed out after 10ms.");
  EXPECT_EQ(notes[0]["associatedRule"]["id"].as<std::string>(), "D");
  EXPECT_EQ(notes[0]["associatedRule"]["index"].as<int>(), 3);
  EXPECT_EQ(notes[1]["level"].as<std::string>(), "note");
  EXPECT_EQ(notes[1]["associatedRule"]["id"].as<std::string>(), "E");

  RunReport clean;
  clean.results.push_back(MakeResult("C", RuleStatus::kPass, Severity::kInfo));
  YAML::Node run = YAML::Load(FormatSarif(clean, *graph_))["runs"][0];
  EXPECT_TRUE(run["invocations"][0]["executionSuccessful"].as<bool>());
  EXPECT_FALSE(run["invocations"][0]["toolExecutionNotifications"]);
  EXPECT_EQ(run["results"].size(), 0u);
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 5u);
}

TEST_F(ReportFormatsTest, SarifStringsAreValidJsonWhateverTheBytes) {
  report_.results[1].findings[0].message = std::string("bad \xff byte, \"quoted\"\n\x01");
  report_.results[1].findings[0].path = "d\xc3\xa9j\xc3\xa0/x";
  YAML::Node b = YAML::Load(FormatSarif(report_, *graph_))["runs"][0]["results"][3];
  EXPECT_EQ(b["message"]["text"].as<std::string>(), "bad \xef\xbf\xbd byte, \"quoted\"\n\x01");
  EXPECT_EQ(b["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as<std::string>(),
            "d%C3%A9j%C3%A0/x");
}

TEST_F(ReportFormatsTest, JunitEscapesWhatXmlCannotHold) {
  report_.results[1].findings[0].message = "<a & \"b\"> \x01 \xff";
  std::string xml = FormatJunit(report_, *graph_);
  EXPECT_NE(
      xml.find("big.bin: warning: &lt;a &amp; &quot;b&quot;&gt; \xef\xbf\xbd \xef\xbf\xbd [B]"),
      std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase name=\"A: No secrets\" classname=\"sotinc\" file=\"sotinc.yaml\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testsuite name=\"sotinc\" tests=\"5\" failures=\"2\" errors=\"1\" "
                     "skipped=\"1\""),
            std::string::npos)
      << xml;
}

TEST(ReportFormatNamesTest, ParseAcceptsExactlyTheListedNames) {
  ReportFormat f;
  for (const std::string& name : ReportFormatNames()) EXPECT_TRUE(ParseReportFormat(name, &f));
  EXPECT_TRUE(ParseReportFormat("junit", &f));
  EXPECT_EQ(f, ReportFormat::kJunit);
  EXPECT_FALSE(ParseReportFormat("JSON", &f));
  EXPECT_FALSE(ParseReportFormat("xml", &f));
}

}  // namespace
}  // namespace sotinc
