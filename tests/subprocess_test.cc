// Tests of the real ProcessRunner against real commands (/bin/sh, coreutils),
// and of the FakeProcessRunner that other tests rely on.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/process.h"
#include "tests/testing/fake_process_runner.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char kPath[] = "/usr/local/bin:/usr/bin:/bin";

ProcessSpec Spec(std::vector<std::string> argv) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.cwd = "/";
  spec.env = {{"PATH", kPath}};
  spec.timeout_ms = 60000;
  return spec;
}

ProcessSpec Sh(const std::string& script) { return Spec({"/bin/sh", "-c", script}); }

class TempDir {
 public:
  TempDir() {
    std::string templ = (fs::temp_directory_path() / "sotinc_subprocess_XXXXXX").string();
    path_ = mkdtemp(templ.data()) ? fs::canonical(templ) : fs::path();
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

  fs::path Write(const std::string& name, const std::string& content, fs::perms perms) {
    fs::path p = path_ / name;
    std::ofstream(p) << content;
    fs::permissions(p, perms);
    return p;
  }

 private:
  fs::path path_;
};

const fs::perms kExecutable = fs::perms::owner_all;
const fs::perms kReadOnly = fs::perms::owner_read | fs::perms::owner_write;

int CountOpenFds() {
  int n = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++n;
  }
  return n;
}

// True once `pid` no longer runs: gone from the process table, or a zombie
// waiting for init to reap it. Polls a condition; does not time anything.
bool ProcessGone(pid_t pid) {
  auto give_up = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < give_up) {
    if (kill(pid, 0) < 0 && errno == ESRCH) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (std::getline(stat, line)) {
      size_t paren = line.rfind(')');
      if (paren != std::string::npos && paren + 2 < line.size() &&
          (line[paren + 2] == 'Z' || line[paren + 2] == 'X')) {
        return true;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

bool HasNoChildren() { return waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD; }

pid_t FirstLineAsPid(const std::string& output) { return static_cast<pid_t>(atoi(output.c_str())); }

class SubprocessTest : public ::testing::Test {
 protected:
  ProcessOutcome Run(const ProcessSpec& spec) { return runner_->Run(spec); }
  std::unique_ptr<ProcessRunner> runner_ = NewSubprocessRunner();
};

TEST_F(SubprocessTest, ExitCodes) {
  ProcessOutcome ok = Run(Spec({"true"}));
  EXPECT_EQ(0, ok.exit_code);
  EXPECT_EQ(0, ok.signal);
  EXPECT_FALSE(ok.timed_out);
  EXPECT_FALSE(ok.spawn_failed);

  EXPECT_EQ(1, Run(Spec({"false"})).exit_code);
  EXPECT_EQ(42, Run(Sh("exit 42")).exit_code);
  EXPECT_TRUE(HasNoChildren());
}

TEST_F(SubprocessTest, StdoutAndStderrAreMergedInOrder) {
  ProcessOutcome out = Run(Sh("echo out1; echo err1 >&2; echo out2; echo err2 >&2"));
  EXPECT_EQ("out1\nerr1\nout2\nerr2\n", out.output);
  EXPECT_EQ(0u, out.dropped_bytes);
}

TEST_F(SubprocessTest, ArgumentsArePassedVerbatim) {
  ProcessOutcome out =
      Run(Spec({"/bin/sh", "-c", "printf '[%s]' \"$0\" \"$@\"", "rule id", "a b", "*", "$HOME"}));
  EXPECT_EQ("[rule id][a b][*][$HOME]", out.output);
}

TEST_F(SubprocessTest, EnvironmentIsExactlyTheGivenOne) {
  ProcessSpec spec = Spec({"env"});
  spec.env = {{"FOO", "bar baz"}, {"PATH", kPath}, {"EMPTY", ""}};
  EXPECT_EQ(std::string("FOO=bar baz\nPATH=") + kPath + "\nEMPTY=\n", Run(spec).output);
}

TEST_F(SubprocessTest, WithoutPathInEnvTheParentsPathFindsTheCommand) {
  ProcessSpec spec = Spec({"env"});
  spec.env = {{"ONLY", "1"}};
  ProcessOutcome out = Run(spec);
  EXPECT_FALSE(out.spawn_failed) << out.output;
  EXPECT_EQ("ONLY=1\n", out.output);
}

TEST_F(SubprocessTest, PathOfTheGivenEnvIsSearched) {
  TempDir dir;
  dir.Write("sotinc-probe", "#!/bin/sh\necho found \"$1\"\n", kExecutable);
  ProcessSpec spec = Spec({"sotinc-probe", "x"});
  EXPECT_TRUE(Run(spec).spawn_failed);  // not on the default PATH

  spec.env = {{"PATH", dir.path().string() + ":" + kPath}};
  ProcessOutcome out = Run(spec);
  EXPECT_EQ(0, out.exit_code);
  EXPECT_EQ("found x\n", out.output);
}

TEST_F(SubprocessTest, WorkingDirectoryIsHonoured) {
  TempDir dir;
  ProcessSpec spec = Spec({"pwd", "-P"});
  spec.cwd = dir.path().string();
  EXPECT_EQ(dir.path().string() + "\n", Run(spec).output);

  // A command name with a slash is relative to the command's cwd, as in a shell.
  dir.Write("check.sh", "#!/bin/sh\necho local\n", kExecutable);
  spec.argv = {"./check.sh"};
  EXPECT_EQ("local\n", Run(spec).output);
}

TEST_F(SubprocessTest, ScriptWithoutShebangRunsWithSh) {
  TempDir dir;
  dir.Write("plain", "echo plain \"$1\"\n", kExecutable);
  ProcessSpec spec = Spec({"./plain", "arg"});
  spec.cwd = dir.path().string();
  ProcessOutcome out = Run(spec);
  EXPECT_EQ(0, out.exit_code);
  EXPECT_EQ("plain arg\n", out.output);
}

TEST_F(SubprocessTest, CommandNotFound) {
  ProcessOutcome out = Run(Spec({"sotinc-no-such-command", "arg"}));
  EXPECT_TRUE(out.spawn_failed);
  EXPECT_EQ("command not found: sotinc-no-such-command", out.output);
  EXPECT_NE(0, out.exit_code);

  EXPECT_EQ("command not found: /nonexistent/tool", Run(Spec({"/nonexistent/tool"})).output);
  EXPECT_TRUE(Run(Spec({})).spawn_failed);
  EXPECT_TRUE(Run(Spec({""})).spawn_failed);
  EXPECT_TRUE(HasNoChildren());
}

TEST_F(SubprocessTest, FileThatIsNotExecutable) {
  TempDir dir;
  dir.Write("tool", "#!/bin/sh\n", kReadOnly);
  ProcessSpec spec = Spec({"tool"});
  spec.env = {{"PATH", dir.path().string()}};
  ProcessOutcome out = Run(spec);
  EXPECT_TRUE(out.spawn_failed);
  EXPECT_EQ("cannot run tool: " + std::string(strerror(EACCES)), out.output);
}

TEST_F(SubprocessTest, MissingWorkingDirectory) {
  ProcessSpec spec = Spec({"true"});
  spec.cwd = "/nonexistent/sotinc";
  ProcessOutcome out = Run(spec);
  EXPECT_TRUE(out.spawn_failed);
  EXPECT_NE(std::string::npos, out.output.find("/nonexistent/sotinc")) << out.output;
}

TEST_F(SubprocessTest, TerminatingSignalIsReported) {
  ProcessOutcome segv = Run(Sh("echo before; kill -SEGV $$"));
  EXPECT_EQ(SIGSEGV, segv.signal);
  EXPECT_EQ(-1, segv.exit_code);
  EXPECT_FALSE(segv.timed_out);
  EXPECT_EQ("before\n", segv.output);

  EXPECT_EQ(SIGABRT, Run(Sh("kill -ABRT $$")).signal);
}

TEST_F(SubprocessTest, ChildStartsWithDefaultSignalState) {
  // A parent that ignores SIGPIPE and blocks SIGTERM must not pass that on:
  // a shell cannot even undo an ignored signal it inherited.
  struct sigaction ignore = {};
  struct sigaction old_pipe = {};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, &old_pipe);
  sigset_t term, old_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old_mask);

  ProcessOutcome pipe = Run(Sh("kill -PIPE $$; echo survived"));
  ProcessOutcome terminated = Run(Sh("kill -TERM $$; echo survived"));

  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  EXPECT_EQ(SIGPIPE, pipe.signal) << pipe.output;
  EXPECT_EQ(SIGTERM, terminated.signal) << terminated.output;
}

TEST_F(SubprocessTest, StdinIsDevNull) {
  EXPECT_EQ("/dev/null\n", Run(Spec({"readlink", "/proc/self/fd/0"})).output);
  ProcessOutcome cat = Run(Sh("cat; echo done"));  // would hang on an inherited terminal
  EXPECT_EQ("done\n", cat.output);
}

TEST_F(SubprocessTest, ChildLeadsItsOwnProcessGroup) {
  ProcessOutcome out = Run(Sh("echo $$ $(cut -d' ' -f5 /proc/$$/stat)"));
  std::istringstream in(out.output);
  pid_t pid = 0, pgid = 0;
  in >> pid >> pgid;
  EXPECT_NE(0, pid);
  EXPECT_EQ(pid, pgid);
  EXPECT_NE(getpgrp(), pgid);
}

TEST_F(SubprocessTest, DescriptorsWithoutCloexecAreNotInherited) {
  int null_fd = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(null_fd, 0);
  int leaked = fcntl(null_fd, F_DUPFD, 100);
  close(null_fd);
  ASSERT_GE(leaked, 100);
  std::string fd = std::to_string(leaked);
  ProcessOutcome out = Run(Sh("test -e /proc/$$/fd/" + fd + " && echo leaked || echo clean"));
  close(leaked);
  EXPECT_EQ("clean\n", out.output);
}

TEST_F(SubprocessTest, TimeoutKillsTheCommand) {
  ProcessSpec spec = Spec({"sleep", "30"});
  spec.timeout_ms = 300;
  auto start = Clock::now();
  ProcessOutcome out = Run(spec);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(out.timed_out);
  EXPECT_EQ(SIGKILL, out.signal);
  EXPECT_TRUE(HasNoChildren());
}

TEST_F(SubprocessTest, TimeoutKillsTheWholeGroup) {
  ProcessSpec spec = Sh("sleep 30 & echo $!; wait");
  spec.timeout_ms = 500;
  auto start = Clock::now();
  ProcessOutcome out = Run(spec);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(out.timed_out);
  pid_t grandchild = FirstLineAsPid(out.output);
  ASSERT_GT(grandchild, 0) << out.output;
  EXPECT_TRUE(ProcessGone(grandchild));
}

TEST_F(SubprocessTest, BackgroundChildHoldingThePipeDoesNotBlock) {
  auto start = Clock::now();
  ProcessOutcome out = Run(Sh("sleep 30 & echo $!"));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(out.timed_out);
  EXPECT_EQ(0, out.exit_code);
  pid_t grandchild = FirstLineAsPid(out.output);
  ASSERT_GT(grandchild, 0) << out.output;
  EXPECT_TRUE(ProcessGone(grandchild));
}

TEST_F(SubprocessTest, BackgroundChildWithoutThePipeIsKilledToo) {
  ProcessOutcome out = Run(Sh("sleep 30 >/dev/null 2>&1 & echo $!"));
  EXPECT_EQ(0, out.exit_code);
  pid_t grandchild = FirstLineAsPid(out.output);
  ASSERT_GT(grandchild, 0) << out.output;
  EXPECT_TRUE(ProcessGone(grandchild));
}

TEST_F(SubprocessTest, CommandThatClosesItsOutputStillTimesOut) {
  ProcessSpec spec = Sh("exec >&- 2>&-; sleep 30");
  spec.timeout_ms = 300;
  ProcessOutcome out = Run(spec);
  EXPECT_TRUE(out.timed_out);
}

TEST_F(SubprocessTest, OutputCapKeepsHeadAndTail) {
  ProcessSpec spec = Spec({"printf", "0123456789abcdefghij"});
  spec.output_cap = 10;
  ProcessOutcome out = Run(spec);
  EXPECT_EQ("01234fghij", out.output);
  EXPECT_EQ(10u, out.dropped_bytes);

  spec.output_cap = 7;
  out = Run(spec);
  EXPECT_EQ("012ghij", out.output);
  EXPECT_EQ(13u, out.dropped_bytes);

  spec.output_cap = 0;
  out = Run(spec);
  EXPECT_EQ("", out.output);
  EXPECT_EQ(20u, out.dropped_bytes);

  spec.output_cap = 20;
  out = Run(spec);
  EXPECT_EQ("0123456789abcdefghij", out.output);
  EXPECT_EQ(0u, out.dropped_bytes);
}

TEST_F(SubprocessTest, OutputCapAcrossManySmallWrites) {
  std::string expected;
  for (int i = 1; i <= 3000; ++i) expected += std::to_string(i) + "\n";
  // Each echo is its own write, so the tail wraps around many times.
  ProcessSpec spec = Sh("i=1; while [ $i -le 3000 ]; do echo $i; i=$((i+1)); done");
  spec.output_cap = 101;
  ProcessOutcome out = Run(spec);
  EXPECT_EQ(expected.substr(0, 50) + expected.substr(expected.size() - 51), out.output);
  EXPECT_EQ(expected.size() - 101, out.dropped_bytes);
}

TEST_F(SubprocessTest, HundredMegabytesAreCapped) {
  const uint64_t kBody = 100 * 1000 * 1000;
  ProcessSpec spec = Sh("echo START; head -c " + std::to_string(kBody) +
                        " /dev/zero | tr '\\0' x; echo; echo END");
  spec.output_cap = 1 << 20;
  ProcessOutcome out = Run(spec);
  EXPECT_EQ(0, out.exit_code);
  ASSERT_EQ(spec.output_cap, out.output.size());
  EXPECT_EQ(6 + kBody + 1 + 4 - spec.output_cap, out.dropped_bytes);
  EXPECT_EQ("START\nxxx", out.output.substr(0, 9));
  EXPECT_EQ("xxx\nEND\n", out.output.substr(out.output.size() - 8));
}

TEST_F(SubprocessTest, SurvivesSignalsInterruptingTheParent) {
  // A SIGALRM every millisecond without SA_RESTART makes poll, read and
  // waitpid fail with EINTR over and over.
  struct sigaction on_alarm = {};
  struct sigaction old_alarm = {};
  on_alarm.sa_handler = [](int) {};
  sigaction(SIGALRM, &on_alarm, &old_alarm);
  itimerval every_ms{{0, 1000}, {0, 1000}}, off{};
  setitimer(ITIMER_REAL, &every_ms, nullptr);

  ProcessOutcome out = Run(Sh("sleep 0.3; echo done; exit 3"));
  ProcessOutcome missing = Run(Spec({"sotinc-no-such-command"}));

  setitimer(ITIMER_REAL, &off, nullptr);
  sigaction(SIGALRM, &old_alarm, nullptr);
  EXPECT_EQ("done\n", out.output);
  EXPECT_EQ(3, out.exit_code);
  EXPECT_TRUE(missing.spawn_failed);
}

TEST_F(SubprocessTest, NoDescriptorOrZombieIsLeaked) {
  int before = CountOpenFds();
  Run(Spec({"true"}));
  Run(Sh("echo some output; exit 1"));
  Run(Spec({"sotinc-no-such-command"}));
  ProcessSpec bad_cwd = Spec({"true"});
  bad_cwd.cwd = "/nonexistent/sotinc";
  Run(bad_cwd);
  ProcessSpec slow = Spec({"sleep", "30"});
  slow.timeout_ms = 100;
  Run(slow);
  Run(Sh("sleep 30 & echo $!"));
  Run(Sh("kill -SEGV $$"));
  EXPECT_EQ(before, CountOpenFds());
  EXPECT_TRUE(HasNoChildren());
}

TEST_F(SubprocessTest, RunnersInParallelThreadsDoNotMixUp) {
  std::vector<std::thread> threads;
  std::vector<std::string> failures(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      std::unique_ptr<ProcessRunner> runner = NewSubprocessRunner();
      for (int i = 0; i < 10; ++i) {
        std::string want = "t" + std::to_string(t) + "-" + std::to_string(i);
        ProcessOutcome out = runner->Run(Spec({"/bin/sh", "-c", "echo \"$0\"; exit 7", want}));
        if (out.output != want + "\n" || out.exit_code != 7) failures[t] = want + ": " + out.output;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) EXPECT_EQ("", failure);
}

// --- FakeProcessRunner ---

TEST(FakeProcessRunnerTest, RecordsCommandsAndSucceedsByDefault) {
  testing::FakeProcessRunner fake;
  ProcessSpec spec = Spec({"lint", "a.cc"});
  spec.cwd = "/repo";
  ProcessOutcome out = fake.Run(spec);
  EXPECT_EQ(0, out.exit_code);
  EXPECT_EQ("", out.output);
  ASSERT_EQ(1u, fake.commands_ran_.size());
  EXPECT_EQ(spec.argv, fake.commands_ran_[0].argv);
  EXPECT_EQ("/repo", fake.commands_ran_[0].cwd);
}

TEST(FakeProcessRunnerTest, ScriptedOutcomes) {
  testing::FakeProcessRunner fake;
  fake.SetOutcome("lint", testing::FakeProcessRunner::Exited(1, "a.cc:3: bad\n"));
  EXPECT_EQ(1, fake.Run(Spec({"lint"})).exit_code);
  EXPECT_EQ(0, fake.Run(Spec({"other"})).exit_code);

  fake.SetScript([](const ProcessSpec& spec) {
    ProcessOutcome out;
    out.signal = static_cast<int>(spec.argv.size());
    return out;
  });
  EXPECT_EQ(2, fake.Run(Spec({"lint", "x"})).signal);
  EXPECT_EQ(3u, fake.commands_ran_.size());
}

}  // namespace
}  // namespace sotinc
