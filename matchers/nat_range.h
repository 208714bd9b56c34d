// The option syntax of the NAT range (engine/nat_range.h) shared by DNAT,
// SNAT, MASQUERADE, REDIRECT and NETMAP: how iptables reads
// "--to-destination [ADDR[-ADDR]][:PORT[-PORT[/BASE]]]" and "--to-ports
// PORT[-PORT]" (libxt_NAT's parse_to / parse_ports) and how it prints them
// back (sprint_range).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/model.h"
#include "engine/nat_range.h"
#include "engine/netaddr.h"

namespace iptsim {

// Whether the rule's -p allows a port in a NAT range: iptables accepts tcp,
// udp, sctp, dccp and icmp, looking only at the number (a '!' is ignored),
// and only at a -p given before the option.
bool NatPortsAllowed(const IpHeaderMatch* ip);

// "PORT[-PORT[/BASE]]" (libxt_NAT parse_ports).  PORT may be a service
// name when it stands alone; the end of a range must be a number.  `ip` is
// the rule's header as parsed so far (for NatPortsAllowed).
bool ParseNatPorts(std::string_view arg, const IpHeaderMatch* ip, NatRange* r, std::string* why);

// "[ADDR[-ADDR]][:PORTS]", IPv6 addresses in brackets when a port follows
// (libxt_NAT parse_to).  Addresses are strict inet_pton literals.
bool ParseNatTo(std::string_view arg, Family f, const IpHeaderMatch* ip, NatRange* r,
                std::string* why);

// The range as iptables prints it: "ADDR[-ADDR]" ("[...]" for IPv6 with
// ports), ":PORT[-PORT][/BASE]"; with skip_colon the leading ':' of a
// ports-only range is dropped (--to-ports).
std::string FormatNatRange(const NatRange& r, Family f, bool skip_colon);

// Appends " --random", " --random-fully", " --persistent" as flagged.
void SaveNatFlags(std::string& out, uint32_t flags);

}  // namespace iptsim
