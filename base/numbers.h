// Number readers with xtables' rules.  Every reader of a number in a
// ruleset, a packet option, a host file or a log line uses one of these, so
// that the same text is accepted everywhere.
#pragma once

#include <cstdint>
#include <string_view>

namespace iptsim {

// strtoul(text, 0) that must consume everything: decimal, 0x hex or 0 octal,
// after optional leading white space and '+' (as xtables_strtoui).
bool ParseUInt(std::string_view text, uint64_t min, uint64_t max, uint64_t* out);
// Decimal only.
bool ParseUIntDec(std::string_view text, uint64_t min, uint64_t max, uint64_t* out);

}  // namespace iptsim
