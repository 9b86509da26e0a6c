// Everything one command works on: the repository, the file source of the
// chosen mode, the loaded config and its rule graph.
//
// Opening a workspace prints nothing; a failure comes back as a Status
// whose message is ready for the user, with the exit status it deserves
// (2 for bad usage or config). The Workspace owns all of it.
#pragma once

#include <memory>
#include <string>

#include "engine/file_source.h"
#include "engine/git_repo.h"
#include "engine/graph.h"
#include "engine/run_memo.h"
#include "engine/snapshot.h"
#include "rules/config.h"

namespace sotinc {

// What is checked: the working tree (default), the index (--staged) or
// the tree of a commit (--rev).
enum class SnapshotMode { kWorkingTree, kIndex, kRevision };

struct WorkspaceOptions {
  std::string dir = ".";  // -C
  std::string config;     // --config; empty = sotinc.yaml at the root
  SnapshotMode mode = SnapshotMode::kWorkingTree;
  std::string rev;  // for kRevision
};

struct Workspace {
  std::unique_ptr<GitRepo> repo;
  std::unique_ptr<FileSource> source;
  Config config;
  std::unique_ptr<RuleGraph> graph;
  std::string config_path;  // as shown in messages
  // Every config file LoadConfig() read, with a digest of the bytes it
  // parsed, the main one first.
  std::vector<ConfigFileDigest> config_files;

  // Opens the repository around options.dir, the file source of the mode
  // and the config (read from the same snapshot unless --config names a
  // file). On failure `exit_code` says how to exit.
  static Result<std::unique_ptr<Workspace>> Open(const WorkspaceOptions& options, int* exit_code);

  // Open() in two steps: the repository and the file source, then the
  // config (for a caller that looks at the files before the rules).
  static Result<std::unique_ptr<Workspace>> OpenRepository(const WorkspaceOptions& options,
                                                           int* exit_code);
  // `listed`: the source's listing, when the caller already took it.
  Status LoadConfig(const WorkspaceOptions& options, int* exit_code,
                    const std::vector<FileEntry>* listed = nullptr);

  // Whether the config files as they are on disk now hash to `files`
  // (false when one cannot be read). For the working tree and --config.
  bool ConfigFilesUnchanged(const std::vector<ConfigFileDigest>& files) const;
  // The same, true for an empty list.
  bool AllUnchanged(const std::vector<ConfigFileDigest>& files) const {
    return files.empty() || ConfigFilesUnchanged(files);
  }
  // Whether the main config on disk is a regular file (after symlinks):
  // not a pipe such as `--config <(...)`, which can be read only once.
  bool ConfigIsRegularFile() const;

  // Lists the candidate files, less the config's `ignore:`.
  Result<Snapshot> TakeSnapshot();
  // The same from a listing already taken (FileSource::List()).
  Snapshot SnapshotOf(std::vector<FileEntry> listed) const;
};

// Loads `path` (and its includes) as it is in `source`: the config of the
// index, or of a commit (the base side of --since and --staged).
// `listed`: the source's listing, when the caller already took it.
// `disk_files`, when given, gets the files read from disk (absolute paths:
// a --config outside the repository) with digests of their bytes.
Result<Config> LoadConfigFromSource(FileSource& source, const std::string& path, ConfigError* error,
                                    const std::vector<FileEntry>* listed = nullptr,
                                    std::vector<ConfigFileDigest>* disk_files = nullptr);

}  // namespace sotinc
