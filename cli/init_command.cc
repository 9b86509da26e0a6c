// `sotinc init [--stdout]`: writes a commented starter sotinc.yaml (see
// cli/starter_config.h) at the repository root, or where --config says.
//
// It never overwrites: the file is created with O_EXCL, so an existing
// config (a file, a symlink, even one created a moment ago by someone else)
// is left alone and the command fails with exit status 2, like any other
// usage error.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/starter_config.h"
#include "engine/git_source.h"

namespace sotinc {
namespace {

struct InitOptions {
  bool to_stdout = false;
};

// Where the config goes: --config (relative to -C) or sotinc.yaml at the
// top of the working tree.
std::string TargetPath(const CommonOptions& common, const GitRepo& repo) {
  const std::string& given = common.workspace.config;
  if (given.empty()) {
    std::string root = repo.workdir();
    while (!root.empty() && root.back() == '/') root.pop_back();
    return root + "/sotinc.yaml";
  }
  if (given[0] == '/') return given;
  return common.workspace.dir + "/" + given;
}

// Creates `path` holding `text`; fails when anything exists there.
Status CreateNew(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) {
      return Status::Error(path + " already exists: init never overwrites a config. Edit it, " +
                           "or move it away and run 'sotinc init' again " +
                           "('sotinc init --stdout' prints the starter config instead)");
    }
    return Status::Error("cannot create " + path + ": " + std::strerror(errno));
  }
  bool ok = true;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  std::string error = ok ? "" : std::strerror(errno);
  if (close(fd) != 0 && ok) {
    ok = false;
    error = std::strerror(errno);
  }
  if (!ok) {
    unlink(path.c_str());
    return Status::Error("cannot write " + path + ": " + error);
  }
  return Status::Ok();
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

int RunInit(const CommonOptions& common, const InitOptions& o) {
  int exit_code = kExitOk;
  std::unique_ptr<GitRepo> repo = OpenRepoOrReport(common, &exit_code);
  if (!repo) return exit_code;
  if (repo->is_bare()) {
    PrintError(repo->gitdir() + " is a bare repository: init needs a working tree to look at");
    return kExitUsage;
  }
  Result<std::unique_ptr<FileSource>> source = NewWorkingTreeSource(repo.get());
  if (!source.ok()) {
    PrintError(source.error());
    return kExitUsage;
  }
  Result<std::vector<FileEntry>> files = (*source)->List();
  if (!files.ok()) {
    PrintError("cannot list the files of the working tree: " + files.error());
    return kExitUsage;
  }
  StarterConfig starter = MakeStarterConfig(*files);
  if (o.to_stdout) return WriteOutput("-", starter.text) ? kExitOk : kExitInternal;

  std::string path = TargetPath(common, *repo);
  Status written = CreateNew(path, starter.text);
  if (!written.ok()) {
    PrintError(written.message());
    return kExitUsage;
  }
  std::printf("wrote %s with %zu rules: %s\n", path.c_str(), starter.ids.size(),
              Join(starter.ids).c_str());
  std::printf(
      "next: 'sotinc check' runs them; 'sotinc hook install' runs them before every "
      "commit; commit %s to share them\n",
      common.workspace.config.empty() ? "sotinc.yaml" : path.c_str());
  return kExitOk;
}

}  // namespace

void RegisterInitCommand(CLI::App* app, CommonOptions* common, Action* action) {
  auto o = std::make_shared<InitOptions>();
  CLI::App* cmd = app->add_subcommand(
      "init",
      "Write a commented starter sotinc.yaml inferred from the repository's files "
      "(never overwrites one)");
  AddCommonOptions(cmd, common);
  cmd->add_flag("--stdout", o->to_stdout,
                "Print the starter config instead of writing sotinc.yaml");
  cmd->callback([=]() { *action = [=]() { return RunInit(*common, *o); }; });
}

}  // namespace sotinc
