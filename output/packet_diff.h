// `iptsim diff OLD NEW --packets FILE` (or --pcap, --from-log): given
// packets through both rulesets with the concrete engine, and the ones
// whose fate (verdict, deciding rule, NAT binding; symbolic/diff.h's
// OutcomeKey) changes.  Each flow -- the packets of one connection, in
// either direction, in input order -- runs with fresh state in each
// ruleset, so packets of other connections do not touch it.  A packet the
// engine cannot decide in either ruleset (a missing host model, an unknown
// extension result) is reported as such, never as unchanged.
#pragma once

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "engine/simulator.h"

namespace iptsim {

struct PacketFate {
  std::string origin;  // "packets.txt:3", "cap.pcap frame 7"
  std::string packet;  // what the packet is (output/answer.h DescribePacket)
  RunResult before, after;
  bool changed = false;    // both decided, and the fates differ
  bool undecided = false;  // the engine could not decide it in one of the rulesets
};

std::vector<PacketFate> RunThroughBoth(const Ruleset& before, const Ruleset& after,
                                       const RunSettings& settings,
                                       const std::vector<std::pair<std::string, Packet>>& packets,
                                       bool verdicts_only);

void PrintPacketDiffReport(FILE* out, const Ruleset& before, const Ruleset& after,
                           const std::vector<PacketFate>& fates, bool json);

}  // namespace iptsim
