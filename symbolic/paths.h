// A ruleset's fate for sets of packets: every path a packet can take
// through the host (without a host model, as `trace` decides from -i/-o:
// received and delivered locally, forwarded, locally generated), each
// table the path crosses in the kernel's order (engine/netfilter.h
// PathSteps), connection tracking's part (the state raw sees, the nat
// chains only for a connection's first packet) and the TTL decrement of
// forwarding -- as engine/netfilter.cc:SimulatePacket does for one packet.
#pragma once

#include <string>
#include <vector>

#include "engine/netfilter.h"
#include "symbolic/walk.h"

namespace iptsim::symbolic {

// What happens to a packet: the final verdict, the entry that decided it
// (SimResult::decided_by), the NAT rules that bound it, or the target that
// the analysis cannot follow.
struct Outcome {
  Verdict verdict = Verdict::kAccept;
  DecidingEntry decided;
  std::vector<const Rule*> nat;
  const Rule* unmodelled = nullptr;
};

struct OutcomeSet {
  bdd set;
  Outcome outcome;
};

// The paths the analysis covers, in the order answers list them.
constexpr PacketPath kAnalysedPaths[] = {PacketPath::kLocalIn, PacketPath::kForward,
                                         PacketPath::kLocalOut};

// The packets of `path` in the space: the interfaces the path gives them
// (local-in: an input device and no output device, ...).
bdd PathPackets(const Space& space, PacketPath path);

// Every outcome of `rs` on `path` with the packets that meet it (disjoint
// sets whose union is PathPackets & universe).  `watch`, when given,
// collects the packets of the path that reach its rule.
std::vector<OutcomeSet> AnalysePath(Conditions& conds, const Ruleset& rs, PacketPath path,
                                    RuleWatch* watch = nullptr);

}  // namespace iptsim::symbolic
