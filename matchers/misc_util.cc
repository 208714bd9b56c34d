#include "matchers/misc_util.h"

#include <cctype>
#include <limits>

#include "matchers/parse_util.h"

namespace iptsim {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

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
