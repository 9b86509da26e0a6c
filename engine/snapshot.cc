#include "engine/snapshot.h"

#include <algorithm>

namespace sotinc {

Snapshot Snapshot::FromEntries(std::vector<FileEntry> entries, const GlobList& ignore) {
  auto by_path = [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; };
  // Sources list in path order already; sorting 26,000 entries again moved
  // every one of them.
  if (!std::is_sorted(entries.begin(), entries.end(), by_path)) {
    std::sort(entries.begin(), entries.end(), by_path);
  }
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const FileEntry& a, const FileEntry& b) { return a.path == b.path; }),
                entries.end());
  Snapshot s;
  std::vector<std::string> paths;
  paths.reserve(entries.size());
  for (const FileEntry& e : entries) paths.push_back(e.path);
  if (!ignore.empty()) {
    // Match the ignore globs through an index (not path by path) so a long
    // ignore list over a large tree stays cheap. Its paths then become the
    // tree's, less those dropped: one copy of each path, not two.
    PathIndex index(std::move(paths));
    std::vector<bool> drop(entries.size(), false);
    for (const GlobMatch& m : ignore.MatchAll(index)) drop[m.index] = true;
    paths = std::move(index).TakePaths();
    size_t kept = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (drop[i]) continue;
      if (kept != i) {
        entries[kept] = std::move(entries[i]);
        paths[kept] = std::move(paths[i]);
      }
      ++kept;
    }
    entries.resize(kept);
    paths.resize(kept);
  }
  s.tree = Tree::FromFiles(std::move(paths));
  s.files = std::move(entries);
  return s;
}

Result<Snapshot> Snapshot::Build(FileSource& source, const GlobList& ignore) {
  Result<std::vector<FileEntry>> listed = source.List();
  if (!listed.ok()) return listed.status();
  return FromEntries(std::move(*listed), ignore);
}

}  // namespace sotinc
