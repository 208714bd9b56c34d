// Status: the result of a step that can fail with a message for the user.
// It is the one error convention of every layer (docs/architecture.md,
// "Errors"): a function that can fail returns Status (or fills a
// DiagnosticSink when it reports many errors with positions).
#pragma once

#include <string>
#include <utility>

namespace iptsim {

// Result of a parse or check step.  `arg` selects where the caret goes: the
// index of the offending argument, or -1 for the option (or -m/-j) itself.
class Status {
 public:
  Status() = default;
  static Status Error(std::string message, int arg = -1) {
    Status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    s.arg_ = arg;
    return s;
  }
  bool ok() const { return ok_; }
  const std::string& message() const { return message_; }
  int arg() const { return arg_; }

 private:
  bool ok_ = true;
  std::string message_;
  int arg_ = -1;
};

}  // namespace iptsim
