// Globs over repository paths (SPEC section 2).
//
// Syntax: `*` and `?` never cross `/`; `**` as a whole segment matches any
// number of whole segments (including none, so `**/x.py` matches `x.py`);
// `[a-z]` / `[!a-z]` classes; `{a,b}` alternatives (may contain `/`);
// `<name>` as a whole segment matches exactly one segment and binds it.
// Matching is case-sensitive and runs in time linear in the path length
// (patterns are compiled to RE2, never to a backtracking matcher).
//
// Details a rule author may need (docs/globs.md repeats them):
//  - Paths are matched as bytes, as stored ("a/b.py", no leading "./").
//    A leading "./" of the pattern is stripped; "." elsewhere, "..",
//    a leading "/" and a trailing "/" are compile errors. An empty segment
//    inside the pattern ("a//b", or "a/{x,}/b" expanding to it) collapses.
//  - `*` matches any run of non-'/' bytes, dot files included; a segment
//    that is only `*` needs at least one byte. `?` matches one UTF-8
//    character (one byte for stray non-UTF-8 bytes 0x80-0xBF, 0xF8-0xFF).
//  - `**` must be a whole segment; "a**" or "***" is an error. "a/**"
//    matches everything under a/ but not a path "a" itself; "a/**/b" also
//    matches "a/b"; repeated "**/**" is the same as one "**".
//  - Classes hold ASCII members and ranges; `]` first is a member, a `-`
//    first or last is a member, `\` escapes. They never match `/`; a
//    negated class matches any other one character, non-ASCII included.
//  - `{a,b}` nest and may contain `/`; `{}` is an error. Braces are
//    expanded before the segment rules above apply, to at most 10,000
//    alternatives, 262,144 bytes in all and a 256 KiB RE2 program.
//  - `<name>` (name = [A-Za-z_][A-Za-z0-9_]*) binds one non-empty segment.
//    A name may occur once per alternative: "<a>/<a>" is rejected, while
//    "{<a>/x,<a>/y}" is fine. When alternatives overlap, the first one
//    (in written order) that matches supplies the captures; names that
//    alternative does not bind are absent from Captures.
//  - `\` escapes the next byte (so `\*`, `\{`, `\<` are literal); a
//    literal `<`, `{` or `}` must be escaped, while `,` `]` `>` outside
//    their constructs are literal.
//
// A Glob is immutable after Compile and safe to share between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace sotinc {

class PathIndex;

// Capture name -> bound segment, in the order the names appear in the glob.
using Captures = std::vector<std::pair<std::string, std::string>>;

class Glob {
 public:
  // Compiles one pattern (no leading `!`; GlobList handles that). On error
  // the message says what is wrong and at which 1-based column of the
  // pattern, e.g. "column 4: unclosed '['". Rejects absolute paths and `..`.
  static Result<Glob> Compile(std::string_view pattern);

  Glob(Glob&&) noexcept;
  Glob& operator=(Glob&&) noexcept;
  ~Glob();

  // True when the whole path matches. Fills captures (if given) on success.
  bool Match(std::string_view path, Captures* captures = nullptr) const;
  // The same through the RE2 program only, never the segment matcher that
  // Match() uses for simple shapes (for tests that compare the two).
  bool MatchRegex(std::string_view path, Captures* captures = nullptr) const;

  const std::string& pattern() const;
  const std::vector<std::string>& capture_names() const;
  // Every match starts with this literal text (may be empty), used to
  // narrow a sorted path list to a range before matching. It is the
  // longest common literal start of all brace alternatives, and may end
  // inside a segment ("src/foo" for "src/foo*.py").
  const std::string& literal_prefix() const;
  // If every match ends with this literal text (e.g. "/chart.yaml" or
  // ".py"), it is returned; otherwise empty. With braces it is the longest
  // text every alternative ends with ("*.{yml,yaml}" gives "ml").
  const std::string& literal_suffix() const;

 private:
  friend class GlobList;  // MatchAll reads the basename / extension keys.
  struct Impl;
  explicit Glob(std::unique_ptr<Impl> impl);
  // Compile, adding `column_offset` to error columns so that GlobList can
  // name the column of an entry as written (with its `!`).
  static Result<Glob> CompileAt(std::string_view pattern, int column_offset);
  std::unique_ptr<Impl> impl_;
};

// One path matched by a GlobList, with the captures of the first positive
// glob (in list order) that matched it.
struct GlobMatch {
  uint32_t index = 0;  // into the PathIndex's paths()
  Captures captures;
};

// A list of globs as written in a rule (`files:` etc.): entries that start
// with `!` exclude, the rest include. A path matches when some positive glob
// matches it and no exclusion does; the order of entries does not change
// which paths match (no re-inclusion after an exclusion, unlike
// .gitignore), only which positive glob supplies the captures. A list
// with only exclusions matches nothing. Write `\!` for a literal leading `!`.
class GlobList {
 public:
  // Errors name the entry: "glob 2 ('a/[b'): column 3: unclosed '['".
  // Columns count the entry as written, its `!` included.
  static Result<GlobList> Compile(const std::vector<std::string>& patterns);

  GlobList() = default;
  GlobList(GlobList&&) noexcept = default;
  GlobList& operator=(GlobList&&) noexcept = default;

  bool Match(std::string_view path, Captures* captures = nullptr) const;

  // All matches in the index, in sorted path order. For each positive glob
  // that matched no path (after exclusions), its pattern is appended to
  // `dead` (if given). Uses the index's prefix ranges and basename /
  // extension buckets, so it is not a nested loop over every path.
  std::vector<GlobMatch> MatchAll(const PathIndex& paths,
                                  std::vector<std::string>* dead = nullptr) const;

  const std::vector<std::string>& patterns() const { return patterns_; }
  bool empty() const { return positive_.empty(); }

 private:
  bool Excluded(std::string_view path) const;
  // Indices that `glob` could match, ascending: a bucket of the index
  // when that is smaller than the glob's prefix range, else the range.
  static std::vector<uint32_t> Candidates(const Glob& glob, const PathIndex& paths);

  std::vector<std::string> patterns_;  // as written, with `!`
  std::vector<Glob> positive_;
  std::vector<Glob> negative_;
};

}  // namespace sotinc
