// Internal to engine/glob.cc and engine/glob_parse.cc; not for other users.
//
// Compiles one glob pattern (SPEC section 2, documented in engine/glob.h)
// into a CompiledGlob: the pattern is parsed into tokens and brace groups,
// the braces are expanded (within the limits glob.h states), the segment
// rules are applied to each alternative, and the alternatives are joined
// into one anchored RE2 program. Glob owns the result (Glob::Impl is a
// CompiledGlob) and only matches with it; a CompiledGlob is immutable
// once built and safe to share between threads.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace sotinc {
namespace glob_internal {

struct CompiledGlob {
  std::string pattern;
  std::vector<std::string> capture_names;
  std::vector<size_t> group_name;  // RE2 group i+1 -> index into capture_names
  std::string prefix;
  std::string suffix;
  // Index buckets that hold every possible match; empty when some
  // alternative's last segment is neither a literal name nor "...ext".
  std::vector<std::string> basenames;
  std::vector<std::string> extensions;
  std::unique_ptr<RE2> re;
};

// Compiles `pattern` (no leading `!`) into *out. Errors name a 1-based
// column of the pattern plus `column_offset` ("column 4: unclosed '['"),
// so that GlobList can count the entry as written.
Status CompileGlob(std::string_view pattern, int column_offset, CompiledGlob* out);

}  // namespace glob_internal
}  // namespace sotinc
