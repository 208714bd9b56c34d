// What connection tracking makes of a packet: the state the matches see is
// not free.  The engine's trackers (as the kernel's) declare some packets
// INVALID whatever came before them -- a TCP packet with a flag combination
// tcp_error refuses, an ICMP type icmp_error refuses, a lone ICMP error --
// and take a SYN|ACK as no connection's first packet.  So the packet space
// holds (protocol, TCP flags or ICMP type, state) only as the engine can
// produce them, and an example packet names the --ctstate assumption that
// leads to the state it shows.  The table is probed from the engine itself
// (engine/conntrack_packet.cc), once per analysis.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "engine/netaddr.h"
#include "engine/predicate.h"

namespace iptsim::symbolic {

class TrackedStates {
 public:
  explicit TrackedStates(Family family);

  // The --ctstate assumption (INVALID, NEW, ...) under which a packet of
  // `proto` with `detail` (TCP: the flags byte; ICMP: the type; else 0)
  // gets state `seen`; "" when none does.
  std::string AssumptionFor(uint32_t proto, uint32_t detail, uint32_t seen) const;
  // Whether some assumption gives state `seen`.
  bool Reachable(uint32_t proto, uint32_t detail, uint32_t seen) const {
    return !AssumptionFor(proto, detail, seen).empty();
  }
  // The protocol whose `detail` matters (0 for the others).
  static int Kind(uint32_t proto, Family family);

 private:
  Family family_;
  // [kind][detail][assumed] -> state seen; kind 0: TCP, 1: ICMP, 2: other
  // protocols (detail: the protocol number).
  std::array<std::array<std::array<uint8_t, kNumCtStates>, 256>, 3> seen_{};
};

}  // namespace iptsim::symbolic
