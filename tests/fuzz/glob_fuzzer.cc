// libFuzzer target: the glob compiler and matcher (engine/glob.h).
//
// Input: the first line is a pattern, every further line a path to match
// (when there are none, paths are derived from the pattern by filling its
// wildcards). Compilation must end in a Glob or an error that names a
// column. For every path, Glob::Match (the segment matcher for simple
// shapes) must agree with Glob::MatchRegex (the RE2 program) on the answer
// and the captures, and GlobList::MatchAll over a PathIndex of the paths
// must find exactly the paths that GlobList::Match accepts. A disagreement
// is a bug and aborts.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "engine/glob.h"
#include "engine/path_index.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view pattern, std::string_view path) {
  std::fprintf(stderr, "glob_fuzzer: %s\n  pattern: '%.*s'\n  path: '%.*s'\n", what,
               static_cast<int>(pattern.size()), pattern.data(), static_cast<int>(path.size()),
               path.data());
  std::abort();
}

// Paths a pattern is likely to match, so that matching is exercised even
// when the input holds no paths: wildcards filled with short text.
std::vector<std::string> DerivedPaths(std::string_view pattern) {
  std::string plain, deep, braces;
  bool in_class = false, in_capture = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (in_class) {
      if (c == ']') {
        in_class = false;
        plain += 'a';
        deep += 'b';
      }
      continue;
    }
    if (in_capture) {
      if (c == '>') {
        in_capture = false;
        plain += "cap";
        deep += "x.y";
      }
      continue;
    }
    switch (c) {
      case '*':
        plain += 'f';
        deep += (i + 1 < pattern.size() && pattern[i + 1] == '*') ? "d/e" : "g.h";
        break;
      case '?':
        plain += 'q';
        deep += "\xc3\xa9";
        break;
      case '[':
        in_class = true;
        break;
      case '<':
        in_capture = true;
        break;
      case '{':
      case '}':
        break;
      case ',':
        plain += ',';
        break;
      case '\\':
        if (i + 1 < pattern.size()) {
          plain += pattern[i + 1];
          deep += pattern[i + 1];
          ++i;
        }
        break;
      default:
        plain += c;
        deep += c;
    }
  }
  std::vector<std::string> out{plain, deep};
  // The first brace alternative only: "a/{b,c}/d" -> "a/b/d".
  int depth = 0;
  bool skipping = false;
  for (char c : pattern) {
    if (c == '{') {
      ++depth;
      continue;
    }
    if (c == '}') {
      if (depth > 0) --depth;
      if (depth == 0) skipping = false;
      continue;
    }
    if (c == ',' && depth > 0) {
      skipping = true;
      continue;
    }
    if (skipping) continue;
    braces += c == '*' ? 'z' : c;
  }
  out.push_back(braces);
  out.push_back(plain + "/tail");
  out.push_back("lead/" + plain);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Patterns past a few KiB only repeat what short ones reach, slower.
  if (size > 4096) return 0;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t eol = input.find('\n');
  std::string_view pattern = input.substr(0, eol);
  std::vector<std::string> paths;
  if (eol != std::string_view::npos) {
    std::string_view rest = input.substr(eol + 1);
    while (!rest.empty()) {
      size_t cut = rest.find('\n');
      paths.emplace_back(rest.substr(0, cut));
      if (cut == std::string_view::npos) break;
      rest.remove_prefix(cut + 1);
    }
  }
  if (paths.empty()) paths = DerivedPaths(pattern);

  sotinc::Result<sotinc::Glob> glob = sotinc::Glob::Compile(pattern);
  if (!glob.ok()) {
    if (glob.error().rfind("column ", 0) != 0) Fail("error without a column", pattern, "");
    return 0;
  }
  for (const std::string& path : paths) {
    sotinc::Captures fast, slow;
    bool fast_match = glob->Match(path, &fast);
    bool slow_match = glob->MatchRegex(path, &slow);
    if (fast_match != slow_match) Fail("Match and MatchRegex disagree", pattern, path);
    if (fast_match && fast != slow) Fail("Match and MatchRegex bind differently", pattern, path);
    if (glob->Match(path) != fast_match) Fail("captures change the answer", pattern, path);
    if (fast_match) {
      if (path.compare(0, glob->literal_prefix().size(), glob->literal_prefix()) != 0) {
        Fail("a match does not start with literal_prefix()", pattern, path);
      }
      const std::string& suffix = glob->literal_suffix();
      if (path.size() < suffix.size() ||
          path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
        Fail("a match does not end with literal_suffix()", pattern, path);
      }
    }
  }

  // The list form, with an exclusion, through the index's buckets.
  sotinc::Result<sotinc::GlobList> list =
      sotinc::GlobList::Compile({std::string(pattern), "!**/excluded"});
  if (!list.ok()) {
    // A leading `!` makes the entry an exclusion of the rest, which may not compile.
    if (pattern.empty() || pattern[0] != '!') {
      Fail("a glob compiles alone but not in a list", pattern, "");
    }
    return 0;
  }
  sotinc::PathIndex index(paths);
  std::vector<std::string> dead;
  std::vector<sotinc::GlobMatch> all = list->MatchAll(index, &dead);
  size_t next = 0;
  for (uint32_t i = 0; i < index.size(); ++i) {
    std::string_view path = index.paths()[i];
    sotinc::Captures captures;
    bool match = list->Match(path, &captures);
    bool listed = next < all.size() && all[next].index == i;
    if (match != listed) Fail("MatchAll and Match disagree", pattern, path);
    if (listed) {
      if (all[next].captures != captures) Fail("MatchAll binds differently", pattern, path);
      ++next;
    }
  }
  if (next != all.size()) Fail("MatchAll returned unsorted or extra matches", pattern, "");
  if (!list->empty() && dead.empty() == all.empty())
    Fail("dead globs do not fit the matches", pattern, "");
  return 0;
}
