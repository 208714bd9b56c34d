#include "engine/eval.h"

#include "base/bytes.h"

namespace iptsim {

namespace {

// IPv6 extension headers that ipv6_find_hdr walks through.
bool IsIPv6ExtHeader(uint8_t nh) {
  return nh == 0 /*hop-by-hop*/ || nh == 43 /*routing*/ || nh == 44 /*fragment*/ ||
         nh == 51 /*AH*/ || nh == 60 /*destination*/;
}

}  // namespace

PacketView PacketView::Of(const Packet& pkt) {
  PacketView v;
  v.pkt = &pkt;
  const uint8_t* b = pkt.bytes.data();
  const size_t n = pkt.bytes.size();
  if (pkt.family == Family::kIPv4) {
    if (n < 20) {
      v.l4proto_found = false;
      return v;
    }
    v.l3_len = (b[0] & 0x0fu) * 4u;
    v.thoff = v.l3_len;
    v.l4proto = b[9];
    uint16_t frag = GetBe16(b + 6);
    v.fragoff = frag & 0x1fff;
    v.is_fragment = (frag & 0x3fff) != 0;
    return v;
  }
  // IPv6: follow the next-header chain as ipv6_find_hdr does (it stops at a
  // non-first fragment, ESP and "no next header").
  if (n < 40) {
    v.l4proto_found = false;
    return v;
  }
  uint8_t nh = b[6];
  size_t off = 40;
  while (IsIPv6ExtHeader(nh)) {
    if (off + 8 > n) {
      v.l4proto_found = false;
      break;
    }
    size_t len;
    if (nh == 44) {
      uint16_t fo = GetBe16(b + off + 2);
      v.is_fragment = true;
      v.fragoff = fo & 0xfff8;
      if (v.fragoff) {  // a later fragment: the transport header is elsewhere
        v.l4proto = b[off];
        v.thoff = static_cast<uint32_t>(off + 8);
        v.l3_len = v.thoff;
        v.l4proto_found = false;
        return v;
      }
      len = 8;
    } else if (nh == 51) {
      len = (static_cast<size_t>(b[off + 1]) + 2) * 4;
    } else {
      len = (static_cast<size_t>(b[off + 1]) + 1) * 8;
    }
    nh = b[off];
    off += len;
  }
  v.l4proto = nh;
  v.thoff = static_cast<uint32_t>(off);
  v.l3_len = v.thoff;
  if (nh == 59 /*none*/) v.l4proto_found = false;
  return v;
}

IpAddr PacketView::src() const {
  IpAddr a;
  if (pkt->family == Family::kIPv4) {
    if (size() >= 20) std::copy(data() + 12, data() + 16, a.b.begin());
  } else if (size() >= 40) {
    std::copy(data() + 8, data() + 24, a.b.begin());
  }
  return a;
}

IpAddr PacketView::dst() const {
  IpAddr a;
  if (pkt->family == Family::kIPv4) {
    if (size() >= 20) std::copy(data() + 16, data() + 20, a.b.begin());
  } else if (size() >= 40) {
    std::copy(data() + 24, data() + 40, a.b.begin());
  }
  return a;
}

}  // namespace iptsim
