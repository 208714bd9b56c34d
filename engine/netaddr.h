// IP addresses and prefixes for both families, with iptables' parsing and
// printing rules.  The only place that knows address syntax.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace iptsim {

enum class Family : uint8_t { kIPv4 = 1, kIPv6 = 2 };

// An address of either family.  IPv4 uses bytes 0..3; the rest stay zero.
struct IpAddr {
  std::array<uint8_t, 16> b{};
  bool operator==(const IpAddr&) const = default;
};

// Address plus mask (not necessarily contiguous for IPv4: iptables accepts
// dotted masks such as 255.0.255.0).
struct IpPrefix {
  IpAddr addr;
  IpAddr mask;
  bool operator==(const IpPrefix&) const = default;
  bool IsZero() const;  // address and mask all zero
};

int AddrLen(Family f);  // 4 or 16

// Parses a numeric address the way iptables does.  IPv4: one to four dotted
// decimal parts, missing trailing parts are zero ("1.2.3" is 1.2.3.0).  IPv6:
// inet_pton syntax.  Returns false on anything else (host names are not
// resolved).
bool ParseIpAddr(Family f, std::string_view text, IpAddr* out);

// Parses ADDR[/MASK] where MASK is a prefix length or (IPv4) a dotted mask;
// clears host bits as iptables does.  Without a mask the prefix is a host.
Status ParseIpPrefix(Family f, std::string_view text, IpPrefix* out);

// A numeric host as getaddrinfo(AI_NUMERICHOST) reads it, which xtables'
// host options (XTTYPE_HOST, XTTYPE_HOSTMASK) use: IPv4 by inet_aton
// (base/inet.h: "10.1" is 10.0.0.1, hex and octal parts), IPv6 by
// inet_pton.  Unlike ParseIpAddr's IPv4 (iptables' own -s/-d reader).
bool ParseNumericHost(Family f, std::string_view text, IpAddr* out);

// The /MASK of xtables' XTTYPE_PLENMASK / XTTYPE_HOSTMASK
// (xtopt_parse_plenmask): a prefix length 0..32 (128) as ParseUInt reads
// it, or a mask as ParseNumericHost reads it, taken by its prefix length;
// a mask that is not contiguous counts as all ones (iptables 1.8.9 stores
// its "length" -1 in a uint8_t).
bool ParsePlenMask(Family f, std::string_view text, int* plen);

// Formats an address: dotted quad, or RFC 5952 compressed IPv6.
std::string FormatIpAddr(Family f, const IpAddr& a);
// Formats as iptables-save does: ADDR/LEN for contiguous masks, ADDR/MASK
// (dotted) otherwise.
std::string FormatIpPrefix(Family f, const IpPrefix& p);
// Prefix length of a contiguous mask, or -1.
int MaskPrefixLen(Family f, const IpAddr& mask);
IpAddr PrefixMask(Family f, int len);

// Whether `a` masked equals `p.addr` masked.
bool PrefixContains(const IpPrefix& p, const IpAddr& a);

}  // namespace iptsim
