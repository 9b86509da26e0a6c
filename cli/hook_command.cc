// `sotinc hook install|uninstall [--force]`: the git pre-commit hook.
//
// The hook runs `sotinc check --staged`, which reads the index and the
// object database only: it never stashes, checks out or writes the working
// tree or the index, so an interrupted hook cannot lose anyone's work.
//
// A hook is ours when its second line is kMarker. Anything else in the
// hook's place (a file, a symlink, something unreadable) belongs to the user
// and is never overwritten or removed without --force; --force keeps it as
// pre-commit.sotinc-backup, which uninstall puts back.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "engine/git_repo.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;

constexpr const char* kShebang = "#!/bin/sh";
constexpr const char* kMarker = "# sotinc-managed-hook";
constexpr const char* kBackupSuffix = ".sotinc-backup";

struct HookOptions {
  bool force = false;
};

std::string Errno() { return std::strerror(errno); }

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::string SelfPath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "sotinc";
  return std::string(buf, static_cast<size_t>(n));
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// True when PATH (which exists) is a hook sotinc wrote. An unreadable file,
// a directory or a dangling symlink is not ours.
bool IsOurHook(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string first, second;
  return std::getline(in, first) && std::getline(in, second) && first == kShebang &&
         second == kMarker;
}

// The --config given at install time, as the hook (which git runs at the
// top of the working tree) must pass it: relative to the top when inside
// the working tree, else absolute. Empty when none was given.
std::string HookConfigArg(const CommonOptions& common, const GitRepo& repo) {
  const std::string& given = common.workspace.config;
  if (given.empty()) return "";
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(fs::path(common.workspace.dir) / given, ec), ec);
  fs::path rel = abs.lexically_relative(repo.workdir());
  if (!rel.empty() && *rel.begin() != "..") return rel.string();
  return abs.string();
}

std::string HookScript(const std::string& config) {
  std::string run = "exec \"$SOTINC\" check --staged";
  if (!config.empty()) run += " --config " + ShellQuote(config);
  return std::string(kShebang) + "\n" + kMarker + "\n" +
         "# Installed by 'sotinc hook install'; remove it with 'sotinc hook uninstall'.\n"
         "# Checks the staged snapshot (the index) only: it never writes the working tree\n"
         "# or the index. Skip it once with 'git commit --no-verify'.\n"
         "SOTINC=${SOTINC:-" +
         ShellQuote(SelfPath()) +
         "}\n"
         "if [ ! -x \"$SOTINC\" ]; then SOTINC=sotinc; fi\n"
         "if ! command -v \"$SOTINC\" >/dev/null 2>&1; then\n"
         "  echo \"pre-commit: sotinc not found; install it, or remove this hook with "
         "'sotinc hook uninstall'\" >&2\n"
         "  exit 1\n"
         "fi\n" +
         run + "\n";
}

// Writes TEXT to a new executable file in DIR, flushed to disk; its path
// in *tmp.
Status WriteTemp(const std::string& dir, const std::string& text, std::string* tmp) {
  std::string name = dir + "/pre-commit.sotinc-XXXXXX";
  int fd = mkstemp(&name[0]);
  if (fd < 0) return Status::Error("cannot create a file in " + dir + ": " + Errno());
  bool ok = fchmod(fd, 0755) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && fsync(fd) == 0;
  std::string error = ok ? "" : Errno();
  if (close(fd) != 0 && ok) {
    ok = false;
    error = Errno();
  }
  if (!ok) {
    unlink(name.c_str());
    return Status::Error("cannot write " + name + ": " + error);
  }
  *tmp = name;
  return Status::Ok();
}

int Install(const CommonOptions& common, const HookOptions& o) {
  int exit_code = kExitOk;
  std::unique_ptr<GitRepo> repo = OpenRepoOrReport(common, &exit_code);
  if (!repo) return exit_code;
  if (repo->is_bare()) {
    PrintError(repo->gitdir() + " is a bare repository: git never runs a pre-commit hook " +
               "there; install the hook in a clone with a working tree");
    return kExitUsage;
  }
  Result<std::string> dir = repo->HooksDir();
  if (!dir.ok()) {
    PrintError(dir.error());
    return kExitUsage;
  }
  const std::string path = *dir + "/pre-commit";
  const std::string backup = path + kBackupSuffix;
  const bool exists = Exists(path);
  const bool foreign = exists && !IsOurHook(path);
  if (foreign && !o.force) {
    PrintError(path + " exists and was not written by sotinc; leaving it alone. Re-run with " +
               "--force to replace it (it is kept as pre-commit" + kBackupSuffix + ")");
    return kExitUsage;
  }
  if (foreign && Exists(backup)) {
    // A second --force must not overwrite the first backup, the user's hook.
    PrintError("cannot back up " + path + ": " + backup + " already exists; move one of " +
               "them away and re-run");
    return kExitUsage;
  }
  std::error_code ec;
  fs::create_directories(*dir, ec);
  if (ec) {
    PrintError("cannot create the hooks directory " + *dir + ": " + ec.message());
    return kExitUsage;
  }

  std::string tmp;
  if (Status s = WriteTemp(*dir, HookScript(HookConfigArg(common, *repo)), &tmp); !s.ok()) {
    PrintError(s.message() + " (check that the hooks directory is writable)");
    return kExitUsage;
  }
  // Back up by hard link, so the user's hook stays in place until the
  // rename below replaces it in one step; fall back to moving it where
  // links are not supported.
  bool moved_aside = false;
  if (foreign && link(path.c_str(), backup.c_str()) != 0) {
    if (std::rename(path.c_str(), backup.c_str()) != 0) {
      PrintError("cannot back up " + path + " to " + backup + ": " + Errno());
      unlink(tmp.c_str());
      return kExitUsage;
    }
    moved_aside = true;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    PrintError("cannot install " + path + ": " + Errno());
    unlink(tmp.c_str());
    if (moved_aside) std::rename(backup.c_str(), path.c_str());
    return kExitUsage;
  }
  if (foreign) std::printf("backed up the previous hook to %s\n", backup.c_str());
  std::printf("installed %s (runs 'sotinc check --staged')\n", path.c_str());
  return kExitOk;
}

int Uninstall(const CommonOptions& common) {
  int exit_code = kExitOk;
  std::unique_ptr<GitRepo> repo = OpenRepoOrReport(common, &exit_code);
  if (!repo) return exit_code;
  Result<std::string> dir = repo->HooksDir();
  if (!dir.ok()) {
    PrintError(dir.error());
    return kExitUsage;
  }
  const std::string path = *dir + "/pre-commit";
  const std::string backup = path + kBackupSuffix;
  if (!Exists(path)) {
    std::printf("no pre-commit hook at %s; nothing to do\n", path.c_str());
    return kExitOk;
  }
  if (!IsOurHook(path)) {
    PrintError(path + " was not written by sotinc; leaving it alone (remove it yourself if " +
               "you no longer want it)");
    return kExitUsage;
  }
  if (Exists(backup)) {
    // One rename: there is never a moment without a hook.
    if (std::rename(backup.c_str(), path.c_str()) != 0) {
      PrintError("cannot restore " + backup + " to " + path + ": " + Errno());
      return kExitUsage;
    }
    std::printf("removed the sotinc hook; restored the previous %s from %s\n", path.c_str(),
                backup.c_str());
    return kExitOk;
  }
  if (unlink(path.c_str()) != 0) {
    PrintError("cannot remove " + path + ": " + Errno());
    return kExitUsage;
  }
  std::printf("removed %s\n", path.c_str());
  return kExitOk;
}

}  // namespace

void RegisterHookCommand(CLI::App* app, CommonOptions* common, Action* action) {
  auto o = std::make_shared<HookOptions>();
  CLI::App* hook = app->add_subcommand("hook", "Install or remove the git pre-commit hook");
  hook->require_subcommand(1);
  CLI::App* install =
      hook->add_subcommand("install", "Write a pre-commit hook running 'sotinc check --staged'");
  install->add_flag("--force", o->force,
                    "Replace a hook sotinc did not write (kept as pre-commit.sotinc-backup)");
  AddCommonOptions(install, common);
  install->callback([=]() { *action = [=]() { return Install(*common, *o); }; });
  CLI::App* uninstall = hook->add_subcommand(
      "uninstall", "Remove the hook sotinc wrote (restoring a backed-up hook)");
  AddCommonOptions(uninstall, common);
  uninstall->callback([=]() { *action = [=]() { return Uninstall(*common); }; });
}

}  // namespace sotinc
