// A temporary directory holding some files of a snapshot as they are in
// the index or a commit, so that a `command` rule can run on them without
// ever touching the user's working tree (`--staged`, `--rev`).
//
// The TempTree owns its directory and removes it (without following
// symlinks) when destroyed. Not copyable.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/file_source.h"
#include "engine/status.h"

namespace sotinc {

class TempTree {
 public:
  // Writes `files` (read from `source`) under a new directory in `parent`
  // (default $TMPDIR, else /tmp).
  static Result<std::unique_ptr<TempTree>> Create(FileSource& source,
                                                  const std::vector<const FileEntry*>& files,
                                                  const std::string& parent = "");
  ~TempTree();
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::string& path() const { return path_; }

 private:
  explicit TempTree(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Removes a directory tree without following symlinks; best effort.
void RemoveTree(const std::string& path);

}  // namespace sotinc
