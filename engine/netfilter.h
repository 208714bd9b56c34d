// The netfilter path: which hooks a packet crosses and which tables run at
// each, in the kernel's priority order (reference §3.1).  The one place that
// knows the wiring; the walker knows chains, the extensions know packets.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/eval.h"
#include "engine/model.h"
#include "engine/packet.h"
#include "engine/trace.h"

namespace iptsim {

enum class PacketPath : uint8_t {
  kLocalIn,   // PREROUTING -> INPUT
  kForward,   // PREROUTING -> FORWARD -> POSTROUTING
  kLocalOut,  // OUTPUT -> POSTROUTING
};
std::string_view PacketPathName(PacketPath p);

// DESIGN.md's rule without a host model: -i only: to a local address;
// -i and -o: forwarded; -o or neither: locally generated.
PacketPath PathFromDevices(const Packet& pkt);

// Whether the ruleset turns connection tracking on: the kernel enables it
// for a network namespace when any rule, in any table or chain (referenced
// or not), uses an extension that calls nf_ct_netns_get (reference §3).
bool NeedsConntrack(const Ruleset& rs);

struct SimOptions {
  const std::map<std::string, bool>* assumptions = nullptr;
  // The packet is the first of its connection (conntrack NEW, no NAT
  // binding yet): only then does the nat table see it.
  bool first_of_connection = true;
  RunState* run = nullptr;            // per-run extension state (may be nullptr)
  const HostModel* host = nullptr;    // --host (nullptr: the -i/-o path rule)
  // Where targets put the packets the kernel generates (REJECT's replies);
  // nullptr: not collected.
  std::vector<RejectReply>* replies = nullptr;
};

struct SimResult {
  Verdict verdict = Verdict::kAccept;
  Hook hook = Hook::kPreRouting;  // where the verdict fell (or the walk stopped)
  TableId table = TableId::kRaw;
  std::string unknown_reason;     // for Verdict::kUnknown
};

// Sends the packet along `path` through every table of the ruleset that
// exists, reporting to `observer`.  Stops at the first DROP (or unknown).
SimResult SimulatePacket(const Ruleset& rs, Packet& pkt, PacketPath path, const SimOptions& opts,
                         TraceObserver* observer);

}  // namespace iptsim
