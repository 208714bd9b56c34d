#include "base/numbers.h"

namespace iptsim {

namespace {

// isspace in the C locale.
bool IsCSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// A digit's value in bases up to 36; 99 for anything else.
int DigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

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
  while (!s.empty() && IsCSpace(s[0])) s.remove_prefix(1);
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

bool ParseUIntNoSign(std::string_view s, uint64_t min, uint64_t max, uint64_t* out) {
  if (!s.empty() && (s[0] == '+' || IsCSpace(s[0]))) return false;
  return ParseUInt(s, min, max, out);
}

bool Strtoull(std::string_view s, int base, uint64_t* value, size_t* end, bool* overflow) {
  size_t i = 0;
  while (i < s.size() && IsCSpace(s[i])) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    neg = s[i] == '-';
    ++i;
  }
  if (base == 0 || base == 16) {
    if (i + 2 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
        DigitValue(s[i + 2]) < 16) {
      base = 16;
      i += 2;
    } else if (base == 0) {
      base = i < s.size() && s[i] == '0' ? 8 : 10;
    }
  }
  const size_t first = i;
  uint64_t v = 0;
  *overflow = false;
  while (i < s.size() && DigitValue(s[i]) < base) {
    const uint64_t d = static_cast<uint64_t>(DigitValue(s[i]));
    if (v > (UINT64_MAX - d) / static_cast<uint64_t>(base)) *overflow = true;
    v = v * static_cast<uint64_t>(base) + d;
    ++i;
  }
  if (i == first) return false;
  *value = *overflow ? UINT64_MAX : neg ? 0 - v : v;
  *end = i;
  return true;
}

bool ParseUIntPrefix(std::string_view s, int base, uint64_t* value, size_t* used) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-' || IsCSpace(s[0]))) return false;
  uint64_t v;
  size_t end;
  bool overflow;
  if (!Strtoull(s, base, &v, &end, &overflow) || overflow) return false;
  *value = v;
  *used = end;
  return true;
}

bool ParseUIntDec(std::string_view s, uint64_t min, uint64_t max, uint64_t* out) {
  uint64_t v;
  if (!ParseDigits(s, 10, max, &v) || v < min) return false;
  *out = v;
  return true;
}

}  // namespace iptsim
