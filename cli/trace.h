// `iptsim trace`: the setup read and loaded once (ruleset, host, ipsets,
// packets, --why rules), and the run of every packet through one
// simulation, writing to the streams it is given (--explore runs it once per
// branch, into memory).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "cli/options.h"
#include "cli/packet_input.h"
#include "engine/host.h"
#include "engine/ipset.h"
#include "engine/simulator.h"
#include "output/explain_why.h"
#include "output/formats.h"

namespace iptsim::cli {

struct WhySpec {
  RuleRef ref;
  std::string text;  // as the user wrote it
  bool expect;       // --expect (else --why)
};

struct TraceSetup {
  const Ruleset* rs = nullptr;  // lives until the process exits (LoadRulesFile)
  const OutputFormat* format = nullptr;
  RunEnvironment env;  // the settings, the host model and ipsets they point at
  std::vector<InputPacket> packets;
  std::vector<WhySpec> why;

  TraceSetup() = default;
  TraceSetup(const TraceSetup&) = delete;  // settings point into it
  TraceSetup& operator=(const TraceSetup&) = delete;
};

// How a run shows its packets (the format aside).
struct TraceDisplay {
  bool trace_all = false;       // --trace-all: every packet traced from its first hook
  bool packet_headers = false;  // --packet-headers: "== packet N (ORIGIN): WHAT" before each
  bool quiet = false;           // --quiet: no notes, per-packet answers or summary on stderr
};

struct TraceStreams {
  FILE* out;  // the trace
  FILE* err;  // notes and errors
};

struct ExploreBranch;

// Loads what `cl` names; false after printing the errors to stderr.
bool PrepareTrace(const CommandLine& cl, TraceSetup* setup);

// Runs every packet through a fresh simulation (with its random decisions
// forced as `branch` says, when not nullptr); the exit status.
int RunTrace(const TraceSetup& setup, const TraceDisplay& display, TraceStreams io,
             ExploreBranch* branch);

}  // namespace iptsim::cli
