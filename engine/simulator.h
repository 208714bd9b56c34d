// One simulation run: a ruleset, the user's settings, and the state that
// packets of the run share (extension state, the connection table), as one
// loaded ruleset on one host in the kernel.  `iptsim trace` and `iptsim
// verify` feed it their packets in order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/conntrack.h"
#include "engine/ipset.h"
#include "engine/netfilter.h"
#include "engine/run_settings.h"
#include "engine/run_state.h"

namespace iptsim {

// The name the tests and tools that build a Simulator know the settings by.
using SimulatorOptions = RunSettings;

struct RunResult {
  SimResult sim;
  PacketPath path = PacketPath::kLocalIn;
  // What the user should know about this packet's run that the trace does
  // not show (e.g. a reply the kernel sends that iptsim cannot build).
  std::vector<std::string> notes;
  // The packet contradicts the host model (--host), or routing cannot be
  // decided: the message for the user ("" when the run went through).
  std::string error;
  // The kernel drops the packet before the first hook (sim.unknown_reason says why).
  bool dropped_before_hooks = false;
};

class Simulator {
 public:
  Simulator(const Ruleset& rs, RunSettings settings);
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Sends one packet through the ruleset (the path from the host model, or
  // from -i/-o without one), reporting to `observer` (may be nullptr).
  RunResult Run(Packet& pkt, TraceObserver* observer);

  const Ruleset& ruleset() const { return rs_; }
  const RunSettings& settings() const { return settings_; }
  RunState& run_state() { return run_; }
  // Whether the ruleset turns connection tracking on, and the run's table.
  bool conntrack() const { return conntrack_; }
  ConntrackTable& conntrack_table() { return table_; }

 private:
  // `generated`: a packet the kernel made (a REJECT reply): attached to the
  // original's connection, so it skips nat, and it triggers no reply itself.
  RunResult RunOne(Packet& pkt, TraceObserver* observer, bool generated, bool copy = false);

  // The connected sockets local packets were sent from (--connected): the
  // early-demux table.
  struct LocalSocket {
    Family family;
    uint8_t proto;
    IpAddr local, remote;
    uint16_t local_port, remote_port;
    uint32_t uid, gid;
  };
  void NoteSocket(const Packet& pkt);
  void EarlyDemux(Packet& pkt) const;
  std::vector<LocalSocket> sockets_;

  const Ruleset& rs_;
  const RunSettings settings_;  // SimOptions and EvalContext point into it
  RunState run_;
  bool conntrack_;
  ConntrackTable table_;
  ConntrackHostHooks ct_host_;
  ConntrackPacket* parent_ct_ = nullptr;  // the packet whose REJECT reply is being sent
  bool duplicating_ = false;  // a TEE copy is on its way (nf_skb_duplicated)
  // A TEE copy: routed to the gateway, untracked, through OUTPUT/POSTROUTING.
  void SendCopy(Packet& copy, const IpAddr& gateway, std::string_view oif,
                TraceObserver* observer, RunResult* r);
};

}  // namespace iptsim
