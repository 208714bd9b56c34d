#include "matchers/header_util.h"

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
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  int base = 10;
  if (i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
      i + 2 < s.size() && isxdigit(static_cast<unsigned char>(s[i + 2]))) {
    base = 16;
    i += 2;
  } else if (i < s.size() && s[i] == '0') {
    base = 8;
  }
  size_t start = i;
  uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size(); ++i) {
    int d;
    char c = s[i];
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else break;
    if (d >= base) break;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / base) overflow = true;
    v = v * base + d;
  }
  if (i == start || i != s.size() || overflow) return false;
  *out = neg ? (~v + 1) : v;
  return true;
}

bool ParseUIntRange(std::string_view text, uint64_t max, uint64_t* lo, uint64_t* hi,
                    std::string* why) {
  size_t colon = text.find(':');
  std::string_view a = text.substr(0, colon);
  std::string_view b = colon == std::string_view::npos ? a : text.substr(colon + 1);
  if (b.find(':') != std::string_view::npos) {
    *why = "too many ':' (expected N, N:M, N: or :M)";
    return false;
  }
  uint64_t l = 0, h = max;
  auto bad = [&](std::string_view part) {
    *why = (part.size() == text.size() ? std::string("not") : "'" + std::string(part) + "' is not") +
           " a number in 0.." + std::to_string(max);
    return false;
  };
  if (colon == std::string_view::npos) {
    if (!ParseUInt(a, 0, max, &l)) return bad(a);
    h = l;
  } else {
    if (!a.empty() && !ParseUInt(a, 0, max, &l)) return bad(a);
    if (!b.empty() && !ParseUInt(b, 0, max, &h)) return bad(b);
  }
  if (l > h) {
    *why = "start is greater than end";
    return false;
  }
  *lo = l;
  *hi = h;
  return true;
}

std::string RangeText(uint64_t lo, uint64_t hi) {
  if (lo == hi) return std::to_string(lo);
  return std::to_string(lo) + ":" + std::to_string(hi);
}

}  // namespace iptsim::hdr
