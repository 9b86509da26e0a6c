// gitignore patterns, matched the way git matches them (gitignore(5)).
//
// Why not libgit2's git_ignore_path_is_ignored: every call rebuilds the
// stack of ignore files from the root to the path and stats each of them,
// about 5 system calls per path; on a 25,000-file tree that was a quarter
// of the listing time. The working tree walk (git_worktree_walk.cc) reads
// each directory's .gitignore once, keeps one IgnoreList per directory and
// asks them from the deepest up, then $GIT_DIR/info/exclude, then
// core.excludesFile: the first list with a matching pattern decides, and
// within a list the last matching pattern wins (git's precedence).
//
// Supported: comments, blank lines, trailing spaces (kept when escaped),
// `\` escapes, `!` negation, a trailing `/` (directories only), patterns
// with a `/` anchored to the list's directory, patterns without one
// matching the basename at any depth, `*`, `?`, `[...]` with ranges, `!`/`^`
// negation and [:classes:], and `**` as a whole segment. core.ignoreCase
// folds ASCII case. What these functions do not do is the parent rule
// ("a file inside an ignored directory is ignored, whatever its own
// patterns say"): the walk applies it by never entering an ignored
// directory.
//
// An IgnoreList is immutable after Parse and safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sotinc {

// git's wildmatch. With PATHNAME, `*`, `?` and classes never match `/` and
// `**` between slashes matches any number of segments.
bool WildMatch(std::string_view pattern, std::string_view text, bool pathname, bool casefold);

class IgnoreList {
 public:
  enum class Verdict { kNoMatch, kIgnored, kNotIgnored };

  // TEXT is the content of one ignore file; BASE is the directory it
  // applies to, relative to the repository root: "" or "dir/sub/".
  static IgnoreList Parse(std::string_view text, std::string base);

  // The verdict of the last pattern matching PATH (relative to the
  // repository root, no trailing '/'; IS_DIR when it names a directory).
  Verdict Match(std::string_view path, bool is_dir, bool casefold) const;

  bool empty() const { return patterns_.empty(); }

 private:
  struct Pattern {
    std::string text;  // without `!`, the trailing `/` and a leading `/`
    bool negated = false;
    bool dir_only = false;
    bool basename = false;  // no `/` in the pattern: match the last segment
  };

  std::string base_;
  std::vector<Pattern> patterns_;
};

}  // namespace sotinc
