#include "cli/workspace.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "engine/git_source.h"
#include "engine/keys.h"

namespace sotinc {
namespace {

// Config files from the working tree: paths relative to the repository
// root, absolute paths as they are; include globs match the candidates.
class WorkingTreeConfigFiles : public ConfigFiles {
 public:
  // `listed`: the source's listing when the caller already has it (borrowed).
  WorkingTreeConfigFiles(std::string root, FileSource* source,
                         const std::vector<FileEntry>* listed = nullptr)
      : root_(std::move(root)), source_(source), listed_(listed) {}

  Result<std::string> Read(const std::string& path) override {
    std::string full = !path.empty() && path[0] == '/' ? path : root_ + "/" + path;
    std::ifstream in(full, std::ios::binary);
    if (!in) return Status::Error("cannot open " + full);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Status::Error("cannot read " + full);
    return ss.str();
  }

  Result<std::vector<std::string>> List() override {
    std::vector<std::string> paths;
    if (listed_ != nullptr) {
      for (const FileEntry& e : *listed_) paths.push_back(e.path);
      return paths;
    }
    Result<std::vector<FileEntry>> entries = source_->List();
    if (!entries.ok()) return entries.status();
    for (const FileEntry& e : *entries) paths.push_back(e.path);
    return paths;
  }

 private:
  std::string root_;
  FileSource* source_;
  const std::vector<FileEntry>* listed_;
};

// Config files as they are in a snapshot (the index or a commit).
class SourceConfigFiles : public ConfigFiles {
 public:
  // `listed`: the source's listing when the caller already has it (borrowed).
  SourceConfigFiles(FileSource* source, const std::vector<FileEntry>* listed)
      : source_(source), entries_(listed), disk_("", source) {}

  Result<std::string> Read(const std::string& path) override {
    // A --config outside the repository is not in any snapshot; the files
    // it includes are.
    if (!path.empty() && path[0] == '/') return disk_.Read(path);
    Status s = Load();
    if (!s.ok()) return s;
    for (const FileEntry& e : *entries_) {
      if (e.path == path) return source_->Read(e);
    }
    return Status::Error("no " + path + " in the " + source_->description());
  }

  Result<std::vector<std::string>> List() override {
    Status s = Load();
    if (!s.ok()) return s;
    std::vector<std::string> paths;
    for (const FileEntry& e : *entries_) paths.push_back(e.path);
    return paths;
  }

 private:
  Status Load() {
    if (entries_ != nullptr) return Status::Ok();
    Result<std::vector<FileEntry>> listed = source_->List();
    if (!listed.ok()) return listed.status();
    owned_ = std::move(*listed);
    entries_ = &owned_;
    return Status::Ok();
  }

  FileSource* source_;
  const std::vector<FileEntry>* entries_;  // null until loaded
  std::vector<FileEntry> owned_;
  WorkingTreeConfigFiles disk_;  // absolute paths only
};

// Passes reads through, keeping a digest of each file's bytes.
class DigestingConfigFiles : public ConfigFiles {
 public:
  DigestingConfigFiles(ConfigFiles* inner, std::vector<ConfigFileDigest>* out)
      : inner_(inner), out_(out) {}

  Result<std::string> Read(const std::string& path) override {
    Result<std::string> bytes = inner_->Read(path);
    if (bytes.ok()) out_->push_back({path, HashBytes(*bytes)});
    return bytes;
  }

  Result<std::vector<std::string>> List() override { return inner_->List(); }

 private:
  ConfigFiles* inner_;
  std::vector<ConfigFileDigest>* out_;
};

// A path given on the command line, relative to where sotinc was started
// (or -C), made relative to the repository root when it lies inside it.
std::string ConfigPathFor(const std::string& given, const std::string& dir,
                          const std::string& root) {
  std::string abs = given;
  if (abs.empty() || abs[0] != '/') {
    char* real = realpath(dir.c_str(), nullptr);
    std::string base = real ? real : dir;
    free(real);
    abs = base + "/" + given;
  }
  char* real = realpath(abs.c_str(), nullptr);
  if (real) {
    abs = real;
    free(real);
  }
  std::string prefix = root;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  prefix += "/";
  if (abs.compare(0, prefix.size(), prefix) == 0) return abs.substr(prefix.size());
  return abs;
}

}  // namespace

Result<std::unique_ptr<Workspace>> Workspace::Open(const WorkspaceOptions& options,
                                                   int* exit_code) {
  Result<std::unique_ptr<Workspace>> ws = OpenRepository(options, exit_code);
  if (!ws.ok()) return ws;
  if (Status s = (*ws)->LoadConfig(options, exit_code); !s.ok()) return s;
  return ws;
}

Result<std::unique_ptr<Workspace>> Workspace::OpenRepository(const WorkspaceOptions& options,
                                                             int* exit_code) {
  *exit_code = 2;
  auto ws = std::make_unique<Workspace>();
  Result<std::unique_ptr<GitRepo>> repo = GitRepo::Open(options.dir);
  if (!repo.ok()) return repo.status();
  ws->repo = std::move(*repo);
  if (ws->repo->is_bare() && options.mode != SnapshotMode::kRevision) {
    return Status::Error("'" + options.dir + "' is a bare repository: it has no working tree " +
                         "to check");
  }
  Result<std::unique_ptr<FileSource>> source =
      options.mode == SnapshotMode::kIndex      ? NewIndexSource(ws->repo.get())
      : options.mode == SnapshotMode::kRevision ? NewRevisionSource(ws->repo.get(), options.rev)
                                                : NewWorkingTreeSource(ws->repo.get());
  if (!source.ok()) return source.status();
  ws->source = std::move(*source);
  ws->config_path = options.config.empty()
                        ? "sotinc.yaml"
                        : ConfigPathFor(options.config, options.dir, ws->repo->workdir());
  *exit_code = 0;
  return ws;
}

Status Workspace::LoadConfig(const WorkspaceOptions& options, int* exit_code,
                             const std::vector<FileEntry>* listed) {
  *exit_code = 2;
  std::string root = repo->workdir();
  // --config names a file on disk; otherwise the config comes from the
  // snapshot being checked.
  WorkingTreeConfigFiles disk_files(root, source.get(), listed);
  SourceConfigFiles snapshot_files(source.get(), listed);
  bool from_snapshot = options.config.empty() && options.mode != SnapshotMode::kWorkingTree;
  ConfigFiles& files = from_snapshot ? static_cast<ConfigFiles&>(snapshot_files)
                                     : static_cast<ConfigFiles&>(disk_files);
  if (options.config.empty()) {
    Result<std::string> probe = files.Read(config_path);
    if (!probe.ok()) {
      return Status::Error(
          "no sotinc.yaml at the repository root in the " + source->description() + " (" + root +
          "): 'sotinc init' writes a starter one (see docs/getting-started.md), or pass --config");
    }
  }
  ConfigError error;
  config_files.clear();
  DigestingConfigFiles digesting(&files, &config_files);
  Result<Config> loaded = sotinc::LoadConfig(config_path, digesting, &error);
  if (!loaded.ok()) return Status::Error(error.Text());
  config = std::move(*loaded);
  graph = std::make_unique<RuleGraph>(config.rules);
  *exit_code = 0;
  return Status::Ok();
}

bool Workspace::ConfigIsRegularFile() const {
  std::string path = !config_path.empty() && config_path[0] == '/'
                         ? config_path
                         : repo->workdir() + "/" + config_path;
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool Workspace::ConfigFilesUnchanged(const std::vector<ConfigFileDigest>& files) const {
  WorkingTreeConfigFiles disk(repo->workdir(), source.get());
  for (const ConfigFileDigest& f : files) {
    Result<std::string> bytes = disk.Read(f.path);
    if (!bytes.ok() || HashBytes(*bytes) != f.digest) return false;
  }
  return !files.empty();
}

Result<Config> LoadConfigFromSource(FileSource& source, const std::string& path, ConfigError* error,
                                    const std::vector<FileEntry>* listed,
                                    std::vector<ConfigFileDigest>* disk_files) {
  SourceConfigFiles files(&source, listed);
  if (disk_files == nullptr) return LoadConfig(path, files, error);
  std::vector<ConfigFileDigest> read;
  DigestingConfigFiles digesting(&files, &read);
  Result<Config> config = LoadConfig(path, digesting, error);
  for (ConfigFileDigest& f : read) {
    if (!f.path.empty() && f.path[0] == '/') disk_files->push_back(std::move(f));
  }
  return config;
}

Result<Snapshot> Workspace::TakeSnapshot() { return Snapshot::Build(*source, config.ignore_globs); }

Snapshot Workspace::SnapshotOf(std::vector<FileEntry> listed) const {
  return Snapshot::FromEntries(std::move(listed), config.ignore_globs);
}

}  // namespace sotinc
