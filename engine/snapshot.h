// The candidate files of one run: what a FileSource lists, less the
// config's `ignore:` globs, with the path index the checks match against.
//
// A Snapshot is built once per run and is immutable afterwards; files[i]
// and tree.files.paths()[i] describe the same file. The tree views the
// strings of `files` (one copy of each path, not two), so a Snapshot moves
// but is never copied: a moved vector keeps its elements where they are.
#pragma once

#include <string>
#include <vector>

#include "engine/file_source.h"
#include "engine/glob.h"
#include "engine/path_index.h"
#include "engine/status.h"

namespace sotinc {

struct Snapshot {
  Snapshot() = default;
  Snapshot(Snapshot&&) = default;
  Snapshot& operator=(Snapshot&&) = default;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  std::vector<FileEntry> files;  // sorted by path
  Tree tree;

  static Result<Snapshot> Build(FileSource& source, const GlobList& ignore);
  // From entries already listed (sorted or not); applies `ignore`.
  static Snapshot FromEntries(std::vector<FileEntry> entries, const GlobList& ignore);
};

}  // namespace sotinc
