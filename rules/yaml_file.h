// One YAML (or JSON) file loaded for the `yaml` and `unique` check kinds
// (SPEC section 3): every document of the file, a parse error as one
// located finding, and positions in bytes of the original content. JSON
// files get a pre-pass that keeps byte positions (tabs outside strings
// become spaces, UTF-16 surrogate escapes that yaml-cpp rejects are
// rewritten). Typing the nodes is rules/yaml_value.h's job.
//
// A YamlFile is a plain value. yaml-cpp nodes are not thread-safe, so a
// YamlFile (and every node taken from it) belongs to one thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/result.h"

namespace sotinc {

// Every document of one YAML (or JSON) file, with positions in the bytes of
// the original content. Holds the parsed nodes; movable, not copyable.
class YamlFile {
 public:
  YamlFile() = default;
  YamlFile(YamlFile&&) = default;
  YamlFile& operator=(YamlFile&&) = default;
  YamlFile(const YamlFile&) = delete;
  YamlFile& operator=(const YamlFile&) = delete;

  // Parses `content` (a path ending in ".json" gets the JSON pre-pass).
  // On failure returns false with *error set: a binary file ("binary file,
  // not YAML") or the parser's message with its line and column. Never
  // throws.
  static bool Load(const std::string& path, std::string_view content, YamlFile* out,
                   Finding* error);

  // The documents to check. Empty documents (a stray `---`) are dropped
  // when the file has others; a file without any content yields one null
  // document, so `require` still reports what is missing.
  const std::vector<YAML::Node>& documents() const { return documents_; }

  // 1-based line and byte column in the original content; a null mark
  // (a node without a position) is reported at 1:1.
  void Locate(const YAML::Mark& mark, int* line, int* column) const;

  // The written form of a scalar (its Scalar()) or of a null node (`~`,
  // `null`, ... or "" when empty), for `match`.
  std::string WrittenForm(const YAML::Node& node) const;

 private:
  // A place where the JSON pre-pass made the text `bytes` shorter: marks on
  // `line` at or after `pos` (in the parsed text) sit `bytes` further right
  // in the original.
  struct Shift {
    size_t pos;
    int line;
    int bytes;
  };

  std::string text_;  // what yaml-cpp parsed
  size_t bom_ = 0;    // bytes of a UTF-8 byte order mark yaml-cpp skipped
  std::vector<Shift> shifts_;
  std::vector<YAML::Node> documents_;
};

}  // namespace sotinc
