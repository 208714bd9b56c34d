// Words of BDD bits: a header field as the vector of its bits, each a BDD
// (a variable, a constant, or a function of other variables after a target
// rewrote the field), most significant bit first.  Comparisons with
// constants give the set of packets whose field satisfies them.
#pragma once

#include <cstdint>
#include <vector>

#include <bdd.h>

namespace iptsim::symbolic {

using BitVec = std::vector<bdd>;

// A constant of up to 128 bits, most significant byte first, as wide as
// the word it is compared with (its last `width` bits count).
struct WordConst {
  std::vector<uint8_t> bytes;  // big-endian
  static WordConst Of(uint32_t v);
  static WordConst OfBytes(const uint8_t* p, int n);
  // Bit i counted from the most significant bit of a `width`-bit word.
  bool Bit(int i, int width) const;
};

BitVec ConstBits(const WordConst& c, int width);
// x == c, x <= c, x >= c, (x & mask) == value.
bdd Equals(const BitVec& x, const WordConst& c);
bdd AtMost(const BitVec& x, const WordConst& c);
bdd AtLeast(const BitVec& x, const WordConst& c);
bdd MaskedEquals(const BitVec& x, const WordConst& value, const WordConst& mask);

}  // namespace iptsim::symbolic
