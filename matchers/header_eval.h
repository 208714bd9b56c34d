// Header access for the matches' and targets' Evaluate (ah, frag, hbh, dst,
// rt, tos, dscp, ecn, TOS, DSCP, ...): the kernel's skb_header_pointer
// bounds rule, ipv6_find_hdr, and reading and changing the DS field
// (include/net/dsfield.h).  Big-endian loads are in base/bytes.h.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/bytes.h"
#include "engine/eval.h"

namespace iptsim::header_eval {

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

// ipv4_change_dsfield(iph, mask, value) (include/net/dsfield.h): the TOS
// byte becomes (tos & mask) | value, the header checksum is adjusted in the
// kernel's own way.
inline void Ipv4ChangeDsfield(uint8_t* iph, uint8_t mask, uint8_t value) {
  uint32_t check = GetBe16(iph + 10);
  uint8_t dsfield = static_cast<uint8_t>((iph[1] & mask) | value);
  check += iph[1];
  if ((check + 1) >> 16) check = (check + 1) & 0xffff;
  check -= dsfield;
  check += check >> 16;  // adjust carry
  PutBe16(iph + 10, static_cast<uint16_t>(check));
  iph[1] = dsfield;
}

// ipv6_get_dsfield / ipv6_change_dsfield: the traffic class spans the low
// nibble of byte 0 and the high nibble of byte 1.
inline uint8_t Ipv6GetDsfield(const uint8_t* ip6h) {
  return static_cast<uint8_t>(GetBe16(ip6h) >> 4);
}
inline void Ipv6ChangeDsfield(uint8_t* ip6h, uint8_t mask, uint8_t value) {
  uint16_t tmp = GetBe16(ip6h);
  tmp = static_cast<uint16_t>((tmp & ((mask << 4) | 0xf00f)) | (value << 4));
  PutBe16(ip6h, tmp);
}

}  // namespace iptsim::header_eval
