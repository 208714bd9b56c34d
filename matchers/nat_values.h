// Value readers for the NAT and verdict targets, reproducing the exact
// syntax libxtables accepts for them (group "NAT and verdict targets"):
// strtoumax-style numbers with an end position (xtables_strtoul), hosts
// read by getaddrinfo (XTTYPE_HOST), ADDR[/MASK] (XTTYPE_HOSTMASK), ports
// read as getaddrinfo services (XTTYPE_PORT) and VALUE[/MASK] marks
// (XTTYPE_MARKMASK32).  They differ on purpose from parse_util's readers:
// "1.2.3" is 1.2.0.3 here (inet_aton), and "/33" is read as a dotted mask.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/model.h"
#include "engine/netaddr.h"

namespace iptsim {

// xtables_strtoul with an end pointer: leading white space, an optional '+'
// (a '-' is refused), then a base-0 number (0x hex, 0 octal, decimal) that
// may be followed by anything; *end is the index just past the number.
// False when there is no number or it is outside [min, max].
bool XtStrtoulPrefix(std::string_view s, uint64_t min, uint64_t max, uint64_t* value, size_t* end);
// The same, but the whole text must be the number (xtables_strtoui(s, NULL)).
bool XtStrtoulFull(std::string_view s, uint64_t min, uint64_t max, uint64_t* value);

// A numeric host as getaddrinfo reads it for the family: IPv4 in
// inet_aton's forms ("1.2.3" is 1.2.0.3, "0x01020304", "256" is 0.0.1.0),
// IPv6 as inet_pton.  Host names are not resolved (the simulator has no
// resolver): they are an error, with the reason.
Status ParseXtHost(Family f, std::string_view text, IpAddr* out);

// A strict address literal as inet_pton reads it (NAT ranges: "1.2.3" is
// refused).
bool InetPton(Family f, std::string_view text, IpAddr* out);

// ADDR[/LEN|/MASK] as XTTYPE_HOSTMASK reads it: the address is not masked;
// LEN is read first (base 0, 0..32 or 0..128), else a dotted/IPv6 mask.
// Without "/", the mask is all ones.  A mask that is not contiguous ends
// up as all ones with *plen = -1 (iptables 1.8.9 behaviour).
Status ParseXtHostMask(Family f, std::string_view text, IpAddr* addr, IpAddr* mask, int* plen);

// A port as XTTYPE_PORT reads it (getaddrinfo service): a decimal number
// taken modulo 65536 (70000 is 4464; values whose low 32 bits are negative
// as an int are refused), or a service name.
bool ParseXtServicePort(std::string_view text, uint16_t* out);

// VALUE[/MASK] as XTTYPE_MARKMASK32 reads it; MASK defaults to 0xffffffff.
Status ParseXtMarkMask(std::string_view text, uint32_t* value, uint32_t* mask);

// How a rule's protocol reads in a message: "no -p", "'-p udp'",
// "'! -p tcp'".
std::string RuleProtoText(const IpHeaderMatch& ip);

}  // namespace iptsim
