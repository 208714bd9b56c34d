// The netfilter path: which hooks a packet crosses and which tables run at
// each, in the kernel's priority order.  The one place that
// knows the wiring; the walker knows chains, the extensions know packets.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "engine/conntrack.h"
#include "engine/eval.h"
#include "engine/model.h"
#include "engine/packet.h"
#include "engine/run_settings.h"
#include "engine/trace.h"

namespace iptsim {

enum class PacketPath : uint8_t {
  kLocalIn,   // PREROUTING -> INPUT
  kForward,   // PREROUTING -> FORWARD -> POSTROUTING
  kLocalOut,  // OUTPUT -> POSTROUTING
  kLoopback,  // OUTPUT -> POSTROUTING on lo, then PREROUTING -> INPUT with IN=lo
              // (no nat there: the connection's bindings were made on the way out)
};
std::string_view PacketPathName(PacketPath p);

// The path without a host model: -i only: to a local address;
// -i and -o: forwarded; -o or neither: locally generated; -o lo (no -i):
// looped back, as the kernel does with everything it sends out lo.
PacketPath PathFromDevices(const Packet& pkt);

struct SimResult;

// The tables a packet on `path` crosses, hook by hook, in the kernel's
// priority order.
struct PathStep {
  Hook hook;
  TableId table;
};
std::span<const PathStep> PathSteps(PacketPath path);

// Keeps the entry SimResult::decided_by names, as a table at a hook ends
// its walk with verdict `v` (the symbolic evaluation follows the same rule).
void NoteDecision(const DecidingEntry& entry, Verdict v, DecidingEntry* decided_by);

// The routing decisions along the path (engine/host.h has the host model
// behind them).  Between() runs when the packet passes from hook `from` to
// hook `to`: it may switch `path` to one that shares the steps so far
// (local-in <-> forward after PREROUTING, local-out <-> loopback after
// OUTPUT), set `out` (the device FORWARD and POSTROUTING show), rewrite the
// packet as the kernel does there, or end the walk (false; `result` says
// how).
class PathRouter {
 public:
  virtual ~PathRouter() = default;
  virtual bool Between(Hook from, Hook to, Packet& pkt, PacketPath& path, IfaceName& out,
                       SimResult& result) = 0;
};

// Whether the ruleset turns connection tracking on: the kernel enables it
// for a network namespace when any rule, in any table or chain (referenced
// or not), uses an extension that calls nf_ct_netns_get.
bool NeedsConntrack(const Ruleset& rs);

struct SimOptions {
  // The user's settings for the run (--assume, --host...); nullptr: none.
  const RunSettings* settings = nullptr;
  // Connection tracking (engine/conntrack.h): `ct` is the packet's side of
  // the run's connection table (Simulator), nullptr when conntrack is off.
  // conntrack -1: SimulatePacket finds out itself (NeedsConntrack) and, if
  // on, tracks the packet in a table of its own (a lone packet: NEW).
  int conntrack = -1;
  ConntrackPacket* ct = nullptr;
  // false: a packet the kernel generated (REJECT's reply); with the run's
  // table it carries the original's entry (ConntrackPacket::Attach), without
  // one it crosses no nat chain.
  bool first_of_connection = true;
  RunState* run = nullptr;            // per-run extension state (may be nullptr)
  // Where targets put the packets the kernel generates (REJECT's replies);
  // nullptr: not collected.
  std::vector<RejectReply>* replies = nullptr;
  // Early demux (ip_rcv_finish / ip6_rcv_finish): called for a received
  // packet to a local address as it passes from PREROUTING to INPUT; may give
  // the packet the owner of the local socket it belongs to.  Empty: none.
  std::function<void(Packet&)> early_demux;
  // The packet is a TEE copy: nf_dup_*_route set skb->dev to the output
  // device, which ip_output then passes to POSTROUTING as the input device:
  // the log shows IN=<out> and a MAC= of whatever the skb's MAC header held
  // (stale bytes: iptsim writes zeros).
  bool tee_copy = false;
  // TEE's copies (EvalContext::send_copy); empty: not simulated.
  std::function<void(Packet&, const IpAddr&, std::string_view)> send_copy;
  PathRouter* router = nullptr;       // routing between hooks (nullptr: the path as given)
};

struct SimResult {
  Verdict verdict = Verdict::kAccept;
  Hook hook = Hook::kPreRouting;  // where the verdict fell (or the walk stopped)
  TableId table = TableId::kRaw;
  std::string unknown_reason;     // for Verdict::kUnknown
  // The entry that decided the packet's fate: for a verdict other than
  // ACCEPT, the one that ended the walk; for ACCEPT, the one that accepted
  // it in the filter table (the filtering decision), else the last table's
  // accepting rule, else the last policy.  chain == nullptr: no table
  // decided (conntrack, NAT or routing ended the packet; unknown_reason).
  DecidingEntry decided_by;
};

// Sends the packet along `path` through every table of the ruleset that
// exists, reporting to `observer`.  Stops at the first DROP (or unknown).
SimResult SimulatePacket(const Ruleset& rs, Packet& pkt, PacketPath path, const SimOptions& opts,
                         TraceObserver* observer);

}  // namespace iptsim
