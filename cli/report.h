// Output formats of a run: text for people, JSON for tools (SPEC section 5).
//
// Formatting is a pure function of the report: the same results give the
// same bytes (durations aside), whatever the machine or the run order.
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
std::string FormatText(const RunReport& report, const RuleGraph& graph,
                       const TextOptions& options);

// JSON string literal (with quotes) of arbitrary bytes: control characters
// escaped, invalid UTF-8 replaced by U+FFFD so the output always parses.
std::string JsonString(const std::string& s);

}  // namespace sotinc
