#include "verifier/kmsg.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "base/mac.h"
#include "verifier/lab.h"
#include "verifier/sys.h"

namespace iptsim::verifier {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Not ParseUIntDec: a kernel log number past 2^64 wraps here instead of being refused.
bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  *out = v;
  return true;
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Whether to stop waiting: the settle rules of one read.
class SettleClock {
 public:
  explicit SettleClock(const Settle& s) : s_(s), start_(Clock::now()), last_(start_) {}
  void Kept() { last_ = Clock::now(); }
  // Milliseconds to wait for more, or 0 to stop.
  int WaitMs() const {
    auto now = Clock::now();
    auto end = std::min(start_ + s_.deadline, std::max(last_ + s_.quiet, start_ + s_.min_wait));
    if (now >= end) return 0;
    return static_cast<int>(std::chrono::duration_cast<milliseconds>(end - now).count()) + 1;
  }

 private:
  Settle s_;
  Clock::time_point start_, last_;
};

}  // namespace

bool ParseKmsgRecord(std::string_view raw, KmsgRecord* out) {
  size_t semi = raw.find(';');
  if (semi == std::string_view::npos) return false;
  std::string_view head = raw.substr(0, semi);
  std::string_view fields[3];
  for (int i = 0; i < 3; ++i) {
    size_t comma = head.find(',');
    fields[i] = head.substr(0, comma);
    head = comma == std::string_view::npos ? std::string_view() : head.substr(comma + 1);
  }
  uint64_t prio;
  if (!ParseU64(fields[0], &prio) || !ParseU64(fields[1], &out->seq) ||
      !ParseU64(fields[2], &out->usec)) {
    return false;
  }
  out->level = static_cast<int>(prio & 7);
  std::string_view body = raw.substr(semi + 1);
  body = body.substr(0, body.find('\n'));  // continuation lines (" KEY=value") dropped
  out->text.clear();
  for (size_t i = 0; i < body.size(); ++i) {
    // /dev/kmsg writes unprintable bytes (and the backslash) as \xNN.
    if (body[i] == '\\' && i + 3 < body.size() && body[i + 1] == 'x' &&
        HexDigitValue(body[i + 2]) >= 0 && HexDigitValue(body[i + 3]) >= 0) {
      out->text.push_back(static_cast<char>(HexDigitValue(body[i + 2]) << 4 | HexDigitValue(body[i + 3])));
      i += 3;
    } else {
      out->text.push_back(body[i]);
    }
  }
  return true;
}

bool IsLabLogLine(std::string_view text, const std::vector<std::string>& devices) {
  // nf_log prints "IN=<in> OUT=<out> " right after the prefix (TRACE's
  // "TRACE: t:c:x:n " or LOG's --log-prefix, at most 29 characters and
  // possibly without a trailing space).  A prefix may itself contain "IN=":
  // try each occurrence within reach of the longest prefix.
  constexpr size_t kMaxPrefix = 160;
  for (size_t p = text.find("IN="); p != std::string_view::npos && p <= kMaxPrefix;
       p = text.find("IN=", p + 1)) {
    std::string_view rest = text.substr(p + 3);
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) break;
    std::string_view in = rest.substr(0, sp);
    rest = rest.substr(sp + 1);
    if (rest.substr(0, 4) != "OUT=") continue;
    rest = rest.substr(4);
    sp = rest.find(' ');
    std::string_view out = rest.substr(0, sp);
    if (in.empty() && out.empty()) continue;
    if ((in.empty() || Contains(devices, in)) && (out.empty() || Contains(devices, out))) {
      return true;
    }
  }
  return false;
}

KmsgReader::~KmsgReader() {
  if (fd_ >= 0) close(fd_);
}

std::string KmsgReader::Open() {
  if (fd_ >= 0) return {};
  fd_ = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) return std::string("/dev/kmsg: ") + strerror(errno);
  return {};
}

int KmsgReader::ReadOne(KmsgRecord* rec) {
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n > 0) {
      if (!ParseKmsgRecord(std::string_view(buf, static_cast<size_t>(n)), rec)) continue;
      last_seq_ = rec->seq;
      return 1;
    }
    if (n == 0 || errno == EAGAIN) return 0;
    if (errno == EPIPE || errno == EINTR) continue;  // EPIPE: overwritten records skipped
    return -1;
  }
}

uint64_t KmsgReader::Mark() {
  KmsgRecord rec;
  while (ReadOne(&rec) == 1) {
  }
  return last_seq_;
}

std::vector<KmsgRecord> KmsgReader::ReadSince(
    uint64_t after_seq, const Settle& settle,
    const std::function<bool(const KmsgRecord&)>& keep) {
  std::vector<KmsgRecord> kept;
  if (fd_ < 0) return kept;
  if (last_seq_ > after_seq) {
    // Already read past the start: read again from the oldest record.
    lseek(fd_, 0, SEEK_DATA);
    last_seq_ = 0;
  }
  SettleClock clock(settle);
  for (;;) {
    KmsgRecord rec;
    int r;
    while ((r = ReadOne(&rec)) == 1) {
      if (rec.seq <= after_seq || !keep(rec)) continue;
      kept.push_back(std::move(rec));
      clock.Kept();
    }
    if (r < 0) break;
    int wait = clock.WaitMs();
    if (wait == 0) break;
    pollfd pfd{fd_, POLLIN, 0};
    poll(&pfd, 1, wait);
  }
  return kept;
}

// ---------------------------------------------------------------------------

namespace {

// Whether process `pid`, inside the namespace `netns_fd` refers to, has a
// NETLINK_NETFILTER socket bound to the NFNLGRP_NFTRACE group (9: bit 8 of
// the first group word), as /proc/PID/net/netlink lists its namespace's
// sockets ("sk Eth Pid Groups ...").  The namespace check matters: right after
// the fork the child still lives in ours.  In the lab nothing else listens.
bool ListensToTrace(pid_t pid, int netns_fd) {
  struct stat want, have;
  std::string ns = "/proc/" + std::to_string(pid) + "/ns/net";
  if (fstat(netns_fd, &want) != 0 || stat(ns.c_str(), &have) != 0 || want.st_ino != have.st_ino ||
      want.st_dev != have.st_dev) {
    return false;
  }
  std::string path = "/proc/" + std::to_string(pid) + "/net/netlink";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t pos = text.find('\n');  // header
  while (pos != std::string::npos && pos + 1 < text.size()) {
    size_t end = text.find('\n', pos + 1);
    std::string line = text.substr(pos + 1, end == std::string::npos ? end : end - pos - 1);
    pos = end;
    char sk[32];
    int proto = -1;
    unsigned long portid = 0, groups = 0;
    if (sscanf(line.c_str(), "%31s %d %lu %lx", sk, &proto, &portid, &groups) != 4) continue;
    if (proto == 12 && (groups & 0x100)) return true;
  }
  return false;
}

// Appends complete lines from `fd` to *lines; false at EOF or error.
bool ReadLines(int fd, std::string* partial, std::vector<std::string>* lines) {
  char buf[8192];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  partial->append(buf, static_cast<size_t>(n));
  size_t nl;
  while ((nl = partial->find('\n')) != std::string::npos) {
    lines->push_back(partial->substr(0, nl));
    partial->erase(0, nl + 1);
  }
  return true;
}

}  // namespace

XtablesMonitor::~XtablesMonitor() { Stop(); }

std::string XtablesMonitor::Start(Lab& lab, int timeout_ms) {
  std::string error;
  BackgroundChild child = StartBackground({"xtables-monitor", "--trace"}, lab.host_netns_fd(), &error);
  if (child.pid < 0) return error;
  lab_ = &lab;
  pid_ = child.pid;
  out_fd_ = child.out_fd;
  err_fd_ = child.err_fd;
  lab.AdoptChild(pid_);
  fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  fcntl(err_fd_, F_SETFL, O_NONBLOCK);
  auto deadline = Clock::now() + milliseconds(timeout_ms);
  while (!ListensToTrace(pid_, lab.host_netns_fd())) {
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      lab.ReleaseChild(pid_);
      pid_ = -1;
      std::vector<std::string> lines;
      while (ReadLines(err_fd_, &err_partial_, &lines)) {
      }
      Stop();
      std::string msg = "xtables-monitor --trace exited";
      for (const std::string& l : lines) msg += ": " + l;
      return msg;
    }
    if (Clock::now() >= deadline) {
      Stop();
      return "xtables-monitor --trace did not subscribe to trace events within " +
             std::to_string(timeout_ms) + " ms";
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return {};
}

std::vector<std::string> XtablesMonitor::Read(const Settle& settle,
                                              std::vector<std::string>* errors) {
  std::vector<std::string> kept;
  if (out_fd_ < 0) return kept;
  SettleClock clock(settle);
  for (;;) {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    int wait = clock.WaitMs();
    if (wait == 0) break;
    if (poll(fds, 2, wait) <= 0) continue;
    std::vector<std::string> lines, err_lines;
    bool alive = true;
    if (fds[0].revents) alive = ReadLines(out_fd_, &partial_, &lines);
    if (fds[1].revents) alive = ReadLines(err_fd_, &err_partial_, &err_lines) && alive;
    for (std::string& l : lines) {
      if (l.rfind("PACKET: ", 0) == 0 || l.rfind(" TRACE: ", 0) == 0) {
        kept.push_back(std::move(l));
        clock.Kept();
      } else if (errors && !l.empty()) {
        errors->push_back(std::move(l));
      }
    }
    if (errors) {
      for (std::string& l : err_lines) errors->push_back(std::move(l));
    }
    if (!alive) {
      if (errors) errors->push_back("xtables-monitor exited");
      break;
    }
  }
  return kept;
}

void XtablesMonitor::Stop() {
  if (pid_ > 0 || out_fd_ >= 0) {
    pid_t pid = pid_;
    BackgroundChild child{pid_, out_fd_, err_fd_};
    StopBackground(&child, SIGTERM, 1000);
    if (lab_ && pid > 0) lab_->ReleaseChild(pid);
  }
  pid_ = -1;
  out_fd_ = err_fd_ = -1;
  lab_ = nullptr;
}

}  // namespace iptsim::verifier
