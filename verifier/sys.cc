#include "verifier/sys.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <tuple>

extern char** environ;

namespace iptsim::verifier {
namespace {

using Clock = std::chrono::steady_clock;

int MsLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

bool IsExecutable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// In a freshly forked child: restore the default signal state, join the
// namespace, die with the parent.  Returns false (errno set) if setns fails.
bool PrepareChild(int netns_fd) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  signal(SIGPIPE, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) != 0) return false;
  return true;
}

void WriteAll(int fd, const char* s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w <= 0) return;
    s += w;
    n -= static_cast<size_t>(w);
  }
}

void CloseFd(int* fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

}  // namespace

std::string FindProgram(std::string_view name) {
  if (name.find('/') != std::string_view::npos) {
    std::string p(name);
    return IsExecutable(p) ? p : std::string();
  }
  std::string dirs;
  if (const char* path = getenv("PATH")) dirs = path;
  dirs += ":/usr/sbin:/sbin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty()) {
      std::string p = dir + "/" + std::string(name);
      if (IsExecutable(p)) return p;
    }
    start = end + 1;
  }
  return {};
}

std::string RunResult::Describe(const std::vector<std::string>& argv) const {
  std::string s;
  for (const std::string& a : argv) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  s += ": ";
  std::string e = err;
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  if (!error.empty()) {
    s += error;
    if (!e.empty()) s += ": " + e;
  } else if (!e.empty()) {
    s += e;
  } else {
    s += "exit status " + std::to_string(exit_code);
  }
  return s;
}

bool WaitChild(pid_t pid, int timeout_ms, int* status) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  int delay_us = 200;
  for (;;) {
    pid_t r = waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) return false;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    if (delay_us < 20000) delay_us *= 2;
  }
}

RunResult RunCommand(const std::vector<std::string>& argv, std::string_view input,
                     int netns_fd, int timeout_ms) {
  RunResult res;
  if (argv.empty()) {
    res.error = "empty command";
    return res;
  }
  std::string path = FindProgram(argv[0]);
  if (path.empty()) {
    res.error = "program not found";
    return res;
  }
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  int in[2], out[2], err[2];
  // stdin is a socket so that writing to a child that already exited gives
  // EPIPE through MSG_NOSIGNAL instead of a SIGPIPE.
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    res.error = std::string("socketpair: ") + strerror(errno);
    return res;
  }
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    res.error = std::string("pipe: ") + strerror(errno);
    close(in[0]);
    close(in[1]);
    return res;
  }
  pid_t pid = fork();
  if (pid < 0) {
    res.error = std::string("fork: ") + strerror(errno);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    return res;
  }
  if (pid == 0) {
    dup2(in[1], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    if (!PrepareChild(netns_fd)) {
      WriteAll(2, "setns failed\n");
      _exit(126);
    }
    execve(path.c_str(), cargv.data(), environ);
    WriteAll(2, "exec failed\n");
    _exit(127);
  }
  close(in[1]);
  close(out[1]);
  close(err[1]);
  int in_fd = in[0], out_fd = out[0], err_fd = err[0];
  fcntl(in_fd, F_SETFL, O_NONBLOCK);
  if (input.empty()) shutdown(in_fd, SHUT_WR);
  size_t written = 0;
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  bool timed_out = false;
  while (out_fd >= 0 || err_fd >= 0) {
    pollfd fds[3];
    int n = 0;
    int in_idx = -1, out_idx = -1, err_idx = -1;
    if (in_fd >= 0 && written < input.size()) {
      in_idx = n;
      fds[n++] = {in_fd, POLLOUT, 0};
    }
    if (out_fd >= 0) {
      out_idx = n;
      fds[n++] = {out_fd, POLLIN, 0};
    }
    if (err_fd >= 0) {
      err_idx = n;
      fds[n++] = {err_fd, POLLIN, 0};
    }
    int left = MsLeft(deadline);
    if (left == 0) {
      timed_out = true;
      break;
    }
    int r = poll(fds, n, left);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    if (in_idx >= 0 && fds[in_idx].revents) {
      ssize_t w = send(in_fd, input.data() + written, input.size() - written, MSG_NOSIGNAL);
      if (w > 0) written += static_cast<size_t>(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();  // child stopped reading
      if (written == input.size()) shutdown(in_fd, SHUT_WR);
    }
    char buf[4096];
    for (auto [idx, fd, sink] : {std::tuple{out_idx, &out_fd, &res.out},
                                 std::tuple{err_idx, &err_fd, &res.err}}) {
      if (idx < 0 || !fds[idx].revents) continue;
      ssize_t got = read(*fd, buf, sizeof buf);
      if (got > 0) {
        sink->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(fd);
      }
    }
  }
  CloseFd(&in_fd);
  CloseFd(&out_fd);
  CloseFd(&err_fd);
  int status = 0;
  if (timed_out || !WaitChild(pid, std::max(MsLeft(deadline), 100), &status)) {
    kill(pid, SIGKILL);
    WaitChild(pid, 2000, &status);
    res.error = "timed out after " + std::to_string(timeout_ms) + " ms";
    return res;
  }
  if (WIFEXITED(status)) {
    res.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res.error = std::string("killed by signal ") + strsignal(WTERMSIG(status));
  }
  return res;
}

Status RunInChild(int netns_fd, int timeout_ms, const ChildFn& fn) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return Status::Error(std::string("pipe: ") + strerror(errno));
  struct Report {
    int code;
    const char* what;
  };
  pid_t pid = fork();
  if (pid < 0) {
    close(p[0]);
    close(p[1]);
    return Status::Error(std::string("fork: ") + strerror(errno));
  }
  if (pid == 0) {
    close(p[0]);
    Report rep{0, nullptr};
    if (!PrepareChild(netns_fd)) {
      rep = {errno, "setns"};
    } else {
      rep.code = fn(&rep.what);
    }
    // The `what` pointer names static storage of this very executable image,
    // which the parent shares (fork without exec).
    if (write(p[1], &rep, sizeof rep) != sizeof rep) _exit(2);
    _exit(rep.code == 0 ? 0 : 1);
  }
  close(p[1]);
  int status = 0;
  Report rep{-1, nullptr};
  pollfd pfd{p[0], POLLIN, 0};
  bool got = poll(&pfd, 1, timeout_ms) > 0 && read(p[0], &rep, sizeof rep) == sizeof rep;
  close(p[0]);
  if (!WaitChild(pid, got ? timeout_ms : 0, &status)) {
    kill(pid, SIGKILL);
    WaitChild(pid, 2000, &status);
    return Status::Error("timed out after " + std::to_string(timeout_ms) + " ms");
  }
  if (!got) return Status::Error("child process failed");
  if (rep.code == 0) return {};
  std::string msg = rep.what ? rep.what : "child";
  return Status::Error(msg + ": " + strerror(rep.code));
}

BackgroundChild StartBackground(const std::vector<std::string>& argv, int netns_fd,
                                std::string* error) {
  BackgroundChild child;
  std::string path = argv.empty() ? std::string() : FindProgram(argv[0]);
  if (path.empty()) {
    *error = (argv.empty() ? std::string("(none)") : argv[0]) + ": program not found";
    return child;
  }
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + strerror(errno);
    return child;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + strerror(errno);
    close(out[0]);
    close(out[1]);
    return child;
  }
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + strerror(errno);
    for (int fd : {out[0], out[1], err[0], err[1], devnull}) close(fd);
    return child;
  }
  if (pid == 0) {
    if (devnull >= 0) dup2(devnull, 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    if (!PrepareChild(netns_fd)) {
      WriteAll(2, "setns failed\n");
      _exit(126);
    }
    execve(path.c_str(), cargv.data(), environ);
    WriteAll(2, "exec failed\n");
    _exit(127);
  }
  if (devnull >= 0) close(devnull);
  close(out[1]);
  close(err[1]);
  child.pid = pid;
  child.out_fd = out[0];
  child.err_fd = err[0];
  return child;
}

void StopBackground(BackgroundChild* child, int sig, int timeout_ms) {
  if (child->pid > 0) {
    int status;
    kill(child->pid, sig);
    if (!WaitChild(child->pid, timeout_ms, &status)) {
      kill(child->pid, SIGKILL);
      WaitChild(child->pid, 2000, &status);
    }
    child->pid = -1;
  }
  CloseFd(&child->out_fd);
  CloseFd(&child->err_fd);
}

bool ReadSmallFile(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[256];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  if (n < 0) return false;
  out->assign(buf, static_cast<size_t>(n));
  return true;
}

Status WriteSmallFile(const std::string& path, std::string_view value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::Error(path + ": " + strerror(errno));
  ssize_t n = write(fd, value.data(), value.size());
  int e = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size())) return Status::Error(path + ": " + strerror(e));
  return {};
}

}  // namespace iptsim::verifier
