#include "engine/materialize.h"

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

namespace sotinc {
namespace {

Status MakeParents(const std::string& root, const std::string& rel) {
  for (size_t slash = rel.find('/'); slash != std::string::npos; slash = rel.find('/', slash + 1)) {
    std::string dir = root + "/" + rel.substr(0, slash);
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::Error("cannot create " + dir + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

Status WriteAll(const std::string& path, const std::string& content, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Status::Error("cannot create " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      close(fd);
      return Status::Error("cannot write " + path + ": " + std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return Status::Ok();
}

int RemoveOne(const char* path, const struct stat*, int, struct FTW*) {
  remove(path);
  return 0;
}

}  // namespace

void RemoveTree(const std::string& path) {
  nftw(path.c_str(), RemoveOne, 16, FTW_DEPTH | FTW_PHYS);
}

Result<std::unique_ptr<TempTree>> TempTree::Create(FileSource& source,
                                                   const std::vector<const FileEntry*>& files,
                                                   const std::string& parent) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = !parent.empty() ? parent : std::string(tmp && *tmp ? tmp : "/tmp");
  std::unique_ptr<TempTree> tree;
  if (parent.empty()) {
    // A run's root: the janitor makes it, so that it never exists without
    // one (a SIGKILL can land between a mkdtemp() here and the fork).
    Result<std::unique_ptr<TempTree>> guarded = CreateGuarded(base);
    if (!guarded.ok()) return guarded.status();
    tree = std::move(*guarded);
  } else {
    std::string pattern = base + "/sotinc-run.XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      return Status::Error("cannot create a temporary directory in " + pattern + ": " +
                           std::strerror(errno));
    }
    tree.reset(new TempTree(buf.data()));
  }
  for (const FileEntry* f : files) {
    if (f->type == FileType::kSubmodule) continue;
    Status s = MakeParents(tree->path_, f->path);
    if (!s.ok()) return s;
    Result<std::string> content = source.Read(*f);
    if (!content.ok()) return Status::Error("cannot read " + f->path + ": " + content.error());
    std::string dest = tree->path_ + "/" + f->path;
    if (f->type == FileType::kSymlink) {
      if (symlink(content->c_str(), dest.c_str()) != 0) {
        return Status::Error("cannot create symlink " + dest + ": " + std::strerror(errno));
      }
      continue;
    }
    s = WriteAll(dest, *content, f->type == FileType::kExecutable ? 0755 : 0644);
    if (!s.ok()) return s;
  }
  return tree;
}

namespace {

// Candidate names for a run's root, drawn before the fork (the janitor
// may only make async-signal-safe calls). 12 random characters each, like
// mkdtemp's 6 but wider; the janitor takes the first that is free.
std::vector<std::string> CandidateNames(const std::string& base, int count) {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device() ^
                      static_cast<uint64_t>(getpid()));
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    std::string name = base + "/sotinc-run.";
    for (int c = 0; c < 12; ++c) name += kChars[rng() % (sizeof(kChars) - 1)];
    names.push_back(std::move(name));
  }
  return names;
}

// The janitor's side: make the directory, say which (or why not) on `report`,
// wait for the parent to die, remove the directory. Never returns.
[[noreturn]] void RunJanitor(pid_t parent, const std::vector<const char*>& names, int report,
                             sigset_t* wake) {
  // Interrupts are the parent's to handle; it removes the tree and then
  // ends the janitor itself.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  // The parent may be gone before the report is written: that write must
  // fail, not kill the janitor.
  signal(SIGPIPE, SIG_IGN);
  prctl(PR_SET_PDEATHSIG, SIGUSR1);
  // A parent that died before prctl() asked for nothing: make nothing.
  if (getppid() != parent) _exit(0);
  int made = -ENOENT;
  for (size_t i = 0; i < names.size(); ++i) {
    if (mkdir(names[i], 0700) == 0) {
      made = static_cast<int>(i);
      break;
    }
    if (errno != EEXIST) {
      made = -errno;
      break;
    }
    made = -EEXIST;
  }
  while (write(report, &made, sizeof made) < 0 && errno == EINTR) {
  }
  close(report);
  if (made < 0) _exit(1);
  const char* dir = names[static_cast<size_t>(made)];
  const char* argv[] = {"rm", "-rf", "--", dir, nullptr};
  const char* envp[] = {nullptr};
  int sig = 0;
  while (sigwait(wake, &sig) != 0) {
  }
  // A worker of the dead parent may still be writing into the tree for a
  // moment (it dies by its own PR_SET_PDEATHSIG): remove, look, and try
  // again a few times.
  for (int attempt = 0; attempt < 20; ++attempt) {
    struct stat st;
    if (lstat(dir, &st) != 0) _exit(0);
    const pid_t rm = fork();
    if (rm == 0) {
      execve("/bin/rm", const_cast<char* const*>(argv), const_cast<char* const*>(envp));
      execve("/usr/bin/rm", const_cast<char* const*>(argv), const_cast<char* const*>(envp));
      _exit(1);
    }
    if (rm > 0) {
      while (waitpid(rm, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    if (lstat(dir, &st) != 0) _exit(0);
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, nullptr);
  }
  _exit(1);
}

}  // namespace

Result<std::unique_ptr<TempTree>> TempTree::CreateGuarded(const std::string& base) {
  // Everything the child needs is made before fork: a process with threads
  // (libgit2's) may only make async-signal-safe calls in a forked child.
  const std::vector<std::string> names = CandidateNames(base, 16);
  std::vector<const char*> name_ptrs;
  for (const std::string& n : names) name_ptrs.push_back(n.c_str());
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Error(std::string("cannot create a pipe for the temporary directory: ") +
                         std::strerror(errno));
  }
  const pid_t parent = getpid();
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, SIGUSR1);
  sigset_t old;
  // Blocked before fork, so a parent that dies at once is still noticed.
  pthread_sigmask(SIG_BLOCK, &wake, &old);
  const pid_t pid = fork();
  if (pid == 0) {
    // Hold none of the parent's descriptors but the report pipe: a worker's
    // job pipe kept open here would never show the worker its end (and the
    // parent, waiting for the worker to exit, would wait forever); nor a
    // pipe to a reader of sotinc's output.
    int report = fds[1];
    if (report != 3) {
      report = dup2(fds[1], 3);
      if (report < 0) _exit(1);
    }
    close_range(4, ~0U, 0);
    if (fds[0] < 3) close(fds[0]);
    RunJanitor(parent, name_ptrs, report, &wake);
  }
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    return Status::Error(std::string("cannot start the temporary directory's janitor: fork: ") +
                         std::strerror(fork_errno));
  }
  int made = 0;
  ssize_t n;
  while ((n = read(fds[0], &made, sizeof made)) < 0 && errno == EINTR) {
  }
  close(fds[0]);
  if (n != static_cast<ssize_t>(sizeof made) || made < 0) {
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    std::string why =
        n != static_cast<ssize_t>(sizeof made) ? "its janitor died" : std::strerror(-made);
    return Status::Error("cannot create a temporary directory in " + base + ": " + why +
                         " (set TMPDIR to a writable directory)");
  }
  std::unique_ptr<TempTree> tree(new TempTree(names[static_cast<size_t>(made)]));
  tree->janitor_ = pid;
  return tree;
}

TempTree::~TempTree() {
  RemoveTree(path_);
  if (janitor_ > 0) {
    kill(janitor_, SIGKILL);
    while (waitpid(janitor_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace sotinc
