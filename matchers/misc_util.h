// Helpers shared by the "rates, owners, sets and the rest" extensions
// (limit, hashlimit, recent, policy, owner, ...): C library number parsing
// the way libxtables and the extensions call it (strtoul with an end
// pointer, atoi), inet_aton addresses, the packets-per-time rates of limit
// and hashlimit, and xtables' "option given once" bookkeeping.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/numbers.h"
#include "engine/netaddr.h"
#include "engine/extension.h"

namespace iptsim {


// atoll(): optional blanks and sign, then decimal digits; stops at the first
// other character; 0 when there is no number.  Saturates instead of
// overflowing.
int64_t CAtoll(std::string_view text);


// The rate of -m limit and -m hashlimit: "N[/second|/minute|/hour|/day]"
// with any unambiguous prefix of the unit ("/s", "/min", ...), N read with
// atoll (so "5abc/min" is 5 per minute).  Sets *count to N and *unit_secs to
// 1, 60, 3600 or 86400.  False when the unit is unknown or empty.
bool ParseRateText(std::string_view text, int64_t* count, uint64_t* unit_secs);

// iptables' print_rate(): the rate of a period (scale units per packet) as
// "N/day", "N/hour", "N/min" or "N/sec", choosing the largest unit that
// shows it without loss.  *unit_ms receives that unit's length in
// milliseconds (hashlimit compares it with the htable expiry).
std::string FormatRate(uint64_t period, uint64_t scale, uint64_t* unit_ms = nullptr);

// Whether the kernel can create /proc/net/.../NAME for a hashlimit or
// recent table: not empty, no '/', not "." or "..".
bool ProcEntryNameValid(std::string_view name);

// ParseUIntArg with the range re-checked: parse_util's reader lets a
// single digit above a maximum below 9 through ("3" for 0..2).
Status UIntArg(std::span<const Arg> args, int i, uint64_t min, uint64_t max,
               std::string_view what, uint64_t* out);
template <typename T>
Status UIntArgT(std::span<const Arg> args, int i, uint64_t min, uint64_t max,
                std::string_view what, T* out) {
  uint64_t v = 0;
  Status s = UIntArg(args, i, min, max, what, &v);
  if (s.ok()) *out = static_cast<T>(v);
  return s;
}

// Which options of an extension were given (xtables' xflags).  Options are
// indexes into ExtensionInfo::options.
class GivenOptions {
 public:
  bool Has(int option) const { return (bits_ >> option) & 1; }
  bool Any() const { return bits_ != 0; }
  uint64_t bits() const { return bits_; }
  // Marks `option` as given; an error when it was given before (xtables
  // refuses a repeated option unless it is XTOPT_MULTI).
  Status Once(int option, std::span<const OptionSpec> options);
  void Set(int option) { bits_ |= uint64_t{1} << option; }

 private:
  uint64_t bits_ = 0;
};

// "option '--NAME' ..." helpers for messages.
std::string OptName(std::span<const OptionSpec> options, int option);
Status Conflict(std::span<const OptionSpec> options, int a, int b);

}  // namespace iptsim
