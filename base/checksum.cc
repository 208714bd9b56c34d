#include "base/checksum.h"

#include "base/bytes.h"

namespace iptsim {

uint32_t ChecksumAdd(uint32_t sum, const uint8_t* data, size_t len) {
  uint64_t s = sum;
  for (size_t i = 0; i + 1 < len; i += 2) s += GetBe16(data + i);
  if (len & 1) s += uint32_t{data[len - 1]} << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint32_t>(s);
}

uint16_t ChecksumFinish(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

uint32_t ChecksumPseudoHeader(const uint8_t* saddr, const uint8_t* daddr, size_t addr_len,
                              uint8_t proto, uint32_t len) {
  uint32_t sum = ChecksumAdd(0, saddr, addr_len);
  sum = ChecksumAdd(sum, daddr, addr_len);
  // IPv6 puts a 32-bit length and the next header in its pseudo header,
  // IPv4 an 8-bit protocol and a 16-bit length; csum_tcpudp_nofold adds
  // the 32-bit len it is given whole.  Either way the sum is that of the
  // words len >> 16, len & 0xffff and proto.
  uint8_t tail[8] = {0, 0, 0, 0, 0, 0, 0, proto};
  PutBe32(tail, len);
  return ChecksumAdd(sum, tail, 8);
}

void CsumReplace2(uint8_t* sum, uint16_t old_word, uint16_t new_word) {
  uint16_t s = static_cast<uint16_t>(~GetBe16(sum));
  s = Csum16Add(s, static_cast<uint16_t>(~old_word));
  s = Csum16Add(s, new_word);
  PutBe16(sum, static_cast<uint16_t>(~s));
}

void InetProtoCsumReplace2(uint8_t* sum, uint16_t from, uint16_t to) {
  uint64_t s = static_cast<uint16_t>(~GetBe16(sum));
  // ~(be32)from: the complemented word plus a 0xffff half-word.
  s += 0xffff;
  s += static_cast<uint16_t>(~from);
  s += to;
  PutBe16(sum, ChecksumFinish(s));
}

}  // namespace iptsim
