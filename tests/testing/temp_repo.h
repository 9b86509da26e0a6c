// TempRepo: a real git repository in a fresh temporary directory, for unit
// tests of the git layer and end-to-end tests of the sotinc binary.
//
//   sotinc::testing::TempRepo repo;            // git init -q -b main
//   repo.WriteFile("src/a.py", "print(1)\n");  // parent dirs are created
//   std::string head = repo.Commit("first");   // git add -A && git commit
//   RunResult r = repo.Run(SOTINC_BINARY " check --format json");
//   EXPECT_EQ(r.exit_code, 0) << r.err;
#pragma once

#include <string>
#include <vector>

namespace sotinc {
namespace testing {

struct RunResult {
  int exit_code = -1;  // the exit status, or 128 + signal number
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
};

// Owns a temporary directory ROOT (under $TMPDIR, else /tmp) holding the
// repository at ROOT/repo (path()) and an empty home directory ROOT/home.
// The destructor deletes ROOT and everything in it, so a test may put other
// repositories (a bare clone, say) at path() + "/../NAME".
//
// Commands (Git, Run) run with /bin/sh -c in path(), stdin from /dev/null,
// in an environment isolated from the developer's: every GIT_* variable is
// removed, HOME and XDG_CONFIG_HOME point at ROOT/home, system config is
// off (GIT_CONFIG_NOSYSTEM=1) and LC_ALL=C (messages in English). The
// repository's local config sets user.name/email and commit.gpgsign=false.
//
// Failures of the helper's own steps (mkdtemp, writing a file, a Git()
// command exiting non-zero) are reported with ADD_FAILURE and the test goes
// on. Not thread-safe; not copyable.
class TempRepo {
 public:
  TempRepo();
  ~TempRepo();
  TempRepo(const TempRepo&) = delete;
  TempRepo& operator=(const TempRepo&) = delete;

  // Absolute path of the repository's top directory, without a trailing '/'.
  const std::string& path() const { return path_; }

  // Writes CONTENT (any bytes) to path()/REL, creating parent directories
  // and replacing an existing file.
  void WriteFile(const std::string& rel, const std::string& content);
  // Removes path()/REL (a file, a symlink or a whole directory).
  void RemoveFile(const std::string& rel);

  // Runs `git ARGS` (ARGS are shell words, e.g. "add -- 'a b.txt'") and
  // returns its stdout without trailing newlines. A non-zero exit is a test
  // failure that shows stderr.
  std::string Git(const std::string& args);
  // `git add -- REL`.
  void Stage(const std::string& rel);
  // `git add -A && git commit -q --allow-empty -m MESSAGE`; returns the
  // new HEAD id.
  std::string Commit(const std::string& message = "commit");

  // Runs CMD with /bin/sh -c in path(); never fails the test by itself.
  RunResult Run(const std::string& cmd);

 private:
  std::string root_;
  std::string path_;
};

// A shell command line running the sotinc under test (SOTINC_BINARY) on
// `repo` (-C) with `args`, e.g. repo.Run(Sotinc(repo, "check --format json")).
std::string Sotinc(const TempRepo& repo, const std::string& args);

// The command lines (NULs shown as spaces) of every process on the machine
// whose command line contains `needle`: how tests check that nothing was
// left running, from the process table rather than by waiting.
std::vector<std::string> ProcessesWith(const std::string& needle);
// ProcessesWith(needle), polled for up to `grace_ms` until it is empty: a
// process that was just sent SIGKILL can stay in the table for a moment
// (longer on a loaded machine); one left running stays for good.
std::vector<std::string> ProcessesLeftWith(const std::string& needle, int grace_ms = 3000);
// Sends SIGKILL to every such process (cleaning up after a test that had to
// SIGKILL sotinc, which leaves its commands' children orphaned).
void KillProcessesWith(const std::string& needle);

}  // namespace testing
}  // namespace sotinc
