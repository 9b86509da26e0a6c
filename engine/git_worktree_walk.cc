// The working tree walk (see git_worktree_walk.h).
//
// Listing is one walk over the directories, not git_status_list: status
// hashes every file whose stat data changed, which is the engine's job (it
// caches hashes), and would make listing cost as much as reading the tree.
// Each directory is visited once: its tracked files (from the index, parsed
// by git_index_file.cc) are lstat'ed relative to the directory's descriptor,
// and, unless the directory is ignored, readdir finds the untracked files,
// judged by the .gitignore files read on the way down (git_ignore.h).
// Directories are spread over a few threads, as `git status` spreads its
// lstat calls (core.preloadIndex).
#include "engine/git_worktree_walk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iterator>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "engine/git_handles.h"
#include "engine/git_ignore.h"
#include "engine/git_index_file.h"

namespace sotinc {
namespace {

// The lstat data that keys the store's stat cache of content hashes.
void SetStatData(const struct stat& st, FileEntry* entry) {
  entry->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  entry->ctime_ns = static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec;
  entry->ino = static_cast<uint64_t>(st.st_ino);
}


constexpr uint32_t kModeGitlink = 0160000;
constexpr uint32_t kModeSymlink = 0120000;
constexpr uint32_t kModeExecutable = 0100755;
const std::string kZeroId(40, '0');

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

class DirStream {
 public:
  explicit DirStream(DIR* dir) : dir_(dir) {}
  ~DirStream() {
    if (dir_ != nullptr) closedir(dir_);
  }
  DirStream(const DirStream&) = delete;
  DirStream& operator=(const DirStream&) = delete;
  DirStream& operator=(DirStream&& other) noexcept {
    std::swap(dir_, other.dir_);
    return *this;
  }
  DIR* get() const { return dir_; }

 private:
  DIR* dir_;
};

std::string ErrnoText() { return std::strerror(errno); }

// Reads a whole small file (an ignore file); false when it cannot be read.
// As in git (2.32 and later), a .gitignore inside the tree is not followed
// when it is a symlink, while info/exclude and core.excludesFile are.
bool ReadSmallFile(int dir_fd, const char* name, bool follow, std::string* out) {
  Fd fd(openat(dir_fd, name, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)));
  if (fd.get() < 0) return false;
  char buf[1 << 14];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

IgnoreList LoadIgnoreFile(const std::string& path) {
  std::string text;
  if (!path.empty() && ReadSmallFile(AT_FDCWD, path.c_str(), /*follow=*/true, &text)) {
    return IgnoreList::Parse(text, "");
  }
  return IgnoreList();
}

// The commit HEAD names in the repository at ABS_DIR, or "" when there is
// none (not a repository, unborn HEAD). Opens a separate libgit2
// repository, so it is safe on any thread.
std::string NestedHead(const std::string& abs_dir) {
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, abs_dir.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) < 0) {
    return "";
  }
  git::RepositoryPtr repo(raw);
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo.get(), "HEAD") < 0) return "";
  return git::OidHex(oid);
}

// As git's is_nonbare_repository_dir: NAME/.git is a git directory or a
// "gitdir:" file.
bool HoldsRepository(int dir_fd, const std::string& name) {
  const std::string dotgit = name + "/.git";
  struct stat st;
  if (fstatat(dir_fd, dotgit.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  if (S_ISDIR(st.st_mode)) {
    return fstatat(dir_fd, (dotgit + "/HEAD").c_str(), &st, 0) == 0 &&
           fstatat(dir_fd, (dotgit + "/objects").c_str(), &st, 0) == 0;
  }
  if (!S_ISREG(st.st_mode)) return false;
  Fd fd(openat(dir_fd, dotgit.c_str(), O_RDONLY | O_CLOEXEC));
  char head[8];
  return fd.get() >= 0 && read(fd.get(), head, sizeof(head)) == 8 &&
         std::memcmp(head, "gitdir: ", 8) == 0;
}

// The index's entries arranged by directory. Every directory's entries are
// contiguous in index order (they share the prefix "dir/"), which is what
// makes this a single pass.
struct DirNode {
  std::string rel;                // "" for the root, else "a/b/"
  std::vector<uint32_t> files;    // entries directly inside, sorted by name
  std::vector<uint32_t> subdirs;  // child nodes, sorted by name
};

std::string_view NodeName(const DirNode& node) {
  std::string_view rel(node.rel);
  rel.remove_suffix(1);
  return rel.substr(rel.rfind('/') + 1);  // npos + 1 == 0
}

std::vector<DirNode> BuildDirTree(const std::vector<GitIndexEntry>& entries) {
  std::vector<DirNode> nodes(1);
  std::vector<uint32_t> stack = {0};  // the chain of nodes of the current directory
  for (uint32_t i = 0; i < entries.size(); ++i) {
    const std::string& path = entries[i].path;
    const size_t last_slash = path.rfind('/');
    const size_t dir_length = last_slash == std::string::npos ? 0 : last_slash + 1;
    // Pop to the deepest node that is a prefix of this path's directory.
    while (stack.size() > 1) {
      const std::string& rel = nodes[stack.back()].rel;
      if (rel.size() <= dir_length && path.compare(0, rel.size(), rel) == 0) break;
      stack.pop_back();
    }
    // Push the missing directories.
    while (nodes[stack.back()].rel.size() < dir_length) {
      size_t next = path.find('/', nodes[stack.back()].rel.size());
      DirNode child;
      child.rel = path.substr(0, next + 1);
      nodes.push_back(std::move(child));
      const uint32_t id = static_cast<uint32_t>(nodes.size() - 1);
      nodes[stack.back()].subdirs.push_back(id);
      stack.push_back(id);
    }
    nodes[stack.back()].files.push_back(i);
  }
  for (DirNode& node : nodes) {
    std::sort(node.subdirs.begin(), node.subdirs.end(),
              [&](uint32_t a, uint32_t b) { return NodeName(nodes[a]) < NodeName(nodes[b]); });
  }
  return nodes;
}

// The ignore rules of a directory and its ancestors, innermost first.
// Immutable once built; shared by the directory's subdirectories, possibly
// on other threads.
struct IgnoreFrame {
  std::shared_ptr<const IgnoreFrame> parent;
  IgnoreList rules;
};

// One directory to visit.
struct Task {
  int64_t node = -1;     // DirNode index; -1 for a directory the index has nothing in
  std::string rel;       // "" or "a/b/"
  bool ignored = false;  // only its tracked files matter
  std::shared_ptr<const IgnoreFrame> frame;  // the rules of its ancestors
};

// A work queue that ends when it is empty and no task is running (running
// tasks may still add tasks).
class TaskQueue {
 public:
  void Push(Task task) {
    std::lock_guard<std::mutex> lock(mutex_);
    tasks_.push_back(std::move(task));
    ready_.notify_one();
  }
  bool Pop(Task* task) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return !tasks_.empty() || running_ == 0; });
    if (tasks_.empty()) return false;
    *task = std::move(tasks_.back());
    tasks_.pop_back();
    ++running_;
    return true;
  }
  void Done() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--running_ == 0 && tasks_.empty()) ready_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> tasks_;
  int running_ = 0;
};

bool SameTime(uint32_t sec, uint32_t nsec, const struct timespec& ts) {
  return sec == static_cast<uint32_t>(ts.tv_sec) && nsec == static_cast<uint32_t>(ts.tv_nsec);
}

// The stat data git recorded in the index still describes the file.
bool StatMatches(const GitIndexEntry& e, const struct stat& st) {
  return e.size == static_cast<uint32_t>(st.st_size) &&
         SameTime(e.mtime_sec, e.mtime_nsec, st.st_mtim) &&
         SameTime(e.ctime_sec, e.ctime_nsec, st.st_ctim) &&
         e.ino == static_cast<uint32_t>(st.st_ino);
}

// The file may have changed in the same clock tick as the index was
// written, so matching stat data proves nothing (git's "racily clean").
bool RacilyClean(const GitIndexEntry& e, const struct timespec& index_mtime) {
  const int64_t sec = e.mtime_sec;
  if (index_mtime.tv_sec != sec) return index_mtime.tv_sec < sec;
  return index_mtime.tv_nsec <= static_cast<int64_t>(e.mtime_nsec);
}

// One List() call: the index, the walk's shared state and its output.
class Walk {
 public:
  Walk(const GitRepo& repo, const WorktreeWalkOptions& settings, int root_fd,
       std::vector<GitIndexEntry> entries, struct timespec index_mtime)
      : repo_(repo),
        settings_(settings),
        root_fd_(root_fd),
        entries_(std::move(entries)),
        index_mtime_(index_mtime),
        nodes_(BuildDirTree(entries_)),
        slots_(entries_.size()),
        present_(entries_.size(), 0),
        info_exclude_(LoadIgnoreFile(repo.commondir() + "/info/exclude")),
        excludes_file_(LoadIgnoreFile(settings.excludes_file)) {}

  std::vector<FileEntry> Run() {
    queue_.Push(Task{0, "", false, nullptr});
    // Like git's preloading of the index, the thread count ignores the
    // number of cores: on a cold cache or a network file system, threads
    // waiting for the disk hide each other's latency.
    constexpr size_t kEntriesPerThread = 2000;
    const size_t threads = std::clamp<size_t>(entries_.size() / kEntriesPerThread, 1, 8);
    std::vector<std::vector<FileEntry>> untracked(threads);
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t) pool.emplace_back([&, t] { Work(&untracked[t]); });
    Work(&untracked[0]);
    for (std::thread& thread : pool) thread.join();

    std::vector<FileEntry> extra;  // untracked, then sorted
    for (auto& part : untracked) {
      std::move(part.begin(), part.end(), std::back_inserter(extra));
    }
    auto by_path = [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; };
    std::sort(extra.begin(), extra.end(), by_path);

    // Merge in place, without a third vector of 25,000 entries: drop the
    // slots of missing files (index order is byte order), then merge the
    // untracked entries in from the back.
    std::vector<FileEntry>& files = slots_;
    size_t kept = 0;
    for (size_t i = 0; i < files.size(); ++i) {
      if (!present_[i]) continue;
      if (kept != i) files[kept] = std::move(files[i]);
      ++kept;
    }
    files.resize(kept + extra.size());
    size_t out = files.size();
    size_t a = kept;          // tracked entries left, in files[0, a)
    size_t b = extra.size();  // untracked entries left, in extra[0, b)
    while (b > 0) {
      if (a > 0 && by_path(extra[b - 1], files[a - 1])) {
        files[--out] = std::move(files[--a]);
      } else {
        files[--out] = std::move(extra[--b]);
      }
    }
    return std::move(files);
  }

 private:
  void Work(std::vector<FileEntry>* untracked) {
    Task task;
    while (queue_.Pop(&task)) {
      Visit(task, untracked);
      queue_.Done();
    }
  }

  bool IsIgnored(const IgnoreFrame* frame, std::string_view path, bool is_dir) const {
    const bool fold = settings_.ignore_case;
    for (; frame != nullptr; frame = frame->parent.get()) {
      IgnoreList::Verdict v = frame->rules.Match(path, is_dir, fold);
      if (v != IgnoreList::Verdict::kNoMatch) return v == IgnoreList::Verdict::kIgnored;
    }
    for (const IgnoreList* list : {&info_exclude_, &excludes_file_}) {
      IgnoreList::Verdict v = list->Match(path, is_dir, fold);
      if (v != IgnoreList::Verdict::kNoMatch) return v == IgnoreList::Verdict::kIgnored;
    }
    return false;
  }

  // The tracked entry named NAME directly in NODE, or -1.
  int64_t FindFile(const DirNode* node, std::string_view name) const {
    if (node == nullptr) return -1;
    const size_t skip = node->rel.size();
    auto it = std::lower_bound(node->files.begin(), node->files.end(), name,
                               [&](uint32_t i, std::string_view n) {
                                 return std::string_view(entries_[i].path).substr(skip) < n;
                               });
    if (it == node->files.end() || std::string_view(entries_[*it].path).substr(skip) != name) {
      return -1;
    }
    return *it;
  }

  bool HasSubdir(const DirNode* node, std::string_view name) const {
    if (node == nullptr) return false;
    auto it =
        std::lower_bound(node->subdirs.begin(), node->subdirs.end(), name,
                         [&](uint32_t i, std::string_view n) { return NodeName(nodes_[i]) < n; });
    return it != node->subdirs.end() && NodeName(nodes_[*it]) == name;
  }

  void Visit(const Task& task, std::vector<FileEntry>* untracked) {
    const DirNode* node = task.node >= 0 ? &nodes_[static_cast<size_t>(task.node)] : nullptr;
    std::string open_path = task.rel.empty() ? "." : task.rel.substr(0, task.rel.size() - 1);
    // O_NOFOLLOW: a tracked directory replaced by a symlink is not entered;
    // the files git tracked below it count as deleted, as in git.
    Fd dir(openat(root_fd_, open_path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.get() < 0) return;  // gone, not a directory, or unreadable

    std::shared_ptr<const IgnoreFrame> frame = task.frame;
    DirStream stream(nullptr);
    int fd = dir.get();
    if (!task.ignored) {
      stream = DirStream(fdopendir(dir.get()));
      if (stream.get() == nullptr) return;
      dir.release();  // now owned by the stream
      frame = ListDirectory(task, node, stream.get(), untracked);
    }
    if (node == nullptr) return;
    // After ListDirectory: StatTracked moves the paths out of entries_,
    // and ListDirectory looks this directory's entries up by name.
    for (uint32_t i : node->files) StatTracked(fd, i);
    for (uint32_t child : node->subdirs) {
      const DirNode& sub = nodes_[child];
      bool ignored = task.ignored ||
                     IsIgnored(frame.get(), std::string_view(sub.rel).substr(0, sub.rel.size() - 1),
                               /*is_dir=*/true);
      queue_.Push(Task{child, sub.rel, ignored, frame});
    }
  }

  void StatTracked(int dir_fd, uint32_t i) {
    GitIndexEntry& e = entries_[i];
    // (npos + 1 == 0, added as a number: c_str() + npos would overflow the pointer.)
    const char* name = e.path.c_str() + (e.path.rfind('/') + 1);
    struct stat st;
    if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return;  // deleted
    FileEntry entry;
    if (S_ISDIR(st.st_mode)) {
      if (e.mode != kModeGitlink) return;  // a file replaced by a directory
      entry.type = FileType::kSubmodule;
      entry.content_id = NestedHead(repo_.workdir() + "/" + e.path);
      if (entry.content_id.empty()) entry.content_id = e.IdHex();
    } else if (S_ISLNK(st.st_mode) || S_ISREG(st.st_mode)) {
      if (S_ISLNK(st.st_mode)) {
        entry.type = FileType::kSymlink;
      } else {
        bool exec =
            settings_.trust_file_mode ? (st.st_mode & S_IXUSR) != 0 : e.mode == kModeExecutable;
        entry.type = exec ? FileType::kExecutable : FileType::kRegular;
      }
      entry.size = static_cast<uint64_t>(st.st_size);
      SetStatData(st, &entry);
      const bool same_kind =
          S_ISLNK(st.st_mode) == (e.mode == kModeSymlink) && e.mode != kModeGitlink;
      const bool id_usable = e.stage() == 0 && !e.intent_to_add();
      if (id_usable && same_kind && StatMatches(e, st) && !RacilyClean(e, index_mtime_)) {
        entry.content_id = e.IdHex();
      }
    } else {
      return;  // a FIFO, socket or device: git ignores those
    }
    entry.path = std::move(e.path);  // nothing reads it after this (see Visit)
    slots_[i] = std::move(entry);
    present_[i] = 1;
  }

  // Reads the directory for untracked files and directories; returns the
  // ignore rules in effect inside it.
  std::shared_ptr<const IgnoreFrame> ListDirectory(const Task& task, const DirNode* node,
                                                   DIR* stream, std::vector<FileEntry>* untracked) {
    struct Child {
      std::string name;
      unsigned char type;
    };
    std::vector<Child> children;
    bool has_gitignore = false;
    while (struct dirent* de = readdir(stream)) {
      const char* name = de->d_name;
      if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0 ||
          std::strcmp(name, ".git") == 0) {
        continue;
      }
      if (std::strcmp(name, ".gitignore") == 0) has_gitignore = true;
      children.push_back(Child{name, de->d_type});
    }
    const int fd = dirfd(stream);

    std::shared_ptr<const IgnoreFrame> frame = task.frame;
    std::string text;
    if (has_gitignore && ReadSmallFile(fd, ".gitignore", /*follow=*/false, &text)) {
      IgnoreList rules = IgnoreList::Parse(text, task.rel);
      if (!rules.empty()) {
        frame = std::make_shared<const IgnoreFrame>(IgnoreFrame{task.frame, std::move(rules)});
      }
    }

    for (const Child& child : children) {
      struct stat st;
      bool have_stat = false;
      unsigned char type = child.type;
      if (type == DT_UNKNOWN) {
        if (fstatat(fd, child.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        have_stat = true;
        type = S_ISDIR(st.st_mode)   ? DT_DIR
               : S_ISREG(st.st_mode) ? DT_REG
               : S_ISLNK(st.st_mode) ? DT_LNK
                                     : DT_UNKNOWN;
      }
      const int64_t tracked = FindFile(node, child.name);
      if (type == DT_DIR) {
        if (tracked >= 0 && entries_[static_cast<size_t>(tracked)].mode == kModeGitlink) continue;
        if (HasSubdir(node, child.name)) continue;  // visited as a task of its own
        const std::string path = task.rel + child.name;
        if (IsIgnored(frame.get(), path, /*is_dir=*/true)) continue;
        if (HoldsRepository(fd, child.name)) {
          FileEntry entry;
          entry.path = path;
          entry.type = FileType::kSubmodule;
          entry.content_id = NestedHead(repo_.workdir() + "/" + path);
          if (entry.content_id.empty()) entry.content_id = kZeroId;
          untracked->push_back(std::move(entry));
          continue;
        }
        queue_.Push(Task{-1, path + "/", false, frame});
        continue;
      }
      if (type != DT_REG && type != DT_LNK) continue;
      if (tracked >= 0) continue;  // stat'ed by StatTracked
      std::string path = task.rel + child.name;
      if (IsIgnored(frame.get(), path, /*is_dir=*/false)) continue;
      if (!have_stat && fstatat(fd, child.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      FileEntry entry;
      entry.path = std::move(path);
      entry.size = static_cast<uint64_t>(st.st_size);
      SetStatData(st, &entry);
      if (S_ISLNK(st.st_mode)) {
        entry.type = FileType::kSymlink;
      } else if (S_ISREG(st.st_mode)) {
        entry.type = settings_.trust_file_mode && (st.st_mode & S_IXUSR) ? FileType::kExecutable
                                                                         : FileType::kRegular;
      } else {
        continue;
      }
      untracked->push_back(std::move(entry));
    }
    return frame;
  }

  const GitRepo& repo_;
  const WorktreeWalkOptions& settings_;
  const int root_fd_;
  // Read-only during the walk except that StatTracked moves each path out
  // of its entry, last thing (each entry belongs to one directory's task).
  std::vector<GitIndexEntry> entries_;
  const struct timespec index_mtime_;
  const std::vector<DirNode> nodes_;
  // Output for tracked entries: slot i is written only by the task of
  // entry i's directory, so the threads never share a slot.
  std::vector<FileEntry> slots_;
  std::vector<char> present_;
  const IgnoreList info_exclude_;
  const IgnoreList excludes_file_;
  TaskQueue queue_;
};

}  // namespace

Result<std::vector<FileEntry>> ListWorkingTree(const GitRepo& repo,
                                               const WorktreeWalkOptions& options) {
  Fd root(open(repo.workdir().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) {
    return Status::Error("cannot open the working tree '" + repo.workdir() + "': " + ErrnoText());
  }
  // The index's mtime before reading it: an entry as new as that may have
  // changed after git recorded it.
  struct timespec index_mtime {};
  struct stat st;
  if (stat(repo.index_path().c_str(), &st) == 0) index_mtime = st.st_mtim;
  Result<std::vector<GitIndexEntry>> entries = ReadGitIndexFile(repo.index_path());
  if (!entries.ok()) return entries.status();
  // A conflicted path has entries at stages 1-3: keep one (its id is
  // then unusable, see StatTracked).
  auto same_path = [](const GitIndexEntry& a, const GitIndexEntry& b) {
    return b.stage() != 0 && a.path == b.path;
  };
  entries->erase(std::unique(entries->begin(), entries->end(), same_path), entries->end());
  Walk walk(repo, options, root.get(), std::move(*entries), index_mtime);
  return walk.Run();
}

}  // namespace sotinc
