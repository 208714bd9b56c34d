#include "engine/netaddr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <string>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include "base/inet.h"
#include "base/numbers.h"

namespace iptsim {

int AddrLen(Family f) { return f == Family::kIPv4 ? 4 : 16; }

bool IpPrefix::IsZero() const {
  for (int i = 0; i < 16; ++i)
    if (addr.b[i] || mask.b[i]) return false;
  return true;
}

namespace {

bool ParseDottedQuad(std::string_view s, bool is_mask, IpAddr* out) {
  std::array<uint8_t, 4> a;
  if (!XtablesDottedQuad(s, is_mask, &a)) return false;
  *out = IpAddr{};
  std::copy(a.begin(), a.end(), out->b.begin());
  return true;
}

}  // namespace

bool ParseIpAddr(Family f, std::string_view text, IpAddr* out) {
  if (f == Family::kIPv4) return ParseDottedQuad(text, false, out);
  // inet_pton's syntax, read by Boost.Asio (which calls inet_pton).  Boost
  // also takes a scope ("fe80::1%eth0", looked up as an interface), which
  // inet_pton and iptables refuse: refused here first.  Like inet_pton, the
  // text ends at a NUL; INET6_ADDRSTRLEN characters or more are refused.
  if (text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string z(text);
  if (std::strchr(z.c_str(), '%')) return false;
  boost::system::error_code ec;
  const boost::asio::ip::address_v6 a = boost::asio::ip::make_address_v6(z.c_str(), ec);
  if (ec) return false;
  const boost::asio::ip::address_v6::bytes_type bytes = a.to_bytes();
  IpAddr r;
  std::copy(bytes.begin(), bytes.end(), r.b.begin());
  *out = r;
  return true;
}

bool ParseNumericHost(Family f, std::string_view text, IpAddr* out) {
  if (f == Family::kIPv6) return ParseIpAddr(Family::kIPv6, text, out);
  std::array<uint8_t, 4> a;
  if (!InetAton(text, &a)) return false;
  *out = IpAddr{};
  std::copy(a.begin(), a.end(), out->b.begin());
  return true;
}

bool ParsePlenMask(Family f, std::string_view text, int* plen) {
  const int max = f == Family::kIPv4 ? 32 : 128;
  uint64_t v;
  if (ParseUInt(text, 0, static_cast<uint64_t>(max), &v)) {
    *plen = static_cast<int>(v);
    return true;
  }
  IpAddr mask;
  if (!ParseNumericHost(f, text, &mask)) return false;
  const int len = MaskPrefixLen(f, mask);
  *plen = len < 0 ? max : len;
  return true;
}

IpAddr PrefixMask(Family f, int len) {
  IpAddr m;
  for (int i = 0; i < AddrLen(f); ++i) {
    int bits = len - 8 * i;
    m.b[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits));
  }
  return m;
}

int MaskPrefixLen(Family f, const IpAddr& mask) {
  int len = 0;
  int n = AddrLen(f);
  int i = 0;
  for (; i < n && mask.b[i] == 0xff; ++i) len += 8;
  if (i < n) {
    uint8_t b = mask.b[i];
    while (b & 0x80) {
      ++len;
      b = static_cast<uint8_t>(b << 1);
    }
    if (b) return -1;
    for (++i; i < n; ++i)
      if (mask.b[i]) return -1;
  }
  return len;
}

Status ParseIpPrefix(Family f, std::string_view text, IpPrefix* out) {
  std::string_view addr = text, mask;
  bool has_mask = false;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    mask = text.substr(slash + 1);
    has_mask = true;
  }
  IpPrefix p;
  if (!ParseIpAddr(f, addr, &p.addr)) {
    return Status::Error(std::string("invalid ") + (f == Family::kIPv4 ? "IPv4" : "IPv6") +
                         " address '" + std::string(addr) + "' (host names are not resolved)");
  }
  if (!has_mask) {
    p.mask = PrefixMask(f, f == Family::kIPv4 ? 32 : 128);
  } else if ((f == Family::kIPv4 && mask.find('.') != std::string_view::npos) ||
             (f == Family::kIPv6 && mask.find(':') != std::string_view::npos)) {
    bool ok = f == Family::kIPv4 ? ParseDottedQuad(mask, true, &p.mask)
                                 : ParseIpAddr(f, mask, &p.mask);
    if (!ok) {
      return Status::Error("invalid mask '" + std::string(mask) + "'");
    }
  } else {
    uint64_t len;
    if (!ParseUIntNoSign(mask, 0, f == Family::kIPv4 ? 32 : 128, &len)) {
      return Status::Error("invalid mask '" + std::string(mask) + "' (a prefix length 0.." +
                           (f == Family::kIPv4 ? "32 or a dotted mask)" : "128 or an IPv6 mask)"));
    }
    p.mask = PrefixMask(f, static_cast<int>(len));
  }
  for (int i = 0; i < 16; ++i) p.addr.b[i] &= p.mask.b[i];
  *out = p;
  return Status();
}

std::string FormatIpAddr(Family f, const IpAddr& a) {
  // Boost.Asio prints with inet_ntop: dotted quad, RFC 5952 for IPv6.
  if (f == Family::kIPv4) {
    boost::asio::ip::address_v4::bytes_type b4;
    std::copy(a.b.begin(), a.b.begin() + 4, b4.begin());
    return boost::asio::ip::address_v4(b4).to_string();
  }
  boost::asio::ip::address_v6::bytes_type b6;
  std::copy(a.b.begin(), a.b.end(), b6.begin());
  return boost::asio::ip::address_v6(b6).to_string();
}

std::string FormatIpPrefix(Family f, const IpPrefix& p) {
  std::string s = FormatIpAddr(f, p.addr);
  int len = MaskPrefixLen(f, p.mask);
  s += '/';
  if (len >= 0)
    s += std::to_string(len);
  else
    s += FormatIpAddr(f, p.mask);
  return s;
}

bool PrefixContains(const IpPrefix& p, const IpAddr& a) {
  for (int i = 0; i < 16; ++i)
    if ((a.b[i] & p.mask.b[i]) != p.addr.b[i]) return false;
  return true;
}

}  // namespace iptsim
