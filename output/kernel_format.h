// --format kernel of `iptsim trace`, also the simulation side of `iptsim
// verify`: the TRACE and LOG lines exactly as the kernel logs them.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "engine/log_format.h"
#include "engine/trace.h"

namespace iptsim {

class KernelFormat : public TraceObserver {
 public:
  explicit KernelFormat(FILE* out = stdout) : out_(out) {}
  void OnRule(const RuleEvent& e) override {
    if (!e.traced) return;
    ++lines_;
    std::string line = FormatTraceLine(TableName(e.table), e.chain->name, TraceLabelName(e.label),
                                       e.number, *e.packet);
    line += '\n';
    fwrite(line.data(), 1, line.size(), out_);
  }
  void OnLog(int, std::string_view line) override {
    fwrite(line.data(), 1, line.size(), out_);
    fputc('\n', out_);
  }
  // TRACE lines printed so far (LOG lines not counted).
  size_t lines() const { return lines_; }

 private:
  FILE* out_;
  size_t lines_ = 0;
};

}  // namespace iptsim
