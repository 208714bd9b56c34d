#include "matchers/l4_range.h"

#include "matchers/parse_util.h"

namespace iptsim {

bool ParseNumRange(std::string_view text, uint32_t max, std::string_view what, NumRange* out,
                   std::string* why) {
  const std::string w(what);
  const std::string t(text);
  size_t colon = text.find(':');
  std::string_view a = text.substr(0, colon);
  std::string_view b =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (colon != std::string_view::npos && b.find(':') != std::string_view::npos) {
    *why = "invalid " + w + " range '" + t + "': at most two values (FROM:TO)";
    return false;
  }
  auto number = [&](std::string_view s, uint64_t min, uint64_t* v) {
    if (ParseUInt(s, min, max, v)) return true;
    uint64_t tmp;
    if (ParseUInt(s, 0, max, &tmp) && tmp < min)
      *why = "invalid " + w + " range '" + t + "': end " + std::to_string(tmp) +
             " is below start " + std::to_string(min);
    else
      *why = "invalid " + w + " '" + std::string(s) + "'" +
             (s.size() != text.size() ? " in '" + t + "'" : "") + " (must be 0.." +
             std::to_string(max) + ")";
    return false;
  };
  NumRange r;
  uint64_t v = 0;
  if (colon == std::string_view::npos) {
    if (!number(a, 0, &v)) return false;
    r.lo = r.hi = static_cast<uint32_t>(v);
    r.single = true;
    *out = r;
    return true;
  }
  uint64_t lo = 0, hi = max;
  if (!a.empty() && !number(a, 0, &lo)) return false;
  if (!b.empty() && !number(b, lo, &hi)) return false;
  r.lo = static_cast<uint32_t>(lo);
  r.hi = static_cast<uint32_t>(hi);
  *out = r;
  return true;
}

std::string NumRangeText(uint32_t lo, uint32_t hi) {
  if (lo == hi) return std::to_string(lo);
  return std::to_string(lo) + ":" + std::to_string(hi);
}

}  // namespace iptsim
