// What a rule produces: its status and findings (SPEC section 4).
//
// A RuleResult is a plain value: the same value is printed, cached and (in
// the worker pool) sent between processes.
#pragma once

#include <string>
#include <vector>

namespace sotinc {

enum class Severity { kError, kWarning, kInfo };
enum class RuleStatus { kPass, kFail, kError, kSkipped };

const char* SeverityName(Severity s);
const char* StatusName(RuleStatus s);
// Parses "error" / "warning" / "info"; false on anything else.
bool ParseSeverity(const std::string& text, Severity* out);

struct Finding {
  std::string path;  // empty for a finding about no single file
  int line = 0;      // 1-based; 0 = none
  int column = 0;    // 1-based byte column; 0 = none
  std::string message;

  bool operator==(const Finding& o) const {
    return path == o.path && line == o.line && column == o.column && message == o.message;
  }
};

// Orders by path, line, column, then message (so output is deterministic).
bool FindingLess(const Finding& a, const Finding& b);
void SortFindings(std::vector<Finding>* findings);

struct RuleResult {
  std::string id;
  RuleStatus status = RuleStatus::kPass;
  Severity severity = Severity::kError;
  bool cached = false;
  double duration_ms = 0;
  std::string reason;  // for skipped and error only
  std::vector<Finding> findings;
  // Why the rule ran (with --explain); not part of the cached value.
  std::string explain;
};

}  // namespace sotinc
