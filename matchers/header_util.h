// Helpers shared by the IP and IPv6 header matches (ttl, hl, frag, rt, srh,
// length, ...): xtables' per-option bookkeeping ("can only be used once",
// "cannot be used together with"), C strtoul semantics for the few options
// that read numbers with plain strtoul, and xtables' numeric ranges
// ("A", "A:B", ":B", "A:", ":").
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/extension.h"
#include "matchers/parse_util.h"

namespace iptsim::hdr {

// Tracks which options of one extension were given (xtables' XTOPT flags).
class OptionSet {
 public:
  bool Has(int option) const { return (bits_ >> option) & 1u; }
  bool Any() const { return bits_ != 0; }
  // Marks `option` as given; an error if it already was ("only once").
  Status Add(int option, std::span<const OptionSpec> specs);
  // An error if one of `others` was given before (xtables' .excl).
  Status Exclude(int option, std::initializer_list<int> others,
                 std::span<const OptionSpec> specs) const;

 private:
  uint32_t bits_ = 0;
};

// C strtoul(s, &end, 0) over the whole of `s`: leading white space, an
// optional sign (a '-' negates modulo 2^64), 0x hex / 0 octal / decimal.
// Returns false when there are no digits, on overflow, or with text left.
bool Strtoul(std::string_view s, uint64_t* out);

// xtables' ranges of unsigned numbers: "A", "A:B", ":B", "A:", ":" with each
// bound in [0, max] (ParseUInt syntax); a missing bound is 0 or max.  The
// start may be greater than the end only where `order` allows it.  The message of a
// failure is the reason alone, for "invalid WHAT 'TEXT': REASON".
Status ParseUIntRange(std::string_view text, uint64_t max, uint64_t* lo, uint64_t* hi,
                      RangeOrder order = RangeOrder::kStartNotAboveEnd);

// "A" or "A:B" as iptables-save prints such a range.
std::string RangeText(uint64_t lo, uint64_t hi);

}  // namespace iptsim::hdr
