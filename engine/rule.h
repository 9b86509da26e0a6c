// A rule as the engine sees it: identity, severity, dependencies and the
// compiled check (SPEC section 1). Rules are created by the config loader
// (rules/config.h), owned by its Config, and only borrowed by the engine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/check.h"
#include "engine/result.h"

namespace sotinc {

struct SourceLoc {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
  std::string ToString() const {  // "file:line:column"
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

struct Settings {
  int jobs = 0;                         // 0 = auto (number of CPUs)
  int64_t timeout_ms = 60000;           // default per-rule time limit
  uint64_t max_file_bytes = 8u << 20;   // content checks never load bigger files
  uint64_t worker_memory = 0;           // address-space limit per worker; 0 = none
};

struct Rule {
  std::string id;
  std::string title;
  std::string description;
  Severity severity = Severity::kError;
  std::vector<std::string> tags;
  std::vector<std::string> depends_on;
  bool enabled = true;
  int64_t timeout_ms = 0;  // 0 = settings.timeout_ms
  bool allow_empty = false;
  std::string kind;
  std::unique_ptr<Check> check;
  SourceLoc loc;  // where `- id:` stands
  // The check's definition in a canonical form (kind, fields in sorted key
  // order, allow_empty): what the cache key covers. Title, description,
  // position and formatting are not part of it.
  std::string canonical;
};

}  // namespace sotinc
