// The three real FileSources (engine/file_source.h), all read through
// libgit2: the working tree (default), the index (`--staged`) and a commit
// (`--rev REV`).
//
// Every source borrows its GitRepo, which must outlive it, and follows
// GitRepo's thread-safety rule (one thread at a time). None of them ever
// writes the index, the working tree or the object database. The config's
// `ignore:` list is not applied here; the engine does that.
//
// What each lists (SPEC section 2), and the decisions behind it:
//
// Working tree (listing in engine/git_worktree_walk.cc)
//   - Tracked files: the entries of the index (GIT_INDEX_FILE when set)
//     whose path exists in the working tree (lstat, never following a
//     symlink, and not reached through a symlinked directory). A deleted
//     tracked file is not listed; a tracked file is listed even when
//     .gitignore matches it.
//   - Untracked files that are not ignored, by the rules of git: .gitignore
//     at every level, $GIT_DIR/info/exclude and core.excludesFile (default
//     $XDG_CONFIG_HOME/git/ignore), core.ignoreCase. An ignored directory is
//     not entered, so `!` cannot re-include a file below it (as in git). The
//     patterns are matched by engine/git_ignore.h, checked against
//     `git ls-files -co --exclude-standard` in tests. Directories are walked
//     without following symlinks; a symlink is listed as a kSymlink file.
//   - Every entry named `.git` is skipped. An untracked directory that holds
//     a git repository is not entered and is listed as one kSubmodule entry
//     (as `git add` would record it); a submodule's content_id is the commit
//     its HEAD names, else the one the index records, else 40 zeros.
//   - Conflicted paths (index stages 1-3) are listed once, from the disk.
//     Sockets, FIFOs and devices are not listed (git ignores them).
//     Unreadable directories are skipped silently.
//   - type comes from lstat (the executable bit from the owner's x bit,
//     unless core.fileMode is false: then from the index for tracked files).
//     size is lstat's (a symlink's size is the length of its target).
//   - content_id is the index's blob id when the file is clean by its
//     lstat data: same type, size, mtime and ctime (seconds and
//     nanoseconds) and inode as recorded in the index, and not racily clean
//     (its mtime is older than the index file's). Otherwise it is empty and
//     the engine hashes the bytes. Intent-to-add and conflicted entries
//     always get an empty id.
//   - Read() reads the file from disk; for a symlink, its target.
//   - Cost: one lstat per tracked file, one readdir per directory that is
//     not ignored, no file content read; spread over up to 8 threads (one
//     per 2,000 index entries), about as many system calls as `git status`.
//   - A split index (core.splitIndex) or sparse index (index.sparse) is an
//     error that says how to turn it off (engine/git_index_file.h).
//
// Index (`--staged`)
//   - The entries at stage 0 of the index (GIT_INDEX_FILE when set, as in a
//     pre-commit hook; see GitRepo::index_path()). Intent-to-add entries (`git add -N`) are not
//     listed: they are not part of the next commit.
//   - A conflicted path is listed once, with the "ours" version (stage 2);
//     when ours deleted it, the "theirs" version (stage 3); when only the
//     base remains (both deleted it) it is not listed.
//   - content_id is the blob id; size comes from the object header (the
//     blob is not loaded); Read() loads the blob.
//
// Commit (`--rev REV`)
//   - The files of the tree REV names, recursively; works on a bare
//     repository. content_id is the blob id (for a submodule, the commit
//     id), size from the object header, Read() loads the blob.
//
// In every source a submodule has no content: Read() fails for it.
#pragma once

#include <memory>
#include <string>

#include "engine/file_source.h"
#include "engine/git_repo.h"
#include "engine/status.h"

namespace sotinc {

// Fails when the repository is bare.
Result<std::unique_ptr<FileSource>> NewWorkingTreeSource(GitRepo* repo);

Result<std::unique_ptr<FileSource>> NewIndexSource(GitRepo* repo);

// Fails with GitRepo::ResolveTree's message when REV names no tree.
Result<std::unique_ptr<FileSource>> NewRevisionSource(GitRepo* repo, const std::string& rev);

}  // namespace sotinc
