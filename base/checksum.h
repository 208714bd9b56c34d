// The Internet checksum (RFC 1071) as the kernel computes and updates it:
// csum_partial's running one's complement sum, csum_fold, the pseudo-header
// sums of csum_tcpudp_nofold / csum_ipv6_magic, and the incremental updates
// of include/net/checksum.h (csum16_add, csum_replace2,
// inet_proto_csum_replace2).  All 16-bit words are taken in network order;
// a one's complement sum does not depend on the byte order as long as it is
// the same throughout, so the results are the kernel's byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>

namespace iptsim {

// csum_partial(data, len, sum), kept folded to 16 bits: `sum` plus the
// 16-bit big-endian words of `data` (an odd last byte is the high half of a
// word).  Chain calls to sum several pieces.
uint32_t ChecksumAdd(uint32_t sum, const uint8_t* data, size_t len);

// csum_fold: the sum folded to 16 bits and complemented, the value a
// checksum field holds; over a received segment that verifies it is 0.
uint16_t ChecksumFinish(uint64_t sum);

// The pseudo-header part of a transport checksum: the source and
// destination addresses (`addr_len` 4 or 16 bytes each), the protocol and
// the segment length, as csum_tcpudp_nofold (IPv4) / csum_ipv6_magic (IPv6)
// add them (the length whole, 32 bits).  Folded to 16 bits, ready for
// ChecksumAdd.
uint32_t ChecksumPseudoHeader(const uint8_t* saddr, const uint8_t* daddr, size_t addr_len,
                              uint8_t proto, uint32_t len);

// csum16_add: 16-bit one's complement addition with end-around carry.
inline uint16_t Csum16Add(uint16_t csum, uint16_t addend) {
  uint16_t res = static_cast<uint16_t>(csum + addend);
  return static_cast<uint16_t>(res + (res < addend));
}

// csum_replace2(sum, old, new): the checksum at `sum` (2 bytes, network
// order) updated for one 16-bit word changing (RFC 1624 eqn. 3):
// *sum = ~csum16_add(csum16_sub(~*sum, old), new).
void CsumReplace2(uint8_t* sum, uint16_t old_word, uint16_t new_word);

// inet_proto_csum_replace2(sum, skb, from, to, false) for a packet that is
// not CHECKSUM_PARTIAL: inet_proto_csum_replace4 with the 16-bit values
// widened to 32 bits, *sum = csum_fold(csum_partial({~from, to},
// ~csum_unfold(*sum))).  It differs from CsumReplace2 in how it ends on
// 0x0000 / 0xffff, which the kernel's results show.
void InetProtoCsumReplace2(uint8_t* sum, uint16_t from, uint16_t to);

}  // namespace iptsim
