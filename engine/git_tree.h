// Reading git trees without a working tree: listing the files of a tree
// and the paths that differ between two trees.
//
// Both work on bare repositories. They are free functions over a borrowed
// GitRepo (which must stay open during the call) and have no state of their
// own; the thread-safety rules of GitRepo apply.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/file_source.h"
#include "engine/git_repo.h"
#include "engine/status.h"

namespace sotinc {

// One file of a tree: a blob (regular, executable or symlink) or a
// submodule (gitlink), whose id is then the commit it records.
struct TreeFile {
  std::string path;  // repository-relative, '/'-separated
  std::string id;    // 40 hex digits
  FileType type = FileType::kRegular;
};

// The FileType of a git file mode (0100644, 0100755, 0120000, 0160000).
// Any other mode is reported as kRegular.
FileType FileTypeFromGitMode(uint32_t mode);

// Every file of the tree that REV names (a commit, a tag or a tree; see
// GitRepo::ResolveTree), recursively, sorted by path in byte order. Reads
// only tree objects, never a blob, so it costs one object read per
// directory.
Result<std::vector<TreeFile>> ListTreeFiles(const GitRepo& repo, const std::string& rev);

// The paths whose entry differs between the trees OLD_REV and NEW_REV:
// added, deleted, changed content (blob id) or changed type (mode). A
// rename is not detected, so both its old and its new path are listed. An
// empty OLD_REV or NEW_REV stands for the empty tree (e.g. when HEAD is
// unborn). Sorted by path in byte order, without duplicates.
Result<std::vector<std::string>> DiffTreePaths(const GitRepo& repo, const std::string& old_rev,
                                               const std::string& new_rev);

}  // namespace sotinc
