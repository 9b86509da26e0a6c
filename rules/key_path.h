// Key paths: how `yaml` and `unique` rules name values inside a document.
//
// Syntax (documented for users in docs/):
//   metadata.shard_id        keys of nested maps, separated by '.'
//   items[*].name            `[*]`: every item of the list `items`
//   items[0], items[-1]      one item by index (negative counts from the end)
//   [*].id                   a path may start with `[...]` (a top-level list)
//   labels."app.kubernetes.io/name"   a quoted key may hold '.', '[' or ']'
//                            ("..." with \" and \\ escapes, or '...' with '')
// A key matches a map key whose scalar text is exactly the segment (so `a.1`
// finds the key `1` whether written 1 or "1"); `.0` is a key, never an index.
//
// Resolving a path yields one hit per value it names (a `[*]` fans out) and,
// where the path cannot be followed, one miss that says why and where: the
// nearest existing node. That is what `require` reports; the other criteria
// judge only the hits. KeyPath is immutable and safe to share; resolving
// reads yaml-cpp nodes, which belong to one thread.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"
#include "rules/fields.h"
#include "rules/yaml_value.h"

namespace sotinc {

struct KeyPathSegment {
  enum Kind { kKey, kIndex, kEach };
  Kind kind = kKey;
  std::string key;    // kKey
  int64_t index = 0;  // kIndex
};

class KeyPath {
 public:
  // Parses `text`. Errors say what is wrong and at which 1-based column,
  // e.g. "column 3: unclosed '['".
  static Result<KeyPath> Parse(std::string_view text);

  const std::string& text() const { return text_; }
  const std::vector<KeyPathSegment>& segments() const { return segments_; }

 private:
  std::string text_;  // as written
  std::vector<KeyPathSegment> segments_;
};

// Parses the key path written in the config scalar `node`; reports a bad
// one (or a node that is not a scalar) through `diag` at the node, naming
// `field` ("require", "key", ...), and returns false.
bool ParseKeyPathAt(const YAML::Node& node, const std::string& field, Diagnostics* diag,
                    KeyPath* out);

// Writes segments back as a path, quoting keys that need it.
std::string FormatKeyPath(const std::vector<KeyPathSegment>& segments);

// One result of resolving a path in one document. Handed to a visitor and
// valid only during that call (it points into the resolver's state); the
// path and reason are formatted on demand, because a `[*]` may fan out to
// many hits of which few become findings.
struct KeyPathHit {
  // Why a miss stopped where it did.
  enum class Stop { kNone, kAbsent, kNotMap, kNotList, kOutOfRange };

  bool found = false;
  // Found: the value. Missing: the nearest existing node on the way.
  YAML::Node node;
  // Where a finding about this hit points: the value's position, or its
  // key's when the value has no position of its own (an empty null, an
  // alias, whose mark is its anchor's); for a miss, the nearest node's.
  YAML::Mark mark;
  // Found through a map key: that key's position (for `forbid`).
  YAML::Mark key_mark;
  Stop stop = Stop::kNone;

  // The path with every `[*]` replaced by the index taken ("items[2].name");
  // for a miss the rest of the path follows as written.
  std::string path() const;
  // A miss that is not simply an absent key: why the path stops, e.g.
  // "'a' is a string, not a map" or "'a' is a list of 2 items"; else "".
  std::string reason() const;

  // Set by ResolveKeyPath: the concrete segments taken to `node`, and the
  // path's segments from `rest_from` on, not taken.
  const std::vector<KeyPathSegment>* taken = nullptr;
  const std::vector<KeyPathSegment>* rest = nullptr;
  size_t rest_from = 0;
};

// Receives each hit in document order; returns false to stop resolving.
using KeyPathVisitor = std::function<bool(const KeyPathHit&)>;

// Calls `visit` with a hit or miss per value the path names in `root`; a
// `[*]` over an empty list yields nothing. Hits are passed one at a time,
// never collected, so an alias bomb costs budget, not memory. Returns false
// when the budget ran out or `visit` asked to stop (a visitor may spend
// from the same budget; running it out stops the walk too).
bool ResolveKeyPath(const YAML::Node& root, const KeyPath& path, NodeBudget* budget,
                    const KeyPathVisitor& visit);

}  // namespace sotinc
