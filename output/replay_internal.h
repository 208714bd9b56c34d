// Helpers output/replay.cc and output/replay_report.cc share: reading the
// parts of a log line that grouping and the comparison look at.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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
