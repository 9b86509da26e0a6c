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
  // Owns `paths`: sorts and de-duplicates them.
  explicit PathIndex(std::vector<std::string> paths);
  // Views strings owned by someone else (`keep_alive`, when given, is held
  // by the index and its copies); sorts and de-duplicates the views. The
  // snapshot's tree views its files' paths instead of copying 248,000 of
  // them at L.
  static PathIndex Viewing(std::vector<std::string_view> paths,
                           std::shared_ptr<const void> keep_alive = nullptr);
  PathIndex(PathIndex&&) = default;
  PathIndex& operator=(PathIndex&&) = default;
  // A copy shares the strings and builds its own buckets when asked.
  PathIndex(const PathIndex& other) : paths_(other.paths_), storage_(other.storage_) {}
  PathIndex& operator=(const PathIndex& other) {
    if (this != &other) *this = PathIndex(other);
    return *this;
  }

  const std::vector<std::string_view>& paths() const { return paths_; }
  // What keeps the strings alive when the index owns them (null when the
  // caller does): Tree hands it to its dirs, which view the same strings.
  const std::shared_ptr<const void>& storage() const { return storage_; }
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
    std::unordered_map<std::string_view, std::vector<uint32_t>> by_basename;
    std::unordered_map<std::string_view, std::vector<uint32_t>> by_extension;
  };
  const Buckets& buckets() const;
  void SortAndDedup();

  std::vector<std::string_view> paths_;
  std::shared_ptr<const void> storage_;  // the strings paths_ views, if owned
  std::unique_ptr<Buckets> buckets_ = std::make_unique<Buckets>();
};

// The shape of a candidate file set: its files and the directories that
// hold them ("a" and "a/b" for the file "a/b/c"; the root is "."). A
// directory exists only when it holds a file, as in git. Plain value,
// immutable once built; the dirs view prefixes of the files' strings.
struct Tree {
  PathIndex files;
  PathIndex dirs;  // never contains "."

  // Builds dirs from files; the tree owns copies of the paths.
  static Tree FromFiles(std::vector<std::string> files);
  // The same over strings the caller owns and keeps for the tree's life.
  static Tree Viewing(std::vector<std::string_view> files);
};

}  // namespace sotinc
