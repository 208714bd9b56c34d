// The output formats of `iptsim trace --format NAME`, in one table: each is
// an observer of the run that writes to the stream it is given, with what it
// prints around each packet.  The formats themselves:
//   kernel   output/kernel_format.h   the kernel's TRACE and LOG lines
//   nft      output/trace_output.h    what xtables-monitor --trace prints
//   explain  output/formats.cc        every matched rule with file:line, the verdict
//   json     output/trace_output.h    one JSON object per event
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "engine/model.h"
#include "engine/simulator.h"
#include "engine/trace.h"
#include "output/answer.h"

namespace iptsim {

// What a format knows of the packet being run besides its events.
struct PacketInfo {
  uint32_t number = 1;        // 1-based, in the run
  std::string_view origin;    // "packets.txt:3", "--from-log 2", "packet 1"
  bool default_path = false;  // neither -i, -o nor --host chose the path
  const JumpTrail* trail = nullptr;  // observes the run too: the jumps to the deciding rule
};

class TraceFormat : public TraceObserver {
 public:
  virtual void BeginPacket(const PacketInfo& info) {}
  // Right after the packet ran (whatever the outcome): what the format
  // prints for every packet, even one the simulation could not finish.
  virtual void AfterRun(const RunResult& run, const PacketInfo& info) {}
  // After a packet that reached its verdict: the format's closing lines.
  virtual void EndPacket(const RunResult& run, const PacketInfo& info) {}
  // The format states each packet's verdict, deciding rule and path on its
  // own stream (explain, json); the others (kernel, nft) print only what the
  // kernel logs, and the caller gives the answer on stderr.  The --why /
  // --expect reports follow the same rule.
  virtual bool answers_inline() const { return false; }
  // For a format that prints only what the kernel logs: whether it printed
  // anything for the packet just run (false: "the kernel would log nothing").
  virtual bool logged() const { return true; }
};

struct OutputFormat {
  const char* name;
  // The format for a run of `rs`, writing to `out`.
  std::unique_ptr<TraceFormat> (*make)(const Ruleset& rs, FILE* out);
  // JSON lines: numbers its packets itself (no --packet-headers), and
  // --explore heads each trace with a JSON object.
  bool json;
  // What the user sees of a packet no TRACE rule matched, for the formats
  // that print only what the kernel logs ("the kernel would log nothing").
  const char* when_untraced;
};

// Every format, in the order usage messages list them.
std::span<const OutputFormat> OutputFormats();
// nullptr for a name that is not one.
const OutputFormat* FindOutputFormat(std::string_view name);

}  // namespace iptsim
