// MemConfigFiles: config files held in memory, for loading configs in
// tests without a disk (rules/config.h's ConfigFiles).
//
//   sotinc::testing::MemConfigFiles files;
//   files.files["sotinc.yaml"] = "version: 1\nrules: []\n";
//   files.unreadable.insert("rules/secret.yaml");  // listed, Read() fails
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rules/config.h"

namespace sotinc {
namespace testing {

class MemConfigFiles : public ConfigFiles {
 public:
  std::map<std::string, std::string> files;
  std::set<std::string> unreadable;

  Result<std::string> Read(const std::string& path) override {
    if (unreadable.count(path)) return Status::Error("permission denied");
    auto it = files.find(path);
    if (it == files.end()) return Status::Error("no such file");
    return it->second;
  }
  Result<std::vector<std::string>> List() override {
    std::vector<std::string> out;
    for (const auto& [path, content] : files) out.push_back(path);
    for (const std::string& path : unreadable) out.push_back(path);
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace testing
}  // namespace sotinc
