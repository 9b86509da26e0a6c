// libFuzzer target: the config loader (rules/config.h) on arbitrary bytes.
//
// The input is split into files at each line "#%%" (a separator no real
// config needs): the first part is sotinc.yaml, the others rules/1.yaml,
// rules/2.yaml, ... so that `include:` globs have something to find. Files
// come from memory (the ConfigFiles seam), never from the disk. Loading
// must end in a Config or a ConfigError whose every line has the
// "file:line:column: message" shape; anything else (a crash, an escaped
// exception, an empty error) aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rules/config.h"

namespace {

class MemConfigFiles : public sotinc::ConfigFiles {
 public:
  std::map<std::string, std::string> files;

  sotinc::Result<std::string> Read(const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return sotinc::Status::Error("no such file");
    return it->second;
  }
  sotinc::Result<std::vector<std::string>> List() override {
    std::vector<std::string> out;
    for (const auto& entry : files) out.push_back(entry.first);  // std::map: sorted
    return out;
  }
};

void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "config_fuzzer: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  MemConfigFiles files;
  constexpr std::string_view kSeparator = "\n#%%\n";
  int n = 0;
  while (true) {
    size_t cut = input.find(kSeparator);
    std::string name = n == 0 ? "sotinc.yaml" : "rules/" + std::to_string(n) + ".yaml";
    files.files[name] = std::string(input.substr(0, cut));
    if (cut == std::string_view::npos) break;
    input.remove_prefix(cut + kSeparator.size());
    ++n;
  }

  sotinc::ConfigError error;
  sotinc::Result<sotinc::Config> config = sotinc::LoadConfig("sotinc.yaml", files, &error);
  if (config.ok()) {
    if (!error.lines.empty()) Fail("loaded, yet with errors", error.Text());
    for (const sotinc::Rule& rule : config->rules) {
      if (config->Find(rule.id) != &rule) Fail("rule not found by its id", rule.id);
    }
  } else {
    if (error.lines.empty()) Fail("failed without an error line", config.error());
    for (const std::string& line : error.lines) {
      // Every line names a config file first.
      if (line.rfind("sotinc.yaml:", 0) != 0 && line.rfind("rules/", 0) != 0) {
        Fail("error line without a file", line);
      }
    }
  }
  return 0;
}
