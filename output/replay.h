// `iptsim replay RULES LOG`: a whole kernel log (loader/log_scanner.h)
// replayed through the ruleset and compared with the simulation.
//
// Grouping.  Kernel TRACE/LOG lines carry no packet id, so each line goes
// to the open packet it continues: first one whose simulated lines say it
// comes next (the line is what iptsim prints there); else one whose header
// fields (SRC, DST, ID, PROTO, SPT, DPT, before any "[" of an ICMP error)
// are those of a line it logged or was simulated to log, at a later hook
// or table than its last line (the same hook and table again while it has
// simulated lines left); else the line starts a new packet.  Concurrent
// packets' interleaved lines thus come apart.  xtables-monitor lines carry
// a trace id: a line goes to the packet whose stream has that id (a
// stream's simulated trace id is paired with the kernel's on its first
// line), a new packet where the id's events start again at an earlier hook
// or table.  A REJECT reply's lines belong to the packet that caused it,
// as in the simulation.
//
// Each new packet is rebuilt from its first line (loader/log_packet.h;
// for the monitor, from its id's lines: loader/log_text.h) and simulated at
// once, in log order, through one Simulator shared by the whole log.
//
// Memory.  The log is read line by line and a packet is compared and
// reported as soon as no later line can join it: a kernel packet once it
// has left the open window (the 64 latest packets), so that a log of any
// length replays in the memory of its open packets.  xtables-monitor lines
// are held while the trace id's group they belong to, or stand behind, may
// still grow (output/replay_monitor.h).  Reports come out in packet order,
// as if the whole log had been read first.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "base/diagnostics.h"
#include "engine/model.h"
#include "engine/packet.h"
#include "engine/run_settings.h"
#include "loader/log_scanner.h"

namespace iptsim {

struct LoggedLine {
  uint32_t line;     // in the log
  std::string text;  // the record without the line's prefixes
};

// The lines of one trace id (the monitor's), or all of a kernel packet's.
struct ReplayStream {
  std::string sim_id;  // the simulated trace id ("" for kernel lines)
  std::string log_id;  // the kernel's, once paired ("" for kernel lines)
  std::vector<std::string> simulated;
  std::vector<std::string> normalised;  // of `simulated` (NormaliseLogLine), for grouping
  size_t next = 0;     // simulated lines matched in order so far
  std::vector<LoggedLine> logged;
};

struct ReplayPacket {
  uint32_t number = 0;  // 1-based, in the order packets start in the log
  bool monitor = false;
  Packet packet;        // as rebuilt, before it ran
  std::vector<ReplayStream> streams;
  // Why the packet has no simulation to compare with ("" when it has):
  // routing refused it, a match stayed undecided.
  std::string not_run;
  // Grouping state.
  bool closed = false;  // no more lines can join it
  int last_position = -1;
  std::string last_chain;    // TABLE:CHAIN of its last TRACE line
  uint32_t last_number = 0;  // and the line's rule number
  std::vector<std::string> keys;  // header keys of its logged and simulated lines
};

class ReplayReporter;

// `iptsim replay`: the log's lines in, the report out (`out`) as packets
// close.  `log_name` names the log in line references.
class LogReplay {
 public:
  LogReplay(const Ruleset& rs, const RunSettings& settings, std::string log_name, FILE* out);
  ~LogReplay();
  LogReplay(const LogReplay&) = delete;
  LogReplay& operator=(const LogReplay&) = delete;

  // The log's next line, without its '\n'.  False on a record that cannot
  // be read back (`error` then has its line, col, message and source line;
  // the file is the caller's).
  bool Line(std::string_view line, Diagnostic* error);
  // The end of the log: the open packets reported, the lost lines and the
  // summary printed.  False on a record that cannot be read back.
  bool Finish(Diagnostic* error);

  // After an error: the packets so far reported as they stand (no summary).
  void ReportSoFar();

  // The exit status (after Finish): 0 every packet equal and no lines
  // lost, 1 otherwise.
  int status() const;
  size_t records() const { return records_; }
  size_t lines() const { return lines_; }

 private:
  class Grouper;
  std::unique_ptr<ReplayReporter> reporter_;
  std::unique_ptr<Grouper> grouper_;
  size_t records_ = 0, lines_ = 0;
};

// A line as the comparison sees it: the fields the kernel fills at random
// in packets it makes itself (the IPv4 ID of an ICMP error, the flow label
// of an ICMPv6 error), a POSTROUTING line's MAC when its input is its
// output device (stale bytes), the monitor's trace id, and trailing blanks
// taken out.
std::string NormaliseLogLine(std::string_view line);

}  // namespace iptsim
