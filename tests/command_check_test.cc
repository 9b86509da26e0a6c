// Tests of the `command` kind (rules/command_check.cc): what it asks the
// ProcessRunner to run (through FakeProcessRunner, which records every
// ProcessSpec) and how it turns outcomes into findings or a rule error.
// The last tests use the real runner (engine/subprocess.cc) with /bin/sh.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "engine/process.h"
#include "tests/testing/check_harness.h"
#include "tests/testing/fake_process_runner.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;
using testing::FakeProcessRunner;
using testing::JoinLines;
using V = std::vector<std::string>;

// The value of `name` in a spec's environment, or "(unset)"; fails the test
// if it is set twice.
std::string Env(const ProcessSpec& spec, const std::string& name) {
  std::string value = "(unset)";
  int seen = 0;
  for (const auto& [k, v] : spec.env) {
    if (k == name) value = v, ++seen;
  }
  EXPECT_LE(seen, 1) << name << " is set " << seen << " times";
  return value;
}

class CommandTest : public testing::CheckHarnessTest {
 protected:
  void SetUp() override {
    Add("a.py", "x\n");
    Add("lib/b.py", "y\n");
    Add("README.md", "z\n");
    set_processes(&runner_, "/repo");
  }

  // Runs the check; `status` receives its Status (which must be OK unless
  // a pointer is given).
  V Run(const std::string& yaml, Status* status = nullptr) {
    V out = CheckHarness::Run(yaml, status);
    // The command reads the files itself; sotinc loads nothing.
    EXPECT_TRUE(files_read().empty()) << JoinLines(files_read());
    return out;
  }

  // The message of the error status the check must end with.
  std::string RunError(const std::string& yaml) {
    Status s;
    V findings = Run(yaml, &s);
    EXPECT_FALSE(s.ok());
    return s.message();
  }

  FakeProcessRunner runner_;
};

TEST_F(CommandTest, ArgvFormAppendsMatchingPaths) {
  EXPECT_EQ(Run("{kind: command, run: [lint, --strict], files: '**/*.py'}"), V());
  ASSERT_EQ(runner_.commands_ran_.size(), 1u);
  const ProcessSpec& spec = runner_.commands_ran_[0];
  EXPECT_EQ(spec.argv, V({"lint", "--strict", "a.py", "lib/b.py"}));
  EXPECT_EQ(spec.cwd, "/repo");
  EXPECT_EQ(spec.timeout_ms, 60000);
}

TEST_F(CommandTest, StringFormRunsTheShellWithRuleIdAsDollarZero) {
  EXPECT_EQ(Run("{kind: command, run: 'lint \"$@\" | sort', files: '**/*.py'}"), V());
  ASSERT_EQ(runner_.commands_ran_.size(), 1u);
  EXPECT_EQ(runner_.commands_ran_[0].argv,
            V({"/bin/sh", "-c", "lint \"$@\" | sort", "T001", "a.py", "lib/b.py"}));
}

TEST_F(CommandTest, WithoutFilesItRunsOnceWithNoPaths) {
  EXPECT_EQ(Run("{kind: command, run: [make, check]}"), V());
  ASSERT_EQ(runner_.commands_ran_.size(), 1u);
  EXPECT_EQ(runner_.commands_ran_[0].argv, V({"make", "check"}));
}

TEST_F(CommandTest, PassFilesFalse) {
  EXPECT_EQ(Run("{kind: command, run: [check-all], files: '*.md', pass_files: false}"), V());
  ASSERT_EQ(runner_.commands_ran_.size(), 1u);
  EXPECT_EQ(runner_.commands_ran_[0].argv, V({"check-all"}));
}

TEST_F(CommandTest, PerFileRunsOncePerFile) {
  EXPECT_EQ(Run("{kind: command, run: [fmt, --check], files: '**/*.py', per_file: true}"), V());
  ASSERT_EQ(runner_.commands_ran_.size(), 2u);
  EXPECT_EQ(runner_.commands_ran_[0].argv, V({"fmt", "--check", "a.py"}));
  EXPECT_EQ(runner_.commands_ran_[1].argv, V({"fmt", "--check", "lib/b.py"}));
}

TEST_F(CommandTest, PerFileFailureIsAboutThatFile) {
  runner_.SetScript([](const ProcessSpec& spec) {
    return spec.argv.back() == "lib/b.py" ? FakeProcessRunner::Exited(1, "not formatted\n")
                                          : FakeProcessRunner::Exited(0);
  });
  EXPECT_EQ(Run("{kind: command, run: [fmt], files: '**/*.py', per_file: true}"),
            V({"lib/b.py:0:0: command exited with status 1: not formatted"}));
}

TEST_F(CommandTest, DeadGlobRunsNothing) {
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '*.rs'}"),
            V({":0:0: glob '*.rs' matched nothing"}));
  EXPECT_TRUE(runner_.commands_ran_.empty());
  set_allow_empty(true);
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '*.rs'}"), V());
  EXPECT_TRUE(runner_.commands_ran_.empty());
}

TEST_F(CommandTest, LinesFormatParsesFindings) {
  runner_.SetOutcome("lint", FakeProcessRunner::Exited(1,
                                                       "a.py:3: unused import\n"
                                                       "./lib/b.py:10:7: line too long\r\n"
                                                       "/repo/lib/b.py:2:1:no space\n"
                                                       "Found 3 problems.\n"
                                                       "lib/b.py:x: not a line number\n"
                                                       "c.py:5:3: message: with: colons\n"));
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '**/*.py'}"),
            V({"a.py:3:0: unused import", "c.py:5:3: message: with: colons",
               "lib/b.py:2:1: no space", "lib/b.py:10:7: line too long"}));
}

TEST_F(CommandTest, FindingsFailTheRuleEvenWithExitZero) {
  runner_.SetOutcome("lint", FakeProcessRunner::Exited(0, "a.py:1: warning\n"));
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '*.py'}"), V({"a.py:1:0: warning"}));
}

TEST_F(CommandTest, ExitZeroWithOtherOutputPasses) {
  runner_.SetOutcome("lint", FakeProcessRunner::Exited(0, "all good\n"));
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '*.py'}"), V());
}

TEST_F(CommandTest, NonZeroExitWithNothingParsableIsOneFindingWithTheTail) {
  runner_.SetOutcome("lint", FakeProcessRunner::Exited(2, "Traceback...\nBoom\n\n"));
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '*.py'}"),
            V({":0:0: command exited with status 2: Traceback...\nBoom"}));
  runner_.SetOutcome("lint", FakeProcessRunner::Exited(3, ""));
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '*.py'}"),
            V({":0:0: command exited with status 3"}));
}

TEST_F(CommandTest, OutputTailKeepsTheLast2000Bytes) {
  std::string output = std::string(5000, 'a') + std::string(2000, 'z') + "\n";
  runner_.SetOutcome("lint", FakeProcessRunner::Exited(1, output));
  EXPECT_EQ(Run("{kind: command, run: [lint]}"),
            V({":0:0: command exited with status 1: ..." + std::string(1999, 'z')}));
}

TEST_F(CommandTest, PlainFormatDoesNotParse) {
  runner_.SetOutcome("lint", FakeProcessRunner::Exited(1, "a.py:3: unused import\n"));
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '*.py', format: plain}"),
            V({":0:0: command exited with status 1: a.py:3: unused import"}));
  runner_.SetOutcome("lint", FakeProcessRunner::Exited(0, "a.py:3: unused import\n"));
  EXPECT_EQ(Run("{kind: command, run: [lint], files: '*.py', format: plain}"), V());
}

TEST_F(CommandTest, TimeoutIsARuleError) {
  ProcessOutcome timed_out;
  timed_out.timed_out = true;
  runner_.SetOutcome("slow", timed_out);
  EXPECT_EQ(RunError("{kind: command, run: [slow]}"), "timed out after 60s");
  set_timeout_ms(1500);
  EXPECT_EQ(RunError("{kind: command, run: [slow]}"), "timed out after 1500ms");
  EXPECT_EQ(runner_.commands_ran_.back().timeout_ms, 1500);
}

TEST_F(CommandTest, SignalIsARuleError) {
  ProcessOutcome killed;
  killed.signal = 11;
  runner_.SetOutcome("crash", killed);
  EXPECT_EQ(RunError("{kind: command, run: [crash]}"), "command killed by signal 11 (SIGSEGV)");
}

TEST_F(CommandTest, SpawnFailureIsARuleError) {
  ProcessOutcome missing;
  missing.spawn_failed = true;
  missing.output = "No such file or directory";
  runner_.SetOutcome("nope", missing);
  EXPECT_EQ(RunError("{kind: command, run: [nope, x]}"),
            "cannot run 'nope': No such file or directory");
}

TEST_F(CommandTest, PerFileStopsAtTheFirstError) {
  ProcessOutcome killed;
  killed.signal = 9;
  runner_.SetOutcome("fmt", killed);
  EXPECT_EQ(RunError("{kind: command, run: [fmt], files: '**/*.py', per_file: true}"),
            "command killed by signal 9 (SIGKILL)");
  EXPECT_EQ(runner_.commands_ran_.size(), 1u);
}

TEST_F(CommandTest, EnvironmentHasTheRuleIdAndTheRuleEnv) {
  EXPECT_EQ(Run("{kind: command, run: [lint], env: {LINT_LEVEL: '3', PATH: /opt/bin}}"), V());
  ASSERT_EQ(runner_.commands_ran_.size(), 1u);
  const ProcessSpec& spec = runner_.commands_ran_[0];
  EXPECT_EQ(Env(spec, "SOTINC_RULE"), "T001");
  EXPECT_EQ(Env(spec, "LINT_LEVEL"), "3");
  // The rule's PATH replaces the one passed through (set once).
  EXPECT_EQ(Env(spec, "PATH"), "/opt/bin");
  // Nothing else leaks in from sotinc's environment.
  for (const auto& [k, v] : spec.env) {
    EXPECT_TRUE(k == "SOTINC_RULE" || k == "LINT_LEVEL" || k == "PATH" || k == "HOME" ||
                k == "LANG" || k == "LC_ALL" || k == "TMPDIR" || k == "TERM")
        << k;
  }
}

TEST_F(CommandTest, ConfigErrors) {
  EXPECT_EQ(Errors("{kind: command, files: x}"),
            V({"sotinc.yaml:1:2: rule T001: command needs 'run' (an argv list or a shell "
               "string)"}));
  EXPECT_EQ(Errors("{kind: command, run: []}").size(), 1u);
  EXPECT_EQ(Errors("{kind: command, run: ''}").size(), 1u);
  EXPECT_EQ(Errors("{kind: command, run: [x], per_file: true}").size(), 1u);
  EXPECT_EQ(Errors("{kind: command, run: [x], format: json}").size(), 1u);
  EXPECT_EQ(Errors("{kind: command, run: [x], env: [A]}").size(), 1u);
}

// ---- with the real runner -------------------------------------------------

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "sotinc_command_XXXXXX").string();
    if (mkdtemp(templ.data()) != nullptr) path_ = fs::canonical(templ).string();
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  void Write(const std::string& rel, const std::string& content) {
    fs::path p = fs::path(path_) / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }

 private:
  std::string path_;
};

class RealCommandTest : public testing::CheckHarnessTest {
 protected:
  void SetUp() override { set_processes(runner_.get(), dir_.path()); }

  void Write(const std::string& rel, const std::string& content) {
    dir_.Write(rel, content);
    Add(rel, content);
  }

  TempDir dir_;
  std::unique_ptr<ProcessRunner> runner_ = NewSubprocessRunner();
};

TEST_F(RealCommandTest, ShellStringGetsRuleIdPathsEnvAndWorkdir) {
  ASSERT_FALSE(dir_.path().empty());
  Write("a.txt", "fine\nTODO: one\n");
  Write("sub/b c.txt", "TODO two\n");
  Write("other.md", "TODO not matched\n");
  // grep prints "path:line:text" for several files; the last line reports
  // $0, the rule's env, SOTINC_RULE and the working directory.
  EXPECT_EQ(
      Run("{kind: command, files: '**/*.txt', env: {X: 'x y'}, run: 'grep -n TODO \"$@\"; "
          "echo \"$1:9: rule=$0 x=$X id=$SOTINC_RULE cwd=$(pwd) n=$#\"'}"),
      V({"a.txt:2:0: TODO: one", "a.txt:9:0: rule=T001 x=x y id=T001 cwd=" + dir_.path() + " n=2",
         "sub/b c.txt:1:0: TODO two"}));
}

TEST_F(RealCommandTest, ArgvFormExitStatus) {
  ASSERT_FALSE(dir_.path().empty());
  Write("a.txt", "x\n");
  EXPECT_EQ(Run("{kind: command, files: a.txt, run: [/bin/sh, -c, 'test -f \"$1\"', sh]}"), V());
  EXPECT_EQ(Run("{kind: command, files: a.txt, run: [/bin/sh, -c, 'echo no >&2; exit 4', sh]}"),
            V({":0:0: command exited with status 4: no"}));
}

TEST_F(RealCommandTest, TimeoutAndMissingCommandAreErrors) {
  ASSERT_FALSE(dir_.path().empty());
  Write("a.txt", "x\n");
  set_timeout_ms(200);
  Status s;
  EXPECT_EQ(Run("{kind: command, run: 'sleep 10'}", &s), V());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "timed out after 200ms");
  EXPECT_EQ(Run("{kind: command, run: [sotinc-no-such-command-xyz]}", &s), V());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("cannot run 'sotinc-no-such-command-xyz': ", 0), 0u) << s.message();
}

}  // namespace
}  // namespace sotinc

namespace sotinc {
namespace {

// A per-file command judges a whole chunk through CheckFiles (what the
// worker does): few processes, and each file's findings exactly as its own
// run would give.
class CommandBatchTest : public CommandTest {
 protected:
  void SetUp() override {
    CommandTest::SetUp();
    for (int i = 0; i < 64; ++i) Add("many/f" + std::to_string(i) + ".py", "x\n");
  }

  // (*per_file)[path] = that file's findings as lines; returns the status.
  Status Batch(const std::string& yaml, std::map<std::string, V>* per_file) {
    std::unique_ptr<Check> check = Parse(yaml);
    EXPECT_NE(check, nullptr);
    if (!check) return Status::Error("config rejected");
    EXPECT_TRUE(check->judges_in_batches());
    CheckContext& ctx = Context();
    std::vector<CheckInput> inputs;
    for (const GlobMatch& m : check->file_globs()->MatchAll(ctx.tree->files)) {
      inputs.push_back({&(*ctx.files)[m.index], m.captures});
    }
    std::vector<std::vector<Finding>> out;
    Status s = check->CheckFiles(ctx, inputs, &out);
    if (s.ok()) {
      EXPECT_EQ(out.size(), inputs.size());
      for (size_t i = 0; i < out.size() && i < inputs.size(); ++i) {
        (*per_file)[inputs[i].file->path] = testing::FormatFindings(out[i]);
      }
    }
    return s;
  }

  // What each file gives when the command runs on it alone.
  std::map<std::string, V> Alone(const std::string& yaml) {
    std::unique_ptr<Check> check = Parse(yaml);
    CheckContext& ctx = Context();
    std::map<std::string, V> out;
    for (const GlobMatch& m : check->file_globs()->MatchAll(ctx.tree->files)) {
      std::vector<Finding> findings;
      CheckInput input{&(*ctx.files)[m.index], m.captures};
      EXPECT_TRUE(check->CheckFile(ctx, input, "", &findings).ok());
      out[input.file->path] = testing::FormatFindings(findings);
    }
    return out;
  }

  static bool Has(const ProcessSpec& spec, const std::string& path) {
    return std::find(spec.argv.begin(), spec.argv.end(), path) != spec.argv.end();
  }

  const std::string yaml_ =
      "{kind: command, run: [lint], files: '**/*.py', per_file: true, batch: true}";
};

TEST_F(CommandBatchTest, WithoutBatchEachFileRunsAlone) {
  std::unique_ptr<Check> check = Parse("{kind: command, run: [lint], files: '**/*.py', per_file: true}");
  ASSERT_NE(check, nullptr);
  EXPECT_FALSE(check->judges_in_batches()) << "a command written for \"$1\" must keep working";
  EXPECT_EQ(Errors("{kind: command, run: [lint], files: '**/*.py', batch: true}"),
            V({"sotinc.yaml:1:55: rule T001: 'batch: true' needs 'per_file: true' (without "
               "per_file the files are always "
               "passed together)"}));
}

TEST_F(CommandBatchTest, OneProcessForAChunkWithFindingsGivenToTheirFiles) {
  runner_.SetScript([](const ProcessSpec& spec) {
    return FakeProcessRunner::Exited(0, Has(spec, "many/f7.py") ? "many/f7.py:3: bad\n" : "");
  });
  std::map<std::string, V> got;
  ASSERT_TRUE(Batch(yaml_, &got).ok());
  EXPECT_EQ(runner_.commands_ran_.size(), 1u);
  EXPECT_EQ(runner_.commands_ran_[0].argv.size(), 1u + 66u);
  EXPECT_EQ(got.size(), 66u);
  EXPECT_EQ(got["many/f7.py"], V({"many/f7.py:3:0: bad"}));
  EXPECT_EQ(got["many/f8.py"], V());
  EXPECT_EQ(got, Alone(yaml_));
}

TEST_F(CommandBatchTest, UnattributableFailureSplitsDownToTheFilesThatFail) {
  // Like `python -m py_compile`: the error names no file in path:line form.
  runner_.SetScript([](const ProcessSpec& spec) {
    bool bad = Has(spec, "many/f5.py") || Has(spec, "many/f40.py");
    return FakeProcessRunner::Exited(bad ? 1 : 0, bad ? "SyntaxError: invalid syntax\n" : "");
  });
  std::map<std::string, V> got;
  ASSERT_TRUE(Batch(yaml_, &got).ok());
  const size_t batched = runner_.commands_ran_.size();
  EXPECT_EQ(got["many/f5.py"], V({"many/f5.py:0:0: command exited with status 1: SyntaxError: invalid syntax"}));
  EXPECT_EQ(got["many/f6.py"], V());
  EXPECT_EQ(got, Alone(yaml_));
  // Two failing files of 66: splits along two paths, far fewer than 66 runs.
  EXPECT_LE(batched, 2u * 2u * 7u + 1u);
}

TEST_F(CommandBatchTest, NamedFindingsStandAndSilentFailuresAreFoundBySplitting) {
  // Exit 1 when f3 (which says why) or f9 (which says nothing) is among the files.
  runner_.SetScript([](const ProcessSpec& spec) {
    std::string out = Has(spec, "many/f3.py") ? "./many/f3.py:1:2: unused import\n" : "";
    bool fail = Has(spec, "many/f3.py") || Has(spec, "many/f9.py");
    return FakeProcessRunner::Exited(fail ? 1 : 0, out);
  });
  std::map<std::string, V> got;
  ASSERT_TRUE(Batch(yaml_, &got).ok());
  EXPECT_EQ(got["many/f3.py"], V({"many/f3.py:1:2: unused import"}));
  EXPECT_EQ(got["many/f9.py"], V({"many/f9.py:0:0: command exited with status 1"}));
  EXPECT_EQ(got["a.py"], V());
  EXPECT_EQ(got, Alone(yaml_));
}

TEST_F(CommandBatchTest, ATimeoutIsTracedToItsFileAndIsARuleError) {
  runner_.SetScript([](const ProcessSpec& spec) {
    ProcessOutcome o = FakeProcessRunner::Exited(0);
    o.timed_out = Has(spec, "many/f33.py");
    return o;
  });
  std::map<std::string, V> got;
  Status s = Batch(yaml_, &got);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "timed out after 60s");
  // The last run was f33 alone, as a run of that file by itself would be.
  ASSERT_FALSE(runner_.commands_ran_.empty());
  EXPECT_EQ(runner_.commands_ran_.back().argv, V({"lint", "many/f33.py"}));
}

TEST_F(CommandBatchTest, LongFileListsAreSplitUnderTheArgumentLimit) {
  for (int i = 0; i < 1500; ++i) {
    Add("deep/" + std::string(100, 'd') + "/g" + std::to_string(i) + ".py", "x\n");
  }
  std::map<std::string, V> got;
  ASSERT_TRUE(Batch(yaml_, &got).ok());
  EXPECT_EQ(got.size(), 1566u);
  EXPECT_GE(runner_.commands_ran_.size(), 2u);
  size_t passed = 0;
  for (const ProcessSpec& spec : runner_.commands_ran_) {
    size_t bytes = 0;
    for (size_t i = 1; i < spec.argv.size(); ++i) bytes += spec.argv[i].size() + 1;
    EXPECT_LE(bytes, 128u * 1024u + 200u);
    passed += spec.argv.size() - 1;
  }
  EXPECT_EQ(passed, 1566u) << "every file is passed exactly once";
}

}  // namespace
}  // namespace sotinc
