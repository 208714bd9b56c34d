#include "base/numbers.h"

namespace iptsim {

namespace {

bool ParseDigits(std::string_view s, int base, uint64_t max, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (d >= base) return false;
    if (static_cast<uint64_t>(d) > max || v > (max - d) / base) return false;
    v = v * base + d;
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseUInt(std::string_view s, uint64_t min, uint64_t max, uint64_t* out) {
  // strtoul skips leading white space and takes a '+' sign.
  while (!s.empty() && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\v' ||
                        s[0] == '\f' || s[0] == '\r'))
    s.remove_prefix(1);
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  uint64_t v;
  bool ok;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    ok = ParseDigits(s.substr(2), 16, max, &v);
  else if (s.size() > 1 && s[0] == '0')
    ok = ParseDigits(s.substr(1), 8, max, &v);
  else
    ok = ParseDigits(s, 10, max, &v);
  if (!ok || v < min) return false;
  *out = v;
  return true;
}

bool ParseUIntDec(std::string_view s, uint64_t min, uint64_t max, uint64_t* out) {
  uint64_t v;
  if (!ParseDigits(s, 10, max, &v) || v < min) return false;
  *out = v;
  return true;
}

}  // namespace iptsim
