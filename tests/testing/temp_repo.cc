#include "tests/testing/temp_repo.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "gtest/gtest.h"

extern char** environ;

namespace sotinc {
namespace testing {
namespace {

namespace fs = std::filesystem;

// The child's environment (see the class comment), built before fork so
// that the child only calls async-signal-safe functions.
std::vector<std::string> ChildEnvironment(const std::string& home) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string var = *e;
    if (var.compare(0, 4, "GIT_") == 0 || var.compare(0, 5, "HOME=") == 0 ||
        var.compare(0, 16, "XDG_CONFIG_HOME=") == 0 || var.compare(0, 7, "LC_ALL=") == 0) {
      continue;
    }
    env.push_back(std::move(var));
  }
  env.push_back("HOME=" + home);
  env.push_back("XDG_CONFIG_HOME=" + home + "/.config");
  env.push_back("GIT_CONFIG_NOSYSTEM=1");
  env.push_back("LC_ALL=C");
  return env;
}

RunResult RunShell(const std::string& dir, const std::string& home, const std::string& cmd) {
  RunResult result;
  std::vector<std::string> env = ChildEnvironment(home);
  std::vector<char*> envp;
  for (std::string& var : env) envp.push_back(&var[0]);
  envp.push_back(nullptr);

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return result;
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return result;
  }
  pid_t pid = fork();
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0 ||
        chdir(dir.c_str()) != 0) {
      _exit(127);
    }
    const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
    execve("/bin/sh", const_cast<char* const*>(argv), envp.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  if (pid < 0) {
    close(out[0]);
    close(err[0]);
    return result;
  }
  // Drain both pipes together so that neither can fill up and block the child.
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  char buf[1 << 16];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& p : fds) {
    if (p.fd >= 0) close(p.fd);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string ShellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

}  // namespace

TempRepo::TempRepo() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/sotinc-test-XXXXXX";
  if (mkdtemp(&pattern[0]) == nullptr) {
    ADD_FAILURE() << "mkdtemp(" << pattern << "): " << std::strerror(errno);
    return;
  }
  // Canonical, so that paths compare equal to what git and libgit2 report
  // (TMPDIR may itself be a symlink).
  std::error_code ec;
  root_ = fs::canonical(pattern, ec).string();
  if (ec) root_ = pattern;
  path_ = root_ + "/repo";
  fs::create_directories(path_, ec);
  fs::create_directories(root_ + "/home", ec);
  Git("init -q -b main");
  Git("config user.name 'Sotinc Test'");
  Git("config user.email test@sotinc.invalid");
  Git("config commit.gpgsign false");
}

TempRepo::~TempRepo() {
  if (root_.empty()) return;
  std::error_code ec;
  fs::remove_all(root_, ec);
}

void TempRepo::WriteFile(const std::string& rel, const std::string& content) {
  fs::path file = fs::path(path_) / rel;
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::ofstream stream(file, std::ios::binary | std::ios::trunc);
  stream.write(content.data(), static_cast<std::streamsize>(content.size()));
  stream.close();
  if (!stream) ADD_FAILURE() << "cannot write " << file;
}

void TempRepo::RemoveFile(const std::string& rel) {
  std::error_code ec;
  fs::remove_all(fs::path(path_) / rel, ec);
  if (ec) ADD_FAILURE() << "cannot remove " << rel << ": " << ec.message();
}

std::string TempRepo::Git(const std::string& args) {
  RunResult r = Run("git " + args);
  if (r.exit_code != 0) {
    ADD_FAILURE() << "git " << args << " exited " << r.exit_code << ":\n" << r.err;
  }
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

void TempRepo::Stage(const std::string& rel) { Git("add -- " + ShellQuote(rel)); }

std::string TempRepo::Commit(const std::string& message) {
  Git("add -A");
  Git("commit -q --allow-empty -m " + ShellQuote(message));
  return Git("rev-parse HEAD");
}

RunResult TempRepo::Run(const std::string& cmd) { return RunShell(path_, root_ + "/home", cmd); }

namespace {

// (pid, command line) of every process whose command line holds `needle`.
std::vector<std::pair<pid_t, std::string>> FindProcesses(const std::string& needle) {
  std::vector<std::pair<pid_t, std::string>> found;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return found;
  while (dirent* e = readdir(proc)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    // read(2), not ifstream: a process that exits while we read makes
    // libstdc++'s filebuf throw (ESRCH).
    std::string cmdline;
    int fd = open((std::string("/proc/") + e->d_name + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
      cmdline.append(buf, static_cast<size_t>(n));
    close(fd);
    for (char& c : cmdline) {
      if (c == '\0') c = ' ';
    }
    if (cmdline.find(needle) != std::string::npos) {
      found.emplace_back(static_cast<pid_t>(std::atoi(e->d_name)), cmdline);
    }
  }
  closedir(proc);
  return found;
}

}  // namespace

std::string Sotinc(const TempRepo& repo, const std::string& args) {
  return std::string("'") + SOTINC_BINARY + "' -C '" + repo.path() + "' " + args;
}

std::vector<std::string> ProcessesWith(const std::string& needle) {
  std::vector<std::string> out;
  for (auto& [pid, cmdline] : FindProcesses(needle)) {
    if (pid != getpid()) out.push_back(cmdline);
  }
  return out;
}

std::vector<std::string> ProcessesLeftWith(const std::string& needle, int grace_ms) {
  std::vector<std::string> left = ProcessesWith(needle);
  for (int waited = 0; !left.empty() && waited < grace_ms; waited += 20) {
    usleep(20 * 1000);
    left = ProcessesWith(needle);
  }
  return left;
}

void KillProcessesWith(const std::string& needle) {
  for (auto& [pid, cmdline] : FindProcesses(needle)) {
    if (pid != getpid()) kill(pid, SIGKILL);
  }
}

}  // namespace testing
}  // namespace sotinc
