#include "engine/result.h"

#include <algorithm>
#include <tuple>

namespace sotinc {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kInfo: return "info";
  }
  return "error";
}

const char* StatusName(RuleStatus s) {
  switch (s) {
    case RuleStatus::kPass: return "pass";
    case RuleStatus::kFail: return "fail";
    case RuleStatus::kError: return "error";
    case RuleStatus::kSkipped: return "skipped";
  }
  return "error";
}

bool ParseSeverity(const std::string& text, Severity* out) {
  if (text == "error") *out = Severity::kError;
  else if (text == "warning") *out = Severity::kWarning;
  else if (text == "info") *out = Severity::kInfo;
  else return false;
  return true;
}

bool FindingLess(const Finding& a, const Finding& b) {
  return std::tie(a.path, a.line, a.column, a.message) <
         std::tie(b.path, b.line, b.column, b.message);
}

void SortFindings(std::vector<Finding>* findings) {
  std::sort(findings->begin(), findings->end(), FindingLess);
}

}  // namespace sotinc
