// Output formats of a run: text for people, JSON for tools (SPEC section 5),
// SARIF 2.1.0 for code-scanning dashboards and JUnit XML for CI test
// reports (docs/cli.md describes each).
//
// Formatting is a pure function of the report and the rule graph: the same
// results give the same bytes (durations aside), whatever the machine or
// the run order. Nothing here touches the file system.
#pragma once

#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/runner.h"

namespace sotinc {

// `{"version": 1, "summary": {...}, "results": [...]}` plus a newline.
std::string FormatJson(const RunReport& report);

struct TextOptions {
  bool color = false;
  bool quiet = false;  // only rules that failed or errored
};
std::string FormatText(const RunReport& report, const RuleGraph& graph, const TextOptions& options);

// SARIF 2.1.0: one run whose tool.driver lists every rule of `graph`, one
// result per finding, and a tool execution notification per rule that
// ended `error` (level error) or `skipped` (level note). Paths are
// relative to the uriBaseId %SRCROOT% (the repository root); a finding
// with no path is located at the rule's definition in the config.
std::string FormatSarif(const RunReport& report, const RuleGraph& graph);

// JUnit XML: <testsuites> holding one <testsuite name="sotinc"> with one
// <testcase> per evaluated rule: <failure> listing the findings of a rule
// that failed, <error> with the reason of one that could not run,
// <skipped> with the reason of one that was skipped.
std::string FormatJunit(const RunReport& report, const RuleGraph& graph);

enum class ReportFormat { kText, kJson, kSarif, kJunit };

// "text", "json", "sarif", "junit"; false on anything else.
bool ParseReportFormat(const std::string& name, ReportFormat* out);
// The names ParseReportFormat accepts, in that order.
const std::vector<std::string>& ReportFormatNames();

// The report in `format` (`text` is used for kText only).
std::string FormatReport(ReportFormat format, const RunReport& report, const RuleGraph& graph,
                         const TextOptions& text);

// Where a finding is reported when it has a path, else where its rule is
// defined (config file, line, column); empty file when neither is known.
// This is what the text, SARIF and JUnit formats show as its location.
struct FindingPlace {
  std::string file;  // repository-relative, or absolute for a config outside it
  int line = 0;      // 0 = none
  int column = 0;    // 0 = none
};
FindingPlace PlaceOf(const Finding& finding, const Rule* rule);

// A path as the text report prints it: as is, or, when it holds a control
// character (a newline would split the report's line), a double quote or a
// backslash, in double quotes with C escapes, as git prints such names
// (core.quotePath). Bytes from 0x80 up are left alone.
std::string QuotePathForText(const std::string& path);

// "path:line:col: severity: message [RULE]", leaving out parts that are
// absent (the editor-friendly line of the text and JUnit formats); the
// path as QuotePathForText prints it.
std::string FindingLine(const Finding& finding, const RuleResult& result, const Rule* rule);

// `s` with invalid UTF-8 replaced by U+FFFD (as bytes EF BF BD).
std::string ValidUtf8(const std::string& s);

// JSON string literal (with quotes) of arbitrary bytes: control characters
// escaped, invalid UTF-8 replaced by U+FFFD so the output always parses.
std::string JsonString(const std::string& s);

}  // namespace sotinc
