// Process and namespace primitives for the verifier (root-only code).
//
// Everything that must happen inside a lab namespace runs in a forked child
// that calls setns() first: the calling process itself never changes its
// network namespace, so a bug here cannot make it act on the initial
// namespace.  Every wait has a timeout.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace iptsim::verifier {

// Absolute path of a program: searched in $PATH, then in /usr/sbin, /sbin,
// /usr/bin and /bin (root's usual directories, often missing from a test
// runner's PATH).  Empty if not found.
std::string FindProgram(std::string_view name);

struct RunResult {
  bool ok() const { return error.empty() && exit_code == 0; }
  int exit_code = -1;   // the program's exit status; -1 if it did not exit normally
  std::string out;      // its stdout
  std::string err;      // its stderr
  std::string error;    // could not run it, timed out, or killed by a signal
  // "PROGRAM ARGS: error / stderr" for messages.
  std::string Describe(const std::vector<std::string>& argv) const;
};

// Runs argv (argv[0] is looked up with FindProgram) with `input` on stdin and
// collects stdout and stderr.  With netns_fd >= 0 the child joins that network
// namespace first.  After timeout_ms the child is killed and `error` says so.
RunResult RunCommand(const std::vector<std::string>& argv, std::string_view input = {},
                     int netns_fd = -1, int timeout_ms = 10000);

// Runs `fn` in a forked child that first joins netns_fd (if >= 0).  fn returns
// 0 on success or an errno value and may set *what to a string naming the
// failing step; the pointer is read back in the parent, so it must point to
// static storage or to memory the parent keeps unchanged until RunInChild
// returns (a fork shares the address layout).  Only async-signal-safe calls belong in fn (the child of a
// possibly multi-threaded process): prepare buffers before calling.
// Returns ok, or what failed.
using ChildFn = std::function<int(const char** what)>;
Status RunInChild(int netns_fd, int timeout_ms, const ChildFn& fn);

// A child process started in the background (xtables-monitor): its pid and
// the read ends of its stdout and stderr.
struct BackgroundChild {
  pid_t pid = -1;
  int out_fd = -1;
  int err_fd = -1;
};
// Starts argv in the background inside netns_fd (if >= 0); the child gets
// SIGKILL when this process dies.  On failure returns pid -1 and sets *error.
BackgroundChild StartBackground(const std::vector<std::string>& argv, int netns_fd,
                                std::string* error);
// Sends `sig`, waits up to timeout_ms, then SIGKILLs and reaps; closes the fds.
void StopBackground(BackgroundChild* child, int sig, int timeout_ms);

// Waits for a child to exit, up to timeout_ms.  True and *status set if it did.
bool WaitChild(pid_t pid, int timeout_ms, int* status);

// Reads a small file (a /proc/sys entry); false if it cannot be read.
bool ReadSmallFile(const std::string& path, std::string* out);
// Writes a small file.
Status WriteSmallFile(const std::string& path, std::string_view value);

}  // namespace iptsim::verifier
