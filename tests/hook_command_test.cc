// `sotinc hook install|uninstall`: the real binary on temp repositories,
// plus GitRepo::HooksDir / CacheDir, which the hook and cache commands use.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/git_repo.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::RunResult;
using testing::Sotinc;
using testing::TempRepo;

constexpr const char* kMarker = "# sotinc-managed-hook";
constexpr const char* kForeignHook = "#!/bin/sh\necho 'my own hook'\nexit 0\n";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool IsExecutable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) == 0111;
}

TEST(HookCommand, InstallWritesAnExecutableHookWithTheMarker) {
  TempRepo repo;
  RunResult r = repo.Run(Sotinc(repo, "hook install"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string hook = repo.path() + "/.git/hooks/pre-commit";
  EXPECT_TRUE(IsExecutable(hook));
  std::string text = Read(hook);
  EXPECT_EQ(text.compare(0, 10, "#!/bin/sh\n"), 0) << text;
  EXPECT_NE(text.find(kMarker), std::string::npos) << text;
  EXPECT_NE(text.find("check --staged"), std::string::npos) << text;
  EXPECT_NE(text.find(SOTINC_BINARY), std::string::npos) << text;

  // Installing again replaces our own hook without a backup, and leaves no
  // temporary file behind.
  r = repo.Run(Sotinc(repo, "hook install"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(Exists(hook + ".sotinc-backup"));
  EXPECT_EQ(repo.Run("ls .git/hooks | grep -c sotinc-").out, "0\n");
}

TEST(HookCommand, InstallCreatesAMissingHooksDirectory) {
  TempRepo repo;
  repo.RemoveFile(".git/hooks");
  RunResult r = repo.Run(Sotinc(repo, "hook install"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsExecutable(repo.path() + "/.git/hooks/pre-commit"));
}

TEST(HookCommand, HonoursCoreHooksPath) {
  TempRepo repo;
  repo.Git("config core.hooksPath myhooks");
  repo.WriteFile("sub/dir/keep", "");
  // Relative to the top of the working tree, wherever sotinc starts.
  RunResult r = repo.Run("cd sub/dir && '" SOTINC_BINARY "' hook install");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsExecutable(repo.path() + "/myhooks/pre-commit"));
  EXPECT_FALSE(Exists(repo.path() + "/.git/hooks/pre-commit"));
  EXPECT_FALSE(Exists(repo.path() + "/sub/dir/myhooks"));

  r = repo.Run(Sotinc(repo, "hook uninstall"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(Exists(repo.path() + "/myhooks/pre-commit"));
}

TEST(HookCommand, PassesOnTheConfigGivenAtInstall) {
  TempRepo repo;
  repo.WriteFile("ci/keep", "");
  // Relative to -C on the command line; relative to the top in the hook,
  // which git runs there.
  RunResult r = repo.Run("'" SOTINC_BINARY "' -C ci hook install --config rules.yaml");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string text = Read(repo.path() + "/.git/hooks/pre-commit");
  EXPECT_NE(text.find("check --staged --config 'ci/rules.yaml'\n"), std::string::npos) << text;
}

TEST(HookCommand, RefusesToOverwriteAForeignHook) {
  TempRepo repo;
  const std::string hook = repo.path() + "/.git/hooks/pre-commit";
  repo.WriteFile(".git/hooks/pre-commit", kForeignHook);
  RunResult r = repo.Run(Sotinc(repo, "hook install"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(Read(hook), kForeignHook);
  EXPECT_FALSE(Exists(hook + ".sotinc-backup"));
}

TEST(HookCommand, ForceKeepsABackupThatUninstallRestores) {
  TempRepo repo;
  const std::string hook = repo.path() + "/.git/hooks/pre-commit";
  const std::string backup = hook + ".sotinc-backup";
  repo.WriteFile(".git/hooks/pre-commit", kForeignHook);
  RunResult r = repo.Run(Sotinc(repo, "hook install --force"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Read(backup), kForeignHook);
  EXPECT_NE(Read(hook).find(kMarker), std::string::npos);

  // Reinstalling over our own hook keeps the user's backup as it is.
  r = repo.Run(Sotinc(repo, "hook install --force"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Read(backup), kForeignHook);

  r = repo.Run(Sotinc(repo, "hook uninstall"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Read(hook), kForeignHook);
  EXPECT_FALSE(Exists(backup));
}

TEST(HookCommand, ForceNeverOverwritesAnEarlierBackup) {
  TempRepo repo;
  const std::string hook = repo.path() + "/.git/hooks/pre-commit";
  repo.WriteFile(".git/hooks/pre-commit.sotinc-backup", "#!/bin/sh\n# the first one\n");
  repo.WriteFile(".git/hooks/pre-commit", kForeignHook);
  RunResult r = repo.Run(Sotinc(repo, "hook install --force"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(Read(hook), kForeignHook);
  EXPECT_EQ(Read(hook + ".sotinc-backup"), "#!/bin/sh\n# the first one\n");
}

TEST(HookCommand, UninstallRefusesAForeignHook) {
  TempRepo repo;
  const std::string hook = repo.path() + "/.git/hooks/pre-commit";
  repo.WriteFile(".git/hooks/pre-commit", kForeignHook);
  RunResult r = repo.Run(Sotinc(repo, "hook uninstall"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not written by sotinc"), std::string::npos) << r.err;
  EXPECT_EQ(Read(hook), kForeignHook);
}

TEST(HookCommand, UninstallWithoutAHookDoesNothing) {
  TempRepo repo;
  RunResult r = repo.Run(Sotinc(repo, "hook uninstall"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to do"), std::string::npos) << r.out;
}

TEST(HookCommand, OutsideARepositoryIsAUsageError) {
  TempRepo repo;
  repo.RemoveFile(".git");
  RunResult r = repo.Run("GIT_CEILING_DIRECTORIES=\"$PWD/..\" " + Sotinc(repo, "hook install"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not a git repository"), std::string::npos) << r.err;
}

// git itself runs the hook, which execs `$SOTINC check --staged`: a stand-in
// binary records its arguments and rejects the commit.
TEST(HookCommand, GitCommitRunsTheHook) {
  TempRepo repo;
  ASSERT_EQ(repo.Run(Sotinc(repo, "hook install")).exit_code, 0);
  repo.WriteFile("fake-sotinc", "#!/bin/sh\necho \"$@\" > \"$PWD/hook-ran\"\nexit 1\n");
  repo.Run("chmod +x fake-sotinc");
  repo.WriteFile("a.txt", "hello\n");
  repo.Stage("a.txt");
  RunResult r = repo.Run("SOTINC=\"$PWD/fake-sotinc\" git commit -q -m test");
  EXPECT_NE(r.exit_code, 0) << "the hook's failure must reject the commit";
  EXPECT_EQ(Read(repo.path() + "/hook-ran"), "check --staged\n");
  EXPECT_NE(repo.Run("git rev-parse -q --verify HEAD").exit_code, 0) << "no commit was made";
}

// The real thing: a rule that fails on the staged content rejects the
// commit even though the working tree copy is fine.
TEST(HookCommand, GitCommitIsRejectedWhenAStagedFileFailsARule) {
  TempRepo repo;
  RunResult help = repo.Run(Sotinc(repo, "check --help"));
  if (help.out.find("--staged") == std::string::npos) {
    GTEST_SKIP() << "'sotinc check --staged' is not implemented yet (check --help does not "
                    "list it); this test runs once it is";
  }
  repo.WriteFile("sotinc.yaml", R"(version: 1
rules:
  - id: SEC001
    title: No raw SSNs
    check: {kind: forbid_regex, files: "**/*.txt", pattern: "[0-9]{3}-[0-9]{2}-[0-9]{4}"}
)");
  repo.WriteFile("ok.txt", "fine\n");
  repo.Commit("init");
  ASSERT_EQ(repo.Run(Sotinc(repo, "hook install")).exit_code, 0);

  repo.WriteFile("leak.txt", "ssn 123-45-6789\n");
  repo.Stage("leak.txt");
  repo.WriteFile("leak.txt", "redacted\n");  // only the index has the SSN
  std::string head = repo.Git("rev-parse HEAD");
  RunResult r = repo.Run("git commit -q -m leak");
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("SEC001"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(repo.Git("rev-parse HEAD"), head);

  repo.Stage("leak.txt");
  r = repo.Run("git commit -q -m redacted");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(repo.Git("rev-parse HEAD"), head);
}

// --- GitRepo::HooksDir and CacheDir ------------------------------------------

TEST(HooksDir, LinkedWorktreesShareTheCommonDirsHooksAndCache) {
  TempRepo repo;
  repo.Commit("init");
  repo.Git("worktree add -q ../wt");
  RunResult r = repo.Run("'" SOTINC_BINARY "' -C ../wt hook install");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(IsExecutable(repo.path() + "/.git/hooks/pre-commit"));
  Result<std::unique_ptr<GitRepo>> wt = GitRepo::Open(repo.path() + "/../wt");
  ASSERT_TRUE(wt.ok()) << wt.error();
  EXPECT_EQ((*wt)->CacheDir(), repo.path() + "/.git/sotinc");
}

TEST(HooksDir, AnEmptyHooksPathIsAnError) {
  TempRepo repo;
  repo.Git("config core.hooksPath ''");
  RunResult r = repo.Run(Sotinc(repo, "hook install"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("core.hooksPath is set but empty"), std::string::npos) << r.err;
}

TEST(HooksDir, RelativeAbsoluteAndHomeValues) {
  TempRepo repo;
  repo.WriteFile("sub/keep", "");
  repo.Git("config core.hooksPath tools/hooks/");
  Result<std::unique_ptr<GitRepo>> opened = GitRepo::Open(repo.path() + "/sub");
  ASSERT_TRUE(opened.ok()) << opened.error();
  GitRepo& git = **opened;
  Result<std::string> hooks = git.HooksDir();
  ASSERT_TRUE(hooks.ok()) << hooks.error();
  EXPECT_EQ(*hooks, repo.path() + "/tools/hooks");

  repo.Git("config core.hooksPath /etc/some/hooks");
  hooks = git.HooksDir();  // read afresh, not cached
  ASSERT_TRUE(hooks.ok()) << hooks.error();
  EXPECT_EQ(*hooks, "/etc/some/hooks");

  repo.Git("config core.hooksPath '~/githooks'");
  const char* old_home = std::getenv("HOME");
  std::string saved = old_home != nullptr ? old_home : "";
  setenv("HOME", "/home/someone", 1);
  hooks = git.HooksDir();
  if (old_home != nullptr) {
    setenv("HOME", saved.c_str(), 1);
  } else {
    unsetenv("HOME");
  }
  ASSERT_TRUE(hooks.ok()) << hooks.error();
  EXPECT_EQ(*hooks, "/home/someone/githooks");
}

TEST(HooksDir, BareRepository) {
  TempRepo repo;
  repo.Commit("init");
  repo.Git("clone -q --bare . ../bare.git");
  Result<std::unique_ptr<GitRepo>> bare = GitRepo::Open(repo.path() + "/../bare.git");
  ASSERT_TRUE(bare.ok()) << bare.error();
  std::string gitdir = (*bare)->gitdir();
  EXPECT_EQ((*bare)->CacheDir(), gitdir + "/sotinc");
  repo.Run("git -C ../bare.git config core.hooksPath myhooks");
  Result<std::string> hooks = (*bare)->HooksDir();
  ASSERT_TRUE(hooks.ok()) << hooks.error();
  EXPECT_EQ(*hooks, gitdir + "/myhooks");

  // No pre-commit hook ever runs in a bare repository.
  RunResult r = repo.Run("'" SOTINC_BINARY "' -C ../bare.git hook install");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bare"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace sotinc
