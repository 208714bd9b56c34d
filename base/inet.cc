#include "base/inet.h"

#include "base/bytes.h"
#include "base/numbers.h"

namespace iptsim {

bool InetAton(std::string_view s, std::array<uint8_t, 4>* out) {
  uint64_t parts[4];
  int n = 0;
  while (true) {
    if (n == 4) return false;
    // Each part must start with a digit; strtoul(part, &end, 0) reads it.
    if (s.empty() || s[0] < '0' || s[0] > '9') return false;
    uint64_t v;
    size_t used;
    bool overflow;
    if (!Strtoull(s, 0, &v, &used, &overflow) || overflow) return false;
    parts[n++] = v;
    s.remove_prefix(used);
    if (s.empty()) break;
    if (s[0] != '.') return false;
    s.remove_prefix(1);
  }
  // All but the last part are one byte; the last fills the rest.
  for (int i = 0; i + 1 < n; ++i)
    if (parts[i] > 0xff) return false;
  if (parts[n - 1] > (0xffffffffull >> (8 * (n - 1)))) return false;
  uint32_t a = static_cast<uint32_t>(parts[n - 1]);
  for (int i = 0; i + 1 < n; ++i) a |= static_cast<uint32_t>(parts[i]) << (24 - 8 * i);
  PutBe32(out->data(), a);
  return true;
}

bool XtablesDottedQuad(std::string_view s, bool is_mask, std::array<uint8_t, 4>* out) {
  std::array<uint8_t, 4> a{};
  for (int i = 0; i < 4; ++i) {
    size_t dot = s.find('.');
    std::string_view part = (i < 3 && dot != std::string_view::npos) ? s.substr(0, dot) : s;
    if (i == 3 && dot != std::string_view::npos) return false;
    uint64_t v;
    if (!ParseUIntNoSign(part, 0, 255, &v)) return false;
    a[i] = static_cast<uint8_t>(v);
    if (i < 3 && dot == std::string_view::npos) {
      // "1.2.3" is a network address: the missing bytes are zero.
      if (is_mask) return false;
      break;
    }
    s = s.substr(dot + 1);
  }
  *out = a;
  return true;
}

}  // namespace iptsim
