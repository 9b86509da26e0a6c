// The rule configuration: `sotinc.yaml` and the files it includes
// (SPEC section 1), loaded into typed rules with compiled checks.
//
// Loading never throws: every mistake becomes one line of
// "file:line:column: message" (with "rule ID: " before the message when it
// is about a rule; a rule without a usable id is named by its place, "#2")
// in ConfigError::lines, and loading goes on so that one run reports every
// mistake it can find. A YAML syntax error stops the reading of that file
// only. yaml-cpp's own texts never reach the user: syntax errors are
// restated with what to do. tests/bad_configs/ holds a catalog of mistakes
// with the exact text of each report. A Config owns its rules and their
// checks; it is immutable after loading.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/glob.h"
#include "engine/result.h"
#include "engine/rule.h"
#include "engine/status.h"
#include "rules/units.h"  // ParseDuration, ParseSize: users of config.h rely on them

namespace sotinc {

struct Config {
  int version = 1;
  std::vector<std::string> ignore;  // raw globs as written
  GlobList ignore_globs;
  Settings settings;
  std::vector<Rule> rules;         // sorted by id
  std::vector<std::string> files;  // every config file read, the main one first

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

// Config errors: each line is "file:line:column: message", sorted by file
// (the main config first, then included files in the order they were
// read), line and column.
struct ConfigError {
  std::vector<std::string> lines;
  std::string Text() const;
};

// Loads `path` and its includes. Include globs are relative to the
// repository root and matched against files.List(); matched files are read
// in sorted path order, the main config is never read twice, and a read
// failure is reported at the include entry. On failure the Status message
// is error->Text(). `error` (may be null) is cleared first.
Result<Config> LoadConfig(const std::string& path, ConfigFiles& files, ConfigError* error);

}  // namespace sotinc
