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

// One path segment of a simple alternative (see CompiledGlob::simple).
struct SimpleSegment {
  enum Kind {
    kLiteral,  // exactly `text`
    kAny,      // a lone `*`: any non-empty segment
    kAffix,    // `text` + `*` + `text2`: starts with text, ends with text2
    kCapture,  // `<name>`: any non-empty segment, bound to capture_names[capture]
  };
  Kind kind = kLiteral;
  std::string text;
  std::string text2;
  size_t capture = 0;
};

// An alternative made only of the segment shapes above, with at most one
// `**`: `head` segments, then (if globstar) any number of segments (at
// least one when `tail` is empty, as a trailing `**` needs one), then
// `tail` segments.
struct SimpleAlternative {
  std::vector<SimpleSegment> head;
  bool globstar = false;
  std::vector<SimpleSegment> tail;
};

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
  // When every alternative is simple, a matcher that splits the path into
  // segments gives the same answer (and captures) as `re` for any path
  // without empty segments, at a fraction of RE2's cost. Used by
  // Glob::Match for such paths; `re` stays the reference (tests compare).
  bool simple = false;
  std::vector<SimpleAlternative> simple_alternatives;
};

// The simple matcher: 1 match, 0 no match, -1 cannot say (the glob is not
// simple, or the path has an empty segment or too many segments): use RE2.
// On a match, `bound` (if given) receives one entry per capture name, with
// data() null for names the matching alternative does not bind.
int SimpleMatch(const CompiledGlob& glob, std::string_view path,
                std::vector<std::string_view>* bound);

// Compiles `pattern` (no leading `!`) into *out. Errors name a 1-based
// column of the pattern plus `column_offset` ("column 4: unclosed '['"),
// so that GlobList can count the entry as written.
Status CompileGlob(std::string_view pattern, int column_offset, CompiledGlob* out);

}  // namespace glob_internal
}  // namespace sotinc
