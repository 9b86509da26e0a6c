// Test helper: compiles a `check:` mapping written as YAML text into a
// Check, the way the config loader does, collecting any config errors.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <vector>

#include "rules/fields.h"
#include "rules/kinds.h"

namespace sotinc {
namespace testing {

// `yaml` is the check mapping, e.g. "{kind: path_name, files: '*', pattern: x}".
// Returns null (with errors filled) when the config is rejected.
inline std::unique_ptr<Check> ParseCheck(const std::string& yaml,
                                         std::vector<std::string>* errors) {
  YAML::Node node = YAML::Load(yaml);
  Diagnostics diag("sotinc.yaml", errors);
  diag.set_rule("T001");
  Fields fields(node, "check", &diag);
  std::string kind;
  fields.String("kind", &kind, true);
  CheckParser parser = FindKind(kind);
  if (parser == nullptr) {
    errors->push_back("unknown kind " + kind);
    return nullptr;
  }
  size_t before = diag.count();
  std::unique_ptr<Check> check = parser(fields);
  fields.Finish();
  if (diag.count() != before) return nullptr;
  return check;
}

}  // namespace testing
}  // namespace sotinc
