// libFuzzer target: the `yaml` check (rules/yaml_check.cc) on arbitrary
// file content.
//
// The input is the content of one file, given to a few fixed yaml checks
// that together use every field (require, forbid, equals with captures,
// enum, match, type) under a .yaml and a .json name, through the same
// interface the unit tests use (tests/testing/parse_check.h,
// tests/testing/fake_file_source.h): no disk, no process. Any content must
// end in findings or an error status, never a crash or an escaped
// exception; every finding must name the file it judged.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "tests/testing/fake_file_source.h"
#include "tests/testing/parse_check.h"

namespace {

const char* const kChecks[] = {
    "{kind: yaml, files: ['<root>/shards/<shard>/*.yaml', '<root>/shards/<shard>/*.json'],"
    " require: [name, 'containers[*].name', 'a.b[0].c'], forbid: [debug, 'items[*].secret'],"
    " equals: {annotations.shard_id: <shard>, annotations.path: '<root>/<shard>',"
    " spec.replicas: 3, '[*].id': <shard>}}",
    "{kind: yaml, files: '**/*.{yaml,json}',"
    " type: {enabled: bool, port: number, replicas: [number, 'null'], containers: list,"
    " meta: map, name: string, '[*].id': number},"
    " enum: {tier: [gold, bronze, 1, true, ~]}, match: {version: '^[0-9]+\\.[0-9]$',"
    " 'containers[*].image': ':'}}",
};

struct Fixture {
  std::vector<std::unique_ptr<sotinc::Check>> checks;
  Fixture() {
    for (const char* yaml : kChecks) {
      std::vector<std::string> errors;
      std::unique_ptr<sotinc::Check> check = sotinc::testing::ParseCheck(yaml, &errors);
      if (!check) {
        for (const std::string& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
        std::fprintf(stderr, "yaml_check_fuzzer: a fixed check is rejected: %s\n", yaml);
        std::abort();
      }
      checks.push_back(std::move(check));
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();  // built once, never freed (no exit-time order)
  std::string content(reinterpret_cast<const char*>(data), size);
  sotinc::testing::CheckFixture files;
  const std::vector<std::string> paths = {"eu/shards/eu1/chart.yaml", "us/shards/us2/data.json"};
  for (const std::string& path : paths) files.source.Add(path, content);
  sotinc::CheckContext& ctx = files.Context();
  for (const auto& check : fixture->checks) {
    std::vector<sotinc::Finding> findings;
    sotinc::Status status = check->Run(ctx, &findings);
    if (!status.ok()) continue;
    for (const sotinc::Finding& f : findings) {
      if (f.path != paths[0] && f.path != paths[1]) {
        std::fprintf(stderr, "yaml_check_fuzzer: a finding names '%s'\n", f.path.c_str());
        std::abort();
      }
      if (f.line < 0 || f.column < 0) {
        std::fprintf(stderr, "yaml_check_fuzzer: negative position %d:%d\n", f.line, f.column);
        std::abort();
      }
    }
  }
  return 0;
}
