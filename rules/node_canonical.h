// The canonical text of a rule's `check:` mapping as parsed YAML: map keys
// sorted, scalars tagged as plain or quoted, so that formatting and key
// order never change it. The config loader stores it in Rule::canonical,
// from which the rule's cache key is derived: two configs that differ only
// in layout give the same text. Pure function; thread-safe.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>

namespace sotinc {

// Bound on a rule's canonical text: YAML aliases can make a small file
// expand exponentially ("billion laughs").
constexpr size_t kMaxCanonicalBytes = 4 << 20;

// Appends the canonical text of `n` to *out. False when the text would
// exceed kMaxCanonicalBytes (*out then holds a partial text).
bool CanonicalNodeText(const YAML::Node& n, std::string* out);

}  // namespace sotinc
