// The rule configuration: `sotinc.yaml` and the files it includes
// (SPEC section 1), loaded into typed rules with compiled checks.
//
// Loading never throws: every mistake becomes one line of
// "file:line:column: message" in ConfigError::lines, and loading goes on so
// that one run reports every mistake it can find. A Config owns its rules
// and their checks; it is immutable after loading.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/glob.h"
#include "engine/result.h"
#include "engine/status.h"
#include "engine/rule.h"

namespace sotinc {

struct Config {
  int version = 1;
  std::vector<std::string> ignore;  // raw globs as written
  GlobList ignore_globs;
  Settings settings;
  std::vector<Rule> rules;          // sorted by id
  std::vector<std::string> files;   // every config file read, the main one first

  const Rule* Find(const std::string& id) const;
};

// Where config files come from: the working tree, the index or a commit.
class ConfigFiles {
 public:
  virtual ~ConfigFiles() = default;
  // Content of the file at `path` (as given: relative to the repository
  // root, or absolute for --config outside it).
  virtual Result<std::string> Read(const std::string& path) = 0;
  // Paths of the files that exist, for expanding `include:` globs
  // (repository-relative, sorted).
  virtual Result<std::vector<std::string>> List() = 0;
};

// Config errors: each line is "file:line:column: message".
struct ConfigError {
  std::vector<std::string> lines;
  std::string Text() const;
};

// Loads `path` and its includes. Include globs are relative to the
// repository root and matched against files.List().
Result<Config> LoadConfig(const std::string& path, ConfigFiles& files, ConfigError* error);

// Parses "60s", "500ms", "2m", a bare number of seconds.
bool ParseDuration(const std::string& text, int64_t* ms);
// Parses "8MiB", "512KiB", "1GiB", "100KB", "1000", ...
bool ParseSize(const std::string& text, uint64_t* bytes);

}  // namespace sotinc
