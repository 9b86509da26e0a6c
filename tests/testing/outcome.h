// Helpers for end-to-end tests that judge whole runs of the sotinc binary
// (SOTINC_BINARY) on a TempRepo: its JSON report reduced to what must match
// a fresh run, the user's state that `--staged` must never touch, and
// starting or measuring a run outside of TempRepo::Run (to kill it, or to
// read its time and peak memory).
//
// "The right results" in these tests always means: equal (status, reason,
// findings per rule, and the exit status) to `check --no-cache` with a
// cache directory of its own (Fresh).
//
// Not thread-safe (like TempRepo); failures of a helper's own steps are
// reported with ADD_FAILURE.
#pragma once

#include <sys/types.h>

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace testing {

// One `check --format json` run, reduced.
struct Outcome {
  int exit_code = -1;
  bool parsed = false;
  std::map<std::string, std::string> rules;  // id -> status, reason, findings
  int cached = -1;
  int ran = -1;
  std::string err;

  // What must match a fresh run: the exit status and every rule's result.
  std::string Canonical() const;
};

// Parses `check --format json` output (JSON is YAML); a report that does
// not parse is a test failure.
Outcome ParseOutcome(int exit_code, const std::string& out, const std::string& err);

// Runs `check --format json ARGS`; an exit status other than 0 or 1 is a
// test failure.
Outcome Check(TempRepo& repo, const std::string& args = "");
// A fresh run whose cache is its own (so it neither reads nor warms the
// repository's cache).
Outcome Fresh(TempRepo& repo, const std::string& args = "");

// Everything of the user's that `--staged` must leave alone.
struct UserState {
  std::map<std::string, std::string> tree;  // path -> kind, mode, mtime, bytes
  std::string index;
  std::string stash;
  std::string head;
  bool index_lock = false;

  bool operator==(const UserState& o) const {
    return tree == o.tree && index == o.index && stash == o.stash && head == o.head &&
           index_lock == o.index_lock;
  }
};
std::ostream& operator<<(std::ostream& os, const UserState& s);
UserState CaptureUserState(TempRepo& repo);

// Shell quoting of one word.
std::string Quote(const std::string& s);
// The temp root holding the repository: a place for files that must not be
// inputs of any rule.
std::string Outside(const TempRepo& repo);
std::string ReadWholeFile(const std::string& path);
void WriteWholeFile(const std::string& path, const std::string& content);

// Starts `sotinc -C REPO ARGS...` directly (no shell), in TempRepo's
// environment with TMPDIR = tmpdir, stdin from /dev/null and stdout/stderr
// to the given files (/dev/null when empty). Returns the pid; the caller
// waits for it.
pid_t StartSotinc(const TempRepo& repo, const std::vector<std::string>& args,
                  const std::string& tmpdir, const std::string& out_file = "",
                  const std::string& err_file = "");

// A finished run with its cost.
struct MeasuredRun {
  RunResult result;
  double wall_ms = 0;
  double cpu_ms = 0;    // user + system time (wait4), load-independent
  long max_rss_kb = 0;  // peak resident set (wait4), see RunMeasured
};
// Runs `sotinc -C REPO ARGS...` as StartSotinc does, waits for it and
// reads its output. On Linux wait4 reports the largest resident set of
// sotinc and of every descendant it waited for (its workers and their
// commands), so max_rss_kb bounds each of them.
MeasuredRun RunMeasured(const TempRepo& repo, const std::vector<std::string>& args,
                        const std::string& tmpdir);

// Whether `dir` holds a `sotinc-run.*` entry, polled for up to `grace_ms`
// until it does not (a SIGKILLed run's directory is removed by its janitor
// a moment later).
bool RunDirLeftIn(const std::string& dir, int grace_ms = 0);

}  // namespace testing
}  // namespace sotinc
