// MAC address text readers.  Two forms are in use, and they differ on
// purpose:
//  - ParseMacStrict: exactly six two-digit hex bytes separated by ':'
//    ("00:1b:21:0a:0b:0c", 17 characters), the form `ip link` prints and the
//    one iptables' mac match (--mac-source), the host model and the
//    verifier's lab take;
//  - ParseMacEtherAton: one or two hex digits a byte, as glibc's ether_aton
//    reads them ("0:1b:21:a:b:c"), with '-' also taken as the separator (the
//    form other tools print), used for a packet's --mac-source/--mac-dest.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace iptsim {

using MacAddr = std::array<uint8_t, 6>;

// Hex digit value of c, or -1.
int HexDigitValue(char c);

bool ParseMacStrict(std::string_view text, MacAddr* out);
// Unlike ether_aton, text after the sixth byte is refused.
bool ParseMacEtherAton(std::string_view text, MacAddr* out);

}  // namespace iptsim
