// Tests of the git layer (GitRepo, the tree helpers and the three
// FileSources) against real repositories made by git in temp directories.
#include "engine/git_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/git_ignore.h"
#include "engine/git_repo.h"
#include "engine/git_tree.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_repo.h"

namespace sotinc {
namespace {

using testing::TempRepo;

class GitSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Tests may run inside a git hook: its GIT_DIR / GIT_INDEX_FILE would
    // redirect GitRepo::Open away from the temp repositories.
    for (const char* var : {"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_CEILING_DIRECTORIES",
                            "GIT_DISCOVERY_ACROSS_FILESYSTEM"}) {
      unsetenv(var);
    }
  }

  std::unique_ptr<GitRepo> Open(const std::string& dir) {
    Result<std::unique_ptr<GitRepo>> repo = GitRepo::Open(dir);
    EXPECT_TRUE(repo.ok()) << repo.error();
    return repo.ok() ? std::move(*repo) : nullptr;
  }

  // Lists SOURCE as path -> entry (failing the test on an error).
  static std::map<std::string, FileEntry> ListOf(FileSource* source) {
    std::map<std::string, FileEntry> out;
    Result<std::vector<FileEntry>> files = source->List();
    EXPECT_TRUE(files.ok()) << files.error();
    if (!files.ok()) return out;
    for (size_t i = 1; i < files->size(); ++i) {
      EXPECT_LT((*files)[i - 1].path, (*files)[i].path) << "not sorted or duplicated";
    }
    for (FileEntry& f : *files) out[f.path] = f;
    return out;
  }

  static std::vector<std::string> Paths(const std::map<std::string, FileEntry>& files) {
    std::vector<std::string> paths;
    for (const auto& kv : files) paths.push_back(kv.first);
    return paths;
  }

  std::map<std::string, FileEntry> ListWorkingTree(GitRepo* repo) {
    Result<std::unique_ptr<FileSource>> source = NewWorkingTreeSource(repo);
    EXPECT_TRUE(source.ok()) << source.error();
    return source.ok() ? ListOf(source->get()) : std::map<std::string, FileEntry>();
  }

  // Lets the clock move past the index's mtime and has git rewrite the
  // index, so that no entry is racily clean any more.
  static void SettleIndex(TempRepo* repo) {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    repo->Git("status --porcelain");
  }

  static std::string ReadOrDie(FileSource* source, const FileEntry& entry) {
    Result<std::string> content = source->Read(entry);
    EXPECT_TRUE(content.ok()) << content.error();
    return content.ok() ? *content : "";
  }
};

TEST_F(GitSourceTest, WorkingTreeListsTrackedAndUntrackedNotIgnored) {
  TempRepo t;
  t.WriteFile("tracked.txt", "a\n");
  t.WriteFile("deleted.txt", "gone soon\n");
  t.WriteFile("src/main.py", "print(1)\n");
  t.WriteFile(".gitignore", "*.log\nbuild/\n!keep.log\n");
  t.WriteFile("sub/.gitignore", "local.txt\n!important.tmp\n");
  t.Commit("first");
  t.RemoveFile("deleted.txt");
  t.WriteFile("untracked.txt", "u\n");
  t.WriteFile("debug.log", "ignored\n");
  t.WriteFile("keep.log", "negated, so kept\n");
  t.WriteFile("build/out.bin", "ignored dir\n");
  t.WriteFile("build/keep.log", "inside an ignored dir: stays ignored\n");
  t.WriteFile("sub/local.txt", "ignored by the nested .gitignore\n");
  t.WriteFile("sub/deeper/local.txt", "also ignored (pattern without slash)\n");
  t.WriteFile("sub/other.txt", "kept\n");
  t.WriteFile("local.txt", "nested rule does not apply above\n");
  t.WriteFile("excluded/by_info.txt", "x\n");
  t.WriteFile(".git/info/exclude", "excluded/\n");
  t.WriteFile("../home/global_ignore", "*.global\n");
  t.Git("config core.excludesFile " + t.path() + "/../home/global_ignore");
  t.WriteFile("a.global", "ignored by core.excludesFile\n");
  t.WriteFile("file with spaces.txt", "s\n");
  t.WriteFile("empty_dir_with_ignored/x.log", "x\n");

  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  std::vector<std::string> expected = {".gitignore",    "file with spaces.txt", "keep.log",
                                       "local.txt",     "src/main.py",          "sub/.gitignore",
                                       "sub/other.txt", "tracked.txt",          "untracked.txt"};
  EXPECT_EQ(Paths(ListWorkingTree(repo.get())), expected);
}

TEST_F(GitSourceTest, TrackedFileMatchingGitignoreIsStillACandidate) {
  TempRepo t;
  t.WriteFile("vendor/lib.c", "int x;\n");
  t.Commit();
  t.WriteFile(".gitignore", "vendor/\n*.c\n");
  t.WriteFile("vendor/new.c", "untracked and ignored\n");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  std::vector<std::string> expected = {".gitignore", "vendor/lib.c"};
  EXPECT_EQ(Paths(ListWorkingTree(repo.get())), expected);
}

TEST_F(GitSourceTest, ContentIdIsTheBlobIdForCleanFilesAndEmptyForModified) {
  TempRepo t;
  t.WriteFile("clean.txt", "clean\n");
  t.WriteFile("modified.txt", "before\n");
  t.WriteFile("same_size.txt", "aaaa\n");
  t.Commit();
  SettleIndex(&t);
  t.WriteFile("modified.txt", "after, longer\n");
  t.WriteFile("same_size.txt", "bbbb\n");
  t.WriteFile("new.txt", "new\n");

  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  auto files = ListWorkingTree(repo.get());
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files["clean.txt"].content_id, t.Git("hash-object clean.txt"));
  EXPECT_EQ(files["clean.txt"].size, 6u);
  EXPECT_EQ(files["modified.txt"].content_id, "");
  EXPECT_EQ(files["modified.txt"].size, 14u);
  EXPECT_EQ(files["same_size.txt"].content_id, "");
  EXPECT_EQ(files["new.txt"].content_id, "");
}

TEST_F(GitSourceTest, RacilyCleanEntryHasNoContentId) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  t.Stage("a.txt");
  // Make the file's mtime equal to or newer than the index's: matching stat
  // data then proves nothing.
  t.Run("touch -r .git/index a.txt");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  EXPECT_EQ(ListWorkingTree(repo.get())["a.txt"].content_id, "");
}

TEST_F(GitSourceTest, DeletedTrackedFileIsNotACandidate) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  t.WriteFile("dir/b.txt", "b\n");
  t.Commit();
  t.RemoveFile("a.txt");
  t.RemoveFile("dir");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  EXPECT_TRUE(ListWorkingTree(repo.get()).empty());
}

TEST_F(GitSourceTest, SymlinksAreListedAndNeverFollowed) {
  TempRepo t;
  t.WriteFile("real/inner.txt", "inner\n");
  t.WriteFile("target.txt", "target\n");
  t.Run("ln -s target.txt link_to_file && ln -s real link_to_dir");
  t.Commit();
  t.Run("ln -s real untracked_link");

  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::unique_ptr<FileSource>> source = NewWorkingTreeSource(repo.get());
  ASSERT_TRUE(source.ok()) << source.error();
  auto files = ListOf(source->get());
  std::vector<std::string> expected = {"link_to_dir", "link_to_file", "real/inner.txt",
                                       "target.txt", "untracked_link"};
  EXPECT_EQ(Paths(files), expected);
  EXPECT_EQ(files["link_to_file"].type, FileType::kSymlink);
  EXPECT_EQ(files["link_to_dir"].type, FileType::kSymlink);
  EXPECT_EQ(files["untracked_link"].type, FileType::kSymlink);
  EXPECT_EQ(files["link_to_file"].size, 10u);
  EXPECT_EQ(ReadOrDie(source->get(), files["link_to_file"]), "target.txt");
  EXPECT_EQ(ReadOrDie(source->get(), files["link_to_dir"]), "real");
}

TEST_F(GitSourceTest, TrackedFileBehindASymlinkedDirectoryIsDeleted) {
  TempRepo t;
  t.WriteFile("dir/a.txt", "a\n");
  t.Commit();
  t.Run("mv dir elsewhere && ln -s elsewhere dir");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  // git status: dir/a.txt deleted; dir (a symlink) and elsewhere/ untracked.
  std::vector<std::string> expected = {"dir", "elsewhere/a.txt"};
  EXPECT_EQ(Paths(ListWorkingTree(repo.get())), expected);
}

TEST_F(GitSourceTest, NestedRepositoryIsOneOpaqueEntry) {
  TempRepo t;
  t.WriteFile("top.txt", "top\n");
  t.WriteFile("nested/inside.txt", "inside\n");
  t.Run(
      "cd nested && git init -q -b main && git add . && git -c user.name=n -c user.email=n@x "
      "commit -q -m n");
  t.WriteFile("unborn/file.txt", "x\n");
  t.Run("cd unborn && git init -q");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  auto files = ListWorkingTree(repo.get());
  std::vector<std::string> expected = {"nested", "top.txt", "unborn"};
  EXPECT_EQ(Paths(files), expected);
  EXPECT_EQ(files["nested"].type, FileType::kSubmodule);
  EXPECT_EQ(files["nested"].content_id, t.Git("-C nested rev-parse HEAD"));
  EXPECT_EQ(files["unborn"].content_id, std::string(40, '0'));
}

TEST_F(GitSourceTest, SubmoduleGitlinkIsListedWithItsCheckedOutCommit) {
  TempRepo t;
  t.WriteFile("sub/f.txt", "f\n");
  t.Run(
      "cd sub && git init -q -b main && git add . && git -c user.name=n -c user.email=n@x "
      "commit -q -m n");
  std::string sub_head = t.Git("-C sub rev-parse HEAD");
  t.Git("update-index --add --cacheinfo 160000," + sub_head + ",sub");
  t.Commit();
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  auto files = ListWorkingTree(repo.get());
  std::vector<std::string> expected = {"sub"};
  ASSERT_EQ(Paths(files), expected);
  EXPECT_EQ(files["sub"].type, FileType::kSubmodule);
  EXPECT_EQ(files["sub"].content_id, sub_head);

  Result<std::unique_ptr<FileSource>> rev = NewRevisionSource(repo.get(), "HEAD");
  ASSERT_TRUE(rev.ok()) << rev.error();
  auto at_head = ListOf(rev->get());
  EXPECT_EQ(at_head["sub"].type, FileType::kSubmodule);
  EXPECT_EQ(at_head["sub"].content_id, sub_head);
  EXPECT_FALSE((*rev)->Read(at_head["sub"]).ok());
}

TEST_F(GitSourceTest, ExecutableBit) {
  TempRepo t;
  t.WriteFile("run.sh", "#!/bin/sh\n");
  t.WriteFile("plain.txt", "p\n");
  t.Run("chmod +x run.sh");
  t.Commit();
  t.WriteFile("new.sh", "#!/bin/sh\n");
  t.Run("chmod +x new.sh");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  auto files = ListWorkingTree(repo.get());
  EXPECT_EQ(files["run.sh"].type, FileType::kExecutable);
  EXPECT_EQ(files["new.sh"].type, FileType::kExecutable);
  EXPECT_EQ(files["plain.txt"].type, FileType::kRegular);

  Result<std::unique_ptr<FileSource>> rev = NewRevisionSource(repo.get(), "HEAD");
  ASSERT_TRUE(rev.ok()) << rev.error();
  auto at_head = ListOf(rev->get());
  EXPECT_EQ(at_head["run.sh"].type, FileType::kExecutable);
  EXPECT_EQ(at_head["plain.txt"].type, FileType::kRegular);
}

TEST_F(GitSourceTest, WorkingTreeReadsBytesFromDisk) {
  TempRepo t;
  const std::string binary("a\0b\xff\n", 5);
  t.WriteFile("bin.dat", binary);
  t.Commit();
  t.WriteFile("bin.dat", binary + "more");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::unique_ptr<FileSource>> source = NewWorkingTreeSource(repo.get());
  ASSERT_TRUE(source.ok());
  auto files = ListOf(source->get());
  EXPECT_EQ(ReadOrDie(source->get(), files["bin.dat"]), binary + "more");
  EXPECT_EQ((*source)->materialized_root(), t.path());
  EXPECT_EQ((*source)->description(), "working tree");
}

TEST_F(GitSourceTest, EmptyRepositoryWithUnbornHead) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  EXPECT_TRUE(repo->HeadIsUnborn());
  std::vector<std::string> expected = {"a.txt"};
  EXPECT_EQ(Paths(ListWorkingTree(repo.get())), expected);

  Result<std::unique_ptr<FileSource>> index = NewIndexSource(repo.get());
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE(ListOf(index->get()).empty());

  Result<std::unique_ptr<FileSource>> rev = NewRevisionSource(repo.get(), "HEAD");
  ASSERT_FALSE(rev.ok());
  EXPECT_EQ(rev.error(), "unknown revision 'HEAD': the branch 'main' has no commits yet");
}

TEST_F(GitSourceTest, IndexSourceReadsStagedContentNotTheWorkingTree) {
  TempRepo t;
  t.WriteFile("a.txt", "committed\n");
  t.WriteFile("gone.txt", "will be git rm'd\n");
  t.Commit();
  t.WriteFile("a.txt", "staged\n");
  t.Stage("a.txt");
  t.WriteFile("a.txt", "working tree, unstaged\n");
  t.WriteFile("new.txt", "staged new file\n");
  t.Stage("new.txt");
  t.WriteFile("untracked.txt", "not in the index\n");
  t.Git("rm -q --cached gone.txt");
  t.WriteFile("ita.txt", "intent to add\n");
  t.Git("add -N ita.txt");

  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::unique_ptr<FileSource>> source = NewIndexSource(repo.get());
  ASSERT_TRUE(source.ok());
  auto files = ListOf(source->get());
  std::vector<std::string> expected = {"a.txt", "new.txt"};
  EXPECT_EQ(Paths(files), expected);
  EXPECT_EQ(ReadOrDie(source->get(), files["a.txt"]), "staged\n");
  EXPECT_EQ(files["a.txt"].size, 7u);
  EXPECT_EQ(files["a.txt"].content_id, t.Git("rev-parse :a.txt"));
  FileEntry by_path_only;
  by_path_only.path = "new.txt";
  EXPECT_EQ(ReadOrDie(source->get(), by_path_only), "staged new file\n");
  by_path_only.path = "untracked.txt";
  Result<std::string> missing = (*source)->Read(by_path_only);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error(), "'untracked.txt' is not in the index");
  EXPECT_EQ((*source)->materialized_root(), "");
  EXPECT_EQ((*source)->description(), "index");
  // Listing and reading the index never writes it.
  EXPECT_EQ(t.Git("diff --cached --name-only"), "a.txt\ngone.txt\nnew.txt");
}

TEST_F(GitSourceTest, IndexSourceHonoursGitIndexFile) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  t.Commit();
  t.WriteFile("b.txt", "b\n");
  t.Run("cp .git/index ../alt_index && GIT_INDEX_FILE=../alt_index git add b.txt");
  setenv("GIT_INDEX_FILE", (t.path() + "/../alt_index").c_str(), 1);
  auto repo = Open(t.path());
  unsetenv("GIT_INDEX_FILE");
  ASSERT_TRUE(repo);
  Result<std::unique_ptr<FileSource>> source = NewIndexSource(repo.get());
  ASSERT_TRUE(source.ok());
  std::vector<std::string> expected = {"a.txt", "b.txt"};
  EXPECT_EQ(Paths(ListOf(source->get())), expected);
}

TEST_F(GitSourceTest, ConflictedPathIsListedOnceWithOurVersion) {
  TempRepo t;
  t.WriteFile("c.txt", "base\n");
  t.Commit("base");
  t.Git("checkout -q -b other");
  t.WriteFile("c.txt", "theirs\n");
  t.Commit("theirs");
  t.Git("checkout -q main");
  t.WriteFile("c.txt", "ours\n");
  t.Commit("ours");
  EXPECT_NE(t.Run("git merge -q other").exit_code, 0);

  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::unique_ptr<FileSource>> source = NewIndexSource(repo.get());
  ASSERT_TRUE(source.ok());
  auto files = ListOf(source->get());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(ReadOrDie(source->get(), files["c.txt"]), "ours\n");

  auto worktree = ListWorkingTree(repo.get());
  ASSERT_EQ(worktree.size(), 1u);
  EXPECT_EQ(worktree["c.txt"].content_id, "");
}

TEST_F(GitSourceTest, RevisionSourceListsACommit) {
  TempRepo t;
  t.WriteFile("a.txt", "v1\n");
  t.WriteFile("old.txt", "old\n");
  std::string first = t.Commit("one");
  t.WriteFile("a.txt", "v2\n");
  t.RemoveFile("old.txt");
  t.WriteFile("dir/new.txt", "new\n");
  t.Commit("two");
  t.WriteFile("a.txt", "dirty working tree\n");

  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::unique_ptr<FileSource>> source = NewRevisionSource(repo.get(), "HEAD~1");
  ASSERT_TRUE(source.ok()) << source.error();
  auto files = ListOf(source->get());
  std::vector<std::string> expected = {"a.txt", "old.txt"};
  EXPECT_EQ(Paths(files), expected);
  EXPECT_EQ(ReadOrDie(source->get(), files["a.txt"]), "v1\n");
  EXPECT_EQ(files["a.txt"].content_id, t.Git("rev-parse HEAD~1:a.txt"));
  EXPECT_EQ(files["old.txt"].size, 4u);
  EXPECT_EQ((*source)->description(), "commit " + first.substr(0, 7));
  EXPECT_EQ((*source)->materialized_root(), "");

  Result<std::unique_ptr<FileSource>> head = NewRevisionSource(repo.get(), "HEAD");
  ASSERT_TRUE(head.ok());
  expected = {"a.txt", "dir/new.txt"};
  EXPECT_EQ(Paths(ListOf(head->get())), expected);
}

TEST_F(GitSourceTest, UnknownRevisionErrors) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  t.Commit();
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::unique_ptr<FileSource>> source = NewRevisionSource(repo.get(), "foo");
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.error(), "unknown revision 'foo': not a commit, branch or tag");
  EXPECT_EQ(repo->ResolveCommit("HEAD~5").error(),
            "unknown revision 'HEAD~5': not a commit, branch or tag");
  EXPECT_EQ(repo->ResolveCommit("HEAD:a.txt").error(),
            "revision 'HEAD:a.txt' names a blob, not a commit");
  EXPECT_EQ(repo->ResolveTree("HEAD:a.txt").error(),
            "revision 'HEAD:a.txt' names a blob, not a tree or commit");
}

TEST_F(GitSourceTest, BareRepositoryRevisionMode) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  t.WriteFile("d/b.txt", "b\n");
  t.Commit();
  t.Git("clone -q --bare . ../bare.git");
  auto repo = Open(t.path() + "/../bare.git");
  ASSERT_TRUE(repo);
  EXPECT_TRUE(repo->is_bare());
  EXPECT_EQ(repo->workdir(), "");
  Result<std::unique_ptr<FileSource>> worktree = NewWorkingTreeSource(repo.get());
  ASSERT_FALSE(worktree.ok());
  EXPECT_NE(worktree.error().find("bare"), std::string::npos) << worktree.error();

  Result<std::unique_ptr<FileSource>> source = NewRevisionSource(repo.get(), "main");
  ASSERT_TRUE(source.ok()) << source.error();
  auto files = ListOf(source->get());
  std::vector<std::string> expected = {"a.txt", "d/b.txt"};
  EXPECT_EQ(Paths(files), expected);
  EXPECT_EQ(ReadOrDie(source->get(), files["d/b.txt"]), "b\n");
}

TEST_F(GitSourceTest, OpenDiscoversFromASubdirectory) {
  TempRepo t;
  t.WriteFile("deep/er/a.txt", "a\n");
  t.Commit();
  auto repo = Open(t.path() + "/deep/er");
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->workdir(), t.path());
  EXPECT_EQ(repo->gitdir(), t.path() + "/.git");
  EXPECT_EQ(repo->commondir(), t.path() + "/.git");
  EXPECT_FALSE(repo->is_bare());
  EXPECT_FALSE(repo->IsShallow());
  EXPECT_EQ(*repo->ResolveCommit("HEAD"), t.Git("rev-parse HEAD"));
  EXPECT_EQ(*repo->ResolveTree("HEAD"), t.Git("rev-parse HEAD^{tree}"));
}

TEST_F(GitSourceTest, OpenOutsideARepositoryFails) {
  TempRepo t;
  t.WriteFile("../plain/x.txt", "x\n");
  setenv("GIT_CEILING_DIRECTORIES", (t.path() + "/..").c_str(), 1);
  Result<std::unique_ptr<GitRepo>> repo = GitRepo::Open(t.path() + "/../plain");
  unsetenv("GIT_CEILING_DIRECTORIES");
  ASSERT_FALSE(repo.ok());
  EXPECT_NE(repo.error().find("not a git repository"), std::string::npos) << repo.error();

  Result<std::unique_ptr<GitRepo>> missing = GitRepo::Open(t.path() + "/no/such/dir");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().find("no/such/dir"), std::string::npos) << missing.error();
}

TEST_F(GitSourceTest, OpenHonoursGitDir) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  t.Commit();
  setenv("GIT_DIR", ".git", 1);
  auto repo = Open(t.path());
  unsetenv("GIT_DIR");
  ASSERT_TRUE(repo);
  EXPECT_EQ(repo->workdir(), t.path());
  EXPECT_EQ(Paths(ListWorkingTree(repo.get())), std::vector<std::string>{"a.txt"});
}

TEST_F(GitSourceTest, MergeBaseWithHead) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  std::string base = t.Commit("base");
  t.Git("checkout -q -b feature");
  t.WriteFile("b.txt", "b\n");
  t.Commit("feature");
  t.Git("checkout -q main");
  t.WriteFile("c.txt", "c\n");
  t.Commit("main");
  t.Git("checkout -q feature");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::string> merge_base = repo->MergeBaseWithHead("main");
  ASSERT_TRUE(merge_base.ok()) << merge_base.error();
  EXPECT_EQ(*merge_base, base);
  EXPECT_EQ(repo->MergeBaseWithHead("nope").error(),
            "unknown revision 'nope': not a commit, branch or tag");

  t.Git("checkout -q --orphan lonely");
  t.Commit("unrelated");
  Result<std::string> none = repo->MergeBaseWithHead("main");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("no merge base between 'main' and HEAD"), std::string::npos)
      << none.error();
}

TEST_F(GitSourceTest, ShallowClone) {
  TempRepo t;
  t.WriteFile("a.txt", "1\n");
  t.Commit();
  t.WriteFile("a.txt", "2\n");
  t.Commit();
  t.Git("clone -q --depth 1 file://" + t.path() + " ../shallow");
  auto repo = Open(t.path() + "/../shallow");
  ASSERT_TRUE(repo);
  EXPECT_TRUE(repo->IsShallow());
}

TEST_F(GitSourceTest, ListTreeFilesAndDiffTreePaths) {
  TempRepo t;
  t.WriteFile("keep.txt", "same\n");
  t.WriteFile("change.txt", "v1\n");
  t.WriteFile("delete.txt", "bye\n");
  t.WriteFile("rename_me.txt", "a file that is renamed, long enough to be detected\n");
  t.WriteFile("mode.sh", "#!/bin/sh\n");
  std::string one = t.Commit("one");
  t.WriteFile("change.txt", "v2\n");
  t.RemoveFile("delete.txt");
  t.WriteFile("dir/added.txt", "hi\n");
  t.Git("mv rename_me.txt renamed.txt");
  t.Run("chmod +x mode.sh");
  std::string two = t.Commit("two");

  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::vector<TreeFile>> tree = ListTreeFiles(*repo, one);
  ASSERT_TRUE(tree.ok()) << tree.error();
  ASSERT_EQ(tree->size(), 5u);
  EXPECT_EQ((*tree)[0].path, "change.txt");
  EXPECT_EQ((*tree)[0].id, t.Git("rev-parse " + one + ":change.txt"));

  Result<std::vector<std::string>> changed = DiffTreePaths(*repo, one, two);
  ASSERT_TRUE(changed.ok()) << changed.error();
  std::vector<std::string> expected = {"change.txt", "delete.txt",    "dir/added.txt",
                                       "mode.sh",    "rename_me.txt", "renamed.txt"};
  EXPECT_EQ(*changed, expected);

  Result<std::vector<std::string>> from_empty = DiffTreePaths(*repo, "", one);
  ASSERT_TRUE(from_empty.ok());
  EXPECT_EQ(from_empty->size(), 5u);
  EXPECT_FALSE(DiffTreePaths(*repo, "nope", one).ok());
}

// The walk's ignore rules against git's own verdict on a tree full of edge
// cases: the listing must equal `git ls-files -co --exclude-standard`.
TEST_F(GitSourceTest, IgnoreRulesAgreeWithGit) {
  TempRepo t;
  // In-process defaults (core.excludesFile's default path) must see the
  // same isolated home as the git subprocesses.
  const std::string home = t.path() + "/../home";
  const char* old_home = std::getenv("HOME");
  std::string saved_home = old_home != nullptr ? old_home : "";
  setenv("HOME", home.c_str(), 1);
  setenv("XDG_CONFIG_HOME", (home + "/.config").c_str(), 1);

  t.WriteFile(".gitignore",
              "# comment\n"
              "*.log\n"
              "!important.log\n"
              "/rootonly.txt\n"
              "doc/*.md\n"
              "**/deep.txt\n"
              "a/**/z.txt\n"
              "build/\n"
              "*.tmp\n"
              "!keep/*.tmp\n"
              "[abc].dat\n"
              "[!x]y.z\n"
              "\\#hash.txt\n"
              "trail\\ \n"
              "spaces.txt   \n"
              "foo/**\n"
              "**/cache\n"
              "m?.q\n"
              "*.[oa]\n"
              "onlydir/\n"
              "linkdir/\n"
              "Dir_Case\n"
              "ignored_dir/\n"
              "!ignored_dir/reinclude.txt\n"
              "nested/pattern/\n"
              "*/one_level.txt\n"
              "[[:digit:]]*.num\n"
              "\\!bang.txt\n");
  t.WriteFile("sub/.gitignore", "/local_anchored.txt\n*.sub\n!keep.sub\nx/**\n");
  t.WriteFile("crlf/.gitignore", "*.crlf\r\n");
  t.WriteFile(".git/info/exclude", "*.excluded\n");
  t.WriteFile("../home/.config/git/ignore", "*.xdg\n");
  for (const char* path : {"a.log",
                           "important.log",
                           "x/important.log",
                           "x/a.log",
                           "rootonly.txt",
                           "x/rootonly.txt",
                           "doc/a.md",
                           "doc/x/a.md",
                           "x/doc/a.md",
                           "deep.txt",
                           "p/q/deep.txt",
                           "a/z.txt",
                           "a/b/z.txt",
                           "a/b/c/z.txt",
                           "x/a/z.txt",
                           "build/out",
                           "x/build/out",
                           "t.tmp",
                           "keep/t.tmp",
                           "keep/sub/t.tmp",
                           "a.dat",
                           "d.dat",
                           "ay.z",
                           "xy.z",
                           "#hash.txt",
                           "trail ",
                           "trail",
                           "spaces.txt",
                           "foo/bar",
                           "foo/b/baz",
                           "x/foo/bar",
                           "p/cache/f",
                           "cache/f",
                           "cache2/f",
                           "m1.q",
                           "mm.q",
                           "lib.o",
                           "lib.a",
                           "lib.c",
                           "onlydir/f",
                           "x/onlydir",
                           "real/f.txt",
                           "Dir_Case/f",
                           "dir_case/f",
                           "ignored_dir/reinclude.txt",
                           "sub/local_anchored.txt",
                           "sub/y/local_anchored.txt",
                           "local_anchored.txt",
                           "sub/a.sub",
                           "sub/keep.sub",
                           "a.sub",
                           "sub/x/deep/f",
                           "x/f",
                           "a.excluded",
                           "a.xdg",
                           "nested/pattern/f",
                           "x/nested/pattern/f",
                           "one_level.txt",
                           "d/one_level.txt",
                           "d/e/one_level.txt",
                           "1a.num",
                           "a1.num",
                           "!bang.txt",
                           "crlf/a.crlf",
                           "plain.txt",
                           "ünïcode.txt",
                           "dir with space/f g.txt"}) {
    t.WriteFile(path, "x\n");
  }
  t.Run("ln -s real linkdir");  // a symlink is not a directory for `linkdir/`
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  std::vector<std::string> ours = Paths(ListWorkingTree(repo.get()));

  testing::RunResult git = t.Run("git ls-files -z -co --exclude-standard");
  ASSERT_EQ(git.exit_code, 0) << git.err;
  std::vector<std::string> theirs;
  for (size_t start = 0; start < git.out.size();) {
    size_t end = git.out.find('\0', start);
    theirs.push_back(git.out.substr(start, end - start));
    start = end + 1;
  }
  std::sort(theirs.begin(), theirs.end());
  EXPECT_EQ(ours, theirs);
  // A few verdicts spelled out, so that the test also says what git does.
  auto has = [&](const std::string& path) {
    return std::binary_search(ours.begin(), ours.end(), path);
  };
  EXPECT_TRUE(has("important.log"));
  EXPECT_FALSE(has("a.log"));
  EXPECT_FALSE(has("ignored_dir/reinclude.txt"));  // its directory is ignored
  EXPECT_TRUE(has("x/onlydir"));                   // `onlydir/` matches directories only
  EXPECT_TRUE(has("linkdir"));                     // a symlink is not a directory
  EXPECT_TRUE(has("x/rootonly.txt"));
  EXPECT_FALSE(has("a.excluded"));  // info/exclude
  EXPECT_FALSE(has("a.xdg"));       // core.excludesFile's default
  EXPECT_FALSE(has("crlf/a.crlf"));
  EXPECT_TRUE(has("trail"));
  EXPECT_FALSE(has("trail "));

  if (old_home != nullptr) setenv("HOME", saved_home.c_str(), 1);
  unsetenv("XDG_CONFIG_HOME");
}

TEST_F(GitSourceTest, IndexVersion4IsRead) {
  TempRepo t;
  t.WriteFile("dir/a.txt", "a\n");
  t.WriteFile("dir/abc.txt", "abc\n");
  t.WriteFile("dir/sub/b.txt", "b\n");
  t.WriteFile("z.txt", "z\n");
  t.Commit();
  t.Git("update-index --index-version 4");
  SettleIndex(&t);
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  auto files = ListWorkingTree(repo.get());
  std::vector<std::string> expected = {"dir/a.txt", "dir/abc.txt", "dir/sub/b.txt", "z.txt"};
  EXPECT_EQ(Paths(files), expected);
  EXPECT_EQ(files["dir/sub/b.txt"].content_id, t.Git("hash-object dir/sub/b.txt"));
  Result<std::unique_ptr<FileSource>> index = NewIndexSource(repo.get());
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(Paths(ListOf(index->get())), expected);
}

TEST_F(GitSourceTest, SplitIndexIsAClearError) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  t.Commit();
  t.Git("update-index --split-index");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  Result<std::unique_ptr<FileSource>> source = NewWorkingTreeSource(repo.get());
  ASSERT_TRUE(source.ok());
  Result<std::vector<FileEntry>> files = (*source)->List();
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.error().find("split index"), std::string::npos) << files.error();
}

TEST_F(GitSourceTest, CorruptIndexIsAClearError) {
  TempRepo t;
  t.WriteFile("a.txt", "a\n");
  t.Commit();
  t.Run("head -c 100 .git/index > ../cut && cp ../cut .git/index");  // truncated
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  for (bool staged : {false, true}) {
    Result<std::unique_ptr<FileSource>> source =
        staged ? NewIndexSource(repo.get()) : NewWorkingTreeSource(repo.get());
    ASSERT_TRUE(source.ok());
    Result<std::vector<FileEntry>> files = (*source)->List();
    ASSERT_FALSE(files.ok());
    EXPECT_NE(files.error().find("is corrupt"), std::string::npos) << files.error();
  }
  t.WriteFile(".git/index", "not an index at all, but long enough to have a header");
  Result<std::unique_ptr<FileSource>> source = NewIndexSource(repo.get());
  ASSERT_TRUE(source.ok());
  EXPECT_FALSE((*source)->List().ok());
}

TEST_F(GitSourceTest, ManyFilesUseSeveralThreadsAndStaySorted) {
  TempRepo t;
  // Enough entries for the walk to run on several threads.
  t.Run(
      "for d in 0 1 2 3 4 5 6 7 8 9; do mkdir -p d$d/sub; for f in $(seq 1 260); do "
      "echo $f > d$d/f$f.txt; echo $f > d$d/sub/g$f.txt; done; done");
  t.Commit();
  t.WriteFile("d3/new.txt", "new\n");
  t.RemoveFile("d5/sub/g7.txt");
  auto repo = Open(t.path());
  ASSERT_TRUE(repo);
  auto files = ListWorkingTree(repo.get());  // ListOf checks the order
  EXPECT_EQ(files.size(), 10u * 520u);
  EXPECT_EQ(files.count("d3/new.txt"), 1u);
  EXPECT_EQ(files.count("d5/sub/g7.txt"), 0u);
}

struct WildCase {
  const char* pattern;
  const char* text;
  bool pathname;
  bool expected;
};

TEST(WildMatchTest, MatchesLikeGit) {
  const WildCase cases[] = {
      {"foo", "foo", true, true},
      {"bar", "foo", true, false},
      {"*", "", true, true},
      {"???", "foo", true, true},
      {"??", "foo", true, false},
      {"*f", "foo", true, false},
      {"*o", "foo", true, true},
      {"f*", "foo", true, true},
      {"*foo*", "foo", true, true},
      {"foo/*", "foo/bar", true, true},
      {"foo/*", "foo/bar/baz", true, false},
      {"foo/*", "foo/bar/baz", false, true},
      {"**/foo", "foo", true, true},
      {"**/foo", "x/y/foo", true, true},
      {"foo/**", "foo/bar/baz", true, true},
      {"foo/**", "foo", true, false},
      {"a/**/b", "a/b", true, true},
      {"a/**/b", "a/x/y/b", true, true},
      {"a/**/b", "a/xb", true, false},
      {"a**b", "a/b", true, false},
      {"a**b", "axyb", true, true},
      {"*/foo", "a/foo", true, true},
      {"*/foo", "a/b/foo", true, false},
      {"*.c", "dir/x.c", true, false},
      {"*.c", "dir/x.c", false, true},
      {"**", "a/b/c", true, true},
      {"[a-c]at", "bat", true, true},
      {"[!a-c]at", "bat", true, false},
      {"[^a-c]at", "dat", true, true},
      {"[]]", "]", true, true},
      {"[!]]", "a", true, true},
      {"[]-]", "-", true, true},
      {"[[:digit:]]", "5", true, true},
      {"[[:alpha:][:digit:]]x", "5x", true, true},
      {"[[:alpha:]]", "5", true, false},
      {"[[:bogus:]]", "b", true, false},
      {"[a/]", "/", true, false},
      {"\\*", "*", true, true},
      {"\\*", "a", true, false},
      {"a\\", "a", true, false},
      {"[abc", "a", true, false},
      {"*a*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
       true, false},
  };
  for (const WildCase& c : cases) {
    EXPECT_EQ(WildMatch(c.pattern, c.text, c.pathname, false), c.expected)
        << "pattern '" << c.pattern << "' text '" << c.text << "' pathname " << c.pathname;
  }
  EXPECT_TRUE(WildMatch("[A-Z]x", "ax", true, true));
  EXPECT_TRUE(WildMatch("README", "readme", true, true));
  EXPECT_FALSE(WildMatch("README", "readme", true, false));
}

TEST(IgnoreListTest, LastMatchingPatternWinsAndBaseAnchors) {
  IgnoreList list = IgnoreList::Parse("*.txt\n!keep.txt\n/top.md\nsub/x.md\nd/\n", "base/");
  using V = IgnoreList::Verdict;
  EXPECT_EQ(list.Match("base/a.txt", false, false), V::kIgnored);
  EXPECT_EQ(list.Match("base/deep/a.txt", false, false), V::kIgnored);
  EXPECT_EQ(list.Match("base/keep.txt", false, false), V::kNotIgnored);
  EXPECT_EQ(list.Match("base/top.md", false, false), V::kIgnored);
  EXPECT_EQ(list.Match("base/deep/top.md", false, false), V::kNoMatch);
  EXPECT_EQ(list.Match("base/sub/x.md", false, false), V::kIgnored);
  EXPECT_EQ(list.Match("other/sub/x.md", false, false), V::kNoMatch);
  EXPECT_EQ(list.Match("base/d", true, false), V::kIgnored);
  EXPECT_EQ(list.Match("base/d", false, false), V::kNoMatch);
}

}  // namespace
}  // namespace sotinc

namespace sotinc {
namespace {

// The index and HEAD share all but a few blobs: a blob's size is read from
// the object database once per repository handle.
TEST_F(GitSourceTest, BlobSizesAreReadOncePerRepository) {
  TempRepo repo;
  repo.WriteFile("a.txt", "twelve bytes");
  repo.Commit("init");
  std::unique_ptr<GitRepo> git = Open(repo.path());
  ASSERT_NE(git, nullptr);
  Result<std::unique_ptr<FileSource>> index = NewIndexSource(git.get());
  ASSERT_TRUE(index.ok()) << index.error();
  std::map<std::string, FileEntry> listed = ListOf(index->get());
  ASSERT_EQ(listed["a.txt"].size, 12u);
  // With the object gone, only what was remembered can answer.
  std::string id = listed["a.txt"].content_id;
  std::string object = repo.path() + "/.git/objects/" + id.substr(0, 2) + "/" + id.substr(2);
  ASSERT_EQ(unlink(object.c_str()), 0) << object;
  Result<std::unique_ptr<FileSource>> head = NewRevisionSource(git.get(), "HEAD");
  ASSERT_TRUE(head.ok()) << head.error();
  EXPECT_EQ(ListOf(head->get())["a.txt"].size, 12u);
  // A fresh handle has to read it, and says which blob is missing.
  std::unique_ptr<GitRepo> fresh = Open(repo.path());
  Result<std::unique_ptr<FileSource>> again = NewIndexSource(fresh.get());
  ASSERT_TRUE(again.ok());
  Result<std::vector<FileEntry>> failed = (*again)->List();
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().find("the index lists 'a.txt' but its blob " + id + " cannot be read"),
            std::string::npos)
      << failed.error();
}

}  // namespace
}  // namespace sotinc

namespace sotinc {
namespace {

// What the cache keeps between runs: the sizes a handle used, and only
// those; a later handle that remembers them reads no object header.
TEST_F(GitSourceTest, BlobSizesCarryOverBetweenHandles) {
  TempRepo repo;
  repo.WriteFile("a.txt", "twelve bytes");
  repo.WriteFile("b.txt", "four");
  repo.Commit("init");
  repo.RemoveFile("b.txt");
  repo.Stage("b.txt");
  std::unique_ptr<GitRepo> first = Open(repo.path());
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->EncodeBlobSizes(), std::string("\x01S\x00", 3));
  Result<std::unique_ptr<FileSource>> index = NewIndexSource(first.get());
  ASSERT_TRUE(index.ok());
  std::map<std::string, FileEntry> listed = ListOf(index->get());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(first->blob_headers_read(), 1u);
  std::string record = first->EncodeBlobSizes();
  EXPECT_EQ(record.size(), 3u + 20u + 1u) << "only a.txt, the one blob listed";

  std::unique_ptr<GitRepo> second = Open(repo.path());
  second->RememberBlobSizes(record);
  std::string id = listed["a.txt"].content_id;
  ASSERT_EQ(unlink((repo.path() + "/.git/objects/" + id.substr(0, 2) + "/" + id.substr(2)).c_str()),
            0);
  Result<std::unique_ptr<FileSource>> again = NewIndexSource(second.get());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ListOf(again->get())["a.txt"].size, 12u);
  EXPECT_EQ(second->blob_headers_read(), 0u);
  EXPECT_EQ(second->EncodeBlobSizes(), record);

  // A damaged record teaches nothing: every prefix, and trailing bytes.
  for (size_t n = 0; n <= record.size(); ++n) {
    std::unique_ptr<GitRepo> third = Open(repo.path());
    third->RememberBlobSizes(n < record.size() ? record.substr(0, n) : record + "x");
    Result<std::unique_ptr<FileSource>> src = NewIndexSource(third.get());
    ASSERT_TRUE(src.ok());
    EXPECT_FALSE((*src)->List().ok()) << "prefix of " << n << " bytes";
  }
}

}  // namespace
}  // namespace sotinc
