// A read-only parser of git's index file ($GIT_DIR/index, the "DIRC"
// format, versions 2, 3 and 4).
//
// Why not libgit2's git_index: loading an index through libgit2 costs about
// 1.5 microseconds per entry (it builds a hash map and copies every entry),
// which for 25,000 files was a third of the time of listing the working
// tree. This parser reads the file once and does one allocation per path.
// It is used by the working tree and index sources and by nothing that
// writes: sotinc never writes the index.
//
// Extensions are skipped, except two that change what the entries mean and
// are refused with a clear error: a split index ("link", core.splitIndex)
// and a sparse index ("sdir", index.sparse). The trailing checksum is not
// verified (a truncated file is still detected: every read is bounds-checked).
//
// Thread safety: a free function with no shared state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/status.h"

namespace sotinc {

// One entry, with the fields git records (index-format.txt). Times and
// sizes are the truncated 32-bit values git stores.
struct GitIndexEntry {
  std::string path;
  uint32_t ctime_sec = 0;
  uint32_t ctime_nsec = 0;
  uint32_t mtime_sec = 0;
  uint32_t mtime_nsec = 0;
  uint32_t dev = 0;
  uint32_t ino = 0;
  uint32_t mode = 0;  // 0100644, 0100755, 0120000 or 0160000
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t size = 0;
  unsigned char id[20] = {};  // the blob (or gitlink commit) id, raw
  uint16_t flags = 0;
  uint16_t extended_flags = 0;

  int stage() const { return (flags >> 12) & 3; }
  bool intent_to_add() const { return (extended_flags & 0x2000) != 0; }
  bool skip_worktree() const { return (extended_flags & 0x4000) != 0; }
  std::string IdHex() const;
};

// The entries of the index file at PATH, in file order (sorted by path in
// byte order, then by stage). A missing file is an empty index, as in git
// (a new repository has none). Errors name PATH.
Result<std::vector<GitIndexEntry>> ReadGitIndexFile(const std::string& path);

}  // namespace sotinc
