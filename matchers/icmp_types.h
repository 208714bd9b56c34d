// ICMP and ICMPv6 type names and the --icmp-type / --icmpv6-type argument
// syntax shared by the icmp and icmp6 matches: a name (case-insensitive,
// unique prefixes accepted) or TYPE[/CODE[:CODE]] with numbers 0..255.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"

namespace iptsim {

struct IcmpTypeName {
  std::string_view name;
  uint8_t type;
  uint8_t code_min, code_max;
};

std::span<const IcmpTypeName> IcmpV4TypeNames();
std::span<const IcmpTypeName> IcmpV6TypeNames();

// `family_word` is "ICMP" or "ICMPv6" (for messages).  Fills type and the
// code range (0..255 when no code is given).
Status ParseIcmpTypeArg(std::string_view text, std::span<const IcmpTypeName> names,
                        std::string_view family_word, uint8_t* type, uint8_t* code_min,
                        uint8_t* code_max);

}  // namespace iptsim
