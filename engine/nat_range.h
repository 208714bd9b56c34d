// The NAT range of DNAT, SNAT, MASQUERADE, REDIRECT and NETMAP as the kernel
// holds it: struct nf_nat_range2 (addresses, ports, flags).  Reading and
// printing the option text is the extensions' business (matchers/nat_range.h).
#pragma once

#include <cstdint>

#include "engine/netaddr.h"

namespace iptsim {

// NF_NAT_RANGE_* (include/uapi/linux/netfilter/nf_nat.h).
constexpr uint32_t kNatMapIps = 1 << 0;
constexpr uint32_t kNatProtoSpecified = 1 << 1;
constexpr uint32_t kNatProtoRandom = 1 << 2;
constexpr uint32_t kNatPersistent = 1 << 3;
constexpr uint32_t kNatProtoRandomFully = 1 << 4;
constexpr uint32_t kNatProtoOffset = 1 << 5;

struct NatRange {
  uint32_t flags = 0;
  IpAddr min_addr, max_addr;            // with kNatMapIps
  uint16_t min_port = 0, max_port = 0;  // with kNatProtoSpecified
  uint16_t base_port = 0;               // with kNatProtoOffset ("/BASE")
};

}  // namespace iptsim
