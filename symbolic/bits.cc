#include "symbolic/bits.h"

namespace iptsim::symbolic {

WordConst WordConst::Of(uint32_t v) {
  return WordConst{{static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                    static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}};
}

WordConst WordConst::OfBytes(const uint8_t* p, int n) {
  return WordConst{std::vector<uint8_t>(p, p + n)};
}

bool WordConst::Bit(int i, int width) const {
  // Bit i of the word is bit (total - width + i) of the constant.
  const int total = static_cast<int>(bytes.size()) * 8;
  const int at = total - width + i;
  if (at < 0) return false;
  return (bytes[at / 8] >> (7 - at % 8)) & 1;
}

BitVec ConstBits(const WordConst& c, int width) {
  BitVec v;
  v.reserve(width);
  for (int i = 0; i < width; ++i) v.push_back(c.Bit(i, width) ? bddtrue : bddfalse);
  return v;
}

bdd Equals(const BitVec& x, const WordConst& c) {
  const int w = static_cast<int>(x.size());
  bdd r = bddtrue;
  for (int i = w - 1; i >= 0; --i) r &= c.Bit(i, w) ? x[i] : !x[i];
  return r;
}

// Built from the least significant bit up: at each bit the higher one
// decides unless the two are equal there.
bdd AtMost(const BitVec& x, const WordConst& c) {
  const int w = static_cast<int>(x.size());
  bdd r = bddtrue;
  for (int i = w - 1; i >= 0; --i) r = c.Bit(i, w) ? ((!x[i]) | r) : ((!x[i]) & r);
  return r;
}

bdd AtLeast(const BitVec& x, const WordConst& c) {
  const int w = static_cast<int>(x.size());
  bdd r = bddtrue;
  for (int i = w - 1; i >= 0; --i) r = c.Bit(i, w) ? (x[i] & r) : (x[i] | r);
  return r;
}

bdd MaskedEquals(const BitVec& x, const WordConst& value, const WordConst& mask) {
  const int w = static_cast<int>(x.size());
  bdd r = bddtrue;
  for (int i = w - 1; i >= 0; --i)
    if (mask.Bit(i, w)) r &= value.Bit(i, w) ? x[i] : !x[i];
  return r;
}

}  // namespace iptsim::symbolic
