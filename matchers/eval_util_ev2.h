// Helpers for the evaluation of targets and matches (helper ev2): the
// kernel's incremental checksum updates (include/net/checksum.h) and the
// three-valued "cannot be decided" result.
#pragma once

#include <cstdint>
#include <string>

#include "engine/eval.h"
#include "engine/packet.h"

namespace iptsim::ev2 {

inline uint16_t Get16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
inline void Put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// csum16_add: 16-bit one's complement addition with end-around carry.
inline uint16_t Csum16Add(uint16_t csum, uint16_t addend) {
  uint16_t res = static_cast<uint16_t>(csum + addend);
  return static_cast<uint16_t>(res + (res < addend));
}

// csum_replace2(sum, old, new): *sum = ~csum16_add(csum16_sub(~*sum, old), new)
// (all values as the 16-bit words appear in network order).
inline void CsumReplace2(uint8_t* sum, uint16_t old_word, uint16_t new_word) {
  uint16_t s = static_cast<uint16_t>(~Get16(sum));
  s = Csum16Add(s, static_cast<uint16_t>(~old_word));
  s = Csum16Add(s, new_word);
  Put16(sum, static_cast<uint16_t>(~s));
}

// csum_fold of a 32-bit partial sum (complemented).
inline uint16_t CsumFold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

// inet_proto_csum_replace2(sum, skb, from, to, false) for a packet that is not
// CHECKSUM_PARTIAL: inet_proto_csum_replace4 with the 16-bit values widened
// to 32 bits: *sum = csum_fold(csum_partial({~from, to}, ~csum_unfold(*sum))).
inline void InetProtoCsumReplace2(uint8_t* sum, uint16_t from, uint16_t to) {
  uint64_t s = static_cast<uint16_t>(~Get16(sum));
  // ~(be32)from: the complemented word plus a 0xffff half-word.
  s += 0xffff;
  s += static_cast<uint16_t>(~from);
  s += to;
  Put16(sum, CsumFold(s));
}

// ipv4_change_dsfield(iph, mask, value) (include/net/dsfield.h): the TOS
// byte becomes (tos & mask) | value, the header checksum is adjusted in the
// kernel's own way.
inline void Ipv4ChangeDsfield(uint8_t* iph, uint8_t mask, uint8_t value) {
  uint32_t check = Get16(iph + 10);
  uint8_t dsfield = static_cast<uint8_t>((iph[1] & mask) | value);
  check += iph[1];
  if ((check + 1) >> 16) check = (check + 1) & 0xffff;
  check -= dsfield;
  check += check >> 16;  // adjust carry
  Put16(iph + 10, static_cast<uint16_t>(check));
  iph[1] = dsfield;
}

// ipv6_get_dsfield / ipv6_change_dsfield: the traffic class spans the low
// nibble of byte 0 and the high nibble of byte 1.
inline uint8_t Ipv6GetDsfield(const uint8_t* ip6h) {
  return static_cast<uint8_t>(Get16(ip6h) >> 4);
}
inline void Ipv6ChangeDsfield(uint8_t* ip6h, uint8_t mask, uint8_t value) {
  uint16_t tmp = Get16(ip6h);
  tmp = static_cast<uint16_t>((tmp & ((mask << 4) | 0xf00f)) | (value << 4));
  Put16(ip6h, tmp);
}

// The kUnknown result with its reason.
inline Tri Unknown(EvalContext& ctx, std::string reason) {
  ctx.unknown_reason = std::move(reason);
  return Tri::kUnknown;
}

}  // namespace iptsim::ev2
