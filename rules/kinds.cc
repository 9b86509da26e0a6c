#include "rules/kinds.h"

#include <cstring>

namespace sotinc {
namespace {

struct KindEntry {
  const char* name;
  CheckParser parser;
};

const KindEntry kKinds[] = {
    {"command", ParseCommand},         {"dir_count", ParseDirCount},
    {"forbid_regex", ParseForbidRegex}, {"max_size", ParseMaxSize},
    {"path_name", ParsePathName},       {"require_regex", ParseRequireRegex},
    {"required_files", ParseRequiredFiles}, {"unique", ParseUnique},
    {"yaml", ParseYaml},
};

}  // namespace

CheckParser FindKind(const std::string& kind) {
  for (const KindEntry& k : kKinds) {
    if (kind == k.name) return k.parser;
  }
  return nullptr;
}

std::vector<std::string> KindNames() {
  std::vector<std::string> names;
  for (const KindEntry& k : kKinds) names.push_back(k.name);
  return names;
}

}  // namespace sotinc
