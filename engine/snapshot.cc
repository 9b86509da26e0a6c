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
  auto paths_of = [](const std::vector<FileEntry>& files) {
    std::vector<std::string_view> paths;
    paths.reserve(files.size());
    for (const FileEntry& e : files) paths.push_back(e.path);
    return paths;
  };
  if (!ignore.empty()) {
    // Match the ignore globs through an index (not path by path) so a long
    // ignore list over a large tree stays cheap.
    const PathIndex index = PathIndex::Viewing(paths_of(entries));
    std::vector<bool> drop(entries.size(), false);
    for (const GlobMatch& m : ignore.MatchAll(index)) drop[m.index] = true;
    size_t kept = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (drop[i]) continue;
      if (kept != i) entries[kept] = std::move(entries[i]);
      ++kept;
    }
    entries.resize(kept);
  }
  Snapshot s;
  s.files = std::move(entries);
  s.tree = Tree::Viewing(paths_of(s.files));
  return s;
}

Result<Snapshot> Snapshot::Build(FileSource& source, const GlobList& ignore) {
  Result<std::vector<FileEntry>> listed = source.List();
  if (!listed.ok()) return listed.status();
  return FromEntries(std::move(*listed), ignore);
}

}  // namespace sotinc
