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
#include <string_view>

#include "engine/model.h"
#include "engine/simulator.h"
#include "engine/trace.h"

namespace iptsim {

class TraceFormat : public TraceObserver {
 public:
  // Before packet `number` (1-based) runs.
  virtual void BeginPacket(uint32_t number) {}
  // Right after the packet ran (whatever the outcome): what the format
  // prints for every packet, even one the simulation could not finish.
  virtual void AfterRun(const RunResult& run) {}
  // After a packet that reached its verdict: the format's closing lines on
  // its stream, or a note for the user on `notes` (packet `number`).
  virtual void EndPacket(const RunResult& run, uint32_t number, FILE* notes) {}
  // The --why / --expect reports follow EndPacket on the format's stream
  // (else they go to the notes stream).
  virtual bool reports_inline() const { return false; }
};

struct OutputFormat {
  const char* name;
  // The format for a run of `rs`, writing to `out`.
  std::unique_ptr<TraceFormat> (*make)(const Ruleset& rs, FILE* out);
  // JSON lines: numbers its packets itself (no --packet-headers), and
  // --explore heads each trace with a JSON object.
  bool json;
};

// Every format, in the order usage messages list them.
std::span<const OutputFormat> OutputFormats();
// nullptr for a name that is not one.
const OutputFormat* FindOutputFormat(std::string_view name);

}  // namespace iptsim
