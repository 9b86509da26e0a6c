#include "engine/worker_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

namespace sotinc {
namespace {

// Larger messages are a bug (or a damaged pipe), never a real outcome.
constexpr uint32_t kMaxFrameBytes = 1u << 30;

// A worker's exit status when its start message is malformed (a bug).
constexpr int kBadStartExit = 70;

// What a worker publishes for the parent's watchdog, in shared memory.
struct SharedSlot {
  std::atomic<int64_t> unit_start_ms;  // steady clock; 0 = idle
  std::atomic<int32_t> unit;           // file index within the job; -1 = the whole rule
  std::atomic<int32_t> pgid;           // the command being run; 0 = none
};
static_assert(std::atomic<int64_t>::is_always_lock_free, "slots must be lock-free across fork");
static_assert(std::atomic<int32_t>::is_always_lock_free, "slots must be lock-free across fork");

int64_t SteadyMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

bool WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool ReadAll(int fd, char* p, size_t n) {
  while (n > 0) {
    ssize_t r = read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

// A frame is a 4-byte little-endian length and that many bytes.
bool WriteFrame(int fd, const std::string& payload) {
  if (payload.size() > kMaxFrameBytes) return false;
  uint32_t n = static_cast<uint32_t>(payload.size());
  char header[4] = {static_cast<char>(n & 0xff), static_cast<char>((n >> 8) & 0xff),
                    static_cast<char>((n >> 16) & 0xff), static_cast<char>((n >> 24) & 0xff)};
  return WriteAll(fd, header, 4) && WriteAll(fd, payload.data(), payload.size());
}

bool ReadFrame(int fd, std::string* payload) {
  unsigned char header[4];
  if (!ReadAll(fd, reinterpret_cast<char*>(header), 4)) return false;
  uint32_t n =
      header[0] | (header[1] << 8) | (header[2] << 16) | (static_cast<uint32_t>(header[3]) << 24);
  if (n > kMaxFrameBytes) return false;
  payload->resize(n);
  return ReadAll(fd, payload->data(), n);
}

class SlotProgress : public JobProgress {
 public:
  explicit SlotProgress(SharedSlot* slot) : slot_(slot) {}
  void Unit(int file) override {
    slot_->unit.store(file);
    slot_->unit_start_ms.store(SteadyMs());
  }

 private:
  SharedSlot* slot_;
};

void SetDisposition(int sig, void (*handler)(int)) {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigaction(sig, &sa, nullptr);
}

// What a worker is forked with: the rules its jobs may name, and its own
// source and process runner (the rest of JobEnv comes in the start message).
struct WorkerBase {
  const std::vector<const Rule*>* rules = nullptr;
  FileSource* source = nullptr;
  ProcessRunner* processes = nullptr;
};

[[noreturn]] void WorkerMain(const WorkerBase& base, pid_t parent, int in_fd, int out_fd,
                             SharedSlot* slot, uint64_t memory_limit) {
  // The parent's interrupt handler must not run here: signals are the
  // parent's to handle, and it kills us when it must.
  SetDisposition(SIGINT, SIG_DFL);
  SetDisposition(SIGTERM, SIG_DFL);
  SetDisposition(SIGPIPE, SIG_IGN);  // a dead parent shows as a failed write
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);
  if (memory_limit > 0) {
    struct rlimit limit = {memory_limit, memory_limit};
    setrlimit(RLIMIT_AS, &limit);
  }
  Status reopened = base.source->ReopenAfterFork();
  if (base.processes) {
    base.processes->set_spawn_observer([slot](int pgid) { slot->pgid.store(pgid); });
  }
  SlotProgress progress(slot);
  JobEnv env;
  env.source = base.source;
  env.processes = base.processes;
  Snapshot snapshot;
  bool started = false;
  std::string frame;
  while (ReadFrame(in_fd, &frame)) {
    if (!started) {
      // The first message is the run's start (EncodeJobStart); nothing
      // can be done without it.
      if (!DecodeJobStart(frame, *base.rules, &env, &snapshot)) _exit(kBadStartExit);
      started = true;
      continue;
    }
    Job job;
    JobOutcome outcome;
    if (!DecodeJob(frame, &job)) {
      outcome.status = Status::Error("internal: malformed job message");
    } else if (!reopened.ok()) {
      outcome.id = job.id;
      outcome.status = reopened;
    } else {
      progress.Unit(-1);
      const auto start = std::chrono::steady_clock::now();
      outcome = ExecuteJob(env, job, &progress);
      outcome.run_ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count();
    }
    slot->unit_start_ms.store(0);
    if (!WriteFrame(out_fd, EncodeOutcome(outcome))) break;
  }
  _exit(0);
}

std::string DescribeEnd(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    const char* abbrev = sigabbrev_np(sig);
    std::string text = "worker crashed: signal " + std::to_string(sig);
    if (abbrev) text += std::string(" (SIG") + abbrev + ")";
    if (sig == SIGKILL) text += ", killed from outside (the kernel's OOM killer does this)";
    return text;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == kBadStartExit) {
    return "internal: a worker could not read its start message";
  }
  if (WIFEXITED(status)) return "worker exited with status " + std::to_string(WEXITSTATUS(status));
  return "worker ended";
}

class WorkerPool : public Executor {
 public:
  explicit WorkerPool(const PoolOptions& options) : o_(options) {
    o_.workers = std::max(1, o_.workers);
    if (o_.rules != nullptr && o_.source != nullptr) {
      // Fork every worker now, while this process is small.
      universe_ = *o_.rules;
      base_ = WorkerBase{&universe_, o_.source, o_.processes};
      if (Open().ok()) {
        for (int i = 0; i < o_.workers; ++i) Spawn(i);
      }
    }
  }
  ~WorkerPool() override { Stop(); }

  int slots() const override { return o_.workers; }
  int in_flight() const override { return busy_; }

  // A worker's first job brings the run's start message, the whole snapshot
  // to decode (tens of milliseconds of CPU at 27,000 files): that is the
  // cost of a job given to a worker that has not had one, while one that
  // has is busy (docs/scheduling.md).
  double StartCostMs() const override {
    bool any_primed = false;
    for (const Worker& w : workers_) {
      if (w.primed && w.pid >= 0) {
        if (!w.busy) return 0;
        any_primed = true;
      }
    }
    return any_primed ? prime_ms_ : 0;
  }

  std::vector<JobOutcome> WaitFor(double max_ms) override {
    const int64_t deadline = SteadyMs() + static_cast<int64_t>(std::max(1.0, max_ms));
    while (ready_.empty() && busy_ > 0 && interrupted_ == 0) {
      const int64_t left = deadline - SteadyMs();
      if (left <= 0) break;
      Poll(static_cast<int>(left));
    }
    std::vector<JobOutcome> out;
    out.swap(ready_);
    return out;
  }

  Status Start(const JobEnv& env) override {
    env_ = &env;
    if (base_.rules == nullptr) {
      // Not forked in advance: the workers get this run's rules and
      // objects, and are forked when there is work for them.
      universe_ = env.rules;
      base_ = WorkerBase{&universe_, env.source, env.processes};
    }
    start_message_.clear();  // encoded when a worker first needs it
    prime_ms_ = std::max(kMinPrimeMs,
                         o_.start_ms_per_file * static_cast<double>(env.snapshot->files.size()));
    if (!opened_) {
      if (Status s = Open(); !s.ok()) return s;
    }
    // The first worker now (if it is not running), so that a failure to
    // fork is the run's error; the others when there is work for them.
    if (workers_[0].pid < 0) {
      if (Status s = Spawn(0); !s.ok()) return s;
    }
    // It gets the start message at once and decodes it while the caller
    // goes on (a failed write shows at its first job).
    Worker& first = workers_[0];
    if (!first.busy && !first.primed) Prime(&first);
    return Status::Ok();
  }

  void Submit(const Job& job) override {
    // An idle worker that has the start message, else one that is running,
    // else one not started yet.
    size_t pick = workers_.size();
    for (size_t i = 0; i < workers_.size() && pick == workers_.size(); ++i) {
      if (!workers_[i].busy && workers_[i].pid >= 0 && workers_[i].primed) pick = i;
    }
    for (size_t i = 0; i < workers_.size() && pick == workers_.size(); ++i) {
      if (!workers_[i].busy && workers_[i].pid >= 0) pick = i;
    }
    for (size_t i = 0; i < workers_.size() && pick == workers_.size(); ++i) {
      if (!workers_[i].busy) {
        pick = i;
        if (workers_[i].pid < 0) Spawn(static_cast<int>(i));
      }
    }
    for (size_t i = pick; i < workers_.size(); ++i) {
      Worker& w = workers_[i];
      w.busy = true;
      w.job = job;
      w.start_ms = o_.clock->NowMs();
      shared_[i].unit.store(-1);
      shared_[i].unit_start_ms.store(SteadyMs());
      ++busy_;
      bool sent = w.pid >= 0 && (w.primed || Prime(&w));
      if (!sent || !WriteFrame(w.to, EncodeJob(job))) {
        // The worker was gone before it got the job (or none could start).
        Finish(static_cast<int>(i), Status::Error(w.pid < 0 ? spawn_error_ : Ended(i)));
      }
      return;
    }
  }

  std::vector<JobOutcome> Wait() override {
    while (ready_.empty() && busy_ > 0 && interrupted_ == 0) Poll();
    std::vector<JobOutcome> out;
    out.swap(ready_);
    return out;
  }

  void Stop() override {
    if (!started_) return;
    started_ = false;
    for (size_t i = 0; i < workers_.size(); ++i) {
      Worker& w = workers_[i];
      if (w.pid < 0) continue;
      if (w.busy) {
        Kill(static_cast<int>(i));
        continue;
      }
      close(w.to);  // an idle worker exits at the end of its input
      w.to = -1;
      waitpid(w.pid, nullptr, 0);
      close(w.from);
      w.from = -1;
      w.pid = -1;
    }
    sigaction(SIGPIPE, &old_pipe_, nullptr);
    munmap(shared_, shared_bytes_);
    shared_ = nullptr;
    opened_ = false;
  }

 private:
  struct Worker {
    pid_t pid = -1;
    int to = -1;    // jobs, parent -> worker
    int from = -1;  // outcomes, worker -> parent
    bool busy = false;
    bool primed = false;  // has the start message
    Job job;
    double start_ms = 0;
  };

  // The shared slots, SIGPIPE ignored, the worker table.
  Status Open() {
    size_t bytes = sizeof(SharedSlot) * static_cast<size_t>(o_.workers);
    void* mem = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
      return SpawnError(std::string("cannot map worker slots: ") + std::strerror(errno));
    }
    shared_ = static_cast<SharedSlot*>(mem);
    shared_bytes_ = bytes;
    for (int i = 0; i < o_.workers; ++i) new (&shared_[i]) SharedSlot{{0}, {-1}, {0}};
    struct sigaction ignore;
    std::memset(&ignore, 0, sizeof ignore);
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old_pipe_);
    opened_ = true;
    started_ = true;
    workers_.resize(static_cast<size_t>(o_.workers));
    return Status::Ok();
  }

  Status Spawn(int i) {
    int jobs[2], outcomes[2];
    if (pipe2(jobs, O_CLOEXEC) < 0) return SpawnError(std::string("pipe: ") + strerror(errno));
    if (pipe2(outcomes, O_CLOEXEC) < 0) {
      close(jobs[0]);
      close(jobs[1]);
      return SpawnError(std::string("pipe: ") + strerror(errno));
    }
    shared_[i].unit_start_ms.store(0);
    shared_[i].pgid.store(0);
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
      // Only this worker's own ends stay open: another worker holding our
      // job pipe would keep us from seeing its end.
      for (const Worker& other : workers_) {
        if (other.to >= 0) close(other.to);
        if (other.from >= 0) close(other.from);
      }
      close(jobs[1]);
      close(outcomes[0]);
      WorkerMain(base_, parent, jobs[0], outcomes[1], &shared_[i], o_.memory_limit);
    }
    int fork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    close(jobs[0]);
    close(outcomes[1]);
    if (pid < 0) {
      close(jobs[1]);
      close(outcomes[0]);
      return SpawnError(std::string("fork: ") + strerror(fork_errno));
    }
    setpgid(pid, pid);
    Worker& w = workers_[static_cast<size_t>(i)];
    w.pid = pid;
    w.to = jobs[1];
    w.from = outcomes[0];
    w.primed = false;
    return Status::Ok();
  }

  Status SpawnError(std::string message) {
    spawn_error_ = "cannot start a worker process: " + message;
    return Status::Error(spawn_error_);
  }

  // Kills worker i and the command group it published, and reaps it.
  // Returns its wait status.
  int Kill(int i) {
    Worker& w = workers_[static_cast<size_t>(i)];
    int status = 0;
    if (w.pid < 0) return status;
    int pgid = shared_[i].pgid.load();
    // The command's group first: while the worker lives, the command is its
    // unreaped child, so the group id cannot have been reused.
    if (pgid > 0) kill(-pgid, SIGKILL);
    kill(w.pid, SIGKILL);
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (pgid > 0) kill(-pgid, SIGKILL);
    Close(i);
    return status;
  }

  // Reaps worker i after it closed its end (it died) and kills the command
  // group it may have left. Returns why it ended.
  std::string Ended(size_t i) {
    Worker& w = workers_[i];
    int status = 0;
    int pgid = shared_[i].pgid.load();
    if (pgid > 0) kill(-pgid, SIGKILL);
    kill(w.pid, SIGKILL);  // a worker that closed its pipe but lingers
    while (waitpid(w.pid, &status, 0) < 0 && errno == EINTR) {
    }
    Close(static_cast<int>(i));
    return DescribeEnd(status);
  }

  void Close(int i) {
    Worker& w = workers_[static_cast<size_t>(i)];
    if (w.to >= 0) close(w.to);
    if (w.from >= 0) close(w.from);
    w.to = w.from = -1;
    w.pid = -1;
  }

  // "while running RULE on PATH": what worker i was doing.
  std::string Doing(int i) const {
    const Worker& w = workers_[static_cast<size_t>(i)];
    std::string text = " while running ";
    text += w.job.rule < env_->rules.size() ? env_->rules[w.job.rule]->id : "?";
    int unit = shared_[i].unit.load();
    if (unit >= 0 && static_cast<size_t>(unit) < w.job.files.size()) {
      text += " on " + env_->snapshot->files[w.job.files[static_cast<size_t>(unit)].index].path;
    }
    return text;
  }

  // Ends worker i's job with `status` (it did not deliver an outcome) and
  // replaces the worker.
  void Finish(int i, Status status) {
    Worker& w = workers_[static_cast<size_t>(i)];
    JobOutcome outcome;
    outcome.id = w.job.id;
    outcome.status = std::move(status);
    Deliver(i, std::move(outcome));
    if (w.pid < 0 && started_) Spawn(i);  // a failure shows at the next Submit
  }

  void Deliver(int i, JobOutcome outcome) {
    Worker& w = workers_[static_cast<size_t>(i)];
    outcome.worker = i;
    outcome.start_ms = w.start_ms;
    outcome.end_ms = o_.clock->NowMs();
    w.busy = false;
    --busy_;
    ready_.push_back(std::move(outcome));
  }

  // Waits for outcomes (at most `max_ms`, when not negative).
  void Poll(int max_ms = -1) {
    std::vector<pollfd> fds;
    std::vector<int> owner;
    int64_t now = SteadyMs();
    int timeout = max_ms;
    for (size_t i = 0; i < workers_.size(); ++i) {
      const Worker& w = workers_[i];
      if (!w.busy) continue;
      fds.push_back({w.from, POLLIN, 0});
      owner.push_back(static_cast<int>(i));
      int64_t start = shared_[i].unit_start_ms.load();
      if (w.job.timeout_ms > 0 && start > 0) {
        int64_t left = start + w.job.timeout_ms + o_.grace_ms - now;
        left = std::max<int64_t>(0, std::min<int64_t>(left, 60000));
        if (timeout < 0 || left < timeout) timeout = static_cast<int>(left);
      }
    }
    if (o_.interrupts) {
      fds.push_back({o_.interrupts->fd(), POLLIN, 0});
      owner.push_back(-1);
    }
    int r = poll(fds.data(), fds.size(), timeout);
    if (o_.interrupts && o_.interrupts->signal() != 0) {
      interrupted_ = o_.interrupts->signal();
      for (size_t i = 0; i < workers_.size(); ++i) {
        if (workers_[i].busy) Kill(static_cast<int>(i));
      }
      return;
    }
    if (r < 0) return;  // EINTR: look again
    for (size_t k = 0; k < fds.size(); ++k) {
      int i = owner[k];
      if (i < 0 || fds[k].revents == 0) continue;
      std::string frame;
      JobOutcome outcome;
      if (ReadFrame(workers_[static_cast<size_t>(i)].from, &frame) &&
          DecodeOutcome(frame, &outcome)) {
        Deliver(i, std::move(outcome));
      } else {
        std::string doing = Doing(i);
        Finish(i, Status::Error(Ended(static_cast<size_t>(i)) + doing));
      }
    }
    now = SteadyMs();
    for (size_t i = 0; i < workers_.size(); ++i) {
      const Worker& w = workers_[i];
      int64_t start = shared_[i].unit_start_ms.load();
      if (!w.busy || w.job.timeout_ms <= 0 || start <= 0) continue;
      if (now - start <= w.job.timeout_ms + o_.grace_ms) continue;
      std::string doing = Doing(static_cast<int>(i));
      Kill(static_cast<int>(i));
      Finish(static_cast<int>(i),
             Status::Error("timed out after " + FormatTimeout(w.job.timeout_ms) + doing));
    }
  }

  // Sends the start message to `w`. It is the whole snapshot (31 MB at L),
  // so it is encoded when a worker needs it and let go once every worker
  // has it; a worker started again after a crash or a timeout has it
  // encoded again.
  bool Prime(Worker* w) {
    if (start_message_.empty()) start_message_ = EncodeJobStart(*env_, universe_);
    w->primed = WriteFrame(w->to, start_message_);
    bool all = true;
    for (const Worker& other : workers_) all = all && other.pid >= 0 && other.primed;
    if (all) std::string().swap(start_message_);
    return w->primed;
  }

  PoolOptions o_;
  const JobEnv* env_ = nullptr;
  std::vector<const Rule*> universe_;  // what Job::rule-s index in the workers
  WorkerBase base_;
  std::string start_message_;
  bool opened_ = false;
  SharedSlot* shared_ = nullptr;
  size_t shared_bytes_ = 0;
  std::vector<Worker> workers_;
  std::vector<JobOutcome> ready_;
  std::string spawn_error_;
  struct sigaction old_pipe_;
  int busy_ = 0;
  int interrupted_ = 0;
  bool started_ = false;
  static constexpr double kMinPrimeMs = 5;
  double prime_ms_ = kMinPrimeMs;  // StartCostMs() of this run
};

}  // namespace

std::string FormatTimeout(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::unique_ptr<Executor> NewWorkerPool(const PoolOptions& options) {
  return std::make_unique<WorkerPool>(options);
}

}  // namespace sotinc
