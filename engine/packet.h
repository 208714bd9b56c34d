// A packet as the kernel holds it at a netfilter hook: the IP datagram as
// real bytes (docs/architecture.md decision 1) plus the skb metadata that matches,
// targets and the trace formatter read.  The simulator, the formatters and
// the verifier's injector all use these very bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/netaddr.h"

namespace iptsim {

struct Packet {
  Family family = Family::kIPv4;
  // The network-layer datagram: IPv4 or IPv6 header onward, with correct
  // lengths and checksums unless a test deliberately breaks them.
  std::vector<uint8_t> bytes;

  // Link layer as received: the 14-byte Ethernet header (dst MAC, src MAC,
  // ethertype).  Present for packets that arrive on an Ethernet-like
  // device; `mac_len` 0 for a device without a hard header (tun).
  std::array<uint8_t, 14> mac{};
  uint8_t mac_len = 0;

  IfaceName in;        // input device ("" for locally generated packets)
  IfaceName out;       // output device ("" before routing / for local delivery)
  IfaceName phys_in;   // bridge ports (br_netfilter), "" when not bridged
  IfaceName phys_out;

  uint32_t mark = 0;   // skb->mark
  // The local socket the packet belongs to (sent by it, or early-demuxed to
  // it on input): shown as UID=/GID= and matched by -m owner.
  std::optional<uint32_t> uid, gid;
  bool nf_trace = false;  // skb->nf_trace (set by the TRACE target)
  // A locally generated packet sent by a connected socket (TCP connect(), a
  // connected UDP socket) of uid/gid: packets coming back on the reverse
  // 4-tuple are early-demuxed to it and show its UID/GID from INPUT on.
  bool connected_socket = false;
  double time = 0;        // arrival time in seconds (limit, hashlimit, recent, time)
  // --ctstate: the conntrack state assumed for the packet when the run's
  // table has no entry for it (ConntrackPacket::ApplyAssumedState).
  std::string ct_assumed;
};

}  // namespace iptsim
