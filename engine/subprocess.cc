// SubprocessRunner: the real ProcessRunner, built on fork + execve.
//
// Everything the child needs (argv, envp, the PATH candidates for argv[0])
// is built before fork(): between fork and exec the child may only make
// async-signal-safe calls, because another thread of ours may have held the
// malloc lock (or any other lock) at the moment of the fork.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <optional>

#include "engine/process.h"

namespace sotinc {
namespace {

using Clock = std::chrono::steady_clock;  // monotonic: wall-clock jumps must not fire timeouts

// How long we keep reading after the direct child has exited. Output that a
// command's children print right after it exits is still worth keeping, but a
// grandchild that holds the pipe open (a daemon, `sleep 30 &`) must not make
// the run wait for it, so after this the whole group is killed.
constexpr auto kGracePeriod = std::chrono::milliseconds(100);

// Without a pidfd we cannot sleep in poll() until the child exits, so we
// check on it at this interval instead.
constexpr int kExitPollMs = 10;

// Timeouts above this are treated as "no limit"; it also keeps the deadline
// arithmetic from overflowing Clock's representation.
constexpr int64_t kMaxTimeoutMs = int64_t{100} * 365 * 24 * 3600 * 1000;

constexpr size_t kReadChunk = size_t{64} * 1024;

// Owns one file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  // close() is not retried on EINTR: on Linux the descriptor is gone either
  // way, and retrying could close a descriptor another thread just opened.
  void reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// Keeps the first half and the last half of at most `cap` bytes of a stream;
// memory never exceeds `cap` however much is added.
class HeadTailBuffer {
 public:
  explicit HeadTailBuffer(size_t cap) : head_cap_(cap / 2), tail_cap_(cap - cap / 2) {}

  void Add(const char* data, size_t n) {
    total_ += n;
    size_t take = std::min(n, head_cap_ - head_.size());
    head_.append(data, take);
    data += take;
    n -= take;
    if (n == 0 || tail_cap_ == 0) return;
    if (n >= tail_cap_) {  // the chunk alone fills the tail
      ring_.assign(data + n - tail_cap_, tail_cap_);
      start_ = 0;
      len_ = tail_cap_;
      return;
    }
    if (ring_.size() != tail_cap_) ring_.resize(tail_cap_);  // allocated only once needed
    size_t write = (start_ + len_) % tail_cap_;
    size_t first = std::min(n, tail_cap_ - write);
    memcpy(&ring_[write], data, first);
    memcpy(&ring_[0], data + first, n - first);
    size_t overflow = len_ + n > tail_cap_ ? len_ + n - tail_cap_ : 0;
    start_ = (start_ + overflow) % tail_cap_;
    len_ = std::min(tail_cap_, len_ + n);
  }

  uint64_t dropped() const { return total_ - head_.size() - len_; }

  std::string Take() {
    std::string out = std::move(head_);
    size_t first = std::min(len_, tail_cap_ - start_);
    out.append(ring_, start_, first);
    out.append(ring_, 0, len_ - first);
    return out;
  }

 private:
  const size_t head_cap_;
  const size_t tail_cap_;
  std::string head_;
  std::string ring_;  // circular; the oldest kept byte is at start_
  size_t start_ = 0;
  size_t len_ = 0;
  uint64_t total_ = 0;
};

// What the child reports through the exec-error pipe when it cannot exec.
struct ChildError {
  enum Stage : int { kSetup, kChdir, kExec } stage;
  int err;
};

// Everything the child needs, prepared in the parent so that the child only
// indexes into memory that already exists.
struct ExecPlan {
  std::vector<std::string> env_strings;
  std::vector<char*> envp;
  std::vector<char*> argv;
  std::vector<std::string> candidates;  // where argv[0] may live, in PATH order
  // For a candidate that execve rejects with ENOEXEC (a script without `#!`),
  // execvp's fallback: run it with /bin/sh. Slot 1 is filled in by the child.
  std::vector<char*> sh_argv;
  const char* cwd = nullptr;
  int max_fd = 0;  // for the close() loop when close_range is unavailable
};

std::optional<std::string> FindEnv(const ProcessSpec& spec, const char* name) {
  for (const auto& [key, value] : spec.env) {
    if (key == name) return value;
  }
  return std::nullopt;
}

void BuildPlan(const ProcessSpec& spec, ExecPlan* plan) {
  for (const auto& [key, value] : spec.env) plan->env_strings.push_back(key + "=" + value);
  for (auto& s : plan->env_strings) plan->envp.push_back(s.data());
  plan->envp.push_back(nullptr);

  // execve never modifies its arguments; the casts only satisfy its signature.
  for (const auto& a : spec.argv) plan->argv.push_back(const_cast<char*>(a.c_str()));
  plan->argv.push_back(nullptr);

  const std::string& file = spec.argv[0];
  if (file.find('/') != std::string::npos) {
    plan->candidates.push_back(file);  // relative to cwd, as with execvp
  } else if (!file.empty()) {
    // The command's own PATH decides where it is found: the rule's env is
    // what the command sees, so lookup must agree with it.
    std::optional<std::string> path = FindEnv(spec, "PATH");
    if (!path) {
      const char* parent = getenv("PATH");
      path = parent ? parent : "/bin:/usr/bin";
    }
    size_t begin = 0;
    while (true) {
      size_t end = path->find(':', begin);
      std::string dir = path->substr(begin, end == std::string::npos ? end : end - begin);
      if (dir.empty()) dir = ".";  // POSIX: an empty PATH entry is the working directory
      plan->candidates.push_back(dir + "/" + file);
      if (end == std::string::npos) break;
      begin = end + 1;
    }
  }

  plan->sh_argv.push_back(const_cast<char*>("/bin/sh"));
  plan->sh_argv.push_back(nullptr);  // the script, set in the child
  for (size_t i = 1; i < spec.argv.size(); ++i) plan->sh_argv.push_back(plan->argv[i]);
  plan->sh_argv.push_back(nullptr);

  plan->cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str();
  struct rlimit rl;
  plan->max_fd = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
                     ? static_cast<int>(std::min<rlim_t>(rl.rlim_cur, INT_MAX))
                     : 65536;
}

// --- Child side: async-signal-safe calls only. ---

int RetryDup2(int from, int to) {
  int r;
  do r = dup2(from, to);
  while (r < 0 && errno == EINTR);
  return r;
}

[[noreturn]] void ChildFail(int err_fd, ChildError::Stage stage, int err) {
  ChildError e{stage, err};
  ssize_t r;
  do r = write(err_fd, &e, sizeof e);  // < PIPE_BUF, so written whole or not at all
  while (r < 0 && errno == EINTR);
  _exit(127);
}

void CloseFdsFrom(int low, int high, int max_fd) {
  if (low > high) return;
  if (close_range(static_cast<unsigned>(low), static_cast<unsigned>(high), 0) == 0) return;
  for (int fd = low; fd <= std::min(high, max_fd); ++fd) close(fd);
}

[[noreturn]] void RunChild(ExecPlan* plan, int null_fd, int out_fd, int err_fd) {
  // A group of its own lets us kill the command together with everything it
  // started (a shell's pipeline, a test runner's workers) in one kill(-pgid).
  if (setpgid(0, 0) < 0) ChildFail(err_fd, ChildError::kSetup, errno);

  // Ignored signals and the signal mask survive exec. The parent may ignore
  // SIGPIPE or block SIGTERM for its own reasons; the command must start with
  // defaults. Dispositions are reset before unblocking so that no handler of
  // the parent's ever runs in the child.
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  // (sigaction fails harmlessly for SIGKILL, SIGSTOP and libc's reserved ones.)
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);

  if (RetryDup2(null_fd, STDIN_FILENO) < 0 || RetryDup2(out_fd, STDOUT_FILENO) < 0 ||
      RetryDup2(out_fd, STDERR_FILENO) < 0) {
    ChildFail(err_fd, ChildError::kSetup, errno);
  }
  // Our own descriptors are O_CLOEXEC, but another thread or library may have
  // opened one without it; a stray write end of some pipe in a long-lived
  // grandchild would stall whoever reads that pipe. Keep only 0-2 and err_fd
  // (which closes itself at exec).
  CloseFdsFrom(3, err_fd - 1, plan->max_fd);
  CloseFdsFrom(err_fd + 1, INT_MAX, plan->max_fd);

  if (plan->cwd && chdir(plan->cwd) < 0) ChildFail(err_fd, ChildError::kChdir, errno);

  // execvp's search rules: skip directories where the file is missing, but
  // remember EACCES so that "exists but not executable" is what gets reported.
  int err = ENOENT;
  bool saw_eacces = false;
  bool hard_failure = false;
  for (auto& candidate : plan->candidates) {
    char* path = candidate.data();
    execve(path, plan->argv.data(), plan->envp.data());
    err = errno;
    if (err == ENOEXEC) {
      plan->sh_argv[1] = path;
      execve("/bin/sh", plan->sh_argv.data(), plan->envp.data());
      err = errno;
    }
    if (err == EACCES) {
      saw_eacces = true;
    } else if (err != ENOENT && err != ENOTDIR && err != ESTALE && err != ENODEV &&
               err != ETIMEDOUT) {
      hard_failure = true;  // a real failure of an existing file: report it, like execvp
      break;
    }
  }
  ChildFail(err_fd, ChildError::kExec, saw_eacces && !hard_failure ? EACCES : err);
}

// --- Parent side. ---

// Pipes and /dev/null must not land on 0-2: if the parent runs with a closed
// stdout, dup2(out, 1) in the child would be a no-op that leaves CLOEXEC set.
UniqueFd AboveStdio(int fd) {
  if (fd < 0 || fd > STDERR_FILENO) return UniqueFd(fd);
  UniqueFd low(fd);
  return UniqueFd(fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
}

// Owns a forked child: if Run() leaves early, the group is killed and the
// child reaped, so no path leaves a zombie or a stray command behind.
class Child {
 public:
  explicit Child(pid_t pid) : pid_(pid) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (!reaped_) {
      KillGroup();
      Reap();
    }
  }

  pid_t pid() const { return pid_; }

  // The pgid equals the child's pid. Called only while the child is unreaped:
  // a zombie still holds its pid, so the pgid cannot have been recycled.
  void KillGroup() { kill(-pid_, SIGKILL); }

  // True once the child has exited; leaves it a zombie (WNOWAIT) so that
  // KillGroup() stays safe until Reap().
  bool HasExited() {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int r;
    do r = waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT);
    while (r < 0 && errno == EINTR);
    if (r < 0) return true;  // ECHILD: someone (SIGCHLD = SIG_IGN) reaped it for us
    return info.si_pid == pid_;
  }

  // Blocks until the child is gone; returns its wait status, or nullopt if it
  // was reaped elsewhere.
  std::optional<int> Reap() {
    reaped_ = true;
    int status = 0;
    pid_t r;
    do r = waitpid(pid_, &status, 0);
    while (r < 0 && errno == EINTR);
    if (r != pid_) return std::nullopt;
    return status;
  }

 private:
  pid_t pid_;
  bool reaped_ = false;
};

// A pidfd becomes readable when the child exits, which lets poll() wait for
// "output or exit" at once instead of ticking. Linux >= 5.3; else invalid.
UniqueFd OpenPidFd(pid_t pid) {
#ifdef SYS_pidfd_open
  return UniqueFd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));  // always CLOEXEC
#else
  (void)pid;
  return UniqueFd();
#endif
}

int PollTimeoutMs(Clock::time_point now, std::optional<Clock::time_point> until) {
  if (!until) return -1;
  if (*until <= now) return 0;
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(*until - now).count();
  return static_cast<int>(std::min<int64_t>(ms, INT_MAX));
}

// Reads the exec-error pipe until the child writes a report or execs (EOF).
std::optional<ChildError> ReadChildError(int fd) {
  ChildError e;
  size_t got = 0;
  while (got < sizeof e) {
    ssize_t n = read(fd, reinterpret_cast<char*>(&e) + got, sizeof e - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  if (got != sizeof e) return std::nullopt;
  return e;
}

std::string DescribeSpawnError(const ProcessSpec& spec, const ChildError& e) {
  switch (e.stage) {
    case ChildError::kChdir:
      return "cannot change directory to " + spec.cwd + ": " + strerror(e.err);
    case ChildError::kExec:
      if (e.err == ENOENT) return "command not found: " + spec.argv[0];
      return "cannot run " + spec.argv[0] + ": " + strerror(e.err);
    case ChildError::kSetup:
      break;
  }
  return "cannot start " + spec.argv[0] + ": " + strerror(e.err);
}

ProcessOutcome SpawnFailed(std::string message) {
  ProcessOutcome outcome;
  outcome.spawn_failed = true;
  outcome.output = std::move(message);
  return outcome;
}

class SubprocessRunner : public ProcessRunner {
 public:
  ProcessOutcome Run(const ProcessSpec& spec) override;
  void set_spawn_observer(std::function<void(int pgid)> observer) override {
    observer_ = std::move(observer);
  }

 private:
  std::function<void(int pgid)> observer_;
};

ProcessOutcome SubprocessRunner::Run(const ProcessSpec& spec) {
  if (spec.argv.empty()) return SpawnFailed("empty command");
  ExecPlan plan;
  BuildPlan(spec, &plan);

  // Deadline counted from before the fork, so spawning is within the limit.
  std::optional<Clock::time_point> deadline;
  if (spec.timeout_ms > 0 && spec.timeout_ms <= kMaxTimeoutMs) {
    deadline = Clock::now() + std::chrono::milliseconds(spec.timeout_ms);
  }

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return SpawnFailed(std::string("pipe: ") + strerror(errno));
  UniqueFd out_r = AboveStdio(fds[0]), out_w = AboveStdio(fds[1]);
  if (pipe2(fds, O_CLOEXEC) < 0) return SpawnFailed(std::string("pipe: ") + strerror(errno));
  UniqueFd err_r = AboveStdio(fds[0]), err_w = AboveStdio(fds[1]);
  UniqueFd null_fd = AboveStdio(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!out_r.valid() || !out_w.valid() || !err_r.valid() || !err_w.valid() || !null_fd.valid()) {
    return SpawnFailed(std::string("cannot set up pipes: ") + strerror(errno));
  }

  // Block all signals across fork so that no handler of ours runs in the
  // child before it has reset the dispositions.
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  pid_t pid = fork();
  if (pid == 0) RunChild(&plan, null_fd.get(), out_w.get(), err_w.get());
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  if (pid < 0) return SpawnFailed(std::string("fork: ") + strerror(fork_errno));

  Child child(pid);
  // Also set the group from this side: otherwise a timeout that fires before
  // the child ran setpgid() would kill(-pid) a group that does not exist yet.
  // EACCES (the child already exec'd, hence already did it) is fine.
  setpgid(pid, pid);
  if (observer_) observer_(pid);
  out_w.reset();  // from here on, EOF means every writer in the group is gone
  err_w.reset();
  null_fd.reset();

  // Blocks until exec or its failure: the child does nothing slow before
  // exec, so this stays outside the timeout.
  if (std::optional<ChildError> e = ReadChildError(err_r.get())) {
    child.Reap();
    if (observer_) observer_(0);
    return SpawnFailed(DescribeSpawnError(spec, *e));
  }
  err_r.reset();

  UniqueFd pidfd = OpenPidFd(pid);
  HeadTailBuffer output(spec.output_cap);
  std::vector<char> buf(kReadChunk);
  bool eof = false;
  bool exited = false;
  bool timed_out = false;
  Clock::time_point grace_end;

  while (true) {
    Clock::time_point now = Clock::now();
    std::optional<Clock::time_point> until;
    if (exited) {
      if (eof || now >= grace_end) break;
      until = grace_end;
    } else {
      if (deadline && now >= *deadline) {
        timed_out = true;
        break;
      }
      until = deadline;
    }
    int timeout = PollTimeoutMs(now, until);
    if (!exited && !pidfd.valid() && (timeout < 0 || timeout > kExitPollMs)) timeout = kExitPollMs;

    pollfd pfds[2];
    nfds_t nfds = 0;
    int out_index = -1;
    if (!eof) {
      out_index = static_cast<int>(nfds);
      pfds[nfds++] = {out_r.get(), POLLIN, 0};
    }
    if (!exited && pidfd.valid()) pfds[nfds++] = {pidfd.get(), POLLIN, 0};
    int r = poll(pfds, nfds, timeout);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;  // cannot happen with valid fds; treat like the end of output
    }

    if (out_index >= 0 && pfds[out_index].revents != 0) {
      ssize_t n = read(out_r.get(), buf.data(), buf.size());
      if (n > 0) {
        output.Add(buf.data(), static_cast<size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        eof = true;
      }
    }
    if (!exited && child.HasExited()) {
      exited = true;
      grace_end = Clock::now() + kGracePeriod;
    }
  }

  // Whatever is left of the group (lingering or backgrounded children) goes
  // now: a check must not leave processes behind in the user's session.
  child.KillGroup();
  std::optional<int> status = child.Reap();
  if (observer_) observer_(0);

  ProcessOutcome outcome;
  outcome.timed_out = timed_out;
  if (status && WIFEXITED(*status)) {
    outcome.exit_code = WEXITSTATUS(*status);
  } else if (status && WIFSIGNALED(*status)) {
    outcome.signal = WTERMSIG(*status);
  }
  outcome.dropped_bytes = output.dropped();
  outcome.output = output.Take();
  return outcome;
}

}  // namespace

std::unique_ptr<ProcessRunner> NewSubprocessRunner() {
  return std::make_unique<SubprocessRunner>();
}

}  // namespace sotinc
