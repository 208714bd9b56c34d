// Number ranges of the L4 protocol matches (ah, esp, ipcomp, tcpmss): "A",
// "A:B", "A:", ":B" and ":", read as xtables reads its UINT*RC option types
// (each number as strtoul base 0; an omitted start is 0, an omitted end the
// type's maximum; the end may not be below the start; at most two values).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace iptsim {

struct NumRange {
  uint32_t lo = 0;
  uint32_t hi = 0;
  bool single = false;  // one value given ("A"): hi == lo
};

// `what` names the value in messages ("SPI", "MSS").  On failure `why` gets
// a complete message.
bool ParseNumRange(std::string_view text, uint32_t max, std::string_view what, NumRange* out,
                   std::string* why);

// "lo" when lo == hi, else "lo:hi".
std::string NumRangeText(uint32_t lo, uint32_t hi);

// strtoul(s, &end, 0) on a prefix of `s`: decimal, 0x hex or 0 octal digits,
// no sign.  Returns the number of characters read (0: no number) and the
// value in *out; values above `max` fail (returns 0).
size_t ParseUIntPrefix(std::string_view s, uint64_t max, uint64_t* out);

}  // namespace iptsim
