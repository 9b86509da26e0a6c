// GitRepo: an open git repository, found the way git finds it.
//
// Together with engine/git_tree.h and engine/git_source.h this is the git
// layer, the only code in the project that uses libgit2 (its types stay out
// of this header; raw() hands the handle to the other git_*.cc files).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/status.h"

struct git_repository;
struct git_oid;

namespace sotinc {

// Owns one libgit2 repository handle for its whole life.
//
// Open() discovers the repository like `git -C DIR`: it walks up from DIR
// to the first directory holding `.git` (stopping at GIT_CEILING_DIRECTORIES
// and, unless GIT_DISCOVERY_ACROSS_FILESYSTEM is true, at a file system
// boundary). The environment git sets for hooks is honoured: GIT_DIR (with
// GIT_WORK_TREE, else core.worktree, else DIR as the top of the working
// tree, as in git) and GIT_INDEX_FILE (which `git commit -a` points at a
// temporary index while the pre-commit hook runs; see index_path()).
// Relative values are taken relative to DIR. GIT_OBJECT_DIRECTORY and
// friends are not.
//
// Invariants: the handle is valid from Open() until destruction; the paths
// are absolute and have no trailing '/'; workdir() is empty exactly when the
// repository is bare.
//
// Ownership: FileSources and the tree helpers borrow a GitRepo; it must
// outlive them. Not copyable or movable (borrowers hold its address).
//
// Thread safety: none. Use one GitRepo from one thread at a time (libgit2
// objects are not safe for concurrent use); open another GitRepo for
// another thread.
class GitRepo {
 public:
  // DIR may be relative to the process's working directory; empty means
  // ".". Fails with a message naming DIR when no repository is found.
  static Result<std::unique_ptr<GitRepo>> Open(const std::string& dir);

  ~GitRepo();
  GitRepo(const GitRepo&) = delete;
  GitRepo& operator=(const GitRepo&) = delete;

  bool is_bare() const { return workdir_.empty(); }
  // The top of the working tree; empty for a bare repository.
  const std::string& workdir() const { return workdir_; }
  // The repository's own git directory (`.git`, or `.git/worktrees/NAME`
  // for a linked worktree).
  const std::string& gitdir() const { return gitdir_; }
  // Where objects, refs and config live (equal to gitdir() except in a
  // linked worktree).
  const std::string& commondir() const { return commondir_; }
  // The index file: $GIT_INDEX_FILE when set, else gitdir()/index. It may
  // not exist (a new repository). Meaningless for a bare repository.
  const std::string& index_path() const { return index_path_; }

  // True when history was cut by `git clone --depth` (merge bases may then
  // be missing).
  bool IsShallow() const;
  // True when HEAD names a branch that has no commit yet (a new repository).
  bool HeadIsUnborn() const;

  // The commit REV names, as 40 hex digits. REV is anything git rev-parse
  // takes (HEAD~1, a branch, a tag, an abbreviated id, main@{upstream}...).
  // Errors: "unknown revision 'foo': not a commit, branch or tag", or
  // "revision 'x' names a blob, not a commit".
  Result<std::string> ResolveCommit(const std::string& rev) const;

  // The tree REV names (a commit's tree, or a tree such as HEAD:sub), as
  // 40 hex digits.
  Result<std::string> ResolveTree(const std::string& rev) const;

  // merge-base(REV, HEAD), as `git merge-base REV HEAD` prints it. Fails
  // with a message that names REV when there is none (and suggests
  // fetching more history when the repository is shallow).
  Result<std::string> MergeBaseWithHead(const std::string& rev) const;

  // The directory git runs hooks from: core.hooksPath when set (a leading
  // `~/` is $HOME; a relative value is relative to where git runs hooks,
  // the top of the working tree, or gitdir() in a bare repository), else
  // commondir()/hooks, which linked worktrees share. Absolute, normalised,
  // without a trailing '/'; the directory may not exist. Read from the
  // configuration as it is now, not cached. Fails when the configuration
  // cannot be read, core.hooksPath is empty (git then runs no hook), or
  // `~/` cannot be expanded (HOME unset).
  Result<std::string> HooksDir() const;

  // Where sotinc keeps its cache by default: commondir()/sotinc, shared by
  // all worktrees of the repository (gitdir()/sotinc in a bare repository,
  // where the two are the same). It may not exist.
  std::string CacheDir() const;

  // For the git layer only (engine/git_*.cc): the borrowed libgit2 handle.
  git_repository* raw() const { return repo_; }

  // In a process forked from the one that opened this repository (a worker
  // of the pool): replaces the inherited handle, whose open files and
  // caches it must not share with the parent, by a fresh one.
  Status ReopenAfterFork();

  // For the git layer only: the size of a blob, from its object header.
  // Read once per id and remembered (an id names its content forever), so
  // the index and HEAD, which share all but a few blobs, pay once.
  Result<uint64_t> BlobSize(const git_oid& oid);

  // Blob sizes across runs (the CLI keeps the record in the cache).
  // RememberBlobSizes() adds the sizes of an EncodeBlobSizes() record; a
  // malformed record adds nothing. EncodeBlobSizes() holds the sizes
  // BlobSize() answered through this handle, sorted by id, so a record
  // only ever holds the blobs of the trees still being checked.
  // Format: u8 version=1, u8 'S', varint n, n x (20-byte id, varint size).
  void RememberBlobSizes(std::string_view record);
  std::string EncodeBlobSizes() const;
  // How many sizes BlobSize() had to read from the object database.
  uint64_t blob_headers_read() const { return blob_headers_read_; }

 private:
  struct BlobSizes;  // git_repo.cc

  GitRepo(git_repository* repo, std::string workdir, std::string gitdir, std::string commondir,
          std::string index_path);

  git_repository* repo_;  // owned; freed in the destructor
  std::string workdir_;
  std::string gitdir_;
  std::string commondir_;
  std::string index_path_;
  std::unique_ptr<BlobSizes> blob_sizes_;
  uint64_t blob_headers_read_ = 0;
};

}  // namespace sotinc
