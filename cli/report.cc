#include "cli/report.h"

#include <cstdio>

namespace sotinc {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if it is not valid.
size_t Utf8Length(const std::string& s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  }
  // Reject overlong forms and surrogates.
  if (n == 2 && c < 0xC2) return 0;
  if (n == 3) {
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0)) return 0;
  }
  if (n == 4) {
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xF0 && c1 < 0x90) || c > 0xF4 || (c == 0xF4 && c1 >= 0x90)) return 0;
  }
  return n;
}

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", v < 0 ? 0.0 : v);
  return buf;
}

}  // namespace

std::string ValidUtf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n", ++i;
    } else if (c == '\t') {
      out += "\\t", ++i;
    } else if (c == '\r') {
      out += "\\r", ++i;
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      ++i;
    } else {
      size_t n = Utf8Length(s, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(s, i, n);
        i += n;
      }
    }
  }
  return out + "\"";
}

std::string FormatJson(const RunReport& report) {
  const RunSummary& s = report.summary;
  std::string out = "{\"version\": 1,\n \"summary\": {";
  out += "\"rules\": " + std::to_string(s.rules);
  out += ", \"passed\": " + std::to_string(s.passed);
  out += ", \"failed\": " + std::to_string(s.failed);
  out += ", \"errors\": " + std::to_string(s.errors);
  out += ", \"skipped\": " + std::to_string(s.skipped);
  out += ", \"cached\": " + std::to_string(s.cached);
  out += ", \"ran\": " + std::to_string(s.ran);
  out += ", \"unaffected\": " + std::to_string(s.unaffected);
  out += ", \"duration_ms\": " + Number(s.duration_ms) + "},\n \"results\": [";
  bool first = true;
  for (const RuleResult& r : report.results) {
    out += first ? "\n  " : ",\n  ";
    first = false;
    out += "{\"id\": " + JsonString(r.id);
    out += ", \"status\": \"" + std::string(StatusName(r.status)) + "\"";
    out += ", \"severity\": \"" + std::string(SeverityName(r.severity)) + "\"";
    out += std::string(", \"cached\": ") + (r.cached ? "true" : "false");
    out += ", \"duration_ms\": " + Number(r.duration_ms);
    if (r.status == RuleStatus::kSkipped || r.status == RuleStatus::kError) {
      out += ", \"reason\": " + JsonString(r.reason);
    }
    if (!r.explain.empty()) out += ", \"explain\": " + JsonString(r.explain);
    out += ", \"findings\": [";
    for (size_t i = 0; i < r.findings.size(); ++i) {
      const Finding& f = r.findings[i];
      out += i ? ",\n    " : "\n    ";
      out += "{";
      if (!f.path.empty()) out += "\"path\": " + JsonString(f.path) + ", ";
      if (f.line > 0) out += "\"line\": " + std::to_string(f.line) + ", ";
      if (f.column > 0) out += "\"column\": " + std::to_string(f.column) + ", ";
      out += "\"message\": " + JsonString(f.message) + "}";
    }
    out += "]}";
  }
  out += "]}\n";
  return out;
}

namespace {

const char* kReset = "\033[0m";

const char* StatusColor(RuleStatus s) {
  switch (s) {
    case RuleStatus::kPass: return "\033[32m";
    case RuleStatus::kFail: return "\033[31m";
    case RuleStatus::kError: return "\033[35m";
    case RuleStatus::kSkipped: return "\033[33m";
  }
  return "";
}

const char* StatusLabel(RuleStatus s) {
  switch (s) {
    case RuleStatus::kPass: return "PASS ";
    case RuleStatus::kFail: return "FAIL ";
    case RuleStatus::kError: return "ERROR";
    case RuleStatus::kSkipped: return "SKIP ";
  }
  return "?";
}

}  // namespace

FindingPlace PlaceOf(const Finding& finding, const Rule* rule) {
  FindingPlace place;
  if (!finding.path.empty()) {
    place.file = finding.path;
    place.line = finding.line;
    place.column = finding.line > 0 ? finding.column : 0;
  } else if (rule != nullptr && !rule->loc.file.empty()) {
    // A dead glob or a count at the root is about the rule itself: point
    // at its definition, where the fix goes.
    place.file = rule->loc.file;
    place.line = rule->loc.line;
    place.column = rule->loc.line > 0 ? rule->loc.column : 0;
  }
  return place;
}

std::string QuotePathForText(const std::string& path) {
  bool plain = true;
  for (unsigned char c : path) {
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') plain = false;
  }
  if (plain) return path;
  std::string out = "\"";
  for (unsigned char c : path) {
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          const char digits[] = {'\\', static_cast<char>('0' + (c >> 6)),
                                 static_cast<char>('0' + ((c >> 3) & 7)),
                                 static_cast<char>('0' + (c & 7))};
          out.append(digits, sizeof digits);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string FindingLine(const Finding& finding, const RuleResult& result, const Rule* rule) {
  FindingPlace place = PlaceOf(finding, rule);
  std::string out;
  if (!place.file.empty()) {
    out += QuotePathForText(place.file);
    if (place.line > 0) out += ":" + std::to_string(place.line);
    if (place.column > 0) out += ":" + std::to_string(place.column);
    out += ": ";
  }
  return out + SeverityName(result.severity) + ": " + finding.message + " [" + result.id + "]";
}

namespace {

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "failed (2): A (1 finding), B (3 findings)": the rules of one outcome,
// so the end of a long report says what to look at.
std::string SummaryGroup(const RunReport& report, RuleStatus status, const char* label,
                         bool with_findings) {
  std::string names;
  int count = 0;
  for (const RuleResult& r : report.results) {
    if (r.status != status) continue;
    names += count++ ? ", " : "";
    names += r.id;
    if (with_findings) names += " (" + Plural(r.findings.size(), "finding", "findings") + ")";
  }
  if (count == 0) return "";
  return std::string(label) + " (" + std::to_string(count) + "): " + names + "\n";
}

}  // namespace

std::string FormatText(const RunReport& report, const RuleGraph& graph,
                       const TextOptions& options) {
  std::string out;
  for (const RuleResult& r : report.results) {
    bool bad = r.status == RuleStatus::kFail || r.status == RuleStatus::kError;
    if (options.quiet && !bad) continue;
    const Rule* rule = graph.Find(r.id);
    std::string title = rule && !rule->title.empty() ? rule->title : "";
    if (options.color) out += StatusColor(r.status);
    out += StatusLabel(r.status);
    if (options.color) out += kReset;
    out += " " + r.id;
    if (!title.empty()) out += "  " + title;
    if (r.cached) out += " (cached)";
    out += "\n";
    if (!r.reason.empty()) out += "      " + r.reason + "\n";
    if (!r.explain.empty()) out += "      ran because: " + r.explain + "\n";
    for (const Finding& f : r.findings) out += "      " + FindingLine(f, r, rule) + "\n";
  }
  out += SummaryGroup(report, RuleStatus::kFail, "failed", true);
  out += SummaryGroup(report, RuleStatus::kError, "errors", false);
  if (!options.quiet) out += SummaryGroup(report, RuleStatus::kSkipped, "skipped", false);
  const RunSummary& s = report.summary;
  char duration[32];
  std::snprintf(duration, sizeof duration, "%.1f ms", s.duration_ms);
  out += std::to_string(s.rules) + " rules: " + std::to_string(s.passed) + " passed, " +
         std::to_string(s.failed) + " failed, " + std::to_string(s.errors) + " errors, " +
         std::to_string(s.skipped) + " skipped (" + std::to_string(s.ran) + " ran, " +
         std::to_string(s.cached) + " cached";
  if (s.unaffected) out += ", " + std::to_string(s.unaffected) + " unaffected";
  out += ") in " + std::string(duration) + "\n";
  return out;
}

bool ParseReportFormat(const std::string& name, ReportFormat* out) {
  static const ReportFormat kFormats[] = {ReportFormat::kText, ReportFormat::kJson,
                                          ReportFormat::kSarif, ReportFormat::kJunit};
  const std::vector<std::string>& names = ReportFormatNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) {
      *out = kFormats[i];
      return true;
    }
  }
  return false;
}

const std::vector<std::string>& ReportFormatNames() {
  static const std::vector<std::string> kNames = {"text", "json", "sarif", "junit"};
  return kNames;
}

std::string FormatReport(ReportFormat format, const RunReport& report, const RuleGraph& graph,
                         const TextOptions& text) {
  switch (format) {
    case ReportFormat::kText:
      return FormatText(report, graph, text);
    case ReportFormat::kJson:
      return FormatJson(report);
    case ReportFormat::kSarif:
      return FormatSarif(report, graph);
    case ReportFormat::kJunit:
      return FormatJunit(report, graph);
  }
  return FormatJson(report);
}

}  // namespace sotinc
