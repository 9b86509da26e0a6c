// JUnit XML output, the test report format CI servers (GitLab, Jenkins,
// Azure Pipelines) show per test: each rule is a test case.
#include <cstdio>

#include "cli/report.h"

namespace sotinc {
namespace {

// Text for an XML attribute or element: valid UTF-8, the five special
// characters escaped, and characters XML 1.0 cannot hold at all (control
// characters other than tab, newline and carriage return) replaced by
// U+FFFD.
std::string Xml(const std::string& raw) {
  std::string s = ValidUtf8(raw);
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += "&#10;";
        break;  // kept through attribute normalization
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        if (c < 0x20) {
          out += "\xEF\xBF\xBD";
        } else {
          out += ch;
        }
    }
  }
  return out;
}

// Element text keeps its new lines readable; attributes get them escaped.
std::string XmlText(const std::string& raw) {
  std::string out = Xml(raw);
  std::string::size_type at = 0;
  while ((at = out.find("&#10;", at)) != std::string::npos) {
    out.replace(at, 5, "\n");
    ++at;
  }
  return out;
}

std::string Seconds(double ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", ms < 0 ? 0.0 : ms / 1000.0);
  return buf;
}

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string FormatJunit(const RunReport& report, const RuleGraph& graph) {
  const RunSummary& s = report.summary;
  std::string counts = " tests=\"" + std::to_string(report.results.size()) + "\" failures=\"" +
                       std::to_string(s.failed) + "\" errors=\"" + std::to_string(s.errors) +
                       "\" skipped=\"" + std::to_string(s.skipped) + "\" time=\"" +
                       Seconds(s.duration_ms) + "\"";
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"sotinc\"" + counts + ">\n";
  out += "  <testsuite name=\"sotinc\"" + counts + ">\n";
  for (const RuleResult& r : report.results) {
    const Rule* rule = graph.Find(r.id);
    std::string name = r.id;
    if (rule != nullptr && !rule->title.empty()) name += ": " + rule->title;
    out += "    <testcase name=\"" + Xml(name) + "\" classname=\"sotinc\"";
    if (rule != nullptr && !rule->loc.file.empty()) out += " file=\"" + Xml(rule->loc.file) + "\"";
    out += " time=\"" + Seconds(r.duration_ms) + "\"";
    const char* severity = SeverityName(r.severity);
    switch (r.status) {
      case RuleStatus::kPass:
        out += "/>\n";
        continue;
      case RuleStatus::kFail: {
        std::string lines;
        for (const Finding& f : r.findings) lines += FindingLine(f, r, rule) + "\n";
        std::string message = Plural(r.findings.size(), "finding", "findings");
        if (!r.findings.empty()) message += ", first: " + r.findings[0].message;
        out += ">\n      <failure type=\"" + std::string(severity) + "\" message=\"" +
               Xml(message) + "\">" + XmlText(lines) + "</failure>\n";
        break;
      }
      case RuleStatus::kError:
        out += ">\n      <error type=\"" + std::string(severity) + "\" message=\"" + Xml(r.reason) +
               "\">" + XmlText(r.reason) + "</error>\n";
        break;
      case RuleStatus::kSkipped:
        out += ">\n      <skipped message=\"" + Xml(r.reason) + "\"/>\n";
        break;
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace sotinc
