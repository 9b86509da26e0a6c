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
  std::string pattern = base + "/sotinc-run.XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    return Status::Error("cannot create a temporary directory in " + pattern + ": " +
                         std::strerror(errno));
  }
  std::unique_ptr<TempTree> tree(new TempTree(buf.data()));
  if (parent.empty()) tree->StartJanitor();
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

void TempTree::StartJanitor() {
  // Everything the child needs is made before fork: a process with threads
  // (libgit2's) may only make async-signal-safe calls in a forked child.
  const pid_t parent = getpid();
  const char* argv[] = {"rm", "-rf", "--", path_.c_str(), nullptr};
  const char* envp[] = {nullptr};
  sigset_t wake;
  sigemptyset(&wake);
  sigaddset(&wake, SIGUSR1);
  sigset_t old;
  // Blocked before fork, so a parent that dies at once is still noticed.
  pthread_sigmask(SIG_BLOCK, &wake, &old);
  const pid_t pid = fork();
  if (pid == 0) {
    // Hold none of the parent's descriptors: a worker's job pipe kept open
    // here would never show the worker its end (and the parent, waiting
    // for the worker to exit, would wait forever); nor a pipe to a reader
    // of sotinc's output.
    close_range(3, ~0U, 0);
    // Interrupts are the parent's to handle; it removes the tree and then
    // ends the janitor itself.
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    prctl(PR_SET_PDEATHSIG, SIGUSR1);
    if (getppid() == parent) {
      int sig = 0;
      while (sigwait(&wake, &sig) != 0) {
      }
    }
    // A worker of the dead parent may still be writing into the tree for a
    // moment (it dies by its own PR_SET_PDEATHSIG): remove, look, and try
    // again a few times. Only async-signal-safe calls here.
    for (int attempt = 0; attempt < 20; ++attempt) {
      struct stat st;
      if (lstat(argv[3], &st) != 0) _exit(0);
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
      if (lstat(argv[3], &st) != 0) _exit(0);
      struct timespec pause = {0, 50 * 1000 * 1000};
      nanosleep(&pause, nullptr);
    }
    _exit(1);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid > 0) janitor_ = pid;
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
