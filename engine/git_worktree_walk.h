// Listing the candidate files of a working tree: the walk behind the
// working tree FileSource (engine/git_source.h, which states the rules it
// follows and why).
//
// A free function: each call reads the index and the ignore files afresh
// and owns all its state, so calls on different GitRepos may run on
// different threads. Internally one call spreads its directories over up to
// 8 threads (one per 2,000 index entries); those threads only read the file
// system and never touch the borrowed GitRepo's libgit2 handle.
#pragma once

#include <string>
#include <vector>

#include "engine/file_source.h"
#include "engine/git_repo.h"
#include "engine/status.h"

namespace sotinc {

// The repository settings the walk depends on; read from git's config by
// the caller (ReadWalkOptions in git_source.cc).
struct WorktreeWalkOptions {
  bool trust_file_mode = true;  // core.fileMode: the x bit on disk is meaningful
  bool ignore_case = false;     // core.ignoreCase: ignore patterns fold ASCII case
  std::string excludes_file;    // core.excludesFile, else git's default path; may not exist
};

// The tracked files that exist and the untracked files that are not
// ignored, sorted by path in byte order, with content_id set for clean
// tracked files. REPO must not be bare. Errors only when the working tree
// or the index cannot be read; unreadable subdirectories are skipped.
Result<std::vector<FileEntry>> ListWorkingTree(const GitRepo& repo,
                                               const WorktreeWalkOptions& options);

}  // namespace sotinc
