// A sorted, de-duplicated list of repository paths with lookup structures
// that let many globs be matched without scanning every path for each.
//
// Paths are repository-relative with `/` and sorted by byte order (as
// unsigned bytes, so "a/b" < "a/b/c" < "a/b0" and files under one directory
// are contiguous). The index is immutable after construction and safe to
// share between threads; the basename and extension buckets are built on
// the first call that needs them (once, std::call_once), so an index that
// is only searched by prefix (the dirs of a tree, the ignore pass) never
// pays for them. Indices are uint32_t: at most 2^32 - 1 paths.
//
// The extension of a path is the text after the last '.' of its last
// segment, when that text is not empty: "a/x.tar.gz" -> "gz", ".bashrc" ->
// "bashrc", "Makefile" and "x." have none. A dot file has an extension on
// purpose: it is exactly what "*.ext" can match ("*" may be empty), so a
// glob's bucket always holds all of its matches.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sotinc {

class PathIndex {
 public:
  PathIndex() = default;
  // Sorts and de-duplicates `paths`.
  explicit PathIndex(std::vector<std::string> paths);
  PathIndex(PathIndex&&) = default;
  PathIndex& operator=(PathIndex&&) = default;
  // A copy builds its own buckets when asked.
  PathIndex(const PathIndex& other) : paths_(other.paths_) {}
  PathIndex& operator=(const PathIndex& other) {
    if (this != &other) *this = PathIndex(other);
    return *this;
  }

  const std::vector<std::string>& paths() const { return paths_; }
  // The paths, leaving the index empty.
  std::vector<std::string> TakePaths() && { return std::move(paths_); }
  size_t size() const { return paths_.size(); }

  // Half-open range [first, last) of the paths that start with `prefix`.
  std::pair<uint32_t, uint32_t> PrefixRange(std::string_view prefix) const;
  // Indices (ascending) of paths whose last segment equals `name`; null if none.
  const std::vector<uint32_t>* WithBasename(std::string_view name) const;
  // Indices (ascending) of paths whose extension (see above) is `ext`,
  // given without the dot; null if none.
  const std::vector<uint32_t>* WithExtension(std::string_view ext) const;
  // Index of an exact path, or -1.
  int64_t Find(std::string_view path) const;

 private:
  struct Buckets {
    std::once_flag built;
    // Keys view paths_, which never changes after construction (a move of
    // the index moves the vector's buffer, not its strings).
    std::unordered_map<std::string_view, std::vector<uint32_t>> by_basename;
    std::unordered_map<std::string_view, std::vector<uint32_t>> by_extension;
  };
  const Buckets& buckets() const;

  std::vector<std::string> paths_;
  std::unique_ptr<Buckets> buckets_ = std::make_unique<Buckets>();
};

// The shape of a candidate file set: its files and the directories that
// hold them ("a" and "a/b" for the file "a/b/c"; the root is "."). A
// directory exists only when it holds a file, as in git. Plain value,
// immutable once built.
struct Tree {
  PathIndex files;
  PathIndex dirs;  // never contains "."

  // Builds dirs from files.
  static Tree FromFiles(std::vector<std::string> files);
};

}  // namespace sotinc
