#include "matchers/header_eval.h"

namespace iptsim::header_eval {

namespace {

// ipv6_ext_hdr(): the numbers ipv6_find_hdr treats as extension headers
// (59, "no next header", ends the walk).
bool ExtHdr(int nh) { return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 59 || nh == 60; }

}  // namespace

int FindIpv6Hdr(const PacketView& v, int target, size_t* offset) {
  if (v.size() < 40) return kEBADMSG;
  size_t start = 40;
  int nexthdr = v.data()[6];
  bool found = false;
  do {
    found = nexthdr == target;
    if (!ExtHdr(nexthdr) || nexthdr == 59) {
      if (found) break;
      return kENOENT;
    }
    if (!Have(v, start, 2)) return kEBADMSG;
    const uint8_t* hp = v.data() + start;
    size_t hdrlen;
    if (nexthdr == 43) {
      if (!Have(v, start, 4)) return kEBADMSG;  // struct ipv6_rt_hdr
      hdrlen = (static_cast<size_t>(hp[1]) + 1) * 8;
    } else if (nexthdr == 44) {
      if (!Have(v, start + 2, 2)) return kEBADMSG;
      uint16_t frag_off = GetBe16(hp + 2) & ~0x7;
      if (frag_off) {
        if (!found) return kENOENT;
        break;
      }
      hdrlen = 8;
    } else if (nexthdr == 51) {
      hdrlen = (static_cast<size_t>(hp[1]) + 2) * 4;  // ipv6_authlen
    } else {
      hdrlen = (static_cast<size_t>(hp[1]) + 1) * 8;  // ipv6_optlen
    }
    if (!found) {
      nexthdr = hp[0];
      start += hdrlen;
    }
  } while (!found);
  *offset = start;
  return nexthdr;
}

}  // namespace iptsim::header_eval
