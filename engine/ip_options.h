// The IPv4 options the kernel looks at on a received packet, after routing:
// ip_options_compile (ip_rcv_options) and, on a forwarded packet,
// ip_forward_options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/netaddr.h"

namespace iptsim {

struct Packet;

// ip_options_compile on a received IPv4 packet, after routing
// (ip_rcv_options): malformed options drop it; Record Route and
// Timestamp-with-address get `spec_dst` (fib_compute_spec_dst; nullopt:
// unknown, those options stay as received); timestamps get the arrival time
// (--time) in milliseconds since midnight UTC; a full Timestamp option
// counts an overflow; a prespecified timestamp is written when unicast(addr)
// says false (the address is the host's; nullopt: unknown, left alone);
// bytes after an End option become End; a source route option is dropped
// unless accept_source_route.  The header checksum follows.
struct RxOptions {
  std::string drop;     // why the kernel drops the packet ("" if it does not)
  std::string unknown;  // what iptsim cannot follow ("" if nothing)
  int rr_slot = -1;     // offsets of the addresses ip_forward_options rewrites
  int ts_slot = -1;
  bool changed = false;
};
RxOptions CompileReceivedOptions(Packet& pkt, const std::optional<IpAddr>& spec_dst,
                                 const std::function<std::optional<bool>(const IpAddr&)>& unicast,
                                 bool accept_source_route);
// ip_forward_options (after FORWARD): the addresses just recorded become `src`.
void ForwardOptions(Packet& pkt, const RxOptions& rx, const IpAddr& src);

// Recomputes the IPv4 header checksum of `b` (a header of `ihl` bytes)
// after a change to the header.
void SetIpv4HeaderChecksum(std::vector<uint8_t>& b, size_t ihl);

}  // namespace iptsim
