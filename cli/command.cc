#include "cli/command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/sanitizers.h"

namespace sotinc {

void AddCommonOptions(CLI::App* cmd, CommonOptions* common) {
  cmd->add_option("-C", common->workspace.dir, "Run as if started in DIR (like git -C)")
      ->type_name("DIR");
  cmd->add_option("--config", common->workspace.config, "Config file (default: sotinc.yaml)")
      ->type_name("PATH");
}

void PrintError(const std::string& message) {
  std::string m = message;
  while (!m.empty() && m.back() == '\n') m.pop_back();
  std::fprintf(stderr, "sotinc: %s\n", m.c_str());
}

void PrintWarning(const std::string& message) { PrintError("warning: " + message); }

bool UseColor(FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string(term) == "dumb") return false;
  return isatty(fileno(stream));
}

bool WriteOutput(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    PrintError("cannot write " + path + ": check the directory exists and is writable");
    return false;
  }
  return true;
}

int ExitWithoutCleanup(int code) {
  if (kUnderSanitizer) return code;  // let it report at exit
  std::fflush(stdout);
  std::fflush(stderr);
  _exit(code);
}

std::unique_ptr<Workspace> OpenWorkspaceOrReport(const CommonOptions& common, int* exit_code) {
  Result<std::unique_ptr<Workspace>> opened = Workspace::Open(common.workspace, exit_code);
  if (!opened.ok()) {
    PrintError(opened.error());
    return nullptr;
  }
  return std::move(*opened);
}

std::unique_ptr<GitRepo> OpenRepoOrReport(const CommonOptions& common, int* exit_code) {
  Result<std::unique_ptr<GitRepo>> repo = GitRepo::Open(common.workspace.dir);
  if (!repo.ok()) {
    PrintError(repo.error());
    *exit_code = kExitUsage;
    return nullptr;
  }
  return std::move(*repo);
}

std::string CachePath(const GitRepo& repo, const std::string& override_dir,
                      const std::string& base_dir) {
  namespace fs = std::filesystem;
  std::string dir = override_dir;
  if (dir.empty()) {
    const char* env = std::getenv("SOTINC_CACHE_DIR");
    if (env != nullptr) dir = env;
  }
  if (dir.empty()) return repo.CacheDir() + "/cache.db";
  fs::path p(dir);
  if (p.is_relative()) {
    std::error_code ec;
    fs::path base = fs::absolute(base_dir.empty() ? "." : base_dir, ec);
    p = base / p;
  }
  return (p.lexically_normal() / "cache.db").string();
}

void AddCacheDirOption(CLI::App* cmd, std::string* dir) {
  cmd->add_option("--cache-dir", *dir,
                  "The cache directory (default: $SOTINC_CACHE_DIR, else <git-common-dir>/sotinc)")
      ->type_name("DIR");
}

bool DatabaseExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::unique_ptr<ResultStore> OpenExistingStore(const std::string& path) {
  std::vector<std::string> warnings;
  Result<std::unique_ptr<ResultStore>> store = ResultStore::Open(path, StoreOptions(), &warnings);
  for (const std::string& w : warnings) PrintWarning(w);
  if (!store.ok()) {
    PrintError(store.error());
    return nullptr;
  }
  return std::move(*store);
}

}  // namespace sotinc
