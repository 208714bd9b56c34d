// IPv4 address text readers.  Two rules are in use, and they differ on
// purpose, as in iptables:
//  - InetAton: glibc's inet_aton, which getaddrinfo(AI_NUMERICHOST) and so
//    xtables' host options (XTTYPE_HOST, XTTYPE_HOSTMASK: conntrack's
//    --ctorigsrc, policy, recent --mask, ...) use: one to four parts, each
//    decimal, 0x hex or 0 octal, the last part filling the remaining bytes
//    ("10.1" is 10.0.0.1, "0x7f000001" is 127.0.0.1);
//  - XtablesDottedQuad: libxtables' __numeric_to_ipaddr, for -s/-d and
//    their masks: one to four parts of 0..255 each, missing trailing parts
//    zero ("10.1" is 10.1.0.0, a network); a mask must have all four.
// Addresses are returned as the four bytes in network order.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace iptsim {

// inet_aton over a whole token.  Unlike glibc, which stops at white space
// and ignores what follows, text after the address is refused (a token
// never holds white space).
bool InetAton(std::string_view text, std::array<uint8_t, 4>* out);

// __numeric_to_ipaddr(text, is_mask); each part as ParseUIntNoSign (no
// white space or sign).
bool XtablesDottedQuad(std::string_view text, bool is_mask, std::array<uint8_t, 4>* out);

}  // namespace iptsim
