// Hostile inputs end to end (issue 6, "Hostile inputs"): the real binary
// (SOTINC_BINARY) on repositories and configs made to hurt it. Every case
// must end in a result or a clear message with the SPEC's exit status,
// within normal time and memory: each run is timed and its peak resident
// set read with wait4(2) (RunMeasured), and both are checked loosely.
//
//  - repository content: binary files, NUL bytes, invalid UTF-8, CRLF,
//    mixed line endings, a 2 GB sparse file, one 100 MB line, file names
//    with spaces, quotes, newlines and non-UTF-8 bytes, deep directories,
//    symlinks to files, directories, outside the repository, and loops;
//  - config content: an alias bomb, a 50 MB config, 100,000 nested '[',
//    a glob of thousands of alternatives, '..' and absolute globs, odd ids,
//    includes that include themselves;
//  - git states: an empty repository, an unborn HEAD, a detached HEAD, a
//    merge with conflicts, a shallow clone, an unknown `--since` ref, a bare
//    repository, a linked worktree, a submodule, a sparse checkout;
//  - command rules: their environment, no shell for the argv form, and file
//    names passed as they are.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/testing/outcome.h"
#include "tests/testing/sanitizers.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;
using testing::MeasuredRun;
using testing::Outcome;
using testing::TempRepo;

// Loose bounds: a run here normally takes well under a second of CPU (the
// 2 GB and 100 MB files a few) and 30 MB (the 100 MB line about 110 MB);
// the bounds catch reading a 2 GB file whole or a blow-up, not slowness.
// Under the sanitizers everything is a few times slower and bigger.
constexpr double kMaxSeconds = testing::kUnderAsan ? 120 : 30;
constexpr long kMaxRssKb = testing::kUnderAsan ? 1500 * 1024 : 400 * 1024;

struct Judged {
  MeasuredRun run;
  Outcome outcome;
};

// `sotinc check --format json ARGS` with its cost checked; `what` names the
// case in messages and in the figures printed for docs/reliability.md.
Judged CheckMeasured(TempRepo& repo, const std::string& what, std::vector<std::string> args = {},
                     bool json = true) {
  if (json) args.insert(args.begin(), {"--format", "json"});
  if (args.empty() || args[0] != "cache") args.insert(args.begin(), "check");
  Judged j;
  j.run = testing::RunMeasured(repo, args, testing::Outside(repo));
  std::printf("hostile input: %-40s exit %d, %7.0f ms (CPU %7.0f ms), peak RSS %6ld KiB\n",
              what.c_str(), j.run.result.exit_code, j.run.wall_ms, j.run.cpu_ms, j.run.max_rss_kb);
  // CPU time is what the input costs; wall time also depends on the
  // machine's load, so its bound is looser.
  EXPECT_LT(j.run.cpu_ms, kMaxSeconds * 1000) << what;
  EXPECT_LT(j.run.wall_ms, kMaxSeconds * 5000) << what;
  EXPECT_LT(j.run.max_rss_kb, kMaxRssKb) << what;
  EXPECT_NE(j.run.result.exit_code, 3) << what << ": internal error\n" << j.run.result.err;
  EXPECT_LT(j.run.result.exit_code, 128) << what << ": died of a signal\n" << j.run.result.err;
  if (json && (j.run.result.exit_code == 0 || j.run.result.exit_code == 1)) {
    j.outcome = testing::ParseOutcome(j.run.result.exit_code, j.run.result.out, j.run.result.err);
  }
  return j;
}

std::string RuleOf(const Judged& j, const std::string& id) {
  auto it = j.outcome.rules.find(id);
  return it == j.outcome.rules.end() ? "(no result)" : it->second;
}

#define EXPECT_HAS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)
#define EXPECT_LACKS(haystack, needle) \
  EXPECT_EQ(std::string(haystack).find(needle), std::string::npos) << (haystack)

// ---- Repository content ---------------------------------------------------------

TEST(HostileContent, OddBytesLineEndingsAndNames) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\n"
                 "rules:\n"
                 "  - id: TODO\n"
                 "    check: {kind: forbid_regex, files: ['**', '!sotinc.yaml'], pattern: 'TODO'}\n"
                 "  - id: YAML\n"
                 "    check: {kind: yaml, files: ['**/*.yaml', '!sotinc.yaml'], require: [a]}\n"
                 "  - id: LINES\n"
                 "    check: {kind: max_size, files: 'text/**', lines: 3}\n");
  std::string binary = std::string(
      "\x7f"
      "ELF\0\0\0TODO",
      11);
  repo.WriteFile("bin/prog", binary);
  repo.WriteFile("bin/data.yaml", std::string("a: 1\0TODO\n", 10));
  // A NUL after the first 8 KiB: text, as SPEC says, and read as such.
  repo.WriteFile("text/late-nul.txt", std::string(9000, 'x') + std::string("\0\nTODO\n", 7));
  repo.WriteFile("text/latin1.txt", "caf\xe9\n\xff\xfe TODO\n");
  repo.WriteFile("text/crlf.txt", "one\r\ntwo TODO\r\n");
  repo.WriteFile("text/mixed.txt", "a\nb\r\nc\rTODO\n\r\nTODO");
  repo.WriteFile("text/no-eol.txt", "TODO");
  repo.WriteFile("names/with space.txt", "TODO\n");
  repo.WriteFile("names/quo'te\"s.txt", "TODO\n");
  repo.WriteFile("names/new\nline.txt", "TODO\n");
  repo.WriteFile("names/bad\xff\xfe.txt", "TODO\n");
  repo.WriteFile("names/$(touch pwned).txt", "TODO\n");
  repo.Commit("odd");
  Judged j = CheckMeasured(repo, "binary, NUL, UTF-8, CRLF, names");
  ASSERT_TRUE(j.outcome.parsed) << j.run.result.err;
  const std::string todo = RuleOf(j, "TODO");
  EXPECT_LACKS(todo, "bin/prog");       // binary: skipped
  EXPECT_LACKS(todo, "bin/data.yaml");  // binary: skipped
  EXPECT_HAS(todo, "[text/late-nul.txt:2:1 ");
  EXPECT_HAS(todo, "[text/latin1.txt:2:4 ");
  EXPECT_HAS(todo, "[text/crlf.txt:2:5 ");
  // Lines end at '\n' only (as git, grep and editors' line numbers do); a
  // lone '\r' is a byte of its line.
  EXPECT_HAS(todo, "[text/mixed.txt:3:3 ");
  EXPECT_HAS(todo, "[text/mixed.txt:5:1 ");
  EXPECT_HAS(todo, "[text/no-eol.txt:1:1 ");
  EXPECT_HAS(todo, "[names/with space.txt:1:1 ");
  EXPECT_HAS(todo, "[names/quo'te\"s.txt:1:1 ");
  EXPECT_HAS(todo, "[names/new\nline.txt:1:1 ");
  EXPECT_HAS(todo, "[names/$(touch pwned).txt:1:1 ");
  EXPECT_HAS(todo, "[names/bad");
  EXPECT_FALSE(fs::exists(repo.path() + "/pwned"));
  // A binary file is a finding of the yaml kind.
  EXPECT_HAS(RuleOf(j, "YAML"), "bin/data.yaml");
  EXPECT_HAS(RuleOf(j, "LINES"), "text/mixed.txt");
  // The text report prints every name on one line (no raw newline).
  MeasuredRun text = testing::RunMeasured(repo, {"check"}, testing::Outside(repo));
  EXPECT_EQ(text.result.exit_code, 1);
  EXPECT_LACKS(text.result.out, "new\nline");
  EXPECT_HAS(text.result.out, "\"names/new\\nline.txt\":1:1: error: ");
  EXPECT_HAS(text.result.out, "\"names/quo'te\\\"s.txt\":1:1: error: ");
  EXPECT_HAS(text.result.out, "\n      names/with space.txt:1:1: error: ");
}

TEST(HostileContent, HugeSparseFileAndOneHundredMegabyteLine) {
  TempRepo repo;
  const char config[] =
      "version: 1\n"
      "rules:\n"
      "  - id: TODO\n"
      "    check: {kind: forbid_regex, files: '**/*.dat', pattern: 'TODO'}\n"
      "  - id: ANY\n"
      "    check: {kind: require_regex, files: '**/*.dat', pattern: 'x', scope: any_file}\n"
      "  - id: SIZE\n"
      "    check: {kind: max_size, files: '**/*.dat', lines: 10}\n"
      "  - id: NAMES\n"
      "    check: {kind: path_name, files: '**/*.dat', pattern: '^[a-z.]+$'}\n"
      "  - id: EACH\n"
      "    check: {kind: command, files: '**/*.dat', per_file: true, run: 'test -f \"$1\"'}\n";
  repo.WriteFile("sotinc.yaml", config);
  repo.WriteFile("small.dat", "x\n");
  repo.Commit("small");
  // Untracked, so that its content id is not git's: nothing may hash or
  // read 2 GB.
  const std::string sparse = repo.path() + "/huge.dat";
  {
    FILE* f = std::fopen(sparse.c_str(), "w");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(ftruncate(fileno(f), 2LL << 30), 0);
    std::fclose(f);
  }
  repo.WriteFile("line.dat", std::string(100 << 20, 'y') + "TODO\n");
  Judged j = CheckMeasured(repo, "2 GB sparse file, 100 MB line");
  ASSERT_TRUE(j.outcome.parsed) << j.run.result.err;
  // Over max_file_bytes (8 MiB): a finding of every content rule, never read.
  for (const char* id : {"TODO", "SIZE"}) {
    EXPECT_HAS(RuleOf(j, id), "[huge.dat ");
    EXPECT_HAS(RuleOf(j, id), "[line.dat ");
  }
  EXPECT_HAS(RuleOf(j, "NAMES"), "pass");
  // Warm: nothing is hashed again.
  Judged warm = CheckMeasured(repo, "2 GB sparse file, warm");
  EXPECT_EQ(warm.outcome.Canonical(), j.outcome.Canonical());
  EXPECT_EQ(warm.outcome.ran, 0);

  // With a limit above it, the 100 MB line is scanned (streamed by RE2).
  repo.WriteFile("sotinc.yaml",
                 std::string(config).replace(std::string(config).find("rules:"), 6,
                                             "settings: {max_file_bytes: 128MiB}\nrules:"));
  repo.RemoveFile("huge.dat");
  Judged big = CheckMeasured(repo, "100 MB line read");
  ASSERT_TRUE(big.outcome.parsed) << big.run.result.err;
  EXPECT_HAS(RuleOf(big, "TODO"), std::string("[line.dat:1:") + std::to_string((100 << 20) + 1));
}

TEST(HostileContent, DeepDirectoriesAndSymlinks) {
  TempRepo repo;
  repo.WriteFile(
      "sotinc.yaml",
      "version: 1\n"
      "rules:\n"
      "  - id: SECRET\n"
      "    check: {kind: forbid_regex, files: ['**', '!sotinc.yaml'], pattern: 'SECRET'}\n"
      "  - id: VIA_LINK\n"
      "    check: {kind: forbid_regex, files: 'linkdir/**', pattern: 'x'}\n"
      "  - id: DEEP\n"
      "    check: {kind: required_files, dirs: '**/leaf', files: [end.txt]}\n"
      "  - id: YAML\n"
      "    check: {kind: yaml, files: '**/*.yaml', require: [a]}\n"
      "  - id: CMD\n"
      "    check: {kind: command, files: 'links/**', run: 'cat -- \"$@\"'}\n");
  std::string deep;
  for (int i = 0; i < 300; ++i) deep += "d/";
  repo.WriteFile(deep + "leaf/end.txt", "bottom\n");
  repo.WriteFile("real/file.txt", "inside\n");
  repo.WriteFile("real/conf.yaml", "a: 1\n");
  testing::WriteWholeFile(testing::Outside(repo) + "/outside.txt", "SECRET outside\n");
  testing::WriteWholeFile(testing::Outside(repo) + "/outside.yaml", "b: SECRET\n");
  fs::create_directories(repo.path() + "/links");
  fs::create_symlink("../real/file.txt", repo.path() + "/links/to-file");
  fs::create_symlink("../real/conf.yaml", repo.path() + "/links/conf.yaml");
  fs::create_symlink("../../outside.txt", repo.path() + "/links/to-outside");
  fs::create_symlink("../../outside.yaml", repo.path() + "/links/outside.yaml");
  fs::create_symlink("/etc/passwd", repo.path() + "/links/absolute");
  fs::create_symlink("loop-b", repo.path() + "/links/loop-a");
  fs::create_symlink("loop-a", repo.path() + "/links/loop-b");
  fs::create_symlink("self", repo.path() + "/links/self");
  fs::create_symlink("dangling-target", repo.path() + "/links/dangling");
  fs::create_symlink("real", repo.path() + "/linkdir");
  fs::create_symlink("..", repo.path() + "/real/up");
  fs::create_symlink(testing::Outside(repo), repo.path() + "/outdir");
  repo.Commit("links");
  for (const char* mode : {"", "--rev=HEAD"}) {
    SCOPED_TRACE(mode);
    std::vector<std::string> args;
    if (*mode) args.push_back(mode);
    Judged j = CheckMeasured(repo, std::string("deep dirs and symlinks ") + mode, args);
    ASSERT_TRUE(j.outcome.parsed) << j.run.result.err;
    // Never followed: nothing outside is read, and a link to a directory
    // is one entry, not a directory.
    EXPECT_HAS(RuleOf(j, "SECRET"), "pass");
    EXPECT_HAS(RuleOf(j, "VIA_LINK"), "matched nothing");
    EXPECT_HAS(RuleOf(j, "DEEP"), "pass");
    // A symlink matched by the yaml kind is judged by its target path text.
    EXPECT_LACKS(RuleOf(j, "YAML"), "SECRET");
    // The command sees the links as links (in --staged/--rev, recreated in
    // its temporary tree): cat follows in-repository ones only where they
    // resolve; what it prints is not a finding format.
    EXPECT_LACKS(RuleOf(j, "CMD"), "SECRET outside") << "a link to outside was materialised";
  }
}

// ---- Config content ---------------------------------------------------------------

// Runs with `config` as sotinc.yaml (and `files`) and expects exit 2 with
// all of `messages` on stderr.
void ExpectConfigError(const std::string& what, const std::string& config,
                       const std::vector<std::string>& messages,
                       const std::vector<std::pair<std::string, std::string>>& files = {}) {
  SCOPED_TRACE(what);
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", config);
  for (const auto& [path, content] : files) repo.WriteFile(path, content);
  repo.WriteFile("a.txt", "a\n");
  Judged j = CheckMeasured(repo, what);
  EXPECT_EQ(j.run.result.exit_code, 2) << j.run.result.out << j.run.result.err;
  for (const std::string& m : messages) EXPECT_HAS(j.run.result.err, m);
  EXPECT_LT(j.run.result.err.size(), 20000u) << "an error message should be short";
}

TEST(HostileConfig, AliasBomb) {
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 9; ++k) bomb += ", " + prev;
    bomb += "]\n";
  }
  ExpectConfigError("YAML alias bomb (10^10 nodes)",
                    "version: 1\n" + bomb +
                        "rules:\n"
                        "  - id: BOMB\n"
                        "    check: {kind: forbid_regex, files: '*', pattern: x, message: *a9}\n",
                    {"sotinc.yaml:", "BOMB"});
}

TEST(HostileConfig, DeepNesting) {
  ExpectConfigError("100,000 nested '['", "version: 1\nrules: " + std::string(100000, '[') + "\n",
                    {"sotinc.yaml:", "nest too deeply"});
  ExpectConfigError("100,000 nested '{'",
                    "version: 1\nrules:\n  - id: X\n    check: " + std::string(100000, '{') + "\n",
                    {"sotinc.yaml:"});
}

TEST(HostileConfig, FiftyMegabyteConfig) {
  TempRepo repo;
  // 50 MB: a 49 MB description, then 500 small rules. (yaml-cpp parses
  // about 20 MB of config per CPU second; 5,000 rules run in a few.)
  std::string config = "version: 1\nrules:\n";
  config += "  - id: BIG\n    description: '" + std::string(49 << 20, 'd') +
            "'\n    check: {kind: forbid_regex, files: '*.txt', pattern: TODO}\n";
  for (int i = 0; i < 500; ++i) {
    config += "  - id: R" + std::to_string(i) +
              "\n    check: {kind: max_size, files: '*.txt', "
              "bytes: " +
              std::to_string(1000 + i) + "}\n";
  }
  repo.WriteFile("sotinc.yaml", config);
  repo.WriteFile("a.txt", "a\n");
  Judged j = CheckMeasured(repo, "50 MB config");
  ASSERT_TRUE(j.outcome.parsed) << j.run.result.err;
  EXPECT_HAS(RuleOf(j, "BIG"), "pass");
  EXPECT_EQ(j.outcome.rules.size(), 501u);
}

TEST(HostileConfig, GlobWithThousandsOfAlternatives) {
  // 5,000 alternatives (44 KB): over the 4 KiB limit of a glob, refused
  // with the rule, the field and the reason.
  {
    TempRepo repo;
    std::string alternatives;
    for (int i = 0; i < 5000; ++i) alternatives += (i ? "," : "") + ("name" + std::to_string(i));
    repo.WriteFile("sotinc.yaml",
                   "version: 1\nrules:\n  - id: ALT\n"
                   "    check: {kind: forbid_regex, files: 'src/{" +
                       alternatives + "}.txt', pattern: TODO}\n");
    repo.WriteFile("src/name1.txt", "x\n");
    Judged j = CheckMeasured(repo, "5,000 glob alternatives");
    EXPECT_EQ(j.run.result.exit_code, 2);
    EXPECT_HAS(j.run.result.err, "sotinc.yaml:4:");
    EXPECT_HAS(j.run.result.err, "rule ALT");
    EXPECT_HAS(j.run.result.err, "'files'");
    EXPECT_HAS(j.run.result.err, "longer than 4096 bytes");
  }
  // 800 alternatives within the limit, and 200 nested braces: they work.
  TempRepo repo;
  std::string alternatives;
  for (int i = 0; i < 800; ++i) alternatives += (i ? "," : "") + std::to_string(i);
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n"
                 "  - id: ALT\n"
                 "    check: {kind: forbid_regex, files: 'src/{" +
                     alternatives +
                     "}.txt', pattern: TODO}\n"
                     "  - id: NESTED\n"
                     "    check: {kind: max_size, files: '" +
                     std::string(200, '{') + "a" + std::string(200, '}') +
                     "/*.txt', bytes: 10, allow_empty: true}\n");
  for (int i = 0; i < 200; ++i) repo.WriteFile("src/" + std::to_string(i * 4) + ".txt", "x\n");
  repo.WriteFile("src/799.txt", "TODO\n");
  Judged j = CheckMeasured(repo, "800 glob alternatives, 200 nested braces");
  if (j.run.result.exit_code == 2) {
    EXPECT_HAS(j.run.result.err, "rule NESTED");  // refusing deep nesting is fine
  } else {
    ASSERT_TRUE(j.outcome.parsed) << j.run.result.err;
    EXPECT_HAS(RuleOf(j, "ALT"), "[src/799.txt:1:1 ");
    EXPECT_LACKS(RuleOf(j, "ALT"), "src/4.txt");
  }
}

TEST(HostileConfig, DotDotAndAbsoluteGlobsAreRejected) {
  struct Case {
    std::string check;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"{kind: forbid_regex, files: '../outside.txt', pattern: x}", "files"},
      {"{kind: forbid_regex, files: 'a/../../b.txt', pattern: x}", "files"},
      {"{kind: forbid_regex, files: '/etc/passwd', pattern: x}", "files"},
      {"{kind: forbid_regex, files: ['*.txt', '!../x'], pattern: x}", "files"},
      {"{kind: dir_count, parents: '..', count: 1}", "parents"},
      {"{kind: required_files, dirs: '/tmp', files: [a]}", "dirs"},
      {"{kind: required_files, dirs: '.', files: ['../a']}", "files"},
      {"{kind: command, files: '/etc/*', run: [cat]}", "files"},
  };
  for (const Case& c : cases) {
    ExpectConfigError("glob " + c.check,
                      "version: 1\nrules:\n  - id: ESCAPE\n    check: " + c.check + "\n",
                      {"sotinc.yaml:4:", c.field});
  }
}

TEST(HostileConfig, OddIdsAndIncludeLoops) {
  // Ids outside [A-Za-z0-9][A-Za-z0-9_.-]* are rejected with the id shown.
  for (std::string id : {"'a b'", "'-x'", "'../x'", "'x/y'", "'\"q\"'", "\"\\u00e9\"", "'a\\x00b'",
                         "''", "'.hidden'"}) {
    ExpectConfigError("odd id " + id,
                      "version: 1\nrules:\n  - id: " + id +
                          "\n    check: {kind: max_size, files: '*', bytes: 1}\n",
                      {"sotinc.yaml:3:"});
  }
  // An include pattern that matches the including file itself, and two
  // rule files naming each other: each file is read once.
  TempRepo repo;
  repo.WriteFile("sotinc.yaml", "version: 1\ninclude: ['*.yaml', 'rules/*.yaml']\n");
  repo.WriteFile("rules/a.yaml",
                 "include: [b.yaml]\nrules:\n  - {id: A, check: {kind: max_size, files: '*', "
                 "bytes: 100}}\n");
  repo.WriteFile("rules/b.yaml",
                 "include: [a.yaml]\nrules:\n  - {id: B, check: {kind: max_size, files: '*', "
                 "bytes: 100}}\n");
  repo.WriteFile("a.txt", "a\n");
  Judged j = CheckMeasured(repo, "include loop");
  if (j.run.result.exit_code == 2) {
    EXPECT_HAS(j.run.result.err, "rules/a.yaml");
  } else {
    ASSERT_TRUE(j.outcome.parsed) << j.run.result.err;
    EXPECT_EQ(j.outcome.rules.size(), 2u);
  }
}

// ---- Git states ---------------------------------------------------------------------

TEST(GitStates, EmptyRepositoryAndUnbornHead) {
  TempRepo repo;
  // No commit and no file at all: a clear message, not a crash.
  Judged none = CheckMeasured(repo, "empty repository, no config");
  EXPECT_EQ(none.run.result.exit_code, 2) << none.run.result.err;
  EXPECT_HAS(none.run.result.err, "sotinc.yaml");
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n"
                 "  - id: TODO\n    check: {kind: forbid_regex, files: '*.txt', pattern: TODO}\n");
  repo.WriteFile("a.txt", "TODO\n");
  Judged plain = CheckMeasured(repo, "unborn HEAD, untracked files");
  ASSERT_TRUE(plain.outcome.parsed) << plain.run.result.err;
  EXPECT_HAS(RuleOf(plain, "TODO"), "[a.txt:1:1 ");
  // --staged with nothing staged: the config is not in the index.
  Judged staged_empty = CheckMeasured(repo, "unborn HEAD, --staged, empty index", {"--staged"});
  EXPECT_EQ(staged_empty.run.result.exit_code, 2) << staged_empty.run.result.err;
  EXPECT_HAS(staged_empty.run.result.err, "sotinc.yaml");
  // Staged before the first commit: every rule is affected (no HEAD).
  repo.Git("add -A");
  Judged staged = CheckMeasured(repo, "unborn HEAD, --staged", {"--staged"});
  ASSERT_TRUE(staged.outcome.parsed) << staged.run.result.err;
  EXPECT_HAS(RuleOf(staged, "TODO"), "[a.txt:1:1 ");
  Judged since = CheckMeasured(repo, "unborn HEAD, --since main", {"--since", "main"});
  ASSERT_TRUE(since.outcome.parsed) << since.run.result.err;
  EXPECT_HAS(RuleOf(since, "TODO"), "fail");
  EXPECT_NE(since.run.result.err, "") << "sotinc should say why every rule runs";
  Judged rev = CheckMeasured(repo, "unborn HEAD, --rev HEAD", {"--rev", "HEAD"});
  EXPECT_EQ(rev.run.result.exit_code, 2) << rev.run.result.err;
  EXPECT_HAS(rev.run.result.err, "HEAD");
}

TEST(GitStates, DetachedHeadUnknownRefAndShallowClone) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n"
                 "  - id: TODO\n    check: {kind: forbid_regex, files: '*.txt', pattern: TODO}\n"
                 "  - id: SIZE\n    check: {kind: max_size, files: '*.md', bytes: 100}\n");
  repo.WriteFile("a.txt", "a\n");
  repo.WriteFile("b.md", "b\n");
  repo.Commit("one");
  for (int i = 0; i < 3; ++i) {
    repo.WriteFile("a.txt", "a" + std::to_string(i) + "\n");
    repo.Commit("more");
  }
  repo.Git("checkout -q --detach HEAD~1");
  repo.WriteFile("a.txt", "TODO\n");
  Judged detached = CheckMeasured(repo, "detached HEAD, --since main", {"--since", "main"});
  ASSERT_TRUE(detached.outcome.parsed) << detached.run.result.err;
  EXPECT_HAS(RuleOf(detached, "TODO"), "[a.txt:1:1 ");
  EXPECT_EQ(detached.outcome.rules.count("SIZE"), 0u) << "b.md did not change";
  Judged unknown = CheckMeasured(repo, "--since an unknown ref", {"--since", "no-such-ref"});
  ASSERT_TRUE(unknown.outcome.parsed) << unknown.run.result.err;
  EXPECT_EQ(unknown.outcome.rules.size(), 2u) << "every rule runs";
  EXPECT_HAS(unknown.run.result.err, "no-such-ref");

  // A shallow clone whose history stops before the merge base.
  const std::string clone = testing::Outside(repo) + "/shallow";
  repo.Git("branch side HEAD~2");
  repo.Run("git clone -q --depth 1 --no-single-branch file://" + repo.path() + " " + clone);
  ASSERT_TRUE(fs::exists(clone + "/.git/shallow"));
  testing::RunResult r =
      repo.Run("'" + std::string(SOTINC_BINARY) + "' -C " + testing::Quote(clone) +
               " check --format json --since origin/side");
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << r.err;
  Outcome o = testing::ParseOutcome(r.exit_code, r.out, r.err);
  EXPECT_EQ(o.rules.size(), 2u) << "the base is unknown: every rule runs";
  EXPECT_HAS(r.err, "shallow");
}

TEST(GitStates, MergeInProgressWithConflicts) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n"
                 "  - id: TODO\n    check: {kind: forbid_regex, files: '*.txt', pattern: TODO}\n");
  repo.WriteFile("a.txt", "base\n");
  repo.WriteFile("b.txt", "b\n");
  repo.Commit("base");
  repo.Git("checkout -q -b other");
  repo.WriteFile("a.txt", "theirs\n");
  repo.Commit("theirs");
  repo.Git("checkout -q main");
  repo.WriteFile("a.txt", "ours\n");
  repo.WriteFile("b.txt", "b TODO\n");
  repo.Commit("ours");
  EXPECT_NE(repo.Run("git merge -q other").exit_code, 0);
  ASSERT_NE(repo.Git("ls-files -u"), "");
  testing::UserState before = testing::CaptureUserState(repo);
  // The working tree holds the conflict markers: a plain check judges them.
  Judged plain = CheckMeasured(repo, "merge conflict, check");
  ASSERT_TRUE(plain.outcome.parsed) << plain.run.result.err;
  // --staged: git refuses to commit unmerged paths, and so does the hook:
  // a clear message and exit 1, before any rule runs.
  Judged staged = CheckMeasured(repo, "merge conflict, --staged", {"--staged"}, /*json=*/false);
  EXPECT_EQ(staged.run.result.exit_code, 1) << staged.run.result.out << staged.run.result.err;
  EXPECT_HAS(staged.run.result.err, "a.txt");
  EXPECT_HAS(staged.run.result.err, "unmerged");
  EXPECT_EQ(testing::CaptureUserState(repo), before);
}

TEST(GitStates, BareRepositoryLinkedWorktreeSubmoduleSparseCheckout) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n"
                 "  - id: TODO\n    check: {kind: forbid_regex, files: '**', pattern: TODO}\n"
                 "  - id: DIRS\n    check: {kind: dir_count, parents: ., count: 2}\n");
  repo.WriteFile("one/a.txt", "a\n");
  repo.WriteFile("two/b.txt", "b TODO\n");
  repo.Commit("base");
  const std::string out = testing::Outside(repo);

  // Bare: --rev works, a working-tree check is a clear error.
  repo.Run("git clone -q --bare . " + testing::Quote(out + "/bare.git"));
  std::string bin = testing::Quote(SOTINC_BINARY);
  testing::RunResult rev = repo.Run(bin + " -C " + testing::Quote(out + "/bare.git") +
                                    " check --format json --rev HEAD");
  EXPECT_EQ(rev.exit_code, 1) << rev.err;
  EXPECT_HAS(testing::ParseOutcome(rev.exit_code, rev.out, rev.err).Canonical(), "two/b.txt");
  testing::RunResult wt = repo.Run(bin + " -C " + testing::Quote(out + "/bare.git") + " check");
  EXPECT_EQ(wt.exit_code, 2) << wt.out << wt.err;
  EXPECT_HAS(wt.err, "bare");

  // A linked worktree sees its own files.
  repo.Git("worktree add -q " + testing::Quote(out + "/linked") + " -b linked");
  testing::WriteWholeFile(out + "/linked/one/a.txt", "TODO in linked\n");
  testing::RunResult linked =
      repo.Run(bin + " -C " + testing::Quote(out + "/linked") + " check --format json");
  Outcome lo = testing::ParseOutcome(linked.exit_code, linked.out, linked.err);
  EXPECT_HAS(lo.rules["TODO"], "[one/a.txt:1:1 ");

  // A submodule is one opaque entry: its files are not candidates.
  repo.Run("git init -q " + testing::Quote(out + "/subsrc") + " && git -C " +
           testing::Quote(out + "/subsrc") +
           " -c user.name=x -c user.email=x@x commit -q --allow-empty -m s && echo TODO > " +
           testing::Quote(out + "/subsrc/TODO.txt") + " && git -C " +
           testing::Quote(out + "/subsrc") + " add -A && git -C " +
           testing::Quote(out + "/subsrc") + " -c user.name=x -c user.email=x@x commit -q -m t");
  repo.Run("git -c protocol.file.allow=always submodule -q add " + testing::Quote(out + "/subsrc") +
           " three");
  repo.Commit("submodule");
  Judged sub = CheckMeasured(repo, "submodule");
  ASSERT_TRUE(sub.outcome.parsed) << sub.run.result.err;
  EXPECT_LACKS(RuleOf(sub, "TODO"), "three/TODO.txt");
  EXPECT_LACKS(RuleOf(sub, "TODO"), "error") << "content rules pass over a submodule";
  Judged sub_rev = CheckMeasured(repo, "submodule, --rev HEAD", {"--rev", "HEAD"});
  EXPECT_EQ(RuleOf(sub_rev, "TODO").rfind("fail", 0), 0u) << RuleOf(sub_rev, "TODO");
  // one and two: the submodule is an entry, not a directory of candidates.
  EXPECT_HAS(RuleOf(sub, "DIRS"), "pass");

  // Sparse checkout: files outside the cone are not in the working tree.
  repo.Git("sparse-checkout set one");
  ASSERT_FALSE(fs::exists(repo.path() + "/two/b.txt"));
  // A plain check judges the working tree as it is: only what is checked
  // out (two/ is not there); --staged and --rev see every file.
  Judged sparse = CheckMeasured(repo, "sparse checkout");
  ASSERT_TRUE(sparse.outcome.parsed) << sparse.run.result.err;
  EXPECT_LACKS(RuleOf(sparse, "TODO"), "two/b.txt");
  EXPECT_HAS(RuleOf(sparse, "DIRS"), "fail");
  Judged sparse_rev = CheckMeasured(repo, "sparse checkout, --rev HEAD", {"--rev", "HEAD"});
  EXPECT_HAS(RuleOf(sparse_rev, "TODO"), "[two/b.txt:1:3 ");
  Judged sparse_staged =
      CheckMeasured(repo, "sparse checkout, --staged", {"--staged", "--no-cache"});
  EXPECT_TRUE(sparse_staged.outcome.parsed) << sparse_staged.run.result.err;
}

// ---- Command rules --------------------------------------------------------------

TEST(HostileCommand, EnvironmentIsExplicitAndFileNamesArePassedAsThey) {
  TempRepo repo;
  repo.WriteFile("sotinc.yaml",
                 "version: 1\nrules:\n"
                 "  - id: ENV\n"
                 "    check: {kind: command, run: [/bin/sh, -c, 'env | sed \"s/^/env:1: /\"'],\n"
                 "            env: {MINE: 'a b'}}\n"
                 "  - id: ARGV\n"
                 "    check: {kind: command, files: 'n/**', format: plain,\n"
                 "            run: [/bin/sh, -c, 'for f; do printf \"<%s>\\n\" \"$f\"; done; "
                 "exit 1', zero]}\n"
                 "  - id: NOSHELL\n"
                 "    check: {kind: command, run: [printf, 'argv:1: %s|%s|%s|%s', '$(id)', '`id`', "
                 "'*', '$HOME'], pass_files: false}\n"
                 "  - id: STRING\n"
                 "    check: {kind: command, files: 'n/**', per_file: true,\n"
                 "            run: 'test -f \"$1\" || echo \"$1:1: not passed as is\"'}\n");
  repo.WriteFile("n/with space.txt", "x\n");
  repo.WriteFile("n/new\nline.txt", "x\n");
  repo.WriteFile("n/$(touch pwned).txt", "x\n");
  repo.WriteFile("n/`touch pwned2`.txt", "x\n");
  repo.WriteFile("n/-rf.txt", "x\n");
  repo.WriteFile("n/*.txt", "x\n");
  repo.Commit("names");
  testing::RunResult r = repo.Run("SOTINC_SECRET_TOKEN=leak AWS_SECRET=leak " +
                                  testing::Sotinc(repo, "check --format json --no-cache"));
  Outcome o = testing::ParseOutcome(r.exit_code, r.out, r.err);
  ASSERT_TRUE(o.parsed) << r.err;
  // Only the documented variables pass through (docs/rules.md, command).
  EXPECT_HAS(o.rules["ENV"], "SOTINC_RULE=ENV");
  EXPECT_HAS(o.rules["ENV"], "MINE=a b");
  EXPECT_LACKS(o.rules["ENV"], "leak");
  EXPECT_LACKS(o.rules["ENV"], "GIT_");
  // ARGV exits 1 so that its output (one finding, the output tail) shows
  // every argument as it was received.
  for (const char* name : {"<n/with space.txt>", "<n/new\nline.txt>", "<n/$(touch pwned).txt>",
                           "<n/`touch pwned2`.txt>", "<n/-rf.txt>", "<n/*.txt>"}) {
    EXPECT_HAS(o.rules["ARGV"], name);
  }
  EXPECT_HAS(o.rules["NOSHELL"], "[argv:1 $(id)|`id`|*|$HOME]");
  EXPECT_HAS(o.rules["STRING"], "pass");
  EXPECT_FALSE(fs::exists(repo.path() + "/pwned"));
  EXPECT_FALSE(fs::exists(repo.path() + "/n/pwned"));
  EXPECT_FALSE(fs::exists(repo.path() + "/pwned2"));
}

}  // namespace
}  // namespace sotinc
