// Typed, located access to the keys of one YAML mapping in a config file.
//
// Each getter marks its key as known; Finish() then reports every key that
// no getter asked for as "unknown key", with a "did you mean" suggestion
// (or the list of known keys), and every key written twice. Every problem
// is reported through the shared Diagnostics as
// "file:line:column: rule ID: message", so a config with several mistakes
// gets them all in one run.
//
// Positions: yaml-cpp gives an empty (null) value the position of the next
// token, often on the next line, so errors about a key whose value is
// empty point at the key instead (see Where()).
//
// Not thread-safe; lives only while loading. Fields borrows the mapping
// node and the Diagnostics; both must outlive it.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/glob.h"

namespace re2 {
class RE2;
}

namespace sotinc {

// Collects config errors for one file (and the rule being read, if any).
// Appends to a vector it borrows, so that several Diagnostics (one per
// config file) share one list.
class Diagnostics {
 public:
  Diagnostics(std::string file, std::vector<std::string>* lines)
      : file_(std::move(file)), lines_(lines) {}

  // The rule that later errors are about: its id, or a label such as "#2"
  // for a rule without a usable id. Empty for errors outside any rule.
  void set_rule(std::string id) { rule_ = std::move(id); }
  const std::string& file() const { return file_; }

  // Reports at the node's position (start of the file if it has none).
  void Error(const YAML::Node& at, const std::string& message);
  void Error(const YAML::Mark& at, const std::string& message);
  // Number of errors reported so far (by every Diagnostics of the list).
  size_t count() const { return lines_->size(); }

 private:
  std::string file_;
  std::string rule_;
  std::vector<std::string>* lines_;
};

// The closest of `candidates` to `word` (case-insensitive, counting a
// swap of two neighbouring letters as one edit) within a small edit
// distance that grows with the length of `word`, or "". Ties go to the
// earliest candidate. Words and candidates longer than kSuggestMaxLength
// bytes are never compared (the cost is quadratic in the length).
inline constexpr size_t kSuggestMaxLength = 64;
std::string Suggest(const std::string& word, const std::vector<std::string>& candidates);

class Fields {
 public:
  // `map` must be a mapping node (the caller checks); `what` names it in
  // messages ("rule", "check", "settings").
  Fields(const YAML::Node& map, std::string what, Diagnostics* diag);

  bool Has(const char* key);
  // The raw node (marks the key known); an undefined node when absent.
  YAML::Node Get(const char* key);
  // The key's own node (for its position), or the map if absent.
  YAML::Node KeyNode(const char* key) const;
  // Where to report a problem with `key`: its value, or the key itself
  // when the value is empty or absent (or the map when the key is absent).
  YAML::Mark Where(const char* key) const;

  // Each returns false when the key is absent (reporting an error if
  // `required`) or has the wrong type (reporting it). On false, *out is
  // left unchanged.
  bool String(const char* key, std::string* out, bool required = false);
  bool Bool(const char* key, bool* out);
  bool Int(const char* key, int64_t* out, int64_t min_value);
  // A scalar or a list of scalars. An empty value counts as absent.
  bool StringList(const char* key, std::vector<std::string>* out, bool required = false);
  // A glob or a list of globs with at least one positive glob.
  bool Globs(const char* key, GlobList* out, bool required = true);
  // Compiles `patterns` (read from `key`), reporting each invalid glob at
  // its own list item. An empty list compiles to an empty GlobList.
  bool CompileGlobs(const char* key, const std::vector<std::string>& patterns, GlobList* out);
  // One of `values`.
  bool Choice(const char* key, std::initializer_list<const char*> values, std::string* out);
  // A non-empty RE2 pattern; an invalid one is reported with RE2's reason.
  std::unique_ptr<re2::RE2> Regex(const char* key, bool required, bool ignore_case);

  // Reports a problem with the value of `key` (at Where(key)).
  void Error(const char* key, const std::string& message);
  Diagnostics* diag() { return diag_; }

  // Marks `key` as dealt with (the caller reported it) without offering
  // it as a known key in Finish()'s messages.
  void Skip(const char* key) { skipped_.insert(key); }

  // Reports keys that no getter asked for, keys written twice and keys
  // that are not plain names.
  void Finish();

 private:
  // Reports that the required `key` is missing, at the mapping.
  void Needs(const char* key);

  YAML::Node map_;
  std::string what_;
  Diagnostics* diag_;
  std::set<std::string> known_;
  std::set<std::string> skipped_;
};

// Compiles an RE2 pattern given in `node`, reporting errors at the node
// with RE2's reason and, for Perl features RE2 lacks (backreferences,
// lookaround), what to do instead.
std::unique_ptr<re2::RE2> CompileRegex(const YAML::Node& node, const std::string& pattern,
                                       bool ignore_case, Diagnostics* diag);

// Human name of a node's type for messages: "a list", "a mapping", ...
const char* NodeTypeName(const YAML::Node& node);

}  // namespace sotinc
