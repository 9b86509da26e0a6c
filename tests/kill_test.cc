// The kill test (issue 6, "Crash safety and faults"): `sotinc check`,
// `check --staged`, `check --no-cache` and `cache gc` on a generated
// repository are killed with SIGKILL at random (seeded) moments, spread over
// a run's whole length so that kills land in listing and key computation,
// dispatch to the workers, command rules, result writes and gc's deletes
// and vacuum. After every kill:
//
//  - `PRAGMA integrity_check` of the cache database says "ok";
//  - the next run (same mode, cache in use) gives the results of a fresh
//    `--no-cache` run;
//  - for `--staged`, the working tree, the index and the stash are
//    byte-identical to before (HEAD too);
//  - no sotinc process, worker or command is left, and no `sotinc-run.*`
//    temporary directory.
//
// SOTINC_KILL_ROUNDS sets the number of kills (default 200; CI's sanitizer
// pass uses fewer). SOTINC_KILL_SEED replays one sequence.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/testing/outcome.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;
using testing::Outcome;
using testing::TempRepo;

// A marker in every command rule's script, to find commands left running.
constexpr char kMark[] = "sotinc-kill-mark";

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// ---- The generated repository -------------------------------------------------

// About 30 rules of every kind, with dependencies, two command rules (one
// per file) and a dead glob.
std::string Config() {
  std::string c =
      "version: 1\n"
      "settings: {jobs: 2}\n"
      "rules:\n"
      "  - id: ROOTS\n"
      "    check: {kind: dir_count, parents: ., name: '^pkg', count: 6}\n"
      "  - id: MODS\n"
      "    depends_on: [ROOTS]\n"
      "    check: {kind: dir_count, parents: 'pkg*', min: 3, same_names: true}\n"
      "  - id: READMES\n"
      "    check: {kind: required_files, dirs: 'pkg*/mod*', files: [README.md, '*.yaml']}\n"
      "  - id: PYNAMES\n"
      "    check: {kind: path_name, files: '**/*.py', pattern: '^[a-z0-9_]+\\.py$'}\n"
      "  - id: HEADER\n"
      "    depends_on: [PYNAMES]\n"
      "    check: {kind: require_regex, files: '**/*.py', pattern: '^# header'}\n"
      "  - id: ANYMAIN\n"
      "    check: {kind: require_regex, files: '**/*.py', pattern: 'def main', scope: any_file}\n"
      "  - id: CHART\n"
      "    check: {kind: yaml, files: '<pkg>/<mod>/chart.yaml', require: [name, id],\n"
      "            equals: {pkg: '<pkg>'}, type: {id: number}}\n"
      "  - id: UNIQUE\n"
      "    depends_on: [CHART]\n"
      "    check: {kind: unique, files: '**/chart.yaml', key: id}\n"
      "  - id: SIZE\n"
      "    check: {kind: max_size, files: '**', bytes: 4KiB, lines: 60}\n"
      "  - id: DEAD\n"
      "    severity: warning\n"
      "    check: {kind: forbid_regex, files: 'nothing/**', pattern: x}\n"
      "  - id: CMD\n"
      "    depends_on: [SIZE]\n"
      "    check: {kind: command, files: '**/*.txt',\n"
      "            run: 'cat \"$@\" | grep -c BAD | sed \"s/^/pkg0\\/mod0\\/README.md:1: bad /\"; "
      ": " +
      std::string(kMark) +
      "'}\n"
      "  - id: EACH\n"
      "    check: {kind: command, files: 'pkg[0-1]/mod0/*.py', per_file: true,\n"
      "            run: 'grep -n FIXME \"$1\" | sed \"s|^|$1:|\"; : " +
      std::string(kMark) + "'}\n";
  const char* words[] = {"TODO",     "FIXME",   "password", "XXX",     "HACK",
                         "debugger", "console", "print\\(", "eval\\(", "secret"};
  for (int i = 0; i < 10; ++i) {
    c += "  - id: NO" + std::to_string(i) + "\n";
    if (i % 3 == 1) c += "    depends_on: [NO" + std::to_string(i - 1) + "]\n";
    c += "    check: {kind: forbid_regex, files: '" +
         std::string(i % 2 == 0 ? "**/*.py" : "pkg*/**") + "', pattern: '" + words[i] + "'}\n";
  }
  for (int i = 0; i < 8; ++i) {
    c += "  - id: YM" + std::to_string(i) + "\n";
    c += "    check: {kind: yaml, files: 'pkg" + std::to_string(i % 6) +
         "/*/chart.yaml', match: {name: '^[a-z]'}, enum: {tier: [a, b, c]}}\n";
  }
  return c;
}

// The repository's files in one of two variants: variant 1 changes a few
// files (a TODO, a broken YAML, a renamed module, a bad line for CMD and
// EACH), so that toggling between them makes some rules rerun.
void WriteVariant(TempRepo& repo, int variant) {
  for (int p = 0; p < 6; ++p) {
    for (int m = 0; m < 3; ++m) {
      std::string dir = "pkg" + std::to_string(p) + "/mod" + std::to_string(m) + "/";
      int id = p * 10 + m;
      repo.WriteFile(dir + "README.md", "# " + dir + "\n");
      repo.WriteFile(dir + "chart.yaml", "name: m" + std::to_string(m) + "\npkg: pkg" +
                                             std::to_string(p) + "\nid: " + std::to_string(id) +
                                             "\ntier: " + "abc"[id % 3] + "\n");
      for (int f = 0; f < 3; ++f) {
        std::string body = "# header\n";
        for (int l = 0; l < 3 + (f * 7 + p) % 12; ++l) {
          body += "x_" + std::to_string(l) + " = " + std::to_string(p * m + f) + "\n";
        }
        if (f == 0 && m == 0) body += "def main():\n    pass\n";
        repo.WriteFile(dir + "f" + std::to_string(f) + ".py", body);
        repo.WriteFile(dir + "n" + std::to_string(f) + ".txt",
                       "note " + std::to_string(f) + "\n" + std::string(f * 30, 'n') + "\n");
      }
    }
  }
  if (variant == 0) {
    for (const char* added : {"pkg3/mod1/Bad.py", "pkg1/mod2/f3.py"}) {
      if (fs::exists(repo.path() + "/" + added)) repo.RemoveFile(added);
    }
    return;
  }
  repo.WriteFile("pkg1/mod2/f3.py", "# header\nx = 1  # TODO\n");  // added
  repo.WriteFile("pkg2/mod0/chart.yaml", "name: [unclosed\n");
  repo.WriteFile("pkg4/mod2/chart.yaml", "name: m2\npkg: pkg4\nid: 0\ntier: z\n");
  repo.WriteFile("pkg0/mod1/n2.txt", "BAD\n");
  repo.WriteFile("pkg0/mod0/f1.py", "# header\n# FIXME later\n");
  repo.WriteFile("pkg3/mod1/Bad.py", "print('x')\n");
}

// The files per variant: 6 x 3 x (2 + 3 + 3) = 144 files.
void MakeRepo(TempRepo& repo) {
  repo.WriteFile("sotinc.yaml", Config());
  WriteVariant(repo, 0);
  repo.WriteFile(".gitignore", "*.log\n");
  repo.Commit("generated");
  // A stash entry and an untracked file, for `--staged` to leave alone.
  repo.WriteFile("pkg5/mod2/f2.py", "# header\nstashed = 1\n");
  repo.Git("stash push -q -m 'user work'");
  repo.WriteFile("pkg5/mod2/untracked.txt", "untracked BAD\n");
  repo.WriteFile("debug.log", "ignored\n");
}

// ---- Checks after a kill --------------------------------------------------------

// "ok", or what PRAGMA integrity_check (or opening the file) said.
std::string IntegrityCheck(const std::string& db) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string e = handle ? sqlite3_errmsg(handle) : "cannot open";
    sqlite3_close(handle);
    return e;
  }
  sqlite3_busy_timeout(handle, 10000);
  std::string result;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(handle, "PRAGMA integrity_check", -1, &stmt, nullptr) != SQLITE_OK) {
    result = sqlite3_errmsg(handle);
  } else {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (!result.empty()) result += "; ";
      result += text ? reinterpret_cast<const char*>(text) : "(null)";
    }
    if (result.empty()) result = sqlite3_errmsg(handle);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return result;
}

enum class Mode { kCheck, kStaged, kNoCache, kGc };

const char* Name(Mode m) {
  switch (m) {
    case Mode::kCheck:
      return "check";
    case Mode::kStaged:
      return "check --staged";
    case Mode::kNoCache:
      return "check --no-cache";
    case Mode::kGc:
      return "cache gc";
  }
  return "?";
}

std::vector<std::string> Args(Mode m) {
  switch (m) {
    case Mode::kCheck:
      return {"check", "--format", "json", "-j", "2"};
    case Mode::kStaged:
      return {"check", "--staged", "--format", "json", "-j", "2"};
    case Mode::kNoCache:
      return {"check", "--no-cache", "--format", "json", "-j", "2"};
    case Mode::kGc:
      return {"cache", "gc", "--max-size", "6KiB"};
  }
  return {};
}

TEST(KillTest, RandomKillsLeaveACorrectCacheAndNothingBehind) {
  const int rounds = EnvInt("SOTINC_KILL_ROUNDS", 200);
  const unsigned seed = static_cast<unsigned>(EnvInt("SOTINC_KILL_SEED", 20261123));
  std::mt19937 rng(seed);
  TempRepo repo;
  MakeRepo(repo);
  const std::string tmpdir = testing::Outside(repo) + "/tmp";
  fs::create_directories(tmpdir);
  const std::string db = repo.path() + "/.git/sotinc/cache.db";

  // Fresh results per (variant, staged), computed when first needed; the
  // index always holds the working tree's tracked files (git add -u) so a
  // variant is one state for both modes.
  std::map<std::pair<int, bool>, std::string> expected;
  int variant = 0;
  auto Expected = [&](bool staged) -> const std::string& {
    auto key = std::make_pair(variant, staged);
    auto it = expected.find(key);
    if (it == expected.end()) {
      Outcome fresh = testing::Fresh(repo, staged ? "--staged" : "");
      EXPECT_TRUE(fresh.parsed);
      it = expected.emplace(key, fresh.Canonical()).first;
    }
    return it->second;
  };
  auto RunToEnd = [&](Mode m) {
    pid_t pid = testing::StartSotinc(repo, Args(m), tmpdir);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return std::chrono::steady_clock::now();
  };

  // How long each mode takes here (cold for the checks, on a full cache for
  // gc), so that kill moments can be spread over the whole of a run.
  // A warm run (the cache holds the results) is much shorter: kills are
  // drawn from the length of the run the round will make.
  std::map<Mode, double> length_ms, warm_ms;
  for (Mode m : {Mode::kNoCache, Mode::kCheck, Mode::kStaged, Mode::kGc}) {
    if (m != Mode::kGc) fs::remove_all(repo.path() + "/.git/sotinc");
    if (m == Mode::kGc) RunToEnd(Mode::kNoCache);
    auto start = std::chrono::steady_clock::now();
    auto end = RunToEnd(m);
    length_ms[m] = std::chrono::duration<double, std::milli>(end - start).count();
    start = std::chrono::steady_clock::now();
    end = RunToEnd(m == Mode::kGc ? Mode::kCheck : m);
    warm_ms[m] = std::chrono::duration<double, std::milli>(end - start).count();
  }
  testing::UserState before = testing::CaptureUserState(repo);

  std::map<Mode, int> kills, finished;
  int no_db = 0;
  auto test_start = std::chrono::steady_clock::now();
  // Rounds go on until `rounds` runs were killed mid-run (some end before
  // their kill), at most 3 x rounds.
  int total_kills = 0;
  for (int round = 0; total_kills < rounds && round < 3 * rounds; ++round) {
    // The state before the kill: sometimes another variant (so that some
    // rules rerun and their results are written), sometimes an empty or a
    // missing cache (every result written, the database created).
    std::uniform_int_distribution<int> pct(0, 99);
    bool cold = false;
    if (pct(rng) < 15) {
      cold = true;
      variant = 1 - variant;
      WriteVariant(repo, variant);
      repo.Git("add -A -- pkg0 pkg1 pkg2 pkg3 pkg4");  // pkg5: untracked file
      before = testing::CaptureUserState(repo);
    }
    const int p = pct(rng);
    const Mode mode = p < 30   ? Mode::kCheck
                      : p < 60 ? Mode::kStaged
                      : p < 85 ? Mode::kNoCache
                               : Mode::kGc;
    if (mode == Mode::kGc) {
      RunToEnd(Mode::kNoCache);  // something to delete
    } else if (pct(rng) < 20) {
      fs::remove_all(repo.path() + "/.git/sotinc");
      cold = true;
    }
    cold = cold || mode == Mode::kNoCache || mode == Mode::kGc;
    std::uniform_real_distribution<double> at(0, (cold ? length_ms : warm_ms)[mode] * 1.1);
    const double delay_ms = at(rng);
    SCOPED_TRACE("round " + std::to_string(round) + " (seed " + std::to_string(seed) +
                 "): " + Name(mode) + ", variant " + std::to_string(variant) + ", killed after " +
                 std::to_string(delay_ms) + " ms");

    pid_t pid = testing::StartSotinc(repo, Args(mode), tmpdir);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::microseconds(static_cast<int64_t>(delay_ms * 1000)));
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
      ++kills[mode];
      ++total_kills;
    } else {
      ++finished[mode];
    }

    // Nothing is left: no worker (PR_SET_PDEATHSIG), no command (they end
    // on their own, quickly here), no temporary directory.
    EXPECT_EQ(testing::ProcessesLeftWith(repo.path()), std::vector<std::string>{});
    EXPECT_EQ(testing::ProcessesLeftWith(kMark), std::vector<std::string>{});
    EXPECT_FALSE(testing::RunDirLeftIn(tmpdir, 3000)) << "a sotinc-run.* directory was left";
    if (mode == Mode::kStaged) {
      testing::UserState after = testing::CaptureUserState(repo);
      EXPECT_EQ(after, before) << "before:\n" << before << "after:\n" << after;
    }
    if (fs::exists(db)) {
      EXPECT_EQ(IntegrityCheck(db), "ok");
    } else {
      ++no_db;
    }

    // The next run, on whatever the killed one left, is right.
    const bool staged = mode == Mode::kStaged;
    Outcome next = testing::Check(repo, staged ? "--staged" : "");
    ASSERT_TRUE(next.parsed) << next.err;
    EXPECT_EQ(next.Canonical(), Expected(staged)) << next.err;
    if (HasFailure()) break;  // one sequence to replay is enough
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - test_start).count();
  const int total = total_kills;
  EXPECT_GE(total, rounds) << "too few runs were killed mid-run";
  std::printf("kill test: %d kills in %.1f s, seed %u; run lengths cold/warm:", total, seconds,
              seed);
  for (auto& [m, ms] : length_ms) std::printf(" %s %.0f/%.0f ms,", Name(m), ms, warm_ms[m]);
  std::printf("\n  killed mid-run:");
  for (auto& [m, n] : kills) std::printf(" %s %d,", Name(m), n);
  std::printf(" total %d; finished before the kill:", total);
  for (auto& [m, n] : finished) std::printf(" %s %d,", Name(m), n);
  std::printf(" no database yet: %d\n", no_db);
}

}  // namespace
}  // namespace sotinc
