#include "matchers/l4_range.h"

#include "matchers/parse_util.h"

namespace iptsim {

Status ParseNumRange(std::string_view text, uint32_t max, std::string_view what, NumRange* out,
                     RangeOrder order) {
  const std::string w(what);
  const std::string t(text);
  size_t colon = text.find(':');
  std::string_view a = text.substr(0, colon);
  std::string_view b =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (colon != std::string_view::npos && b.find(':') != std::string_view::npos) {
    return Status::Error("invalid " + w + " range '" + t + "': at most two values (FROM:TO)");
  }
  auto number = [&](std::string_view s, uint64_t min, uint64_t* v) {
    if (ParseUInt(s, min, max, v)) return Status();
    uint64_t tmp;
    if (ParseUInt(s, 0, max, &tmp) && tmp < min)
      return Status::Error("invalid " + w + " range '" + t + "': end " + std::to_string(tmp) +
                           " is below start " + std::to_string(min));
    return Status::Error("invalid " + w + " '" + std::string(s) + "'" +
                         (s.size() != text.size() ? " in '" + t + "'" : "") + " (must be 0.." +
                         std::to_string(max) + ")");
  };
  NumRange r;
  uint64_t v = 0;
  if (colon == std::string_view::npos) {
    if (Status s = number(a, 0, &v); !s.ok()) return s;
    r.lo = r.hi = static_cast<uint32_t>(v);
    r.single = true;
    *out = r;
    return Status();
  }
  uint64_t lo = 0, hi = max;
  if (!a.empty()) {
    if (Status s = number(a, 0, &lo); !s.ok()) return s;
  }
  if (!b.empty()) {
    if (Status s = number(b, order == RangeOrder::kAnyOrder ? 0 : lo, &hi); !s.ok()) return s;
  }
  r.lo = static_cast<uint32_t>(lo);
  r.hi = static_cast<uint32_t>(hi);
  *out = r;
  return Status();
}

std::string NumRangeText(uint32_t lo, uint32_t hi) {
  if (lo == hi) return std::to_string(lo);
  return std::to_string(lo) + ":" + std::to_string(hi);
}

}  // namespace iptsim
