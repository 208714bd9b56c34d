// Number ranges of the L4 protocol matches (ah, esp, ipcomp, tcpmss): "A",
// "A:B", "A:", ":B" and ":", read as xtables reads its UINT*RC option types
// (each number as strtoul base 0; an omitted start is 0, an omitted end the
// type's maximum; at most two values; the end may be below the start only
// where `order` allows it, as iptables 1.8.9 does for the SPIs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "matchers/parse_util.h"

namespace iptsim {

struct NumRange {
  uint32_t lo = 0;
  uint32_t hi = 0;
  bool single = false;  // one value given ("A"): hi == lo
};

// `what` names the value in messages ("SPI", "MSS").
// `order` says whether the end may be below the start.
Status ParseNumRange(std::string_view text, uint32_t max, std::string_view what, NumRange* out,
                     RangeOrder order = RangeOrder::kStartNotAboveEnd);

// "lo" when lo == hi, else "lo:hi".
std::string NumRangeText(uint32_t lo, uint32_t hi);

}  // namespace iptsim
