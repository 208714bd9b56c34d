// Defragmentation before connection tracking (nf_defrag_ipv4 and
// nf_ct_frag6_gather, at priority -400, before the raw table): the
// fragments of a datagram are held until it is complete, then the whole
// datagram goes on in the last fragment's place.  The queue follows the
// kernel's rules (inet_frag_queue_insert, ip_frag_queue, nf_ct_frag6_queue):
// an overlapping fragment discards the whole datagram, a duplicate is
// dropped alone, inconsistent ends and oversize datagrams are refused, and
// queues expire on the packets' clock.  Each run's ConntrackTable holds one
// Defragmenter (engine/conntrack.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/packet.h"

namespace iptsim {

// A contiguous stretch of data the queue received in order (the kernel's
// "fragment run"): a later fragment inside one is a duplicate, one that
// only partly covers a run (or spans two) overlaps.
struct FragmentRun {
  uint32_t start = 0, end = 0;
};

// The fragments of one datagram received so far.
struct FragmentQueue {
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> parts;  // offset, data
  std::vector<FragmentRun> runs;  // sorted by start, disjoint
  std::vector<uint8_t> head;  // the unfragmentable part of the first fragment
  uint32_t len = 0;           // the datagram's data length as known so far
  uint32_t meat = 0;          // data bytes received
  uint32_t max_size = 0, max_df_size = 0;  // IPv4: largest fragment, largest with DF
  uint32_t rid = 0;           // IPv4: the source's fragment count when the last one came
  uint8_t ecn = 0;            // the IPFRAG_ECN_* bits of the fragments
  bool have_first = false, have_last = false;
  double created = 0;         // the packet time the queue was made (its timer)
};

// What defragmentation did with a packet.
enum class DefragStep : uint8_t {
  kPass,      // no fragment, or the datagram is complete: the packet goes on
  kHeld,      // held in its queue (NF_STOLEN)
  kStolen,    // refused (IPv4 frees it in ip_defrag; an IPv6 duplicate): NF_STOLEN
  kDropped,   // refused by nf_ct_frag6_gather (IPv6: NF_DROP)
};

struct DefragResult {
  DefragStep step = DefragStep::kPass;
  std::string reason;  // for kHeld / kStolen / kDropped, and a kPass that skipped reassembly
};

class Defragmenter {
 public:
  // The kernel's defaults: net.ipv4.ipfrag_time, nf_conntrack_frag6_timeout,
  // net.ipv4.ipfrag_max_dist.
  static constexpr double kTimeout4 = 30, kTimeout6 = 60;
  static constexpr uint32_t kMaxDist4 = 64;

  // A fragment joins its datagram's queue; when the datagram is complete
  // its bytes replace the packet's (kPass).  `local_out`: the packet was
  // generated locally (the conntrack "out" defrag user, its own queues).
  DefragResult Add(Packet& pkt, bool local_out);

 private:
  // By family, defrag user, addresses, identification (and IPv4 protocol).
  std::map<std::string, FragmentQueue> queues_;
  // IPv4: fragments seen per source address (the inet_peer's rid).
  std::map<std::string, uint32_t> peer_rid_;
};

}  // namespace iptsim
