// YAML and JSON content typed as YAML 1.2, for the `yaml` and `unique`
// check kinds (SPEC section 3).
//
// yaml-cpp parses; this file adds what it leaves to its users:
//  - Typing. yaml-cpp keeps every scalar as text plus a tag ("?" for a plain
//    scalar, "!" for a quoted or block one). TypeOf() applies the YAML 1.2
//    core schema to plain scalars: `true`/`True`/`TRUE` are bools, `null`,
//    `~` and empty are null, `1`, `0x1f`, `0o17`, `1.5e3`, `.inf`, `.nan`
//    are numbers, and everything else (`on`, `yes`, `no`, `off`, quoted
//    text) is a string. Explicit core tags (`!!str`, `!!int`, ...) win.
//  - Value: a small typed tree with one canonical form, so that `1 == 1.0`,
//    maps compare regardless of key order, and a config value (possibly
//    holding `<capture>` references) compares with a file's value.
//  - YamlFile (rules/yaml_file.h, included here for the kinds that use
//    both): loading one file's documents with their byte positions.
//  - NodeBudget: yaml-cpp shares aliased nodes, so walking a "billion
//    laughs" file visits exponentially many nodes, and an alias can even
//    refer to its own ancestor. Every walk here spends from a budget and
//    stops when it runs out.
//
// Values are plain values; an immutable Value may be shared between
// threads. yaml-cpp nodes are not thread-safe: a walk over them belongs to
// the thread that owns the nodes.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/glob.h"
#include "engine/result.h"
#include "rules/yaml_file.h"

namespace sotinc {

// The six types of `type:`. (yaml_value.cc indexes its name tables by it.)
enum class ValueType { kString, kNumber, kBool, kNull, kMap, kList };

// "string", "number", "bool", "null", "map", "list" (the names `type:` uses).
const char* ValueTypeName(ValueType type);
// The same with an article for prose: "a string", "null", "a map", ...
const char* ValueTypeNoun(ValueType type);
// Parses a name of ValueTypeName(); false for anything else.
bool ParseValueType(std::string_view name, ValueType* out);

// The type of a scalar written as `text` with yaml-cpp tag `tag`.
ValueType ScalarType(const std::string& text, const std::string& tag);
// The type of any node (an undefined node counts as null).
ValueType TypeOf(const YAML::Node& node);

// Limits one walk over yaml-cpp nodes: at most `max_visits` visits and
// `max_depth` levels of nesting. Once either runs out, Spend/Enter return
// false forever after and the reason stays available for the finding.
class NodeBudget {
 public:
  static constexpr uint64_t kDefaultVisits = 1000000;
  static constexpr int kDefaultDepth = 512;

  explicit NodeBudget(uint64_t max_visits = kDefaultVisits, int max_depth = kDefaultDepth)
      : visits_left_(max_visits), max_visits_(max_visits), max_depth_(max_depth) {}

  // The budget for checking a file of `bytes` bytes: the default plus 8
  // visits per byte, so a big plain file is never cut short while a small
  // file full of aliases is.
  static NodeBudget ForFile(size_t bytes) {
    return NodeBudget(kDefaultVisits + 8 * static_cast<uint64_t>(bytes));
  }

  bool Spend(uint64_t visits = 1) {
    if (exceeded()) return false;
    if (visits > visits_left_) {
      visits_left_ = 0;
      too_many_ = true;
      return false;
    }
    visits_left_ -= visits;
    return true;
  }
  // Nesting: call Enter() before descending and Leave() after.
  bool Enter() {
    if (exceeded()) return false;
    if (++depth_ > max_depth_) too_deep_ = true;
    return !too_deep_;
  }
  void Leave() { --depth_; }

  bool exceeded() const { return too_many_ || too_deep_; }
  // Why the walk stopped, for a finding: "more than 1000000 nodes ...".
  std::string Reason() const;

 private:
  uint64_t visits_left_;
  uint64_t max_visits_;
  int max_depth_;
  int depth_ = 0;
  bool too_many_ = false;
  bool too_deep_ = false;
};

// A typed YAML value, detached from yaml-cpp. Maps keep their entries in
// written order (keys[i] -> items[i]); comparison ignores that order.
struct Value {
  ValueType type = ValueType::kNull;
  // Scalars: the written form of a plain scalar ("1.0", "True") or the
  // value of a string. Empty for null, maps and lists.
  std::string text;
  // Scalars: the yaml-cpp tag, kept so a substituted text can be re-typed.
  std::string tag;
  std::vector<Value> keys;   // maps only
  std::vector<Value> items;  // list items, or map values
};

// Converts `node` into *out. Returns false (with a partial *out) when the
// budget runs out.
bool ToValue(const YAML::Node& node, NodeBudget* budget, Value* out);

// Replaces every `<name>` whose name is bound in `captures` in the texts of
// `v`'s scalars (keys included), then re-types them: a plain `<shard>` that
// becomes `04` is the number 4, a quoted "<shard>" stays the string "04".
Value Substitute(const Value& v, const Captures& captures);
// The distinct names referenced as `<name>` in `v`'s scalars, in order.
// A name is [A-Za-z_][A-Za-z0-9_]* (the glob capture syntax).
std::vector<std::string> CaptureRefs(const Value& v);

// The canonical form: equal values (as YAML 1.2 typed data) have equal
// canonical forms. Numbers compare by value (1, 1.0 and 0x1 are one value;
// .nan equals .nan), strings by their bytes, maps ignore key order.
std::string Canonical(const Value& v);
// The same for a node, without building a Value: appends to *out and
// returns false when the budget runs out.
bool CanonicalOf(const YAML::Node& node, NodeBudget* budget, std::string* out);
// The value for a message, at most about `max_bytes` long: strings quoted
// ('03_x'), other scalars as written, maps and lists in flow style.
std::string Render(const Value& v, size_t max_bytes = 80);
// Render() of a node; looks at no more nodes than it can show.
std::string RenderNode(const YAML::Node& node, size_t max_bytes = 80);

}  // namespace sotinc
