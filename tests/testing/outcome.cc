#include "tests/testing/outcome.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"

extern char** environ;

namespace sotinc {
namespace testing {

namespace fs = std::filesystem;

std::string Outcome::Canonical() const {
  std::string s = "exit " + std::to_string(exit_code) + "\n";
  for (const auto& [id, r] : rules) s += id + " " + r + "\n";
  return s;
}

Outcome ParseOutcome(int exit_code, const std::string& out, const std::string& err) {
  Outcome o;
  o.exit_code = exit_code;
  o.err = err;
  try {
    YAML::Node doc = YAML::Load(out);
    o.cached = doc["summary"]["cached"].as<int>();
    o.ran = doc["summary"]["ran"].as<int>();
    for (const YAML::Node& r : doc["results"]) {
      std::string text = r["status"].as<std::string>();
      if (r["reason"]) text += " reason=" + r["reason"].as<std::string>();
      for (const YAML::Node& f : r["findings"]) {
        text += " [";
        if (f["path"]) text += f["path"].as<std::string>();
        if (f["line"]) text += ":" + f["line"].as<std::string>();
        if (f["column"]) text += ":" + f["column"].as<std::string>();
        text += " " + f["message"].as<std::string>() + "]";
      }
      o.rules[r["id"].as<std::string>()] = text;
    }
    o.parsed = true;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot parse the JSON report (" << e.what() << "):\n"
                  << out.substr(0, 4000) << err.substr(0, 4000);
  }
  return o;
}

Outcome Check(TempRepo& repo, const std::string& args) {
  RunResult r = repo.Run(Sotinc(repo, "check --format json " + args));
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.exit_code << "\n" << r.err;
  return ParseOutcome(r.exit_code, r.out, r.err);
}

Outcome Fresh(TempRepo& repo, const std::string& args) {
  return Check(repo,
               "--no-cache --cache-dir " + Quote(Outside(repo) + "/fresh-cache") + " " + args);
}

std::ostream& operator<<(std::ostream& os, const UserState& s) {
  os << "HEAD " << s.head << ", index " << s.index.size() << " bytes"
     << (s.index_lock ? " (index.lock present)" : "") << ", stash [" << s.stash << "]\n";
  for (const auto& [path, what] : s.tree) os << "  " << path << ": " << what.substr(0, 80) << "\n";
  return os;
}

UserState CaptureUserState(TempRepo& repo) {
  UserState s;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(repo.path(), ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string rel = fs::relative(it->path(), repo.path()).string();
    if (rel == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st;
    if (lstat(it->path().c_str(), &st) != 0) continue;
    std::string what = std::to_string(st.st_mode) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
                       std::to_string(st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode)) what += " " + ReadWholeFile(it->path().string());
    if (S_ISLNK(st.st_mode)) what += " -> " + fs::read_symlink(it->path(), ec).string();
    s.tree[rel] = what;
  }
  s.index = ReadWholeFile(repo.path() + "/.git/index");
  s.index_lock = fs::exists(repo.path() + "/.git/index.lock", ec);
  s.stash = repo.Git("stash list");
  s.head = repo.Git("rev-parse HEAD");
  return s;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string Outside(const TempRepo& repo) { return fs::path(repo.path()).parent_path().string(); }

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteWholeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

pid_t StartSotinc(const TempRepo& repo, const std::vector<std::string>& args,
                  const std::string& tmpdir, const std::string& out_file,
                  const std::string& err_file) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string v = *e;
    if (v.rfind("GIT_", 0) == 0 || v.rfind("HOME=", 0) == 0 || v.rfind("TMPDIR=", 0) == 0 ||
        v.rfind("XDG_CONFIG_HOME=", 0) == 0 || v.rfind("LC_ALL=", 0) == 0) {
      continue;
    }
    env_strings.push_back(v);
  }
  std::string home = Outside(repo) + "/home";
  env_strings.push_back("HOME=" + home);
  env_strings.push_back("XDG_CONFIG_HOME=" + home);
  env_strings.push_back("GIT_CONFIG_NOSYSTEM=1");
  env_strings.push_back("LC_ALL=C");
  env_strings.push_back("TMPDIR=" + tmpdir);
  std::vector<std::string> argv_strings = {SOTINC_BINARY, "-C", repo.path()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv, envp;
  for (std::string& s : argv_strings) argv.push_back(&s[0]);
  argv.push_back(nullptr);
  for (std::string& s : env_strings) envp.push_back(&s[0]);
  envp.push_back(nullptr);
  const std::string out_path = out_file.empty() ? "/dev/null" : out_file;
  const std::string err_path = err_file.empty() ? "/dev/null" : err_file;
  pid_t pid = fork();
  if (pid == 0) {
    int in_fd = open("/dev/null", O_RDONLY);
    int out_fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in_fd < 0 || out_fd < 0 || err_fd < 0) _exit(127);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  if (pid < 0) ADD_FAILURE() << "fork: " << std::strerror(errno);
  return pid;
}

MeasuredRun RunMeasured(const TempRepo& repo, const std::vector<std::string>& args,
                        const std::string& tmpdir) {
  MeasuredRun m;
  const std::string out = Outside(repo) + "/measured.out";
  const std::string err = Outside(repo) + "/measured.err";
  auto start = std::chrono::steady_clock::now();
  pid_t pid = StartSotinc(repo, args, tmpdir, out, err);
  if (pid <= 0) return m;
  int status = 0;
  struct rusage usage = {};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  m.wall_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  m.max_rss_kb = usage.ru_maxrss;
  m.cpu_ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
             (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
  m.result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  m.result.out = ReadWholeFile(out);
  m.result.err = ReadWholeFile(err);
  return m;
}

bool RunDirLeftIn(const std::string& dir, int grace_ms) {
  auto has = [&dir]() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.path().filename().string().rfind("sotinc-run.", 0) == 0) return true;
    }
    return false;
  };
  for (int waited = 0; has(); waited += 20) {
    if (waited >= grace_ms) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace testing
}  // namespace sotinc
