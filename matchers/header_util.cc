#include "matchers/header_util.h"

#include "base/numbers.h"
#include "matchers/parse_util.h"

namespace iptsim::hdr {

namespace {
std::string OptName(std::span<const OptionSpec> specs, int option) {
  return "'--" + std::string(specs[option].name) + "'";
}
}  // namespace

Status OptionSet::Add(int option, std::span<const OptionSpec> specs) {
  if (Has(option)) return Status::Error("option " + OptName(specs, option) + " may be given only once");
  bits_ |= 1u << option;
  return {};
}

Status OptionSet::Exclude(int option, std::initializer_list<int> others,
                          std::span<const OptionSpec> specs) const {
  for (int o : others)
    if (o != option && Has(o))
      return Status::Error("option " + OptName(specs, option) + " cannot be used together with " +
                           OptName(specs, o));
  return {};
}

bool Strtoul(std::string_view s, uint64_t* out) {
  uint64_t v;
  size_t end;
  bool overflow;
  if (!Strtoull(s, 0, &v, &end, &overflow) || end != s.size() || overflow) return false;
  *out = v;
  return true;
}

Status ParseUIntRange(std::string_view text, uint64_t max, uint64_t* lo, uint64_t* hi,
                      RangeOrder order) {
  size_t colon = text.find(':');
  std::string_view a = text.substr(0, colon);
  std::string_view b = colon == std::string_view::npos ? a : text.substr(colon + 1);
  if (b.find(':') != std::string_view::npos) {
    return Status::Error("too many ':' (expected N, N:M, N: or :M)");
  }
  uint64_t l = 0, h = max;
  auto bad = [&](std::string_view part) {
    return Status::Error(
        (part.size() == text.size() ? std::string("not") : "'" + std::string(part) + "' is not") +
        " a number in 0.." + std::to_string(max));
  };
  if (colon == std::string_view::npos) {
    if (!ParseUInt(a, 0, max, &l)) return bad(a);
    h = l;
  } else {
    if (!a.empty() && !ParseUInt(a, 0, max, &l)) return bad(a);
    if (!b.empty() && !ParseUInt(b, 0, max, &h)) return bad(b);
  }
  if (l > h && order == RangeOrder::kStartNotAboveEnd) {
    return Status::Error("start is greater than end");
  }
  *lo = l;
  *hi = h;
  return Status();
}

std::string RangeText(uint64_t lo, uint64_t hi) {
  if (lo == hi) return std::to_string(lo);
  return std::to_string(lo) + ":" + std::to_string(hi);
}

}  // namespace iptsim::hdr
