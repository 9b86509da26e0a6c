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
    for (const Finding& f : r.findings) {
      out += "      ";
      if (!f.path.empty()) {
        out += f.path;
        if (f.line > 0) out += ":" + std::to_string(f.line);
        if (f.line > 0 && f.column > 0) out += ":" + std::to_string(f.column);
        out += ": ";
      }
      out += std::string(SeverityName(r.severity)) + ": " + f.message + " [" + r.id + "]\n";
    }
  }
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

}  // namespace sotinc
