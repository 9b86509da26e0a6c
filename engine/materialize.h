// A temporary directory holding some files of a snapshot as they are in
// the index or a commit, so that a `command` rule can run on them without
// ever touching the user's working tree (`--staged`, `--rev`).
//
// The TempTree owns its directory and removes it (without following
// symlinks) when destroyed. A tree made directly in $TMPDIR (no `parent`:
// a run's root) also has a janitor, a child process forked at creation that
// makes the directory, waits for this process to die (PR_SET_PDEATHSIG)
// and then removes it: even a SIGKILLed run leaves no `sotinc-run.*`
// behind, whenever the kill lands (the directory never exists without its
// janitor). Create
// it from the thread that lives as long as the tree (the main thread):
// the kernel signals the janitor when that thread ends. Not copyable.
#pragma once

#include <sys/types.h>

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
  // Forks the janitor, which makes the directory in `base` itself.
  static Result<std::unique_ptr<TempTree>> CreateGuarded(const std::string& base);
  std::string path_;
  pid_t janitor_ = -1;  // the janitor's pid, or -1
};

// Removes a directory tree without following symlinks; best effort.
void RemoveTree(const std::string& path);

}  // namespace sotinc
