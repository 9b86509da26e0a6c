#include "engine/interrupt.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sotinc {
namespace {

volatile sig_atomic_t g_signal = 0;
int g_pipe[2] = {-1, -1};
bool g_installed = false;
struct sigaction g_old_int, g_old_term;

void OnSignal(int sig) {
  int saved = errno;
  if (g_signal == 0) g_signal = sig;
  char byte = 1;
  ssize_t ignored = write(g_pipe[1], &byte, 1);  // non-blocking; a full pipe is fine
  (void)ignored;
  errno = saved;
}

}  // namespace

Result<std::unique_ptr<InterruptWatch>> InterruptWatch::Install() {
  if (g_installed) return Status::Error("internal: an interrupt watch is already installed");
  if (pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
    return Status::Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  g_signal = 0;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking call returns EINTR
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
  g_installed = true;
  return std::unique_ptr<InterruptWatch>(new InterruptWatch());
}

InterruptWatch::~InterruptWatch() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  close(g_pipe[0]);
  close(g_pipe[1]);
  g_pipe[0] = g_pipe[1] = -1;
  g_installed = false;
}

int InterruptWatch::fd() const { return g_pipe[0]; }

int InterruptWatch::signal() const { return g_signal; }

}  // namespace sotinc
