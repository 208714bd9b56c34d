#include "base/mac.h"

namespace iptsim {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseMacStrict(std::string_view s, MacAddr* out) {
  if (s.size() != 17) return false;
  MacAddr m;
  for (size_t i = 0; i < 6; ++i) {
    int hi = HexDigitValue(s[i * 3]), lo = HexDigitValue(s[i * 3 + 1]);
    if (hi < 0 || lo < 0) return false;
    if (i < 5 && s[i * 3 + 2] != ':') return false;
    m[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  *out = m;
  return true;
}

bool ParseMacEtherAton(std::string_view text, MacAddr* out) {
  MacAddr m{};
  for (int i = 0; i < 6; ++i) {
    size_t n = 0;
    int v = 0;
    while (n < text.size() && n < 2 && HexDigitValue(text[n]) >= 0) {
      v = v * 16 + HexDigitValue(text[n]);
      ++n;
    }
    if (n == 0) return false;
    m[i] = static_cast<uint8_t>(v);
    text.remove_prefix(n);
    if (i < 5) {
      if (text.empty() || (text[0] != ':' && text[0] != '-')) return false;
      text.remove_prefix(1);
    }
  }
  if (!text.empty()) return false;
  *out = m;
  return true;
}

}  // namespace iptsim
