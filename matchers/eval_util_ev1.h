// Packet-reading helpers for the header matches' Evaluate (ah, frag, hbh,
// dst, rt, tos, dscp, ecn, ...): big-endian reads, the kernel's
// skb_header_pointer bounds rule, ipv6_find_hdr and the IPv6 DS field.
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/eval.h"

namespace iptsim::ev1 {

inline uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline uint32_t Be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

// skb_header_pointer(skb, off, len, ...) != NULL: `len` bytes at `off` lie in
// the packet (offsets counted from the network header, as skb->data is at a
// netfilter hook).
inline bool Have(const PacketView& v, size_t off, size_t len) {
  return off <= v.size() && len <= v.size() - off;
}

// ipv6_find_hdr's error codes.
constexpr int kENOENT = -2;
constexpr int kEBADMSG = -74;

// The kernel's ipv6_find_hdr(skb, &offset, target, NULL, NULL) for a target
// >= 0 (no flags): walks the extension headers from the fixed header; returns
// `target` with *offset at that header, kENOENT when the chain ends (an upper
// layer header, "no next header", a non-first fragment hiding the rest)
// without it, kEBADMSG when a header it needs to read is cut off.
int FindIpv6Hdr(const PacketView& v, int target, size_t* offset);

// ipv6_get_dsfield: the traffic class (IPv6) / TOS byte (IPv4).
inline uint8_t DsField(const PacketView& v) {
  const uint8_t* b = v.data();
  if (v.pkt->family == Family::kIPv4) return b[1];
  return static_cast<uint8_t>((b[0] & 0x0f) << 4 | b[1] >> 4);
}

// True when the fixed IP header is present (PacketView::Of got that far).
inline bool HaveIpHeader(const PacketView& v) {
  return v.size() >= (v.pkt->family == Family::kIPv4 ? 20u : 40u);
}

}  // namespace iptsim::ev1
