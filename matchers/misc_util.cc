#include "matchers/misc_util.h"

#include <cctype>
#include <limits>

#include "matchers/parse_util.h"

namespace iptsim {

namespace {

int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

bool ParseUIntPrefix(std::string_view s, int base, uint64_t* value, size_t* used) {
  size_t i = 0;
  if (base == 0) {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && DigitValue(s[2]) < 16) {
      base = 16;
      i = 2;
    } else if (!s.empty() && s[0] == '0') {
      base = 8;
    } else {
      base = 10;
    }
  }
  size_t start = i;
  uint64_t v = 0;
  bool overflow = false;
  while (i < s.size() && DigitValue(s[i]) < base) {
    uint64_t d = static_cast<uint64_t>(DigitValue(s[i]));
    if (v > (std::numeric_limits<uint64_t>::max() - d) / static_cast<uint64_t>(base))
      overflow = true;
    else
      v = v * static_cast<uint64_t>(base) + d;
    ++i;
  }
  if (i == start || overflow) return false;
  *value = v;
  *used = i;
  return true;
}

int64_t CAtoll(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  int64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (v > (std::numeric_limits<int64_t>::max() - (s[i] - '0')) / 10)
      return neg ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    v = v * 10 + (s[i] - '0');
  }
  return neg ? -v : v;
}

bool ParseNumericHost(Family f, std::string_view text, IpAddr* out) {
  if (f == Family::kIPv6) return ParseIpAddr(Family::kIPv6, text, out);
  // inet_aton: up to four parts, each strtoul base 0; the last part fills
  // all remaining bytes.
  uint64_t parts[4];
  int n = 0;
  std::string_view s = text;
  while (true) {
    if (n == 4) return false;
    uint64_t v;
    size_t used;
    if (!ParseUIntPrefix(s, 0, &v, &used)) return false;
    parts[n++] = v;
    s.remove_prefix(used);
    if (s.empty()) break;
    if (s[0] != '.') return false;
    s.remove_prefix(1);
  }
  uint64_t limit_last = n == 1 ? 0xffffffffULL : n == 2 ? 0xffffffULL : n == 3 ? 0xffffULL : 0xffULL;
  for (int i = 0; i + 1 < n; ++i)
    if (parts[i] > 0xff) return false;
  if (parts[n - 1] > limit_last) return false;
  uint32_t a = 0;
  for (int i = 0; i + 1 < n; ++i) a |= static_cast<uint32_t>(parts[i]) << (24 - 8 * i);
  a |= static_cast<uint32_t>(parts[n - 1]);
  IpAddr r;
  r.b[0] = static_cast<uint8_t>(a >> 24);
  r.b[1] = static_cast<uint8_t>(a >> 16);
  r.b[2] = static_cast<uint8_t>(a >> 8);
  r.b[3] = static_cast<uint8_t>(a);
  *out = r;
  return true;
}

bool ParseRateText(std::string_view text, int64_t* count, uint64_t* unit_secs) {
  uint64_t mult = 1;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    std::string_view unit = text.substr(slash + 1);
    if (unit.empty()) return false;
    // strncasecmp(unit, "second", strlen(unit)): any prefix of the word.
    auto prefix_of = [&](std::string_view word) {
      return unit.size() <= word.size() && EqualsIgnoreCase(unit, word.substr(0, unit.size()));
    };
    if (prefix_of("second")) mult = 1;
    else if (prefix_of("minute")) mult = 60;
    else if (prefix_of("hour")) mult = 3600;
    else if (prefix_of("day")) mult = 86400;
    else return false;
  }
  *count = CAtoll(text);
  *unit_secs = mult;
  return true;
}

std::string FormatRate(uint64_t period, uint64_t scale, uint64_t* unit_ms) {
  static constexpr struct {
    const char* name;
    uint64_t secs;
  } kUnits[] = {{"day", 86400}, {"hour", 3600}, {"min", 60}, {"sec", 1}};
  if (period == 0) {
    if (unit_ms) *unit_ms = 0;
    return "inf";
  }
  size_t i = 1;
  for (; i < 4; ++i) {
    uint64_t m = kUnits[i].secs * scale;
    if (period > m || m / period < m % period) break;
  }
  uint64_t m = kUnits[i - 1].secs * scale;
  if (unit_ms) *unit_ms = kUnits[i - 1].secs * 1000;
  return std::to_string(m / period) + "/" + kUnits[i - 1].name;
}

Status UIntArg(std::span<const Arg> args, int i, uint64_t min, uint64_t max,
               std::string_view what, uint64_t* out) {
  uint64_t v = 0;
  Status s = ParseUIntArg(args, i, min, max, what, &v);
  if (s.ok() && v > max)
    s = Status::Error("invalid " + std::string(what) + " '" + std::string(args[i].text) +
                          "' (must be " + std::to_string(min) + ".." + std::to_string(max) + ")",
                      i);
  if (s.ok()) *out = v;
  return s;
}

bool ProcEntryNameValid(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

std::string OptName(std::span<const OptionSpec> options, int option) {
  return "'--" + std::string(options[option].name) + "'";
}

Status Conflict(std::span<const OptionSpec> options, int a, int b) {
  return Status::Error(OptName(options, a) + " cannot be used together with " +
                       OptName(options, b));
}

Status GivenOptions::Once(int option, std::span<const OptionSpec> options) {
  if (Has(option))
    return Status::Error("option " + OptName(options, option) + " may be given only once");
  Set(option);
  return {};
}

}  // namespace iptsim
