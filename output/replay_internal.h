// Helpers output/replay.cc and output/replay_report.cc share: reading the
// parts of a log line that grouping and the comparison look at.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "output/replay.h"

namespace iptsim::replay_internal {

// The value of field `name` ("SRC=") that starts a word before offset
// `end`, or "".
std::string_view FieldBefore(std::string_view text, std::string_view name, size_t end);

// The header fields that tell concurrent packets apart, before any "[" of an
// ICMP error's quoted packet: "SRC|DST|ID|PROTO|SPT|DPT|".
std::string HeaderKey(std::string_view text);

// "TRACE: TABLE:CHAIN:TYPE:N " at the start of a kernel line.
struct LoggedLabel {
  std::string table, chain, type;
  uint32_t number = 0;
};
bool ParseTraceLabel(std::string_view text, LoggedLabel* out);

// Where a kernel TRACE line's chain runs, in the order a packet meets
// hooks and tables (a hook's rank, then the table's priority); -1 when the
// line does not say (a LOG line, a user chain).
int KernelPosition(std::string_view text);

// The family number (2, 10) and 8-digit trace id of an xtables-monitor line.
bool MonitorIds(std::string_view text, int* family, std::string* id);

}  // namespace iptsim::replay_internal

namespace iptsim {

// The comparison and its report (output/replay_report.cc): per packet
// "equal" or its first differing line with both versions and the reason,
// then the lost lines and a summary line.
class ReplayReporter {
 public:
  ReplayReporter(const Ruleset& rs, const RunSettings& settings, std::string log_name, FILE* out)
      : rs_(rs), settings_(settings), log_name_(std::move(log_name)), out_(out) {}

  // A lost-lines note, in log order (kept for the packets after it and the
  // end).
  void Lost(const LogRecord& r);
  // One packet, in packet order, once no more lines can join it: every
  // lost-lines note up to the line after its last has been given.
  void Packet(const ReplayPacket& p);
  // The lost lines and the summary.
  void Finish(size_t packets, size_t lines, size_t skipped, size_t other_family);
  // 0 when every packet was equal and no lines were lost, else 1.
  int status() const { return different_ || not_run_ || !lost_.empty() ? 1 : 0; }

 private:
  struct LostNote {
    uint32_t line;
    uint64_t lost;
    std::string text;
  };
  const LostNote* LostBetween(uint32_t from, uint32_t to) const;

  const Ruleset& rs_;
  const RunSettings& settings_;
  const std::string log_name_;
  FILE* const out_;
  std::vector<LostNote> lost_;
  size_t equal_ = 0, different_ = 0, not_run_ = 0;
};

}  // namespace iptsim
