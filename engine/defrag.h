// Defragmentation before connection tracking (nf_defrag_ipv4 and
// nf_ct_frag6_gather, at priority -400, before the raw table): the
// fragments of a datagram are held until it is complete, then the whole
// datagram goes on in the last fragment's place.  Each run's
// ConntrackTable holds one Defragmenter (engine/conntrack.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/packet.h"

namespace iptsim {

// The fragments of one datagram received so far.
struct FragmentQueue {
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> parts;  // offset, data
  std::vector<uint8_t> head;  // the unfragmentable part of the first fragment
  size_t nexthdr_at = 0;      // IPv6: the byte that names the fragment header
  uint32_t total = 0;         // known once the last fragment came
  bool have_last = false, df = false;
};

class Defragmenter {
 public:
  // A fragment joins its datagram's queue; when the datagram is complete
  // its bytes replace the packet's and true is returned, else the fragment
  // is held (false).  A packet that is no fragment: true, as it is.
  bool Add(Packet& pkt);

 private:
  // By family, addresses, identification (and IPv4 protocol).
  std::map<std::string, FragmentQueue> queues_;
};

}  // namespace iptsim
