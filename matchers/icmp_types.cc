#include "matchers/icmp_types.h"

#include "base/numbers.h"
#include "matchers/l4_range.h"

namespace iptsim {
namespace {

// Names as iptables 1.8.13 knows them (type, code range).
constexpr IcmpTypeName kV4[] = {
    {"any", 0xff, 0, 0xff},
    {"echo-reply", 0, 0, 0xff},
    {"pong", 0, 0, 0xff},
    {"destination-unreachable", 3, 0, 0xff},
    {"network-unreachable", 3, 0, 0},
    {"host-unreachable", 3, 1, 1},
    {"protocol-unreachable", 3, 2, 2},
    {"port-unreachable", 3, 3, 3},
    {"fragmentation-needed", 3, 4, 4},
    {"source-route-failed", 3, 5, 5},
    {"network-unknown", 3, 6, 6},
    {"host-unknown", 3, 7, 7},
    {"network-prohibited", 3, 9, 9},
    {"host-prohibited", 3, 10, 10},
    {"TOS-network-unreachable", 3, 11, 11},
    {"TOS-host-unreachable", 3, 12, 12},
    {"communication-prohibited", 3, 13, 13},
    {"host-precedence-violation", 3, 14, 14},
    {"precedence-cutoff", 3, 15, 15},
    {"source-quench", 4, 0, 0xff},
    {"redirect", 5, 0, 0xff},
    {"network-redirect", 5, 0, 0},
    {"host-redirect", 5, 1, 1},
    {"TOS-network-redirect", 5, 2, 2},
    {"TOS-host-redirect", 5, 3, 3},
    {"echo-request", 8, 0, 0xff},
    {"ping", 8, 0, 0xff},
    {"router-advertisement", 9, 0, 0xff},
    {"router-solicitation", 10, 0, 0xff},
    {"time-exceeded", 11, 0, 0xff},
    {"ttl-exceeded", 11, 0, 0xff},
    {"ttl-zero-during-transit", 11, 0, 0},
    {"ttl-zero-during-reassembly", 11, 1, 1},
    {"parameter-problem", 12, 0, 0xff},
    {"ip-header-bad", 12, 0, 0},
    {"required-option-missing", 12, 1, 1},
    {"timestamp-request", 13, 0, 0xff},
    {"timestamp-reply", 14, 0, 0xff},
    {"address-mask-request", 17, 0, 0xff},
    {"address-mask-reply", 18, 0, 0xff},
};

constexpr IcmpTypeName kV6[] = {
    {"destination-unreachable", 1, 0, 0xff},
    {"no-route", 1, 0, 0},
    {"communication-prohibited", 1, 1, 1},
    {"beyond-scope", 1, 2, 2},
    {"address-unreachable", 1, 3, 3},
    {"port-unreachable", 1, 4, 4},
    {"failed-policy", 1, 5, 5},
    {"reject-route", 1, 6, 6},
    {"packet-too-big", 2, 0, 0xff},
    {"time-exceeded", 3, 0, 0xff},
    {"ttl-exceeded", 3, 0, 0xff},
    {"ttl-zero-during-transit", 3, 0, 0},
    {"ttl-zero-during-reassembly", 3, 1, 1},
    {"parameter-problem", 4, 0, 0xff},
    {"bad-header", 4, 0, 0},
    {"unknown-header-type", 4, 1, 1},
    {"unknown-option", 4, 2, 2},
    {"echo-request", 128, 0, 0xff},
    {"ping", 128, 0, 0xff},
    {"echo-reply", 129, 0, 0xff},
    {"pong", 129, 0, 0xff},
    {"mld-listener-query", 130, 0, 0xff},
    {"mld-listener-report", 131, 0, 0xff},
    {"mld-listener-done", 132, 0, 0xff},
    {"mld-listener-reduction", 132, 0, 0xff},
    {"router-solicitation", 133, 0, 0xff},
    {"router-advertisement", 134, 0, 0xff},
    {"neighbour-solicitation", 135, 0, 0xff},
    {"neighbor-solicitation", 135, 0, 0xff},
    {"neighbour-advertisement", 136, 0, 0xff},
    {"neighbor-advertisement", 136, 0, 0xff},
    {"redirect", 137, 0, 0xff},
};

bool PrefixNoCase(std::string_view full, std::string_view prefix) {
  if (prefix.size() > full.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (tolower(static_cast<unsigned char>(full[i])) !=
        tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// "N" or "N:M" at the start of s (numbers 0..255); returns characters read, 0 on error.
size_t ParseByteRange(std::string_view s, uint8_t* lo, uint8_t* hi) {
  uint64_t v;
  size_t n, m;
  if (!ParseUIntPrefix(s, 0, &v, &n) || v > 255) return 0;
  *lo = *hi = static_cast<uint8_t>(v);
  if (n < s.size() && s[n] == ':') {
    if (!ParseUIntPrefix(s.substr(n + 1), 0, &v, &m) || v > 255) return 0;
    *hi = static_cast<uint8_t>(v);
    n += 1 + m;
  }
  return n;
}

}  // namespace

std::span<const IcmpTypeName> IcmpV4TypeNames() { return kV4; }
std::span<const IcmpTypeName> IcmpV6TypeNames() { return kV6; }

Status ParseIcmpTypeArg(std::string_view text, std::span<const IcmpTypeName> names,
                        std::string_view family_word, uint8_t* type, uint8_t* code_min,
                        uint8_t* code_max) {
  const std::string fw(family_word);
  const std::string t(text);
  const IcmpTypeName* match = nullptr;
  for (const IcmpTypeName& n : names) {
    if (!PrefixNoCase(n.name, text)) continue;
    if (match) {
      return Status::Error("ambiguous " + fw + " type '" + t + "': '" + std::string(match->name) +
                           "' or '" + std::string(n.name) + "'?");
    }
    match = &n;
  }
  if (match) {
    *type = match->type;
    *code_min = match->code_min;
    *code_max = match->code_max;
    return Status();
  }
  uint8_t tlo, thi;
  size_t n = ParseByteRange(text, &tlo, &thi);
  if (!n) {
    return Status::Error("unknown " + fw + " type '" + t +
                         "' (a name, or TYPE[/CODE] with numbers 0..255)");
  }
  if (tlo != thi) {
    return Status::Error("invalid " + fw + " type '" + t + "': type ranges are not supported");
  }
  *type = tlo;
  if (n == text.size()) {
    *code_min = 0;
    *code_max = 255;
    return Status();
  }
  if (text[n] != '/') {
    return Status::Error("invalid " + fw + " type '" + t + "': unexpected '" +
                         std::string(1, text[n]) + "'");
  }
  std::string_view rest = text.substr(n + 1);
  size_t m = ParseByteRange(rest, code_min, code_max);
  if (!m) {
    return Status::Error("invalid " + fw + " code in '" + t +
                         "' (CODE or CODE:CODE, numbers 0..255)");
  }
  if (m != rest.size()) {
    return Status::Error("invalid " + fw + " type '" + t + "': unexpected '" +
                         std::string(1, rest[m]) + "'");
  }
  return Status();
}

}  // namespace iptsim
