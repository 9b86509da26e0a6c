// TempTree (engine/materialize.h): the private copy of a command's files.
// A run's root must never outlive the run, however it ends: these tests
// kill a process while it creates and destroys roots and then look for
// what is left.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "engine/materialize.h"
#include "tests/testing/fake_file_source.h"
#include "tests/testing/outcome.h"

namespace sotinc {
namespace {

namespace fs = std::filesystem;

class TempTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sotinc-temptree-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const char* old = std::getenv("TMPDIR");
    if (old) old_tmpdir_ = old;
    had_tmpdir_ = old != nullptr;
    setenv("TMPDIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    if (had_tmpdir_) {
      setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
    fs::remove_all(dir_);
  }
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    return names;
  }

  fs::path dir_;
  std::string old_tmpdir_;
  bool had_tmpdir_ = false;
};

TEST_F(TempTreeTest, HoldsTheFilesAndGoesWithTheObject) {
  testing::FakeFileSource source;
  source.Add("a/b/c.txt", "hello\n");
  source.Add("run.sh", "#!/bin/sh\n", FileType::kExecutable);
  auto listed = source.List();
  ASSERT_TRUE(listed.ok());
  std::vector<const FileEntry*> files;
  for (const FileEntry& f : *listed) files.push_back(&f);
  std::string path;
  {
    Result<std::unique_ptr<TempTree>> tree = TempTree::Create(source, files);
    ASSERT_TRUE(tree.ok()) << tree.error();
    path = (*tree)->path();
    EXPECT_EQ(fs::path(path).parent_path(), dir_);
    EXPECT_EQ(fs::path(path).filename().string().rfind("sotinc-run.", 0), 0u) << path;
    struct stat st;
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << "private to the user";
    std::ifstream in(path + "/a/b/c.txt");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "hello");
    ASSERT_EQ(stat((path + "/run.sh").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0111, 0111u);

    // A subtree (a command job's copy) goes under the root, without a janitor.
    Result<std::unique_ptr<TempTree>> sub = TempTree::Create(source, {files[0]}, path);
    ASSERT_TRUE(sub.ok()) << sub.error();
    EXPECT_EQ(fs::path((*sub)->path()).parent_path(), fs::path(path));
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(Entries(), std::vector<std::string>{});
}

TEST_F(TempTreeTest, AnUnusableTmpdirIsAClearError) {
  setenv("TMPDIR", (dir_ / "missing" / "deeper").c_str(), 1);
  testing::FakeFileSource source;
  Result<std::unique_ptr<TempTree>> tree = TempTree::Create(source, {});
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.error().find("missing/deeper"), std::string::npos) << tree.error();
  EXPECT_NE(tree.error().find("No such file"), std::string::npos) << tree.error();
  EXPECT_NE(tree.error().find("TMPDIR"), std::string::npos) << tree.error();
}

// A process creates and destroys roots in a loop and is SIGKILLed at a
// random moment, over and over. Whenever the kill lands (before the fork of
// the janitor, during it, while files are written, during removal), no
// directory may be left. Before the janitor made the directory itself, a
// kill between mkdtemp() and the end of fork() left one in about a third
// of the rounds.
TEST_F(TempTreeTest, AKillAtAnyMomentLeavesNothing) {
  const int rounds = 150;
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<int> delay_us(0, 4000);
  int left = 0;
  for (int round = 0; round < rounds && left == 0; ++round) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      testing::FakeFileSource source;
      source.Add("x/y.txt", std::string(2000, 'y'));
      auto listed = source.List();
      std::vector<const FileEntry*> files{&(*listed)[0]};
      for (;;) {
        Result<std::unique_ptr<TempTree>> tree = TempTree::Create(source, files);
        if (!tree.ok()) _exit(3);
      }
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ASSERT_TRUE(WIFSIGNALED(status)) << "the creating process failed: status " << status;
    if (testing::RunDirLeftIn(dir_.string(), 3000)) {
      ++left;
      ADD_FAILURE() << "round " << round << ": a sotinc-run.* directory was left";
    }
  }
  EXPECT_EQ(Entries(), std::vector<std::string>{});
}

}  // namespace
}  // namespace sotinc
