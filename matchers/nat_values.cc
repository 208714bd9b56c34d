#include "matchers/nat_values.h"

#include <arpa/inet.h>

#include <cctype>
#include <cstring>

#include "base/numbers.h"
#include "matchers/parse_util.h"

namespace iptsim {

bool InetPton(Family f, std::string_view text, IpAddr* out) {
  std::string s(text);
  *out = IpAddr{};
  if (f == Family::kIPv4) {
    in_addr a;
    if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
    memcpy(out->b.data(), &a, 4);
    return true;
  }
  in6_addr a;
  if (inet_pton(AF_INET6, s.c_str(), &a) != 1) return false;
  memcpy(out->b.data(), &a, 16);
  return true;
}

bool XtStrtoulPrefix(std::string_view s, uint64_t min, uint64_t max, uint64_t* value, size_t* end) {
  size_t i = 0;
  while (i < s.size() && isspace(static_cast<unsigned char>(s[i]))) ++i;
  if (i < s.size() && s[i] == '-') return false;
  uint64_t v;
  bool overflow;
  if (!Strtoull(s, 0, &v, end, &overflow)) return false;
  if (overflow || v < min || v > max) return false;
  *value = v;
  return true;
}

bool XtStrtoulFull(std::string_view s, uint64_t min, uint64_t max, uint64_t* value) {
  return ParseUInt(s, min, max, value);
}

Status ParseXtHost(Family f, std::string_view text, IpAddr* out) {
  if (ParseNumericHost(f, text, out)) return {};
  const char* fam = f == Family::kIPv4 ? "IPv4" : "IPv6";
  IpAddr other;
  if (ParseNumericHost(f == Family::kIPv4 ? Family::kIPv6 : Family::kIPv4, text, &other))
    return Status::Error("'" + std::string(text) + "' is not an " + fam + " address");
  return Status::Error("invalid " + std::string(fam) + " address '" + std::string(text) +
                       "' (host names are not resolved)");
}

Status ParseXtHostMask(Family f, std::string_view text, IpAddr* addr, IpAddr* mask, int* plen) {
  const int max_len = f == Family::kIPv4 ? 32 : 128;
  size_t slash = text.find('/');
  if (Status s = ParseXtHost(f, text.substr(0, slash), addr); !s.ok()) return s;
  if (slash == std::string_view::npos) {
    *mask = PrefixMask(f, max_len);
    *plen = max_len;
    return {};
  }
  std::string_view m = text.substr(slash + 1);
  uint64_t len;
  if (XtStrtoulFull(m, 0, static_cast<uint64_t>(max_len), &len)) {
    *plen = static_cast<int>(len);
    *mask = PrefixMask(f, *plen);
    return {};
  }
  // Not a prefix length: a mask in address syntax (getaddrinfo, numeric).
  // Not ParsePlenMask: a mask that is not contiguous leaves *plen -1 here,
  // where ParsePlenMask gives the full length.
  IpAddr mk;
  if (!ParseNumericHost(f, m, &mk)) {
    return Status::Error("invalid mask '" + std::string(m) + "' (neither a prefix length 0.." +
                         std::to_string(max_len) + " nor a network mask)");
  }
  *plen = MaskPrefixLen(f, mk);
  // iptables 1.8.9 turns a mask it cannot write as a prefix length into
  // all ones (xtopt_parse_plenmask with hlen (uint8_t)-1).
  *mask = *plen >= 0 ? mk : PrefixMask(f, max_len);
  return {};
}

bool ParseXtServicePort(std::string_view text, uint16_t* out) {
  // glibc getaddrinfo: strtoul(service, &end, 10) that must reach the end
  // makes a number, stored in an int; -1 (and any negative int) is refused.
  uint64_t v = 0;
  size_t end = 0;
  bool overflow = false;
  bool digits = Strtoull(text, 10, &v, &end, &overflow);
  if (!digits && text.empty()) {
    // strtoul reads nothing and stops at the (empty) end: the number 0.
    *out = 0;
    return true;
  }
  if (digits && end == text.size()) {
    int32_t as_int = static_cast<int32_t>(static_cast<uint32_t>(v));
    if (as_int < 0) return false;
    *out = static_cast<uint16_t>(as_int & 0xffff);
    return true;
  }
  // A service name ("http", "ftp-data"); anything number-like is not one.
  uint64_t dummy;
  if (ParseUInt(text, 0, UINT64_MAX, &dummy)) return false;
  return ParsePort(text, "", out);
}

Status ParseXtMarkMask(std::string_view text, uint32_t* value, uint32_t* mask) {
  uint64_t v, m = 0xffffffff;
  size_t end;
  if (!XtStrtoulPrefix(text, 0, 0xffffffff, &v, &end)) {
    return Status::Error("invalid mark '" + std::string(text) +
                         "' (expected VALUE[/MASK], 32-bit numbers)");
  }
  if (end < text.size() && text[end] == '/') {
    std::string_view rest = text.substr(end + 1);
    size_t end2;
    if (!XtStrtoulPrefix(rest, 0, 0xffffffff, &m, &end2)) {
      return Status::Error("invalid mask in mark '" + std::string(text) +
                           "' (expected VALUE[/MASK], 32-bit numbers)");
    }
    end = end + 1 + end2;
  }
  if (end != text.size()) {
    return Status::Error("invalid mark '" + std::string(text) + "': unexpected '" +
                         std::string(text.substr(end)) + "' after the value");
  }
  *value = static_cast<uint32_t>(v);
  *mask = static_cast<uint32_t>(m);
  return {};
}

std::string RuleProtoText(const IpHeaderMatch& ip) {
  if (!ip.proto_given || ip.proto == 0) return "no -p";
  std::string_view name = ProtoName(ip.proto);
  std::string p = name.empty() ? std::to_string(ip.proto) : std::string(name);
  return std::string("'") + (ip.inv_proto ? "! " : "") + "-p " + p + "'";
}

}  // namespace iptsim
